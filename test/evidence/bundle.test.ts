import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPublicKey, readTar, verifyBundle } from '../../conformance/bundle/index.ts'
import { main } from '../../cli/main.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { captureOutput } from '../helpers/capture.ts'
import { probe } from '../interop/support.ts'

/**
 * `nwa check --bundle` against the reference mock, `nwa keygen` and `nwa verify` as a user runs them: the bundle
 * verifies, fails after a one-byte change anywhere (every header and end block byte, the first and last byte of each
 * file, and seeded random offsets), holds no password, and opens with the system's tar.
 */
const capture = captureOutput()
const work = mkdtempSync(join(tmpdir(), 'nwa-bundle-e2e-'))
const password = 'NetwrixIsCool'
let mock: RunningMock
let signed: Buffer
let unsignedFile: string

const keyFile = join(work, 'signer.key')
const publicFile = join(work, 'signer.pub')
const signedFile = join(work, 'signed.tar')

beforeAll(async () => {
  mock = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo' })
  process.env['NWA_BUNDLE_TEST_PASSWORD'] = password
  const output = capture()
  expect(await main(['keygen', '--out', join(work, 'signer')])).toBe(0)
  expect(output.stdout()).toMatch(/^nwa keygen: Ed25519 key [0-9a-f]{64}\n/)
  const run = checkOf('formats.*', 'auth.required')
  expect(await main([...run, '--report-dir', join(work, 'reports'), '--bundle', signedFile, '--sign-key', keyFile, '--allow-incomplete'])).toBe(0)
  expect(output.stdout()).toMatch(new RegExp(`bundle: ${signedFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ bytes\\), signed with key [0-9a-f]{64}`))
  unsignedFile = join(work, 'unsigned.tar')
  expect(await main([...run, '--report-dir', join(work, 'reports-unsigned'), '--bundle', unsignedFile, '--allow-incomplete'])).toBe(0)
  expect(output.stdout()).toContain('UNSIGNED (give --sign-key to sign it)')
  signed = readFileSync(signedFile)
}, 120_000)

afterAll(async () => {
  delete process.env['NWA_BUNDLE_TEST_PASSWORD']
  await mock?.close()
  rmSync(work, { recursive: true, force: true })
})

/** `nwa check` against the mock as the administrator, these checks only. */
function checkOf(...only: string[]): string[] {
  return ['check', '--target', mock.url, '--user', 'ENTERPRISE\\NetwrixUser', '--password', 'env:NWA_BUNDLE_TEST_PASSWORD', '--only', ...only]
}

function changed(offset: number, by = 1): Buffer {
  const copy = Buffer.from(signed)
  copy[offset] = (copy[offset]! + by) % 256
  return copy
}

