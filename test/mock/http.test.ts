import { describe, expect, it } from 'vitest'
import { XMLParser } from 'fast-xml-parser'
import { createPayloadCodec } from '../../openapi/payload.ts'
import { accounts, api, basic, mockPerTest, ns, record } from './helpers.ts'

const { start, current } = mockPerTest()
const decodePage = (text: string): unknown => {
  const app = current()
  const decoded = app && createPayloadCodec(app.contract).decode('ActivityRecordListResponse', text, 'xml')
  if (!decoded?.ok) throw new Error(`not a page: ${text.slice(0, 200)}`)
  return decoded.value
}

const xmlBody = (records: Record<string, unknown>[]) =>
  `<?xml version="1.0" encoding="utf-8"?><ActivityRecordList xmlns="${ns}">${records
    .map(
      (r) =>
        `<ActivityRecord>${Object.entries(r)
          .map(([k, v]) => `<${k}>${String(v)}</${k}>`)
          .join('')}</ActivityRecord>`,
    )
    .join('')}</ActivityRecordList>`

describe('routing and methods', () => {
  it('[STATUS-404] answers an unknown endpoint with 404 and an empty body', async () => {
    const { agent } = await start()
    const res = await agent.get(`${api}/mynewendpoint/`).set('authorization', basic(accounts.admin))
    expect(res.status).toBe(404)
    expect(res.text).toBe('')
  })

  it('[STATUS-405-READ] [STATUS-405-WRITE] [EP-SEARCH-METHODS] answers a wrong method with 405, an empty body and Allow', async () => {
    const { agent } = await start()
    const cases: [string, string, string][] = [
      ['put', '/activity_records/enum', 'GET, POST'],
      ['delete', '/activity_records/enum', 'GET, POST'],
      ['get', '/activity_records/search', 'POST'],
      ['get', '/activity_records/', 'POST'],
      ['put', '/activity_records', 'POST'],
    ]
    for (const [method, path, allow] of cases) {
      const res = await (agent as unknown as Record<string, (url: string) => import('supertest').Test>)[method]!(`${api}${path}`).set(
        'authorization',
        basic(accounts.admin),
      )
      expect(res.status, `${method} ${path}`).toBe(405)
      expect(res.text).toBe('')
      expect(res.headers['allow']?.split(', ').sort().join(', ')).toBe(allow)
    }
  })

  it('[EP-WRITE-TRAILING-SLASH-OPTIONAL] writes with and without the trailing slash, and ignores unknown query parameters', async () => {
    const { agent, app } = await start()
    for (const path of ['/activity_records/?format=json&foo=bar', '/activity_records?format=json']) {
      const res = await agent
        .post(`${api}${path}`)
        .set('authorization', basic(accounts.admin))
        .send(JSON.stringify([record()]))
      expect(res.status, path).toBe(200)
    }
    expect((await app.state.counts()).records).toBe(2)
  })
})

describe('authentication and roles', () => {
  it('[AUTH-REQUIRED] [STATUS-401] refuses a request without credentials: 401, empty body, WWW-Authenticate', async () => {
    const { agent } = await start()
    const res = await agent.get(`${api}/activity_records/enum`)
    expect(res.status).toBe(401)
    expect(res.text).toBe('')
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="/)
  })

  it('[AUTH-BASIC] takes DOMAIN\\user case-insensitively and refuses a wrong password', async () => {
    const { agent } = await start()
    expect((await agent.get(`${api}/activity_records/enum`).set('authorization', basic('enterprise\\netwrixuser'))).status).toBe(200)
    expect((await agent.get(`${api}/activity_records/enum`).set('authorization', basic(accounts.admin, 'wrong'))).status).toBe(401)
  })

  it('[ROLE-CONTRIBUTOR-NO-READ] [ROLE-READERS-NO-WRITE] [ROLE-CONFIGURATOR-NONE] [ROLE-NONE-DENIED] [ROLE-GLOBAL-ADMIN] answers the role matrix with 200 or an empty 401', async () => {
    const { agent } = await start()
    const matrix: [string, boolean, boolean][] = [
      [accounts.admin, true, true],
      [accounts.globalReviewer, true, false],
      [accounts.planReviewer, true, false],
      [accounts.contributor, false, true],
      [accounts.configurator, false, false],
      [accounts.noRole, false, false],
    ]
    for (const [user, read, write] of matrix) {
      const enumRes = await agent.get(`${api}/activity_records/enum`).set('authorization', basic(user))
      expect(enumRes.status, `${user} read`).toBe(read ? 200 : 401)
      const writeRes = await agent
        .post(`${api}/activity_records/?format=json`)
        .set('authorization', basic(user))
        .send(JSON.stringify([record()]))
      expect(writeRes.status, `${user} write`).toBe(write ? 200 : 401)
      if (!write) expect(writeRes.text).toBe('')
    }
  })
})

