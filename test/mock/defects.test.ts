import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MockApp } from '../../mock/app.ts'
import { defectCatalogue } from '../../mock/defects/index.ts'
import { stageNames } from '../../mock/pipeline/context.ts'
import { type DigestAlgorithm, digestResponse, quoteString } from '../../openapi/auth/digest.ts'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import { accounts, api, basic, mockApp, ns, record } from './helpers.ts'

/**
 * Every seeded defect changes what the mock answers, and switching it off gives the clean mock back: each
 * defect has a probe, a few requests whose observable answer must differ between the clean mock and the mock
 * with that defect on (mock/defects, issue 9 item 5). One app serves all probes: the demo data on the fixed
 * clock of the helpers, Digest and Basic offered, a small body limit so the 413 path is cheap to reach.
 */

interface Reply {
  status: number
  headers: Record<string, string>
  text: string
}

interface Send {
  as?: string | null
  /** An Authorization header of the probe's own, sent as it is. */
  authorization?: string
  password?: string
  body?: string
  type?: string
}

let app: MockApp
let send: (method: 'get' | 'post' | 'put', path: string, options?: Send) => Promise<Reply>
let counter = 0
const marker = (): string => `defect-probe-${++counter}`

beforeAll(async () => {
  const started = await mockApp({ seed: 'demo', authSchemes: ['Digest', 'Basic'], maxBody: 256 * 1024, control: true, defects: defectCatalogue })
  app = started.app
  send = async (method, path, options = {}) => {
    let test = started.agent[method](`${api}${path}`)
    if (options.authorization !== undefined) test = test.set('authorization', options.authorization)
    else if (options.as !== null) test = test.set('authorization', basic(options.as ?? accounts.admin, options.password))
    if (options.body !== undefined) test = test.set('content-type', options.type ?? 'application/json').send(options.body)
    const res = await test
    return { status: res.status, headers: res.headers as Record<string, string>, text: res.text }
  }
}, 60_000)

afterAll(async () => {
  await app?.close()
})

// ------------------------------------------------------------------------------------------------ small clients

interface Page {
  records: ActivityRecordOutput[]
  mark: string | undefined
}

function jsonPage(reply: Reply): Page {
  if (reply.status !== 200) throw new Error(`expected a page, got ${reply.status} ${reply.text.slice(0, 200)}`)
  const value = JSON.parse(reply.text) as { ActivityRecordList: ActivityRecordOutput[]; ContinuationMark?: string }
  return { records: value.ActivityRecordList, mark: value.ContinuationMark }
}

const enumPage = async (count: number, as?: string): Promise<Page> => jsonPage(await send('get', `/activity_records/enum?format=json&count=${count}`, { as }))
const nextPage = async (mark: string, count: number, as?: string): Promise<Page> =>
  jsonPage(await send('post', `/activity_records/enum?format=json&count=${count}`, { as, body: JSON.stringify(mark) }))
const search = (filters: unknown, query = '', as?: string): Promise<Reply> =>
  send('post', `/activity_records/search?format=json${query}`, { as, body: JSON.stringify({ FilterList: filters }) })
const found = async (filters: unknown, query = ''): Promise<ActivityRecordOutput[]> => jsonPage(await search(filters, query)).records
const write = (records: unknown[], as?: string): Promise<Reply> => send('post', '/activity_records/?format=json', { as, body: JSON.stringify(records) })

/** Writes one record with a fresh marker in What and reads back what the search by that marker returns. */
async function writeAndRead(overrides: Record<string, unknown>): Promise<ActivityRecordOutput[]> {
  const What = marker()
  const written = await write([record({ What, ...overrides })])
  if (written.status !== 200) return []
  return found({ What: { Contains: What } })
}