describe('a bundle made by nwa check', () => {
  it('verifies with nwa verify and the public key, exit 0, naming each file and the verdict', async () => {
    const output = capture()
    expect(await main(['verify', signedFile, '--key', publicFile])).toBe(0)
    const text = output.stdout()
    for (const file of [
      'README.txt',
      'conformance.json',
      'junit.xml',
      'report.html',
      'summary.md',
      'evidence.ndjson.gz',
      'contract/netwrix-auditor-api.yaml',
      'config.json',
    ]) {
      expect(text).toContain(`✓ ${file}: SHA-256 matches the statement`)
    }
    expect(text).toMatch(/✓ verdict: the statement's INCOMPLETE matches conformance.json/)
    expect(text).toMatch(/VALID: signed by the given key; verdict INCOMPLETE\n$/)
  })

  it('fails verification, exit 1, after a one-byte change in any header, end block, or at the edges of any file', async () => {
    const tar = readTar(signed)
    if (!tar.ok) throw new Error(tar.problem)
    const key = readPublicKey(readFileSync(publicFile, 'utf8'))
    const offsets: number[] = []
    for (const entry of tar.entries) {
      const start = signed.indexOf(entry.content)
      for (let i = start - 512; i < start; i++) offsets.push(i)
      offsets.push(start, start + entry.content.length - 1)
    }
    for (let i = signed.length - 1024; i < signed.length; i++) offsets.push(i)
    const passing = offsets.filter((offset) => verifyBundle(changed(offset), key).valid)
    expect(passing).toEqual([])
    const tampered = join(work, 'tampered.tar')
    writeFileSync(tampered, changed(signed.indexOf(tar.entries[1]!.content) + 10))
    const output = capture()
    expect(await main(['verify', tampered, '--key', publicFile])).toBe(1)
    expect(output.stdout()).toMatch(/INVALID: .*first conformance\.json: its SHA-256 differs from the statement/)
  }, 120_000)

  it('fails verification after a change of one byte anywhere, at seeded random offsets', () => {
    const key = readPublicKey(readFileSync(publicFile, 'utf8'))
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: signed.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (offset, by) => !verifyBundle(changed(offset, by), key).valid,
      ),
      { numRuns: 200, seed: 21 },
    )
  }, 120_000)

  it('holds no password, anywhere: the configuration names accounts with the password removed', () => {
    const tar = readTar(signed)
    if (!tar.ok) throw new Error(tar.problem)
    const evidence = tar.entries.find((entry) => entry.name === 'evidence.ndjson.gz')!
    const texts = [...tar.entries.filter((entry) => entry !== evidence).map((entry) => entry.content.toString()), gunzipSync(evidence.content).toString()]
    for (const text of texts) expect(text).not.toContain(password)
    const config = JSON.parse(tar.entries.find((entry) => entry.name === 'config.json')!.content.toString())
    expect(config.accounts.administrator).toEqual({ user: 'ENTERPRISE\\NetwrixUser', password: '(removed)' })
    expect(config.options).toMatchObject({ only: ['formats.*', 'auth.required'] })
  })

  it('keeps the full evidence: every exchange of the run, pre-flight included, more than the reports keep', () => {
    const tar = readTar(signed)
    if (!tar.ok) throw new Error(tar.problem)
    const lines = gunzipSync(tar.entries.find((entry) => entry.name === 'evidence.ndjson.gz')!.content)
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { scope: string; exchange?: unknown })
    const report = JSON.parse(tar.entries.find((entry) => entry.name === 'conformance.json')!.content.toString())
    const kept = report.checks.reduce((sum: number, check: { evidence: { exchanges: unknown[] } }) => sum + check.evidence.exchanges.length, 0)
    expect(lines.filter((line) => line.scope === 'preflight' && line.exchange).length).toBeGreaterThan(1)
    expect(lines.filter((line) => line.exchange).length).toBeGreaterThan(kept)
  })

  it('unsigned: verifies and says UNSIGNED; with a key it fails, the statement not being signed', async () => {
    const output = capture()
    expect(await main(['verify', unsignedFile])).toBe(0)
    expect(output.stdout()).toMatch(/VALID: UNSIGNED: the files agree with the statement, which shows nothing about who made them/)
    expect(await main(['verify', unsignedFile, '--key', publicFile])).toBe(1)
    expect(output.stdout()).toMatch(/✗ signature: the statement is not signed/)
  })

  it('another key does not verify it', async () => {
    const output = capture()
    expect(await main(['keygen', '--out', join(work, 'other')])).toBe(0)
    expect(await main(['verify', signedFile, '--key', join(work, 'other.pub')])).toBe(1)
    expect(output.stdout()).toMatch(/✗ signature: no signature names the key [0-9a-f]{64}/)
  })

  it('keygen never overwrites a key; a missing bundle or a non-Ed25519 key is a usage error (exit 2)', async () => {
    const output = capture()
    expect(await main(['keygen', '--out', join(work, 'signer')])).toBe(2)
    expect(output.stderr()).toContain('already exist; a key is never overwritten')
    expect(await main(['verify', join(work, 'absent.tar')])).toBe(2)
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' })
    writeFileSync(join(work, 'rsa.pub'), rsa)
    expect(await main(['verify', signedFile, '--key', join(work, 'rsa.pub')])).toBe(2)
    expect(output.stderr()).toContain('the public key is a rsa key, not Ed25519')
    expect(await main(['check', '--target', mock.url, '--user', 'u', '--password', 'p', '--sign-key', keyFile])).toBe(2)
    expect(output.stderr()).toContain('--sign-key signs a bundle: give --bundle FILE too')
  })

  it('signs with an encrypted key when NWA_SIGN_KEY_PASSPHRASE opens it', async () => {
    process.env['NWA_TEST_PASSPHRASE'] = 'correct horse'
    try {
      const output = capture()
      expect(await main(['keygen', '--out', join(work, 'locked'), '--passphrase', 'env:NWA_TEST_PASSPHRASE'])).toBe(0)
      expect(readFileSync(join(work, 'locked.key'), 'utf8')).toContain('ENCRYPTED PRIVATE KEY')
      const bundle = join(work, 'locked.tar')
      const run = checkOf('formats.xml-default')
      expect(await main([...run, '--report-dir', join(work, 'r3'), '--bundle', bundle, '--sign-key', join(work, 'locked.key'), '--allow-incomplete'])).toBe(2)
      expect(output.stderr()).toMatch(/--sign-key .*locked\.key: .*\(nwa keygen makes an Ed25519 key pair\)/)
      process.env['NWA_SIGN_KEY_PASSPHRASE'] = 'correct horse'
      expect(await main([...run, '--report-dir', join(work, 'r3'), '--bundle', bundle, '--sign-key', join(work, 'locked.key'), '--allow-incomplete'])).toBe(0)
      expect(await main(['verify', bundle, '--key', join(work, 'locked.pub')])).toBe(0)
    } finally {
      delete process.env['NWA_TEST_PASSPHRASE']
      delete process.env['NWA_SIGN_KEY_PASSPHRASE']
    }
  }, 60_000)
})

const tar = probe('tar', ['--version'])
if (!tar.ok) console.warn(`skipped: opening a bundle with the system's tar, because ${tar.reason}`)

describe.skipIf(!tar.ok)("a bundle opened with the system's tar", () => {
  it('lists and extracts the same files, byte for byte', () => {
    const listing = execFileSync('tar', ['tf', signedFile], { encoding: 'utf8' }).trim().split('\n')
    const ours = readTar(signed)
    if (!ours.ok) throw new Error(ours.problem)
    expect(listing).toEqual(ours.entries.map((entry) => entry.name))
    const into = join(work, 'extracted')
    mkdirSync(into)
    execFileSync('tar', ['xf', signedFile, '-C', into])
    for (const entry of ours.entries) expect(readFileSync(join(into, entry.name)).equals(entry.content)).toBe(true)
  })
})
