// Server-side failures on demand, seen from the wire: status, Content-Type and ErrorList body for
// reads and writes in both formats, latency, seeded fault rates, dropped sockets, and switching at
// run time through /nwa/faults. The expected wording is copied from the documentation pages named
// beside each constant, not from the mock's sources.
import { get as httpGet } from 'node:http'
import { XMLParser } from 'fast-xml-parser'
import type { Response } from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import type { MockApp } from '../../mock/app.ts'
import { noFaults, type FaultSettings } from '../../mock/faults.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { accounts, api, basic, mockApp, ns, record } from '../mock/helpers.ts'

// api/responsestatuscodes.md, 500 row (the write column's spelling; the read column's "Auditorlicense" is a typo).
const LICENSE_EXPIRED = 'Netwrix Auditor license has expired.'
// api/responsestatuscodes.md, 500 row, both columns.
const INTERNAL_ERROR = 'Internal error occurred.'
// api/responsestatuscodes.md, 500 row, read column.
const ARCHIVE_UNREACHABLE_READ =
  'The Netwrix Auditor Archive Service is unreachable. Try restarting the service on the computer that hosts Netwrix Auditor Server.'
// api/responsestatuscodes.md, 503 row, write column.
const ARCHIVE_BUSY_WRITE =
  'The Netwrix Auditor Archive Service is busy or unreachable. Try restarting the service on the computer that hosts Netwrix Auditor Server.'
// api/errordetails.md, "Valid request, but the Audit Database is unreachable".
const AUDIT_DATABASE_UNREACHABLE =
  '0x80040C0A SQL Server cannot be contacted, connection is lost (0x80004005 [DBNETLIB][ConnectionOpen (Connect())] SQL Server does not exist or access denied.) [0x00007FFDCC06BBC8,0x00007FFDB99EF4BA; 0x00007FFDB99BEEEF,0x00007FFDB99EF4DC]'
// api/errordetails.md: the ErrorList namespace.
const ERRORS_NS = 'http://schemas.netwrix.com/api/v1/'

type Format = 'xml' | 'json'
type Operation = 'read' | 'write'
type Agent = Awaited<ReturnType<typeof mockApp>>['agent']

const apps: MockApp[] = []
const servers: RunningMock[] = []
afterEach(async () => {
  await Promise.all([...apps.splice(0).map((app) => app.close()), ...servers.splice(0).map((server) => server.close())])
})

async function start(faults: Partial<FaultSettings> = {}, control = false): Promise<{ app: MockApp; agent: Agent }> {
  const started = await mockApp({ control, faults: { ...noFaults, ...faults } })
  apps.push(started.app)
  return started
}

const xmlRecords = `<?xml version="1.0" encoding="utf-8"?><ActivityRecordList xmlns="${ns}"><ActivityRecord><Who>ENTERPRISE\\Jason.Smith</Who><Action>Added</Action><What>Databases\\Reports</What><When>2026-11-20T10:00:00Z</When><Where>SQL01</Where><ObjectType>Table</ObjectType></ActivityRecord></ActivityRecordList>`

/** `authorization: null` sends no Authorization header at all. */
function send(agent: Agent, operation: Operation, format: Format, authorization: string | null = basic(accounts.admin)) {
  const query = format === 'json' ? '?format=json' : ''
  const headers: Record<string, string> = authorization === null ? {} : { authorization }
  if (operation === 'read') return agent.get(`${api}/activity_records/enum${query}`).set(headers)
  const body = format === 'json' ? JSON.stringify([record()]) : xmlRecords
  return agent
    .post(`${api}/activity_records/${query}`)
    .set(headers)
    .set('content-type', format === 'json' ? 'application/json' : 'application/xml')
    .send(body)
}

interface ErrorEntry {
  Category: string
  Description: string
}

/** The ErrorList of either format as plain entries; the XML one must sit in the documented namespace. */
function errorList(res: Response, format: Format): ErrorEntry[] {
  expect(res.headers['content-type']).toBe(format === 'json' ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8')
  if (format === 'json') return (JSON.parse(res.text) as { ErrorList: ErrorEntry[] }).ErrorList
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'Error', parseTagValue: false }).parse(res.text) as {
    ErrorList?: { '@_xmlns'?: string; Error?: ErrorEntry[] }
  }
  expect(doc.ErrorList?.['@_xmlns']).toBe(ERRORS_NS)
  return (doc.ErrorList?.Error ?? []).map(({ Category, Description }) => ({ Category, Description }))
}