const rids = (page: Page): string[] => page.records.map((item) => item.RID ?? '')
const swapCase = (text: string): string => [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('')
const firstRecord = async (): Promise<ActivityRecordOutput> => (await enumPage(1)).records[0]!
const xmlSearch = (filters: string): Promise<Reply> =>
  send('post', '/activity_records/search', {
    body: `<ActivityRecordSearch xmlns="${ns}"><FilterList>${filters}</FilterList></ActivityRecordSearch>`,
    type: 'application/xml',
  })

// ------------------------------------------------------------------------------------------------ probes

/** What each defect changes, observed through requests; the value with the defect on must differ from the clean one. */
const probes: Record<string, () => Promise<unknown>> = {
  // formats
  'json-pages-labelled-xml': async () => (await send('get', '/activity_records/enum?format=json&count=1')).headers['content-type'],
  'xml-pages-errors-namespace': async () => (await send('get', '/activity_records/enum?count=1')).text.includes(`xmlns="${ns}"`),
  'search-json-array-misnamed': async () => Object.keys(JSON.parse((await search({ Who: 'Smith' }, '&count=1')).text) as object),
  'write-200-with-body': async () => (await write([record({ What: marker() })])).text,
  'count-before-format-ignored': async () => jsonPage(await send('get', '/activity_records/enum?count=2&format=json')).records.length,
  'unknown-query-refused': async () => (await send('get', '/activity_records/enum?count=1&colour=blue')).status,
  'xml-plan-name-before-id': async () => (await send('get', '/activity_records/enum?count=5')).text.includes('<MonitoringPlan><ID>'),

  // pagination
  'count-plus-one': async () => (await enumPage(2)).records.length,
  'default-count-100': async () => jsonPage(await send('get', '/activity_records/enum?format=json')).records.length,
  'search-default-unbounded': async () => jsonPage(await search({ Who: { DoesNotContain: 'nobody-is-called-this' } })).records.length,
  'count-parsed-leniently': async () => (await send('get', '/activity_records/enum?count=0')).status,
  'count-error-reworded': async () => (await send('get', '/activity_records/enum?format=json&count=FIVE')).text,
  'mark-repeats-last-record': async () => rids(await nextPage((await enumPage(2)).mark!, 2)),
  'mark-omitted-on-short-page': async () => jsonPage(await search({ RID: { Equals: (await firstRecord()).RID } }, '&count=10')).mark !== undefined,
  'mark-whitespace-refused': async () => {
    const { mark } = await enumPage(1)
    const body = `<?xml version="1.0"?>\n<ContinuationMark xmlns="${ns}"> \n${mark} \n</ContinuationMark>`
    return (await send('post', '/activity_records/enum?count=1', { body, type: 'application/xml' })).status
  },
  'search-mark-continues-enum': async () => {
    const first = await firstRecord()
    const page = jsonPage(await search({ Who: { NotEqualTo: first.Who } }, '&count=1'))
    return rids(await nextPage(page.mark!, 3))
  },
  'page-skips-while-writing': async () => {
    const { mark } = await enumPage(2)
    await write([record({ What: marker() })], accounts.contributor)
    return rids(await nextPage(mark!, 2))
  },

  // write
  'datasource-kept': async () => (await writeAndRead({ DataSource: 'Active Directory' }))[0]?.DataSource,
  'item-without-integration': async () => (await writeAndRead({ Item: { Name: 'probe.enterprise.local' } }))[0]?.Item?.Name,
  'rid-per-request': async () => {
    const What = marker()
    await write([record({ What: `${What} 1` }), record({ What: `${What} 2` })])
    return new Set((await found({ What: { Contains: What } })).map((item) => item.RID)).size
  },
  'archive-only-searchable': async () => (await writeAndRead({ IsArchiveOnly: true })).length,
  'when-offset-dropped': async () => (await writeAndRead({ When: '2017-02-19T03:43:49-11:00' }))[0]?.When,
  'plan-id-not-assigned': async () => (await writeAndRead({ MonitoringPlan: { Name: 'AD Monitoring' } }))[0]?.MonitoringPlan?.ID,
  'write-path-needs-slash': async () => (await send('post', '/activity_records?format=json', { body: JSON.stringify([record({ What: marker() })]) })).status,
  'input-rid-kept': async () => {
    const What = marker()
    const forged = '20000101000000000ABCDEFABCDEFABCDEFABCDEFABCDEFAB'
    const written = await write([{ ...record({ What }), RID: forged }])
    return [written.status, (await found({ What: { Contains: What } })).map((item) => item.RID === forged)]
  },

  // search
  'when-to-exclusive': async () => {
    const { When } = await firstRecord()
    return (await found({ When: { From: When, To: When } })).length
  },
  'when-filter-offset-ignored': async () => {
    const { When, RID } = await firstRecord()
    const at = Date.parse(When)
    const local = (ms: number, offset: string) => `${new Date(ms).toISOString().slice(0, 19)}${offset}`
    // 2 hours either side of the record, written in +05:30 and -11:00.
    const range = { From: local(at - 2 * 3_600_000 + 5.5 * 3_600_000, '+05:30'), To: local(at + 2 * 3_600_000 - 11 * 3_600_000, '-11:00') }
    return (await found({ When: range }, '&count=10000')).some((item) => item.RID === RID)
  },
  'who-equals-case-sensitive': async () => (await found({ Who: { Equals: swapCase((await firstRecord()).Who) } }, '&count=1')).length,
  'xml-repeated-filter-last-wins': async () => {
    const [a, b] = (await enumPage(50)).records.map((item) => item.Who).filter((who, i, all) => all.indexOf(who) === i)
    const reply = await xmlSearch(`<Who Operator="Equals">${a}</Who><Who Operator="Equals">${b}</Who>`)
    return (reply.text.match(/<ActivityRecord>/g) ?? []).length
  },
  'bare-value-equals': async () => (await found({ Who: 'Smith' }, '&count=5')).length,
  'when-notequalto-as-equals': async () => {
    const { When } = await firstRecord()
    return (await found({ When: { NotEqualTo: { From: When, To: When } } }, '&count=1')).map((item) => item.When === When)
  },
  'timeframes-rolling': async () => (await found({ When: { LastSevenDays: '' } }, '&count=10000')).length,
  'workinghours-to-inclusive': async () => {
    const What = marker()
    await write([record({ What, When: '2026-11-20T18:00:00Z' })])
    return (await found({ What: { Contains: What }, WorkingHours: { From: '09:00', To: '18:00' } })).length
  },
  'detail-first-entry-only': async () => {
    const What = marker()
    const DetailList = [{ PropertyName: 'Description', After: 'a' }, { PropertyName: `${What}-second` }]
    await write([record({ What, DetailList })])
    return (await found({ Detail: { Equals: `${What}-second` } })).length
  },
  'when-dropped-beside-others': async () => (await found({ Who: 'Smith', When: { From: '2099-01-01T00:00:00Z' } }, '&count=1')).length,

  // validation
  'objecttype-optional': async () => {
    const { ObjectType: _left, ...rest } = record({ What: marker() })
    return (await write([rest])).status
  },
  'length-limit-256': async () => (await write([record({ What: marker(), Who: `ENTERPRISE\\${'x'.repeat(245)}` })])).status,
  'write-namespace-ignored': async () => {
    const body = `<ActivityRecordList><ActivityRecord><Who>a</Who><Action>Added</Action><What>${marker()}</What><When>2017-02-14T15:42:34Z</When><Where>w</Where><ObjectType>t</ObjectType></ActivityRecord></ActivityRecordList>`
    return (await send('post', '/activity_records/', { body, type: 'application/xml' })).status
  },
  'batch-keeps-valid-records': async () => {
    const What = marker()
    const { Who: _left, ...invalid } = record({ What: `${What} 2` })
    await write([record({ What: `${What} 1` }), invalid])
    return (await found({ What: { Contains: What } })).length
  },
  'legacy-filter-names-accepted': async () => (await search({ AuditedSystem: 'Active Directory' }, '&count=1')).status,
  'empty-filter-matches-all': async () => (await search({ Who: '' }, '&count=1')).status,
  'empty-mark-restarts': async () => (await send('post', '/activity_records/enum?format=json&count=1', { body: '""' })).status,
  'malformed-xml-500': async () => (await xmlSearch('<Who>a</Whom>')).status,
  'corrupt-json-400': async () => (await send('post', '/activity_records/search?format=json', { body: '{"FilterList": {"Who": "a",}}' })).status,

  // errors
  'not-found-html': async () => (await send('get', '/nwa-no-such-endpoint')).text,
  'wrong-method-404': async () => (await send('put', '/activity_records/enum')).status,
  'search-get-served': async () => (await send('get', '/activity_records/search')).status,
  'no-allow-header': async () => (await send('put', '/activity_records/enum')).headers['allow'],
  'body-limit-missing': async () => (await send('post', '/activity_records/?format=json', { body: JSON.stringify([{ What: 'x'.repeat(300 * 1024) }]) })).status,
  'json-errors-in-xml': async () => (await send('get', '/activity_records/enum?format=json&count=FIVE')).headers['content-type'],

  // auth
  'anonymous-write': async () =>
    (await send('post', '/activity_records/?format=json', { as: null, body: JSON.stringify([record({ What: marker() })]) })).status,
  'basic-any-password': async () => (await send('get', '/activity_records/enum?count=1', { password: 'wrong' })).status,
  'challenge-basic-only': async () =>
    (await send('get', '/activity_records/enum', { as: null })).headers['www-authenticate']?.match(/(?:^|, )(Digest|Basic)\b/g),
  'digest-refused': async () => {
    // A whole Digest login: the challenge's nonce, then the response RFC 7616 computes from it.
    const uri = `${api}/activity_records/enum?count=1`
    const challenge = (await send('get', '/activity_records/enum?count=1', { as: null })).headers['www-authenticate'] ?? ''
    const nonce = /Digest [\s\S]*?nonce="([^"]+)"/.exec(challenge)?.[1] ?? ''
    const realm = /Digest [\s\S]*?realm="([^"]+)"/.exec(challenge)?.[1] ?? ''
    const algorithm = /Digest [\s\S]*?algorithm=([\w-]+)/.exec(challenge)?.[1] ?? 'MD5'
    const input = {
      algorithm: algorithm as DigestAlgorithm,
      username: accounts.admin,
      realm,
      password: 'NetwrixIsCool',
      method: 'GET',
      uri,
      nonce,
      nc: '00000001',
      cnonce: 'probe',
    }
    const authorization = `Digest username=${quoteString(accounts.admin)}, realm=${quoteString(realm)}, nonce=${quoteString(nonce)}, uri=${quoteString(uri)}, algorithm=${algorithm}, qop=auth, nc=00000001, cnonce="probe", response="${digestResponse(input)}"`
    return (await send('get', '/activity_records/enum?count=1', { as: null, authorization })).status
  },
  'unauthorized-with-body': async () => (await send('get', '/activity_records/enum', { as: null })).text,
  'contributor-reads': async () => (await send('get', '/activity_records/enum?count=1', { as: accounts.contributor })).status,
  'reviewer-writes': async () => (await write([record({ What: marker() })], accounts.globalReviewer)).status,
  'scope-leak-page-2': async () => {
    const first = await enumPage(5, accounts.planReviewer)
    const second = await nextPage(first.mark!, 50, accounts.planReviewer)
    return [...new Set(second.records.map((item) => item.MonitoringPlan?.Name))]
  },
  'mark-not-bound-to-user': async () =>
    (await send('post', '/activity_records/enum?format=json&count=1', { as: accounts.planReviewer, body: JSON.stringify((await enumPage(1)).mark) })).status,
  'role-after-body': async () =>
    (await send('post', '/activity_records/search', { as: accounts.contributor, body: '<ActivityRecordSearch><broken>', type: 'application/xml' })).status,

  // fidelity
  'utf8-read-as-latin1': async () => (await writeAndRead({ Who: 'Zoë' }))[0]?.Who,
  'astral-replaced': async () => (await writeAndRead({ Who: 'a😀' }))[0]?.Who,
  'xml-char-refs-literal': async () => {
    const What = marker()
    const body = `<ActivityRecordList xmlns="${ns}"><ActivityRecord><Who>Zo&#xEB;</Who><Action>Added</Action><What>${What}</What><When>2017-02-14T15:42:34Z</When><Where>w</Where><ObjectType>t</ObjectType></ActivityRecord></ActivityRecordList>`
    await send('post', '/activity_records/', { body, type: 'application/xml' })
    return (await found({ What: { Contains: What } }))[0]?.Who
  },
  'json-surrogate-escapes-broken': async () => {
    const What = marker()
    await send('post', '/activity_records/?format=json', { body: JSON.stringify([record({ What, Who: 'SMILE' })]).replace('SMILE', '\\ud83d\\ude00') })
    return (await found({ What: { Contains: What } }))[0]?.Who
  },
  'xml-pages-raw-cr': async () => {
    const What = marker()
    await write([record({ What, Who: 'a\r\nb' })])
    return (await xmlSearch(`<What>${What}</What>`)).text.includes('\r')
  },
  'text-nfc-normalised': async () => (await writeAndRead({ Who: 'e\u0301' }))[0]?.Who,
  'inner-white-space-collapsed': async () => (await writeAndRead({ Who: 'a  b\tc' }))[0]?.Who,
  'unicode-spaces-trimmed': async () => (await writeAndRead({ Who: '\u00A0a\u3000' }))[0]?.Who,
  'json-edges-trimmed': async () => (await writeAndRead({ Who: ' a ' }))[0]?.Who,
  'long-text-truncated-4000': async () => (await writeAndRead({ Workstation: 'x'.repeat(5000) }))[0]?.Workstation?.length,
  'limit-counted-in-bytes': async () => (await write([record({ What: marker(), Who: '語'.repeat(200) })])).status,
  'workstation-lost-in-json': async () => (await writeAndRead({ Workstation: 'WKS01' }))[0]?.Workstation,
  'detail-after-stored-as-before': async () => (await writeAndRead({ DetailList: [{ PropertyName: 'p', After: 'a' }] }))[0]?.DetailList,
  'details-sorted': async () =>
    (await writeAndRead({ DetailList: [{ PropertyName: 'b' }, { PropertyName: 'a' }] }))[0]?.DetailList?.map((detail) => detail.PropertyName),
  'when-offset-minutes-dropped': async () => (await writeAndRead({ When: '2021-07-04T09:15:00+05:30' }))[0]?.When,
  'when-fraction-dropped': async () => (await writeAndRead({ When: '2017-02-19T03:43:49.5Z' }))[0]?.When,
  'batch-stops-at-500': async () => (await writeBatch(501)).stored,
  'batch-chunk-repeated': async () => (await writeBatch(251)).stored,
  'batch-over-partly-stored': async () => Object.values(await writeBatch(1001)),
}

