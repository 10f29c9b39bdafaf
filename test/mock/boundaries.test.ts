// Each limit from both sides: accepted at the limit, refused one past it.
import { request as httpRequest, createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createPayloadCodec } from '../../openapi/payload.ts'
import { accounts, api, basic, mockPerTest, ns, record } from './helpers.ts'

const { start } = mockPerTest()
let server: Server | undefined
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

type Agent = Awaited<ReturnType<typeof start>>['agent']
const admin = basic(accounts.admin)
const errorList = (res: { body: unknown }) => (res.body as { ErrorList: { Category: string; Description: string; Location?: string }[] }).ErrorList

/** A write body in XML, nested objects and arrays as their elements (DetailList holds Detail elements). */
function xmlRecords(records: Record<string, unknown>[]): string {
  const element = (name: string, value: unknown): string => {
    if (Array.isArray(value)) return `<${name}>${value.map((item) => element('Detail', item)).join('')}</${name}>`
    if (typeof value === 'object' && value !== null) {
      return `<${name}>${Object.entries(value)
        .map(([key, inner]) => element(key, inner))
        .join('')}</${name}>`
    }
    return `<${name}>${String(value)}</${name}>`
  }
  return `<ActivityRecordList xmlns="${ns}">${records.map((r) => element('ActivityRecord', r)).join('')}</ActivityRecordList>`
}

const write = (agent: Agent, format: 'json' | 'xml', records: Record<string, unknown>[]) =>
  format === 'json'
    ? agent.post(`${api}/activity_records/?format=json`).set('authorization', admin).send(JSON.stringify(records))
    : agent.post(`${api}/activity_records/`).set('authorization', admin).set('content-type', 'application/xml').send(xmlRecords(records))

describe('count and --max-count', () => {
  it('[COUNT-INVALID-400] accepts count = --max-count and refuses one more with the documented InputError, on enum and search', async () => {
    const { agent, app } = await start({ maxCount: 5 })
    await write(
      agent,
      'json',
      Array.from({ length: 8 }, (_, i) => record({ What: `r${i}` })),
    )
    const enumerate = (count: number) => agent.get(`${api}/activity_records/enum?format=json&count=${count}`).set('authorization', admin)
    const search = (count: number) =>
      agent
        .post(`${api}/activity_records/search?format=json&count=${count}`)
        .set('authorization', admin)
        .send(JSON.stringify({ FilterList: { What: { StartsWith: 'r' } } }))
    for (const [name, call] of [
      ['enum', enumerate],
      ['search', search],
    ] as const) {
      const atLimit = await call(5)
      expect(atLimit.status, name).toBe(200)
      expect((atLimit.body as { ActivityRecordList: unknown[] }).ActivityRecordList, name).toHaveLength(5)
      const past = await call(6)
      expect(past.status, name).toBe(400)
      expect(errorList(past), name).toEqual([{ Category: 'InputError', Description: app.contract.invalidCountDescription }])
    }
  })
})

describe('field lengths on write', () => {
  const fields: [string, (value: string) => Record<string, unknown>][] = [
    ['Who', (value) => ({ Who: value })],
    ['Where', (value) => ({ Where: value })],
    ['ObjectType', (value) => ({ ObjectType: value })],
    ['MonitoringPlan Name', (value) => ({ MonitoringPlan: { Name: value } })],
    ['PropertyName', (value) => ({ DetailList: [{ PropertyName: value, After: 'x' }] })],
  ]
  for (const format of ['json', 'xml'] as const) {
    it(`[WRITE-MAXLEN-255] [WRITE-DETAIL-PROPERTYNAME] [STATUS-400-WRITE] stores 255 characters and refuses 256, naming the field (${format})`, async () => {
      const { agent, app } = await start()
      for (const [name, override] of fields) {
        const before = (await app.state.counts()).archive
        const atLimit = await write(agent, format, [record(override('a'.repeat(255)))])
        expect(atLimit.status, `${name} 255`).toBe(200)
        expect((await app.state.counts()).archive, `${name} 255 stored`).toBe(before + 1)
        const past = await write(agent, format, [record(override('a'.repeat(256)))])
        expect(past.status, `${name} 256`).toBe(400)
        const leaf = name.split(' ').pop() ?? name
        const decoded = format === 'json' ? { ok: true as const, value: past.body } : createPayloadCodec(app.contract).decode('ErrorList', past.text, 'xml')
        expect(decoded.ok, `${name} 256: an ErrorList`).toBe(true)
        const errors = decoded.ok ? (decoded.value as { ErrorList: unknown[] }).ErrorList : []
        expect(JSON.stringify(errors), `${name} 256 named`).toContain(leaf)
        expect((await app.state.counts()).archive, `${name} 256 not stored`).toBe(before + 1)
      }
    })
  }
})

