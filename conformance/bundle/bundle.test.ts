import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { firstDifferingPath } from '../json-path.ts'
import { makeBundle, predicateType, statementFile, verifyBundle, type BundleReport } from './bundle.ts'
import { envelope, inTotoPayloadType, keyId, pae, serializeEnvelope, verifyEnvelope } from './dsse.ts'
import { packTar, readTar } from './tar.ts'

const report: BundleReport = {
  verdict: { verdict: 'NOT CONFORMANT', exitCode: 1, summary: '1 of 2 MUST checks failed: auth.required' },
  summary: {
    target: 'https://server.example:9699/netwrix/api/v1',
    runMarker: 'nwa-20260101000000-abcdef',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    counts: { pass: 1, fail: 1, warn: 0, skip: 0, error: 0 },
    byLevel: { MUST: { pass: 1, fail: 1, warn: 0, skip: 0, error: 0 } },
  },
  meta: { tool: 'nwa-kit', version: '0.1.0', node: 'v20.19.0', contract: { file: 'openapi/api.yaml', sha256: '' } },
  preflight: { identity: { server: 'Microsoft-HTTPAPI/2.0' } },
}
const contract = Buffer.from('openapi: 3.1.0\n')
report.meta.contract.sha256 = (await import('node:crypto')).createHash('sha256').update(contract).digest('hex')

const files = [
  { name: 'conformance.json', content: Buffer.from(JSON.stringify(report)) },
  { name: 'summary.md', content: Buffer.from('## nwa check\n') },
  { name: 'contract/api.yaml', content: contract },
]
const time = Date.UTC(2026, 0, 1, 0, 0, 2, 345)
const keys = generateKeyPairSync('ed25519')
const signed = makeBundle({ files, time, signingKey: keys.privateKey })
const unsigned = makeBundle({ files, time })

describe('DSSE', () => {
  it('encodes PAE as the DSSE protocol gives it, and signs and verifies over it', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world')
    const sealed = envelope(Buffer.from('{}'), inTotoPayloadType, keys.privateKey)
    expect(sealed.signatures[0]?.keyid).toBe(keyId(keys.publicKey))
    expect(verifyEnvelope(sealed, keys.publicKey)).toEqual({ ok: true })
    const other = generateKeyPairSync('ed25519').publicKey
    expect(verifyEnvelope(sealed, other)).toMatchObject({ ok: false, problem: expect.stringMatching(/no signature names the key/) })
    const forged = { ...sealed, signatures: [{ keyid: keyId(other), sig: sealed.signatures[0]!.sig }] }
    expect(verifyEnvelope(forged, other)).toMatchObject({ ok: false, problem: expect.stringMatching(/does not verify/) })
    expect(verifyEnvelope(envelope(Buffer.from('{}'), inTotoPayloadType), keys.publicKey)).toEqual({ ok: false, problem: 'the statement is not signed' })
  })
})