describe('write, then read back', () => {
  it('[STATUS-200-WRITE] [FMT-WRITE-200-TEXT-PLAIN] [WRITE-AVAILABLE-TO-READ] answers a write with an empty text/plain 200 and makes the records readable', async () => {
    const { agent } = await start()
    const res = await agent
      .post(`${api}/activity_records/`)
      .set('authorization', basic(accounts.admin))
      .set('content-type', 'application/xml')
      .send(xmlBody([record({ Who: 'A &amp; B' })]))
    expect(res.status).toBe(200)
    expect(res.text).toBe('')
    expect(res.headers['content-type']).toBe('text/plain')
    expect(res.headers['server']).toBe('Microsoft-HTTPAPI/2.0')
    const read = await agent.get(`${api}/activity_records/enum?format=json`).set('authorization', basic(accounts.admin))
    expect(read.headers['content-type']).toBe('application/json; charset=utf-8')
    const [stored] = (read.body as { ActivityRecordList: Record<string, unknown>[] }).ActivityRecordList
    expect(stored).toMatchObject({ Who: 'A & B', DataSource: 'Netwrix API', When: '2026-11-20T10:00:00Z' })
    expect(String(stored?.['RID'])).toMatch(/^\d{17}[0-9A-F]{32}$/)
  })

  it('[FMT-XML-DEFAULT] [FMT-READ-XML-ROOT] answers in XML by default, with the records namespace and a mark', async () => {
    const { agent } = await start()
    await agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify([record()]))
    const res = await agent
      .get(`${api}/activity_records/enum`)
      .set('authorization', basic(accounts.admin))
      .buffer(true)
      .parse((r, cb) => {
        let text = ''
        r.on('data', (c: Buffer) => (text += c.toString()))
        r.on('end', () => cb(null, text))
      })
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8')
    const doc = new XMLParser({ ignoreAttributes: false }).parse(res.body as string) as Record<string, Record<string, unknown>>
    expect(doc['ActivityRecordList']?.['@_xmlns']).toBe(ns)
    expect(doc['ActivityRecordList']?.['ContinuationMark']).toBeTruthy()
  })

  it('[WRITE-MANDATORY-FIELDS] [STATUS-400-WRITE] rejects a batch with one bad record whole, naming its position and field', async () => {
    const { agent, app } = await start()
    const body = JSON.stringify([record(), record({ What: undefined }), record()])
    const res = await agent.post(`${api}/activity_records/?format=json`).set('authorization', basic(accounts.admin)).send(body)
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      ErrorList: [{ Category: 'InputError', Description: 'What is mandatory but missing', Location: '/ActivityRecordList/ActivityRecord[2]/What' }],
    })
    expect((await app.state.counts()).records).toBe(0)
    expect((await app.state.counts()).archive).toBe(0)
  })

  it('[ERR-XML-MALFORMED-400] [ERR-XML-NAMESPACE] answers malformed XML with 400 XMLError in the errors namespace', async () => {
    const { agent } = await start()
    const res = await agent
      .post(`${api}/activity_records/`)
      .set('authorization', basic(accounts.admin))
      .send(`<ActivityRecordList xmlns="${ns}"><ActivityRecord><Who>x</ActivityRecord></ActivityRecordList>`)
    expect(res.status).toBe(400)
    expect(res.text).toContain('<ErrorList xmlns="http://schemas.netwrix.com/api/v1/"><Error><Category>XMLError</Category><Description>0xC00CE56D End tag')
  })

  it('[FMT-WRITE-JSON-QUERY] treats a JSON body without format=json as invalid XML', async () => {
    const { agent } = await start()
    const res = await agent
      .post(`${api}/activity_records/`)
      .set('authorization', basic(accounts.admin))
      .set('content-type', 'application/json')
      .send(JSON.stringify([record()]))
    expect(res.status).toBe(400)
    expect(res.text).toContain('<Category>XMLError</Category>')
  })

  it('[ERR-JSON-CORRUPT-500] [JSON-TRAILING-COMMA] answers corrupted JSON with 500 and an empty body', async () => {
    const { agent, app } = await start()
    const res = await agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(`[${JSON.stringify(record())},]`)
    expect(res.status).toBe(500)
    expect(res.text).toBe('')
    expect((await app.state.counts()).archive).toBe(0)
  })

  it('[WRITE-ARCHIVE-ONLY] keeps IsArchiveOnly records out of enum and search, but in the archive', async () => {
    const { agent, app } = await start()
    await agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify([record({ IsArchiveOnly: true }), record()]))
    expect((await app.state.counts()).archive).toBe(2)
    const read = await agent.get(`${api}/activity_records/enum?format=json`).set('authorization', basic(accounts.admin))
    expect((read.body as { ActivityRecordList: unknown[] }).ActivityRecordList).toHaveLength(1)
  })

  it('[STATUS-413] refuses a body over --max-body with 413 and stores nothing', async () => {
    const { agent, app } = await start({ maxBody: 1024 })
    const res = await agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify(Array.from({ length: 40 }, () => record())))
    expect(res.status).toBe(413)
    expect(res.text).toBe('')
    expect((await app.state.counts()).archive).toBe(0)
  })
})