describe('When at the edges of what the Audit Database holds (D40)', () => {
  // Each pair: a When the store can hold, then the nearest one it cannot.
  const edges: [string, string][] = [
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00+00:01'],
    ['0001-01-01T00:01:00+00:01', '0001-01-01T00:00:59+00:01'],
    ['9999-12-31T23:59:59.9999999Z', '9999-12-31T23:59:59-00:01'],
    ['2016-12-31T23:59:59Z', '2016-12-31T23:59:60Z'],
    ['2016-12-31T18:59:59-05:00', '2016-12-31T18:59:60-05:00'],
  ]
  for (const format of ['json', 'xml'] as const) {
    it(`[WRITE-WHEN-FORMATS] [STATUS-400-WRITE] stores each When the store can hold and refuses the next, naming When (${format})`, async () => {
      const { agent, app } = await start()
      for (const [held, beyond] of edges) {
        const before = (await app.state.counts()).archive
        expect((await write(agent, format, [record({ When: held })])).status, held).toBe(200)
        expect((await app.state.counts()).archive, `${held} stored`).toBe(before + 1)
        const past = await write(agent, format, [record({ When: beyond })])
        expect(past.status, beyond).toBe(400)
        expect(past.text, `${beyond} named`).toContain('When')
        expect((await app.state.counts()).archive, `${beyond} not stored`).toBe(before + 1)
      }
      const stored = (await agent.get(`${api}/activity_records/enum?format=json&count=100`).set('authorization', admin)).body as {
        ActivityRecordList: { When: string }[]
      }
      expect(stored.ActivityRecordList.map((entry) => entry.When)).toEqual([
        '0001-01-01T00:00:00Z',
        '0001-01-01T00:00:00Z',
        '9999-12-31T23:59:59.9999999Z',
        '2016-12-31T23:59:59Z',
        '2016-12-31T23:59:59Z',
      ])
    })
  }
})

describe('filter value lengths', () => {
  const cases: [string, number][] = [
    ['RID', 49],
    ['Who', 255],
  ]
  for (const [filter, limit] of cases) {
    it(`[FILTER-RID] [FILTER-WHO] [STATUS-400-READ] searches a ${filter} of ${limit} characters and refuses ${limit + 1} with InputError`, async () => {
      const { agent } = await start()
      const search = (value: string) =>
        agent
          .post(`${api}/activity_records/search?format=json`)
          .set('authorization', admin)
          .send(JSON.stringify({ FilterList: { [filter]: value } }))
      const atLimit = await search('A'.repeat(limit))
      expect(atLimit.status).toBe(200)
      expect(atLimit.body).toHaveProperty('ActivityRecordList')
      const past = await search('A'.repeat(limit + 1))
      expect(past.status).toBe(400)
      expect(errorList(past).map((error) => error.Category)).toContain('InputError')
      expect(JSON.stringify(errorList(past))).toContain(filter)
    })
  }
})

describe('body size and --max-body', () => {
  const maxBody = 2048
  /** A valid JSON write of one record, padded with trailing whitespace to exactly `size` bytes. */
  const bodyOf = (size: number): string => {
    const json = JSON.stringify([record({ What: 'sized' })])
    if (json.length > size) throw new Error(`the record alone takes ${json.length} bytes`)
    return json + ' '.repeat(size - json.length)
  }

  it('[STATUS-413] accepts a declared body of exactly --max-body bytes and answers one byte more with an empty 413, storing nothing', async () => {
    const { agent, app } = await start({ maxBody })
    const post = (body: string) => agent.post(`${api}/activity_records/?format=json`).set('authorization', admin).send(body)
    const atLimit = await post(bodyOf(maxBody))
    expect(atLimit.status).toBe(200)
    expect((await app.state.counts()).archive).toBe(1)
    const past = await post(bodyOf(maxBody + 1))
    expect(past.status).toBe(413)
    expect(past.text).toBe('')
    expect((await app.state.counts()).archive).toBe(1)
  })

  it('[STATUS-413] counts a streamed body (no Content-Length) the same way: --max-body bytes pass, one more is 413', async () => {
    const { app } = await start({ maxBody })
    server = createServer(app.handle)
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const chunked = (body: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `${api}/activity_records/?format=json`,
            headers: { authorization: admin, 'transfer-encoding': 'chunked' },
          },
          (res) => {
            let text = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => {
              text += chunk
            })
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
          },
        )
        req.on('error', reject)
        // Two chunks, so the limit is crossed while the body streams in.
        const half = Math.floor(body.length / 2)
        req.write(body.slice(0, half))
        req.end(body.slice(half))
      })
    expect((await chunked(bodyOf(maxBody))).status).toBe(200)
    expect((await app.state.counts()).archive).toBe(1)
    const past = await chunked(bodyOf(maxBody + 1))
    expect(past).toEqual({ status: 413, text: '' })
    expect((await app.state.counts()).archive).toBe(1)
  })
})