type Expected = { status: 200 } | { status: 500 | 503; description: string }

const fixedFaults: { title: string; faults: Partial<FaultSettings>; read: Expected; write: Expected }[] = [
  {
    title: '[STATUS-500-READ] [STATUS-500-WRITE] an expired license: 500 ServerError for reads and writes',
    faults: { licenseExpired: true },
    read: { status: 500, description: LICENSE_EXPIRED },
    write: { status: 500, description: LICENSE_EXPIRED },
  },
  {
    title: '[ERR-DB-UNREACHABLE-500] [STATUS-500-READ] [STATUS-500-WRITE] an unreachable Audit Database: 500 ServerError 0x80040C0A for reads and writes',
    faults: { auditDatabaseUnreachable: true },
    read: { status: 500, description: AUDIT_DATABASE_UNREACHABLE },
    write: { status: 500, description: AUDIT_DATABASE_UNREACHABLE },
  },
  {
    title: '[STATUS-503-WRITE] [STATUS-500-READ] an unreachable Archive Service: 503 for writes, 500 for reads',
    faults: { archiveService: 'unreachable' },
    read: { status: 500, description: ARCHIVE_UNREACHABLE_READ },
    write: { status: 503, description: ARCHIVE_BUSY_WRITE },
  },
  {
    title: '[STATUS-503-WRITE] a busy Archive Service: 503 for writes, reads still answered',
    faults: { archiveService: 'busy' },
    read: { status: 200 },
    write: { status: 503, description: ARCHIVE_BUSY_WRITE },
  },
]

describe('fixed faults, in XML and JSON', () => {
  for (const { title, faults, read, write } of fixedFaults) {
    it(title, async () => {
      const { app, agent } = await start(faults)
      for (const [operation, expected] of [
        ['read', read],
        ['write', write],
      ] as const) {
        for (const format of ['xml', 'json'] as const) {
          const res = await send(agent, operation, format)
          const where = `${operation} ${format}`
          expect(res.status, where).toBe(expected.status)
          if (expected.status === 200) continue
          expect(errorList(res, format), where).toEqual([{ Category: 'ServerError', Description: expected.description }])
        }
      }
      // A write that failed stored nothing, in the Audit Database or the Long-Term Archive.
      expect((await app.state.counts()).records).toBe(0)
      expect((await app.state.counts()).archive).toBe(0)
    }, 20_000)
  }
})

describe('latency', () => {
  it('keeps a fixed latency in the settings and applies it to a request', async () => {
    const { app, agent } = await start({ latencyMs: 50 })
    expect(app.faults.settings().latencyMs).toBe(50)
    const began = process.hrtime.bigint()
    const res = await send(agent, 'read', 'json')
    const elapsedMs = Number(process.hrtime.bigint() - began) / 1e6
    expect(res.status).toBe(200)
    // A functional check that the delay happens at all, not a timing target.
    expect(elapsedMs).toBeGreaterThanOrEqual(45)
  })

  it('keeps a latency range in the settings and still answers', async () => {
    const { app, agent } = await start({ latencyMs: { min: 1, max: 5 } })
    expect(app.faults.settings().latencyMs).toEqual({ min: 1, max: 5 })
    expect((await send(agent, 'read', 'json')).status).toBe(200)
  })
})

describe('fault rate', () => {
  async function statuses(seed: number): Promise<{ sequence: number[]; descriptions: Set<string> }> {
    const { app, agent } = await start({ faultRate: 0.5, seed })
    const sequence: number[] = []
    const descriptions = new Set<string>()
    for (let i = 0; i < 40; i++) {
      const res = await send(agent, 'read', 'json')
      sequence.push(res.status)
      if (res.status !== 200) for (const entry of errorList(res, 'json')) descriptions.add(`${entry.Category}: ${entry.Description}`)
    }
    await app.close()
    apps.splice(apps.indexOf(app), 1)
    return { sequence, descriptions }
  }

  it('[STATUS-500-READ] repeats the same pass/fail sequence for the same seed, failing with 500 Internal error occurred.', async () => {
    const first = await statuses(7)
    const again = await statuses(7)
    expect(again.sequence).toEqual(first.sequence)
    expect(new Set(first.sequence)).toEqual(new Set([200, 500]))
    expect(first.descriptions).toEqual(new Set([`ServerError: ${INTERNAL_ERROR}`]))
    // The seed is what fixes it: another seed gives another sequence (two equal 40-step sequences would be a 1 in 2^40 chance).
    expect((await statuses(8)).sequence).not.toEqual(first.sequence)
  }, 30_000)
})

