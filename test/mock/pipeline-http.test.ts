import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { startMockServer } from '../../mock/server.ts'
import { stageNames } from '../../mock/pipeline/context.ts'
import { createPayloadCodec } from '../../openapi/payload.ts'
import { accounts, api, basic, mockPerTest, ns, record } from './helpers.ts'

const { start } = mockPerTest()

const searchXml = `<ActivityRecordSearch xmlns="${ns}"><FilterList><Who>Admin</Who></FilterList></ActivityRecordSearch>`

describe('the pipeline', () => {
  it('runs the stages in the documented order', async () => {
    const { app } = await start()
    expect(app.stages().map((stage) => stage.name)).toEqual([...stageNames])
  })

  it('[ROLE-CONTRIBUTOR-NO-READ] gives a Contributor 401 with an empty body on every read, whatever the body holds', async () => {
    const { agent } = await start({ maxBody: 1024 })
    const bodies: [string, string, string][] = [
      ['/activity_records/search', '', searchXml],
      ['/activity_records/search', '', '<ActivityRecordSearch><FilterList></ActivityRecordSearch>'],
      ['/activity_records/search', '?format=json', '{"FilterList": {"Who": "a",}}'],
      ['/activity_records/search', '?format=json', '\u0000\u0001not json at all'],
      ['/activity_records/search', '', 'x'.repeat(4096)],
      ['/activity_records/enum', '', '<ContinuationMark xmlns="urn:x">&#x1;</ContinuationMark>'],
      ['/activity_records/enum', '?format=json&count=FIVE', '"mark"'],
    ]
    for (const [path, query, body] of bodies) {
      const res = await agent.post(`${api}${path}${query}`).set('authorization', basic(accounts.contributor)).send(body)
      expect(res.status, `${path}${query} ${body.slice(0, 40)}`).toBe(401)
      expect(res.text).toBe('')
    }
  })

  it('[ROLE-READERS-NO-WRITE] [ROLE-NONE-DENIED] gives readers and the role-less 401 on write, whatever the body, and stores nothing', async () => {
    const { app, agent } = await start()
    for (const user of [accounts.globalReviewer, accounts.planReviewer, accounts.noRole, accounts.configurator]) {
      for (const body of [JSON.stringify([record()]), '[{"Who": "a",}]', '<not xml']) {
        const res = await agent.post(`${api}/activity_records/?format=json`).set('authorization', basic(user)).send(body)
        expect(res.status).toBe(401)
      }
    }
    expect((await app.state.counts()).archive).toBe(0)
  })

  it.each([
    ['nesting 100 deep', `<ActivityRecordSearch xmlns="${ns}"><FilterList>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</FilterList></ActivityRecordSearch>`],
    ['a processing instruction that never ends', '<?"?><a/>'],
    ['a character reference XML 1.0 forbids', `<ActivityRecordSearch xmlns="${ns}"><FilterList><Who>&#x1;</Who></FilterList></ActivityRecordSearch>`],
    ['a raw U+FFFF', `<ActivityRecordSearch xmlns="${ns}"><FilterList><Who>\uffff</Who></FilterList></ActivityRecordSearch>`],
  ])('[ERR-XML-MALFORMED-400] answers a search with %s with 400 XMLError', async (_name, body) => {
    const { agent } = await start()
    const res = await agent.post(`${api}/activity_records/search`).set('authorization', basic(accounts.admin)).send(body)
    expect(res.status).toBe(400)
    expect(res.text).toContain('<Category>XMLError</Category>')
  })

  it('[ERR-XML-MALFORMED-400] answers a body that is not UTF-8 with 400 XMLError', async () => {
    const { agent } = await start()
    const res = await agent
      .post(`${api}/activity_records/search`)
      .set('authorization', basic(accounts.admin))
      .set('content-type', 'application/xml')
      .send(
        Buffer.concat([
          Buffer.from(`<ActivityRecordSearch xmlns="${ns}"><FilterList><Who>`),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('</Who></FilterList></ActivityRecordSearch>'),
        ]),
      )
    expect(res.status).toBe(400)
    expect(res.text).toContain('not valid UTF-8')
  })

  it('[STATUS-400-WRITE] refuses a write carrying a character XML 1.0 forbids, in either format, naming the field, and stores nothing', async () => {
    const { app, agent } = await start()
    const json = await agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify([record(), record({ What: 'bad\u0001', DetailList: [{ PropertyName: 'P', After: '\ud800' }] })]))
    expect(json.status).toBe(400)
    const errors = JSON.parse(json.text).ErrorList as { Category: string; Description: string; Location: string }[]
    expect(errors.map((error) => [error.Category, error.Location])).toEqual([
      ['InputError', '/ActivityRecordList/ActivityRecord[2]/What'],
      ['InputError', '/ActivityRecordList/ActivityRecord[2]/DetailList/Detail[1]/After'],
    ])
    const xml = await agent
      .post(`${api}/activity_records/`)
      .set('authorization', basic(accounts.admin))
      .send(`<ActivityRecordList xmlns="${ns}"><ActivityRecord><Who>a&#xFFFE;</Who></ActivityRecord></ActivityRecordList>`)
    expect(xml.status).toBe(400)
    expect(xml.text).toContain('<Category>XMLError</Category>')
    expect((await app.state.counts()).archive).toBe(0)
  })
})

