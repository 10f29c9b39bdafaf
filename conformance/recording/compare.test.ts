import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../../openapi/payload.ts'
import { compareAnswers, type Answer, type CompareOptions } from './compare.ts'

let codec: PayloadCodec
beforeAll(async () => {
  codec = createPayloadCodec(await loadContract())
})

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'
const xmlType = 'application/xml; charset=utf-8'

function record(rid: string, when: string, order: 'id-first' | 'name-first' = 'id-first', who = 'Admin'): string {
  const plan = order === 'id-first' ? '<ID>{1}</ID><Name>AD</Name>' : '<Name>AD</Name><ID>{1}</ID>'
  return `<ActivityRecord><Action>Added</Action><MonitoringPlan>${plan}</MonitoringPlan><ObjectType>user</ObjectType><RID>${rid}</RID><What>x</What><When>${when}</When><Where>dc</Where><Who>${who}</Who></ActivityRecord>`
}

const page = (mark: string | undefined, records: string[]): Answer => ({
  status: 200,
  headers: { 'content-type': xmlType, date: 'Mon, 01 Jan 2026 00:00:00 GMT' },
  body: `<ActivityRecordList xmlns="${ns}">${mark === undefined ? '' : `<ContinuationMark>${mark}</ContinuationMark>`}${records.join('')}</ActivityRecordList>`,
})

const errors = (description: string, format: 'xml' | 'json' = 'xml'): Answer =>
  format === 'json'
    ? {
        status: 400,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ ErrorList: [{ Category: 'InputError', Description: description }] }),
      }
    : {
        status: 400,
        headers: { 'content-type': xmlType },
        body: `<ErrorList xmlns="http://schemas.netwrix.com/api/v1/"><Error><Category>InputError</Category><Description>${description}</Description></Error></ErrorList>`,
      }

const options = (overrides: Partial<CompareOptions> = {}): CompareOptions => ({ codec, format: 'xml', translate: (text) => text, ...overrides })

describe('compareAnswers', () => {
  it('ignores what must differ: RIDs, When, marks, the Date header and lengths', () => {
    const a = page('mark-1', [record('r1', '2026-01-01T00:00:00Z'), record('r2', '2026-01-01T00:00:01Z')])
    const b = page('a-much-longer-mark-2', [record('s1', '2027-02-02T00:00:00Z'), record('s2', '2027-02-02T00:00:01Z')])
    b.headers = { ...b.headers, date: 'Tue, 02 Feb 2027 00:00:00 GMT', 'content-length': '999' }
    expect(compareAnswers(a, b, options())).toEqual([])
  })

  it('names the status, the named headers read for their meaning, and an empty body against one', () => {
    const found = compareAnswers(
      { status: 405, headers: { allow: 'GET, POST', 'www-authenticate': 'NTLM' }, body: '' },
      { status: 404, headers: { allow: 'POST,GET', 'www-authenticate': 'Basic realm="x"' }, body: '<html/>' },
      options(),
    )
    expect(found).toEqual([
      { aspect: 'status', message: 'recorded 405, replayed 404' },
      { aspect: 'header', message: 'www-authenticate: recorded "NTLM", replayed "Basic realm=\\"x\\""' },
      { aspect: 'body', message: 'recorded an empty body, replayed "<html/>"' },
    ])
    expect(
      compareAnswers(
        { status: 200, headers: { 'content-type': 'application/xml;charset=UTF-8' }, body: '' },
        { status: 200, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: '' },
        options(),
      ),
    ).toEqual([])
  })

  it("names error categories and descriptions, after putting the replayed server's marks into the recorded text", () => {
    expect(compareAnswers(errors('bad count'), errors('The count parameter is not valid.'), options())).toEqual([
      { aspect: 'error', message: 'error 1: recorded "InputError: bad count", replayed "InputError: The count parameter is not valid."' },
    ])
    const translate = (text: string) => text.replace('old-mark', 'new-mark')
    expect(
      compareAnswers(errors('mark old-mark is invalid', 'json'), errors('mark new-mark is invalid', 'json'), options({ format: 'json', translate })),
    ).toEqual([])
  })

  it('names the number of records, their values beyond RID and When, a missing mark, and the element order', () => {
    const a = page('m', [record('r1', '2026-01-01T00:00:00Z'), record('r2', '2026-01-01T00:00:00Z')])
    expect(compareAnswers(a, page(undefined, [record('s1', '2026-01-01T00:00:00Z')]), options())).toEqual([
      { aspect: 'mark', message: 'the recorded page has a ContinuationMark, the replayed one has none' },
      { aspect: 'records', message: 'the recorded page holds 2 records, the replayed one 1' },
    ])
    expect(compareAnswers(a, page('m', [record('s1', '2026-01-01T00:00:00Z'), record('s2', '2026-01-01T00:00:00Z', 'id-first', 'Other')]), options())).toEqual([
      { aspect: 'records', message: '1 record(s) differ beyond RID and When: record 2 at Who' },
    ])
    const reordered = compareAnswers(
      a,
      page('m', [record('s1', '2026-01-01T00:00:00Z', 'name-first'), record('s2', '2026-01-01T00:00:00Z', 'name-first')]),
      options(),
    )
    expect(reordered).toEqual([
      {
        aspect: 'element-order',
        message: expect.stringMatching(
          /^record 1: recorded .*MonitoringPlan\/ID < MonitoringPlan\/Name.*, replayed .*MonitoringPlan\/Name < MonitoringPlan\/ID/,
        ),
      },
    ])
    expect(
      compareAnswers(
        a,
        page('m', [record('s1', '2026-01-01T00:00:00Z'), record('s2', '2026-01-01T00:00:00Z', 'id-first', 'Other')]),
        options({ records: false }),
      ),
    ).toEqual([])
  })

  it('an element only one page has is data, not order', () => {
    const withWorkstation = record('r1', '2026-01-01T00:00:00Z').replace('<Who>', '<Workstation>w</Workstation><Who>')
    const found = compareAnswers(page('m', [withWorkstation]), page('m', [record('s1', '2026-01-01T00:00:00Z')]), options())
    expect(found.map((difference) => difference.aspect)).toEqual(['records'])
  })
})