type Outcome = { kind: 'complete'; status: number; body: string } | { kind: 'broken'; detail: string }

/** A raw request on its own socket, reporting whether the response arrived whole. */
function rawGet(url: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpGet(url, { headers, agent: false, timeout: 10_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('aborted', () => resolve({ kind: 'broken', detail: `aborted after status ${res.statusCode}` }))
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'broken', detail: error.code ?? error.message }))
      res.on('end', () => resolve(res.complete ? { kind: 'complete', status: res.statusCode ?? 0, body } : { kind: 'broken', detail: 'incomplete body' }))
    })
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')))
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'broken', detail: error.code ?? error.message }))
  })
}

describe('dropped connections', () => {
  it('closes the socket mid-response when dropConnectionRate is 1, after authenticating', async () => {
    const running = await startMockServer({
      host: '127.0.0.1',
      port: 0,
      tls: false,
      seed: 'none',
      authSchemes: ['Basic'],
      faults: { ...noFaults, dropConnectionRate: 1 },
    })
    servers.push(running)
    const url = `${running.url}${api}/activity_records/enum?format=json`
    expect(await rawGet(url, { authorization: basic(accounts.admin) })).toMatchObject({ kind: 'broken' })
    // The drop happens after authentication: a caller without credentials still gets the whole 401.
    expect(await rawGet(url, {})).toEqual({ kind: 'complete', status: 401, body: '' })
  }, 20_000)
})

describe('switching faults at run time through /nwa/faults', () => {
  it('[STATUS-500-READ] turns the license fault on and off between requests', async () => {
    const { agent } = await start({}, true)
    expect((await send(agent, 'read', 'json')).status).toBe(200)
    const on = await agent
      .post('/nwa/faults')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ licenseExpired: true }))
    expect(on.status).toBe(200)
    expect(on.body).toMatchObject({ licenseExpired: true })
    expect((await agent.get('/nwa/faults')).body).toMatchObject({ licenseExpired: true })
    const failed = await send(agent, 'read', 'json')
    expect(failed.status).toBe(500)
    expect(errorList(failed, 'json')).toEqual([{ Category: 'ServerError', Description: LICENSE_EXPIRED }])
    const off = await agent
      .post('/nwa/faults')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ licenseExpired: false }))
    expect(off.status).toBe(200)
    expect((await send(agent, 'read', 'json')).status).toBe(200)
  })

  it('refuses an invalid patch with 400 naming the key, and applies none of it', async () => {
    const { agent, app } = await start({}, true)
    const patches: [unknown, string][] = [
      [{ licenceExpired: true }, 'licenceExpired'],
      [{ faultRate: 2 }, 'faultRate'],
      [{ latencyMs: { min: 9, max: 3 } }, 'latencyMs'],
      [{ licenseExpired: true, archiveService: 'sleepy' }, 'archiveService'],
    ]
    for (const [patch, key] of patches) {
      const res = await agent.post('/nwa/faults').set('content-type', 'application/json').send(JSON.stringify(patch))
      expect(res.status, key).toBe(400)
      expect((res.body as { errors: string[] }).errors.join('\n'), key).toContain(key)
    }
    expect(app.faults.settings()).toEqual(noFaults)
    expect((await send(agent, 'read', 'json')).status).toBe(200)
  })
})

describe('faults never bypass authentication', () => {
  it('[AUTH-REQUIRED] [AUTH-BASIC] still answers an empty 401 without credentials or with a wrong password', async () => {
    const { agent } = await start({ licenseExpired: true, archiveService: 'unreachable', faultRate: 1 })
    for (const operation of ['read', 'write'] as const) {
      const anonymous = await send(agent, operation, 'json', null)
      expect(anonymous.status, operation).toBe(401)
      expect(anonymous.text).toBe('')
      expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm="/)
      const wrong = await send(agent, operation, 'json', basic(accounts.admin, 'NetwrixIsWrong'))
      expect(wrong.status, operation).toBe(401)
      expect(wrong.text).toBe('')
    }
  })
})