/** A write of `size` small records in one request: its status, and how many records the search by its marker finds. */
async function writeBatch(size: number): Promise<{ status: number; stored: number }> {
  const What = marker()
  const records = Array.from({ length: size }, (_, index) => ({
    Who: 'a',
    Action: 'Added',
    What: `${What}-${index}`,
    When: '2017-02-14T15:42:34Z',
    Where: 'w',
    ObjectType: 'o',
  }))
  const { status } = await write(records)
  return { status, stored: (await found({ What: { Contains: What } }, '&count=2000')).length }
}

describe('the seeded defects (mock/defects)', () => {
  it('each has a probe here, and each probe names a defect of the catalogue', () => {
    expect(Object.keys(probes).sort()).toEqual(defectCatalogue.map((defect) => defect.name).sort())
  })

  for (const defect of defectCatalogue) {
    it(`${defect.name} (${defect.family}) changes what the mock answers, and switching it off restores the clean answer`, async () => {
      const probe = probes[defect.name]!
      expect(app.defects.switch([])).toEqual({ ok: true, on: [] })
      const clean = await probe()
      expect(app.defects.switch([defect.name])).toEqual({ ok: true, on: [defect.name] })
      const broken = await probe()
      expect(app.defects.switch([])).toEqual({ ok: true, on: [] })
      expect(broken, `${defect.name}: the probe saw the same answer with the defect on`).not.toEqual(clean)
      expect(await probe(), `${defect.name}: the clean answer did not come back`).toEqual(clean)
    })
  }
})