describe('request targets that are not URLs', () => {
  /** One raw request line, as a client that sends anything might send it; answers what came back. */
  const raw = (port: number, target: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`))
      let received = ''
      socket.on('data', (chunk) => {
        received += chunk.toString()
      })
      socket.on('close', () => resolve(received))
    })

  it('[STATUS-404] answers them with an empty 404 and journals why', async () => {
    const running = await startMockServer({ port: 0, tls: false, seed: 'none' })
    try {
      for (const target of ['http://[', '//[::1']) {
        const answer = await raw(Number(new URL(running.url).port), target)
        expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/)
        expect(answer).toMatch(/content-length: 0\r\n/)
      }
      expect(running.app.requests.recent().map((entry) => entry.notes)).toEqual([
        ['the request target is not a URL path'],
        ['the request target is not a URL path'],
      ])
    } finally {
      await running.close()
    }
  })
})

describe('output order (openapi/DECISIONS.md D24)', () => {
  it('returns every record, seeded or written in any key order, in the order of the output schema', async () => {
    const { app, agent } = await start({ seed: 'demo' })
    const scrambled = {
      DetailList: [{ After: '2', PropertyName: 'P', Before: '1' }],
      When: '2026-11-20T10:00:00Z',
      Who: 'ENTERPRISE\\Writer',
      Item: { Name: 'Feed' },
      Workstation: 'WKS1',
      ObjectType: 'Table',
      Where: 'SQL01',
      MonitoringPlan: { Name: 'SQL Server' },
      What: 'dbo.T',
      Action: 'Added',
    }
    const written = await agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify([scrambled]))
    expect(written.status).toBe(200)
    const schema = app.contract.schema('ActivityRecordOutputArray').items
    const recordOrder = Object.keys(schema?.properties ?? {})
    const detailOrder = Object.keys(schema?.properties?.['DetailList']?.items?.properties ?? {})
    const planOrder = Object.keys(schema?.properties?.['MonitoringPlan']?.properties ?? {})
    const isInOrder = (names: string[], order: string[]) =>
      names.every((name, index) => index === 0 || order.indexOf(names[index - 1] as string) < order.indexOf(name))
    for (const format of ['xml', 'json'] as const) {
      const res = await agent
        .get(`${api}/activity_records/enum?count=6000${format === 'json' ? '&format=json' : ''}`)
        .set('authorization', basic(accounts.admin))
      expect(res.status).toBe(200)
      if (format === 'xml') {
        expect(res.text.indexOf('<ContinuationMark>')).toBeLessThan(res.text.indexOf('<ActivityRecord>'))
        const records = [...res.text.matchAll(/<ActivityRecord>(.*?)<\/ActivityRecord>/g)].map((match) => match[1] as string)
        expect(records.length).toBe(5001)
        for (const inner of records) {
          const top = [...inner.replace(/<(DetailList|MonitoringPlan|Item)>.*?<\/\1>/g, '<$1/>').matchAll(/<(\w+)\/?>/g)].map((match) => match[1] as string)
          expect(isInOrder(top, recordOrder), top.join(',')).toBe(true)
          for (const detail of inner.matchAll(/<Detail>(.*?)<\/Detail>/g)) {
            expect(
              isInOrder(
                [...(detail[1] as string).matchAll(/<(\w+)>/g)].map((match) => match[1] as string),
                detailOrder,
              ),
            ).toBe(true)
          }
          const plan = /<MonitoringPlan>(.*?)<\/MonitoringPlan>/.exec(inner)?.[1]
          if (plan)
            expect(
              isInOrder(
                [...plan.matchAll(/<(\w+)>/g)].map((match) => match[1] as string),
                planOrder,
              ),
            ).toBe(true)
        }
      } else {
        const page = JSON.parse(res.text) as { ActivityRecordList: Record<string, unknown>[] }
        for (const output of page.ActivityRecordList) expect(isInOrder(Object.keys(output), recordOrder), Object.keys(output).join(',')).toBe(true)
      }
    }
    expect(
      createPayloadCodec(app.contract).decode(
        'ActivityRecordListResponse',
        (await agent.get(`${api}/activity_records/enum`).set('authorization', basic(accounts.admin))).text,
        'xml',
      ).ok,
    ).toBe(true)
  })
})

describe('the request journal', () => {
  it('records time, account, scheme, operation, status, the reasons and the duration of each request', async () => {
    const { app, agent } = await start()
    await agent.get(`${api}/activity_records/enum?count=FIVE`).set('authorization', basic(accounts.admin))
    await agent.post(`${api}/activity_records/search`).set('authorization', basic(accounts.contributor)).send(searchXml)
    await agent.get(`${api}/activity_records/enum`).set('authorization', basic(accounts.admin, 'wrong'))
    await agent.get(`${api}/nowhere`)
    const entries = app.requests.recent()
    expect(entries).toHaveLength(4)
    expect(entries[0]).toMatchObject({
      method: 'GET',
      path: `${api}/activity_records/enum?count=FIVE`,
      account: accounts.admin,
      scheme: 'Basic',
      operation: 'enumerateActivityRecords',
      status: 400,
      notes: [expect.stringContaining('InputError: Invalid count parameter specified')],
      time: '2026-11-21T12:00:00.000Z',
      durationMs: 0,
    })
    expect(entries[1]).toMatchObject({
      account: accounts.contributor,
      operation: 'searchActivityRecords',
      status: 401,
      notes: [expect.stringContaining('has no role')],
    })
    expect(entries[2]).toMatchObject({ status: 401, notes: ['credentials refused'] })
    expect(entries[2]?.account).toBeUndefined()
    expect(entries[3]).toMatchObject({ status: 404, notes: [expect.stringContaining('no endpoint')] })
  })

  it('answers GET /nwa/requests with the last entries, filtered, without journalling itself', async () => {
    const { agent } = await start({ control: true })
    await agent.get(`${api}/activity_records/enum`).set('authorization', basic(accounts.admin))
    await agent.get(`${api}/activity_records/enum`).set('authorization', basic(accounts.contributor))
    await agent.get(`${api}/activity_records/enum`).set('authorization', basic(accounts.contributor))
    const all = await agent.get('/nwa/requests')
    expect(all.body.requests.map((entry: { status: number }) => entry.status)).toEqual([200, 401, 401])
    const filtered = await agent.get('/nwa/requests?status=401&account=enterprise%5Ccontributor&limit=1')
    expect(filtered.body.requests).toHaveLength(1)
    expect(filtered.body.requests[0]).toMatchObject({ status: 401, account: accounts.contributor })
    expect((await agent.get('/nwa/requests?operation=enumerateActivityRecords')).body.requests).toHaveLength(3)
    const bad = await agent.get('/nwa/requests?limit=none&colour=red')
    expect(bad.status).toBe(400)
    expect(bad.body.errors).toEqual(['limit: must be a whole number from 1 (got "none")', 'colour: unknown filter (limit, status, account, operation)'])
  })
})
