// Real HTTP clients (curl, Python requests, Node's https) against the running mock over HTTPS,
// with certificate verification on: what an add-on author's own tooling will do.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SchemeName } from '../../mock/auth/types.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { accounts, api, basic, password, record } from '../mock/helpers.ts'
import { httpsCall, probe, run, tempDir } from './support.ts'

const work = tempDir('interop-clients')

// OpenSSL 3 keeps MD4 (NTLM's password hash) in its legacy provider; this file turns it on for the
// Python child only. The default provider must be listed too, or activating legacy would replace it.
const opensslConf = join(work.path, 'openssl.cnf')
writeFileSync(
  opensslConf,
  [
    'openssl_conf = openssl_init',
    '[openssl_init]',
    'providers = provider_sect',
    '[provider_sect]',
    'default = default_sect',
    'legacy = legacy_sect',
    '[default_sect]',
    'activate = 1',
    '[legacy_sect]',
    'activate = 1',
    '',
  ].join('\n'),
)
const pythonEnv = { ...process.env, OPENSSL_CONF: opensslConf }

const curlProbe = probe('curl', ['--version'])
const curlFeatures = curlProbe.ok ? (/^Features:(.*)$/m.exec(curlProbe.output)?.[1] ?? '').trim().split(/\s+/) : []

// Debian's python3-requests-ntlm installs for /usr/bin/python3, which may not be the python3 on PATH.
const pythonCandidates = ['/usr/bin/python3', 'python3']
const pythonProbes = pythonCandidates.map((file) => ({ file, result: probe(file, ['-c', 'import requests, requests_ntlm'], pythonEnv) }))
const python = pythonProbes.find((candidate) => candidate.result.ok)?.file
const pythonMissing = pythonProbes.map(({ file, result }) => `${file}: ${result.ok ? 'ok' : result.reason}`).join('; ')

const curlSchemes: { scheme: SchemeName; flag: string; id: string; missing?: string }[] = [
  { scheme: 'Basic', flag: '--basic', id: 'AUTH-BASIC' },
  { scheme: 'Digest', flag: '--digest', id: 'AUTH-DIGEST' },
  {
    scheme: 'NTLM',
    flag: '--ntlm',
    id: 'AUTH-NTLM',
    missing: curlFeatures.includes('NTLM') ? undefined : `this curl lists no NTLM feature (${curlFeatures.join(' ')})`,
  },
]

if (!curlProbe.ok) console.warn(`skipped: the curl interop tests because ${curlProbe.reason}`)
for (const entry of curlSchemes) {
  if (curlProbe.ok && entry.missing) console.warn(`skipped: the curl ${entry.flag} tests because ${entry.missing}`)
}
if (!python) console.warn(`skipped: the Python requests interop tests because no python can import requests_ntlm (${pythonMissing})`)

afterAll(() => work.remove())

interface Served {
  running: RunningMock
  caFile: string
  certPem: string
  /** The API root by host name, so the client checks the certificate's DNS name. */
  root: string
}

async function serve(authSchemes?: SchemeName[]): Promise<Served> {
  const dataDir = mkdtempSync(join(work.path, 'data-'))
  const running = await startMockServer({ host: '127.0.0.1', port: 0, seed: 'none', dataDir, ...(authSchemes ? { authSchemes } : {}) })
  if (!running.certificate) throw new Error('the mock started without a certificate')
  const caFile = join(dataDir, 'ca.pem')
  writeFileSync(caFile, running.certificate.certPem)
  return { running, caFile, certPem: running.certificate.certPem, root: `https://localhost:${new URL(running.url).port}${api}` }
}

const readPath = '/activity_records/enum?format=json'
const writePath = '/activity_records/?format=json'

interface Page {
  ActivityRecordList: { What?: string }[]
  ContinuationMark: string
}

function asPage(body: string): Page {
  const page = JSON.parse(body) as Page
  expect(Array.isArray(page.ActivityRecordList)).toBe(true)
  expect(typeof page.ContinuationMark).toBe('string')
  return page
}