describe('switching defects', () => {
  it('leaves the clean pipeline exactly as built when none is on, before and after a defect was on', async () => {
    const { app: fresh } = await mockApp({ defects: defectCatalogue })
    try {
      const clean = [...fresh.stages()]
      expect(clean.map((stage) => stage.name)).toEqual([...stageNames])
      expect(fresh.defects.on()).toEqual([])
      fresh.defects.switch(['role-after-body', 'count-plus-one'])
      expect(fresh.stages().map((stage) => stage.name)).not.toEqual([...stageNames])
      expect(fresh.defects.on()).toEqual(['count-plus-one', 'role-after-body'])
      fresh.defects.switch([])
      expect(fresh.stages()).toHaveLength(clean.length)
      for (const [index, stage] of fresh.stages().entries()) expect(stage).toBe(clean[index])
    } finally {
      await fresh.close()
    }
  })

  it('refuses an unknown name and changes nothing', async () => {
    app.defects.switch(['count-plus-one'])
    expect(app.defects.switch(['count-plus-one', 'nope'])).toEqual({ ok: false, errors: ["unknown defect 'nope'"] })
    expect(app.defects.on()).toEqual(['count-plus-one'])
    app.defects.switch([])
  })

  it('refuses an unknown name at start, before any state is opened', async () => {
    await expect(mockApp({ defects: defectCatalogue, defectsOn: ['nope'] })).rejects.toThrow(/defectsOn.*unknown defect 'nope'/)
  })

  it('lists and switches them on the control endpoint: GET and POST /nwa/defects', async () => {
    const { app: controlled, agent } = await mockApp({ control: true, defects: defectCatalogue, defectsOn: ['no-allow-header'] })
    try {
      const listed = await agent.get('/nwa/defects')
      expect(listed.status).toBe(200)
      expect(listed.body.on).toEqual(['no-allow-header'])
      expect(listed.body.available).toHaveLength(defectCatalogue.length)
      expect(listed.body.available[0]).toEqual({ name: defectCatalogue[0]!.name, description: defectCatalogue[0]!.description })
      const switched = await agent.post('/nwa/defects').send({ on: ['wrong-method-404'] })
      expect(switched.body.on).toEqual(['wrong-method-404'])
      expect((await agent.put(`${api}/activity_records/enum`).set('authorization', basic(accounts.admin))).status).toBe(404)
      expect((await agent.post('/nwa/defects').send({ on: ['nope'] })).body).toEqual({ errors: ["unknown defect 'nope'"] })
      expect((await agent.post('/nwa/defects').send({ on: 'wrong-method-404' })).status).toBe(400)
      expect((await agent.post('/nwa/defects').send({ on: [] })).body.on).toEqual([])
      expect((await agent.put(`${api}/activity_records/enum`).set('authorization', basic(accounts.admin))).status).toBe(405)
    } finally {
      await controlled.close()
    }
  })
})
