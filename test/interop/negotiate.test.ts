// curl --negotiate through MIT GSSAPI with gss-ntlmssp: SPNEGO carrying NTLM, built by a real
// client library, which is what Windows clients send when no Kerberos KDC can be reached.
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { accounts, api, password, record } from '../mock/helpers.ts'
import { probe, run, tempDir } from './support.ts'

const NTLMSSP_OID = '1.3.6.1.4.1.311.2.2.10'

const work = tempDir('interop-negotiate')
afterAll(() => work.remove())

const curlProbe = probe('curl', ['--version'])
const curlFeatures = curlProbe.ok ? (/^Features:(.*)$/m.exec(curlProbe.output)?.[1] ?? '').trim().split(/\s+/) : []

/** Where MIT GSSAPI (krb5 >= 1.12) looks for mechanism plugins, GSS_MECH_CONFIG first when set. */
function mechConfigFiles(): string[] {
  const fromEnv = process.env.GSS_MECH_CONFIG ? [process.env.GSS_MECH_CONFIG] : []
  const dir = '/etc/gss/mech.d'
  const fromDir = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.conf'))
        .map((name) => join(dir, name))
    : []
  return [...fromEnv, '/etc/gss/mech', ...fromDir].filter((file) => existsSync(file))
}

/** The gss-ntlmssp plugin a mech file registers for the NTLMSSP OID, if its library is present. */
function ntlmsspPlugin(): string | undefined {
  for (const file of mechConfigFiles()) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [, oid, library] = line.replace(/#.*/, '').trim().split(/\s+/)
      if (oid === NTLMSSP_OID && library !== undefined && existsSync(library)) return library
    }
  }
  return undefined
}

const missing = !curlProbe.ok
  ? curlProbe.reason
  : !curlFeatures.includes('GSS-API') || !curlFeatures.includes('SPNEGO')
    ? `this curl lacks GSS-API or SPNEGO (${curlFeatures.join(' ')})`
    : ntlmsspPlugin() === undefined
      ? `no GSSAPI mech file registers gss-ntlmssp (${NTLMSSP_OID}); apt-get install gss-ntlmssp`
      : undefined
if (missing) console.warn(`skipped: the curl --negotiate (gss-ntlmssp) tests because ${missing}`)

const readPath = '/activity_records/enum?format=json'
const writePath = '/activity_records/?format=json'

describe.skipIf(missing !== undefined)('curl --negotiate (SPNEGO with NTLM via gss-ntlmssp) against a Negotiate-only mock over HTTPS', () => {
  let running: RunningMock
  let caFile: string
  let root: string

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(work.path, 'data-'))
    running = await startMockServer({ host: '127.0.0.1', port: 0, seed: 'none', dataDir, authSchemes: ['Negotiate'] })
    if (!running.certificate) throw new Error('the mock started without a certificate')
    caFile = join(dataDir, 'ca.pem')
    writeFileSync(caFile, running.certificate.certPem)
    // By host name, so the SPN is HTTP@localhost and curl checks the certificate's DNS name.
    root = `https://localhost:${new URL(running.url).port}${api}`
  }, 30_000)
  afterAll(() => running?.close())

  /**
   * gss-ntlmssp takes the client's credentials from NTLM_USER_FILE (DOMAIN:user:password lines);
   * `-u :` makes curl use those default credentials instead of a name of its own.
   */
  async function curl(account: string, path: string, options: { secret?: string; body?: string } = {}): Promise<{ status: number; body: string }> {
    const [domain, user] = account.split('\\')
    const userFile = join(work.path, `users-${randomUUID()}`)
    writeFileSync(userFile, `${domain}:${user}:${options.secret ?? password}\n`)
    const body = options.body === undefined ? [] : ['--header', 'content-type: application/json', '--data-binary', options.body]
    const { stdout } = await run(
      'curl',
      [
        '--silent',
        '--show-error',
        '--max-time',
        '15',
        '--write-out',
        '\n%{http_code}',
        '--negotiate',
        '--user',
        ':',
        '--cacert',
        caFile,
        ...body,
        `${root}${path}`,
      ],
      { env: { ...process.env, NTLM_USER_FILE: userFile } },
    )
    const cut = stdout.lastIndexOf('\n')
    return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) }
  }

  it('[AUTH-NEGOTIATE] reads as NetwrixUser (200, a JSON ActivityRecordList) and gets an empty 401 for a wrong password', async () => {
    const read = await curl(accounts.admin, readPath)
    expect(read.status).toBe(200)
    const page = JSON.parse(read.body) as { ActivityRecordList: unknown; ContinuationMark: unknown }
    expect(Array.isArray(page.ActivityRecordList)).toBe(true)
    expect(typeof page.ContinuationMark).toBe('string')
    const wrong = await curl(accounts.admin, readPath, { secret: 'NetwrixIsWrong' })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toBe('')
  }, 30_000)

  it('[AUTH-NEGOTIATE] [ROLE-CONTRIBUTOR-NO-READ] Contributor authenticates and writes (200) but cannot read (401)', async () => {
    const write = await curl(accounts.contributor, writePath, { body: JSON.stringify([record({ What: `negotiate-${randomUUID()}` })]) })
    expect(write.status).toBe(200)
    const denied = await curl(accounts.contributor, readPath)
    expect(denied.status).toBe(401)
  }, 30_000)
})