async function curl(args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['--silent', '--show-error', '--max-time', '15', '--write-out', '\n%{http_code}', ...args])
  const cut = stdout.lastIndexOf('\n')
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) }
}

for (const { scheme, flag, id, missing } of curlSchemes) {
  describe.skipIf(!curlProbe.ok || missing !== undefined)(`curl ${flag} against a ${scheme}-only mock over HTTPS`, () => {
    let served: Served
    beforeAll(async () => {
      served = await serve([scheme])
    }, 30_000)
    afterAll(() => served?.running.close())

    const as = (user: string, secret = password) => [flag, '--user', `${user}:${secret}`, '--cacert', served.caFile]

    it(`[${id}] [TLS-HTTPS-DEFAULT] reads as NetwrixUser (200, a JSON ActivityRecordList) and gets 401 for a wrong password`, async () => {
      const read = await curl([...as(accounts.admin), `${served.root}${readPath}`])
      expect(read.status).toBe(200)
      asPage(read.body)
      const wrong = await curl([...as(accounts.admin, 'NetwrixIsWrong'), `${served.root}${readPath}`])
      expect(wrong.status).toBe(401)
      expect(wrong.body).toBe('')
    }, 30_000)

    it(`[${id}] [ROLE-CONTRIBUTOR-NO-READ] refuses Contributor a read (401); NetwrixUser writes a record and reads it back`, async () => {
      const denied = await curl([...as(accounts.contributor), `${served.root}${readPath}`])
      expect(denied.status).toBe(401)
      const what = `curl-${scheme}-${randomUUID()}`
      const write = await curl([
        ...as(accounts.admin),
        '--header',
        'content-type: application/json',
        '--data-binary',
        JSON.stringify([record({ What: what })]),
        `${served.root}${writePath}`,
      ])
      expect(write.status).toBe(200)
      const read = await curl([...as(accounts.admin), `${served.root}${readPath}`])
      expect(read.status).toBe(200)
      expect(asPage(read.body).ActivityRecordList.map((r) => r.What)).toContain(what)
    }, 30_000)
  })
}

describe.skipIf(!curlProbe.ok)('curl against the default scheme list', () => {
  let served: Served
  beforeAll(async () => {
    served = await serve()
  }, 30_000)
  afterAll(() => served?.running.close())

  it('[AUTH-REQUIRED] [AUTH-NEGOTIATE] [AUTH-NTLM] [AUTH-DIGEST] [AUTH-BASIC] answers no credentials with an empty 401 offering Negotiate, NTLM, Digest and Basic in that order', async () => {
    const { status, body } = await curl(['--include', '--cacert', served.caFile, `${served.root}${readPath}`])
    expect(status).toBe(401)
    const [head = '', rest] = body.split(/\r\n\r\n/)
    expect(rest).toBe('')
    const challenges = head.split('\r\n').flatMap((line) => /^www-authenticate:\s*(\S+)/i.exec(line)?.[1] ?? [])
    // Digest may be offered once per algorithm (RFC 7616 section 3.7), so the order is that of first appearance.
    expect([...new Set(challenges)]).toEqual(['Negotiate', 'NTLM', 'Digest', 'Basic'])
  }, 30_000)
})