describe('the bundle archive', () => {
  it('is ustar in one canonical form, the statement last, every file by SHA-256 in an in-toto Statement v1', () => {
    const tar = readTar(signed)
    expect(tar.ok).toBe(true)
    if (!tar.ok) return
    expect(tar.mtime).toBe(Math.floor(time / 1000))
    expect(tar.entries.map((entry) => entry.name)).toEqual(['README.txt', 'conformance.json', 'summary.md', 'contract/api.yaml', statementFile])
    const sealed = JSON.parse(tar.entries[4]!.content.toString()) as ReturnType<typeof envelope>
    const statement = JSON.parse(Buffer.from(sealed.payload, 'base64').toString())
    expect(statement).toMatchObject({
      _type: 'https://in-toto.io/Statement/v1',
      predicateType,
      predicate: {
        subject: { kind: 'target', url: report.summary.target, server: 'Microsoft-HTTPAPI/2.0' },
        verdict: report.verdict,
        contract: report.meta.contract,
        tool: { name: 'nwa-kit', version: '0.1.0', node: 'v20.19.0' },
        time: '2026-01-01T00:00:02.000Z',
        signed: true,
      },
    })
    expect(statement.subject.map((subject: { name: string }) => subject.name)).toEqual(['README.txt', 'conformance.json', 'summary.md', 'contract/api.yaml'])
    expect(tar.entries[0]!.content.toString()).toMatch(/^Certification bundle of nwa check[\s\S]*Signed with the Ed25519 key/)
    const plain = readTar(unsigned)
    expect(plain.ok && plain.entries[0]?.content.toString()).toMatch(/UNSIGNED/)
  })

  it('verifies, signed with the key, and unsigned without one, saying so', () => {
    expect(verifyBundle(signed, keys.publicKey)).toMatchObject({ valid: true, signature: 'verified' })
    expect(verifyBundle(signed)).toMatchObject({ valid: true, signature: 'present', keyids: [keyId(keys.publicKey)] })
    expect(verifyBundle(unsigned)).toMatchObject({ valid: true, signature: 'absent', keyids: [] })
    expect(verifyBundle(unsigned, keys.publicKey)).toMatchObject({ valid: false, signature: 'invalid' })
    expect(verifyBundle(signed, generateKeyPairSync('ed25519').publicKey)).toMatchObject({ valid: false, signature: 'invalid' })
  })

  it.each([
    ['signed', signed],
    ['unsigned', unsigned],
  ])(
    'a %s bundle fails verification after a change of any one of its bytes',
    (_kind, bundle) => {
      const passing: number[] = []
      for (let offset = 0; offset < bundle.length; offset++) {
        const changed = Buffer.from(bundle)
        changed[offset] = (changed[offset]! + 1) % 256
        if (verifyBundle(changed, _kind === 'signed' ? keys.publicKey : undefined).valid) passing.push(offset)
      }
      expect(passing).toEqual([])
    },
    60_000,
  )

  it('names what changed: a file, a header, the padding, the end blocks, the envelope', () => {
    const tar = readTar(signed)
    if (!tar.ok) throw new Error('unreadable')
    const change = (offset: number) => {
      const copy = Buffer.from(signed)
      copy[offset] = (copy[offset]! + 1) % 256
      return verifyBundle(copy, keys.publicKey).findings.filter((finding) => !finding.ok)
    }
    const start = (name: string) => signed.indexOf(tar.entries.find((entry) => entry.name === name)!.content)
    expect(change(start('summary.md') + 3)).toContainEqual({
      ok: false,
      what: 'summary.md',
      message: 'its SHA-256 differs from the statement: the file was changed',
    })
    expect(change(start('summary.md') - 512 + 5)[0]).toMatchObject({ what: 'archive', message: expect.stringMatching(/checksum does not match/) })
    expect(change(start('summary.md') + 20)[0]).toMatchObject({ what: 'archive', message: expect.stringMatching(/the padding after "summary.md" is not zero/) })
    expect(change(signed.length - 1)[0]).toMatchObject({ what: 'archive', message: expect.stringMatching(/the end blocks of the archive are not zero/) })
    const statementAt = start(statementFile)
    expect(change(statementAt + signed.subarray(statementAt).indexOf('"keyid"') + 12).map((finding) => finding.what)).toContain('signature')
  })

  it('holds the statement to the verdict of the report it carries', () => {
    const lying = makeBundle({ files, time, signingKey: keys.privateKey })
    const tar = readTar(lying)
    if (!tar.ok) throw new Error('unreadable')
    const entries = tar.entries.map((entry) => ({ ...entry }))
    const sealed = JSON.parse(entries[4]!.content.toString()) as ReturnType<typeof envelope>
    const statement = JSON.parse(Buffer.from(sealed.payload, 'base64').toString())
    statement.predicate.verdict.verdict = 'CONFORMANT'
    // Re-signed by the key holder: the signature is good, the claim is not.
    const resealed = envelope(Buffer.from(JSON.stringify(statement)), inTotoPayloadType, keys.privateKey)
    entries[4] = { name: statementFile, content: Buffer.from(serializeEnvelope(resealed)) }
    const verification = verifyBundle(packTar(entries, tar.mtime), keys.publicKey)
    expect(verification.valid).toBe(false)
    expect(verification.findings).toContainEqual({ ok: false, what: 'verdict', message: "the statement's verdict differs from conformance.json's at verdict" })
  })
})

describe('readTar', () => {
  it('reads what packTar writes and refuses what it would not write', () => {
    const archive = packTar([{ name: 'a.txt', content: Buffer.from('abc') }], 1_700_000_000)
    expect(readTar(archive)).toMatchObject({ ok: true, entries: [{ name: 'a.txt' }], mtime: 1_700_000_000 })
    expect(readTar(archive.subarray(0, 1024))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/ends without its two end blocks|ends inside a header/),
    })
    expect(readTar(Buffer.concat([archive, Buffer.alloc(512)]))).toMatchObject({ ok: false, problem: 'bytes follow the end of the archive' })
    expect(() => packTar([{ name: 'ü', content: Buffer.alloc(0) }], 0)).toThrow(/printable ASCII/)
  })
})

describe('firstDifferingPath', () => {
  it('names the first path where two JSON values differ', () => {
    expect(firstDifferingPath({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe('a[1].b')
    expect(firstDifferingPath({ a: 1 }, { a: 1 })).toBeUndefined()
    expect(firstDifferingPath({ a: 1 }, { a: 1, c: 2 })).toBe('c')
  })
})