describe('count and continuation marks', () => {
  it('[COUNT-INVALID-400] answers FIVE, 0, -1 and 1.5 with 400 InputError and the documented description', async () => {
    const { agent } = await start()
    for (const count of ['FIVE', '0', '-1', '1.5']) {
      const res = await agent.get(`${api}/activity_records/enum?format=json&count=${count}`).set('authorization', basic(accounts.admin))
      expect(res.status, count).toBe(400)
      expect(res.body).toEqual({
        ErrorList: [
          { Category: 'InputError', Description: 'Invalid count parameter specified. Error details: 0x80040204 Cannot convert the attribute data type' },
        ],
      })
    }
  })

  it('[ENUM-NEXT-PAGE] [ENUM-END-OF-DATA] [MARK-ENUM-POST-XML] [MARK-ENUM-POST-JSON] pages with marks in XML and JSON until an empty page', async () => {
    const { agent } = await start()
    await agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify(Array.from({ length: 5 }, (_, i) => record({ What: `obj${i}` }))))
    const first = await agent.get(`${api}/activity_records/enum?format=json&count=2`).set('authorization', basic(accounts.admin))
    const seen = (first.body as { ActivityRecordList: { What: string }[] }).ActivityRecordList.map((r) => r.What)
    let mark = (first.body as { ContinuationMark: string }).ContinuationMark
    for (let page = 0; page < 5; page++) {
      // Alternate the XML mark (XML answer) and the JSON bare-string mark (JSON answer).
      const useXml = page % 2 === 0
      const res = useXml
        ? await agent
            .post(`${api}/activity_records/enum?count=2`)
            .set('authorization', basic(accounts.admin))
            .send(`<ContinuationMark xmlns="${ns}">\n ${mark} \n</ContinuationMark>`)
        : await agent.post(`${api}/activity_records/enum?format=json&count=2`).set('authorization', basic(accounts.admin)).send(JSON.stringify(mark))
      expect(res.status).toBe(200)
      const body = (useXml ? decodePage(res.text) : res.body) as { ActivityRecordList: { What: string }[]; ContinuationMark: string }
      expect(body.ContinuationMark).toBeTruthy()
      if (!body.ActivityRecordList.length) break
      seen.push(...body.ActivityRecordList.map((r) => r.What))
      mark = body.ContinuationMark
    }
    expect(seen).toEqual(['obj0', 'obj1', 'obj2', 'obj3', 'obj4'])
  })

  it('refuses an altered mark and a mark issued to another user with 400 InputError', async () => {
    const { agent } = await start()
    const first = await agent.get(`${api}/activity_records/enum?format=json`).set('authorization', basic(accounts.admin))
    const mark = (first.body as { ContinuationMark: string }).ContinuationMark
    const altered = `${mark.slice(0, 10)}${mark[10] === 'A' ? 'B' : 'A'}${mark.slice(11)}`
    const tampered = await agent.post(`${api}/activity_records/enum?format=json`).set('authorization', basic(accounts.admin)).send(JSON.stringify(altered))
    expect(tampered.status).toBe(400)
    expect((tampered.body as { ErrorList: { Category: string }[] }).ErrorList[0]?.Category).toBe('InputError')
    const stolen = await agent.post(`${api}/activity_records/enum?format=json`).set('authorization', basic(accounts.globalReviewer)).send(JSON.stringify(mark))
    expect(stolen.status).toBe(400)
  })
})