describe.skipIf(!python)('Python requests against the default scheme list over HTTPS', () => {
  let served: Served
  beforeAll(async () => {
    served = await serve()
  }, 30_000)
  afterAll(() => served?.running.close())

  // One request per process; the answer comes back as JSON on stdout.
  const script = [
    'import json, sys',
    'import requests',
    'from requests.auth import HTTPDigestAuth',
    'from requests_ntlm import HttpNtlmAuth',
    'spec = json.loads(sys.argv[1])',
    "auth = {'digest': HTTPDigestAuth, 'ntlm': HttpNtlmAuth}[spec['scheme']](spec['user'], spec['password'])",
    "options = {'auth': auth, 'verify': spec['ca'], 'timeout': 15}",
    "if spec['body'] is None:",
    "    r = requests.get(spec['url'], **options)",
    'else:',
    "    r = requests.post(spec['url'], data=spec['body'].encode('utf-8'), headers={'Content-Type': 'application/json'}, **options)",
    "print(json.dumps({'status': r.status_code, 'body': r.text}))",
  ].join('\n')

  async function py(scheme: 'digest' | 'ntlm', user: string, path: string, options: { secret?: string; body?: string } = {}) {
    const spec = { scheme, user, password: options.secret ?? password, url: `${served.root}${path}`, ca: served.caFile, body: options.body ?? null }
    const { stdout } = await run(python ?? 'python3', ['-c', script, JSON.stringify(spec)], { env: pythonEnv })
    return JSON.parse(stdout) as { status: number; body: string }
  }

  const clients = [
    { scheme: 'digest', label: 'HTTPDigestAuth', id: 'AUTH-DIGEST' },
    { scheme: 'ntlm', label: 'requests_ntlm.HttpNtlmAuth', id: 'AUTH-NTLM' },
  ] as const

  for (const { scheme, label, id } of clients) {
    it(`[${id}] ${label} reads as NetwrixUser (200, a JSON ActivityRecordList) and gets 401 for a wrong password`, async () => {
      const read = await py(scheme, accounts.admin, readPath)
      expect(read.status).toBe(200)
      asPage(read.body)
      const wrong = await py(scheme, accounts.admin, readPath, { secret: 'NetwrixIsWrong' })
      expect(wrong.status).toBe(401)
      expect(wrong.body).toBe('')
    }, 30_000)

    it(`[${id}] [ROLE-CONTRIBUTOR-NO-READ] ${label}: Contributor cannot read (401); NetwrixUser writes a record and reads it back`, async () => {
      expect((await py(scheme, accounts.contributor, readPath)).status).toBe(401)
      const what = `python-${scheme}-${randomUUID()}`
      const write = await py(scheme, accounts.admin, writePath, { body: JSON.stringify([record({ What: what })]) })
      expect(write.status).toBe(200)
      const read = await py(scheme, accounts.admin, readPath)
      expect(read.status).toBe(200)
      expect(asPage(read.body).ActivityRecordList.map((r) => r.What)).toContain(what)
    }, 30_000)
  }
})

describe("Node's https client against the generated certificate", () => {
  let served: Served
  beforeAll(async () => {
    served = await serve()
  }, 30_000)
  afterAll(() => served?.running.close())

  const call = (path: string, user: string, options: { method?: string; body?: string } = {}) =>
    httpsCall(`${served.running.url}${api}${path}`, {
      ...options,
      ca: served.certPem,
      servername: 'localhost',
      headers: { authorization: basic(user), ...(options.body ? { 'content-type': 'application/json' } : {}) },
    })

  it('[TLS-SELF-SIGNED] [TLS-CERT-HOST] [AUTH-BASIC] verifies the certificate for localhost, sees the fingerprint the mock reports, and reads', async () => {
    const answer = await call(readPath, accounts.admin)
    expect(answer.peer.fingerprint256).toBe(served.running.certificate?.fingerprint256)
    expect(answer.status).toBe(200)
    asPage(answer.body)
  }, 30_000)

  it('[AUTH-BASIC] [ROLE-CONTRIBUTOR-NO-READ] refuses Contributor a read (401); NetwrixUser writes a record and reads it back', async () => {
    expect((await call(readPath, accounts.contributor)).status).toBe(401)
    const what = `node-${randomUUID()}`
    expect((await call(writePath, accounts.admin, { method: 'POST', body: JSON.stringify([record({ What: what })]) })).status).toBe(200)
    const read = await call(readPath, accounts.admin)
    expect(asPage(read.body).ActivityRecordList.map((r) => r.What)).toContain(what)
  }, 30_000)
})