describe('search', () => {
  it('[SEARCH-JSON-BODY] [SEARCH-XML-BODY] [SEARCH-PAGING] [MARK-SEARCH-BODY] searches in both formats and pages with the mark in the body; enum continues a search mark', async () => {
    const { agent } = await start()
    const records = Array.from({ length: 6 }, (_, i) => record({ Who: i % 2 ? 'ENTERPRISE\\Analyst' : 'ENTERPRISE\\Admin', What: `doc${i}` }))
    await agent.post(`${api}/activity_records/?format=json`).set('authorization', basic(accounts.admin)).send(JSON.stringify(records))
    const filter = { FilterList: { Who: { Equals: 'ENTERPRISE\\Analyst' } } }
    const first = await agent
      .post(`${api}/activity_records/search?format=json&count=2`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify(filter))
    expect((first.body as { ActivityRecordList: { What: string }[] }).ActivityRecordList.map((r) => r.What)).toEqual(['doc1', 'doc3'])
    const mark = (first.body as { ContinuationMark: string }).ContinuationMark
    const xml = `<ActivityRecordSearch xmlns="${ns}"><ContinuationMark>${mark}</ContinuationMark><FilterList><Who Operator="Equals">ENTERPRISE\\Analyst</Who></FilterList></ActivityRecordSearch>`
    const second = await agent.post(`${api}/activity_records/search?count=2`).set('authorization', basic(accounts.admin)).send(xml)
    expect((decodePage(second.text) as { ActivityRecordList: { What: string }[] }).ActivityRecordList.map((r) => r.What)).toEqual(['doc5'])
    const viaEnum = await agent.post(`${api}/activity_records/enum?format=json&count=2`).set('authorization', basic(accounts.admin)).send(JSON.stringify(mark))
    expect((viaEnum.body as { ActivityRecordList: { What: string }[] }).ActivityRecordList.map((r) => r.What)).toEqual(['doc5'])
  })

  it('[FILTER-UNKNOWN-REJECTED] [OP-UNSUPPORTED-REJECTED] answers an unknown filter or operator with 400 InputError naming it', async () => {
    const { agent } = await start()
    const unknownFilter = await agent
      .post(`${api}/activity_records/search?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify({ FilterList: { Foo: 'x' } }))
    expect(unknownFilter.status).toBe(400)
    expect(JSON.stringify(unknownFilter.body)).toContain("unknown filter 'Foo'")
    const unknownOperator = await agent
      .post(`${api}/activity_records/search`)
      .set('authorization', basic(accounts.admin))
      .send(`<ActivityRecordSearch xmlns="${ns}"><FilterList><Who Operator="Bogus">x</Who></FilterList></ActivityRecordSearch>`)
    expect(unknownOperator.status).toBe(400)
    // The XML error body escapes the apostrophes (api/postdata/overview.md).
    expect(unknownOperator.text).toContain('unknown operator &apos;Bogus&apos; for filter Who')
  })

  it('[ROLE-REVIEWER-SCOPE] shows a plan reviewer only its plan, in enum, search and on every page', async () => {
    const { agent } = await start()
    const plans = ['AD Monitoring', 'Compliance', 'AD Monitoring', 'SQL Server', 'AD Monitoring']
    await agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify(plans.map((plan, i) => record({ MonitoringPlan: { Name: plan }, What: `p${i}` }))))
    const seen: string[] = []
    let res = await agent.get(`${api}/activity_records/enum?format=json&count=1`).set('authorization', basic(accounts.planReviewer))
    for (let i = 0; i < 10; i++) {
      const body = res.body as { ActivityRecordList: { What: string; MonitoringPlan?: { Name: string } }[]; ContinuationMark: string }
      if (!body.ActivityRecordList.length) break
      for (const r of body.ActivityRecordList) {
        expect(r.MonitoringPlan?.Name).toBe('AD Monitoring')
        seen.push(r.What)
      }
      res = await agent
        .post(`${api}/activity_records/enum?format=json&count=1`)
        .set('authorization', basic(accounts.planReviewer))
        .send(JSON.stringify(body.ContinuationMark))
    }
    expect(seen).toEqual(['p0', 'p2', 'p4'])
    const search = await agent
      .post(`${api}/activity_records/search?format=json`)
      .set('authorization', basic(accounts.planReviewer))
      .send(JSON.stringify({ FilterList: { What: 'p' } }))
    expect((search.body as { ActivityRecordList: { What: string }[] }).ActivityRecordList.map((r) => r.What)).toEqual(['p0', 'p2', 'p4'])
  })
})
