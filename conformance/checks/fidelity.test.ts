import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec, type WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordInput, ActivityRecordOutput } from '../../openapi/records.ts'
import { whenToUtc } from '../../openapi/timestamp.ts'
import { trimXmlSpace } from '../../openapi/xml-tree.ts'
import { buildBatch, buildFidelityCases, caseIndex, caseKey, fidelityBody, fill, LONG_TEXT_UNITS, MAX_UNITS, textSamples } from './fidelity-data.ts'
import { compareRecord, describeTextDifference, type FidelityRead, judgeReads, renderFindings, type SentCase } from './fidelity-judge.ts'
import { batchProblems, fidelityChecks, storedCount } from './fidelity.ts'

let codec: PayloadCodec

beforeAll(async () => {
  codec = createPayloadCodec(await loadContract())
})

const MARKER = 'nwa-20240510142000-7f3a01-fidelity-xml'
const PLAN = { name: 'AD Monitoring', id: '{42F64379-163E-4A43-A9C5-4514C5A23798}' }

/** The records as the contract codec reads them from the body the check would send. */
function sentFrom(format: WireFormat): SentCase[] {
  const cases = buildFidelityCases(MARKER, format, PLAN)
  const decoded = codec.decode('ActivityRecordInputList', fidelityBody(codec, cases, format), format)
  if (!decoded.ok) throw new Error(JSON.stringify(decoded.issues))
  return (decoded.value as ActivityRecordInput[]).map((sent, index) => ({ label: cases[index]!.label, sent }))
}

/** What a server following the contract returns for a written record. */
function stored(record: ActivityRecordInput, index: number): ActivityRecordOutput {
  const { DataSource: _sent, IsArchiveOnly: _archive, ...kept } = record
  const output: ActivityRecordOutput = {
    ...kept,
    RID: `20240510142000000${index.toString(16).padStart(32, '0')}`,
    DataSource: 'Netwrix API',
    When: whenToUtc(record.When),
  }
  if (record.Item) output.Item = { Name: `${record.Item.Name} (Integration)` }
  return output
}

/** Every record the server keeps (archive-only ones are not returned), passed through `change`. */
function served(cases: readonly SentCase[], change: (record: ActivityRecordOutput) => ActivityRecordOutput = (record) => record): ActivityRecordOutput[] {
  return cases.flatMap(({ sent }, index) => (sent.IsArchiveOnly ? [] : [change(stored(sent, index))]))
}

const read = (records: ActivityRecordOutput[], format: WireFormat = 'json', label = 'search as JSON'): FidelityRead => ({ label, format, records })
const caseOf = (cases: readonly SentCase[], label: string): number => cases.findIndex((item) => item.label === label)

/** Applies `edit` to every text value of a record. */
function mapText(record: ActivityRecordOutput, edit: (text: string) => string): ActivityRecordOutput {
  return JSON.parse(JSON.stringify(record), (key, value) => (typeof value === 'string' && key !== 'When' && key !== 'RID' ? edit(value) : value))
}

describe('fidelity data: the records and their bodies', () => {
  it('[WRITE-TEXT-UNICODE, XML-ENTITY-ESCAPING] an XML body escaped three ways reads back as the records, only XML white space at the ends trimmed (D11)', () => {
    const cases = buildFidelityCases(MARKER, 'xml', PLAN)
    const sent = sentFrom('xml')
    expect(sent.map((item) => item.sent)).toEqual(cases.map((item) => mapText(item.record, trimXmlSpace)))
    const body = fidelityBody(codec, cases, 'xml')
    expect(new Set(cases.map((item) => item.style))).toEqual(new Set(['entities', 'minimal', 'references']))
    expect(body).toContain('&#x5C71;') // 山 as a hexadecimal reference
    expect(body).toMatch(/&#\d{5,6};/) // an astral character as one decimal reference
    // Minimal escaping: only what XML requires.
    expect(body).toContain(`Ally &amp; Sons "Stars" O'Hara`)
    expect(body).toContain(`ID>500 ]]&gt; &amp;amp;`)
    expect(body).toContain('&#xD;') // a carriage return that stays one
  })

  it('[WRITE-TEXT-UNICODE, JSON-ESCAPING] a JSON body, raw and with \\u escapes and surrogate pairs, reads back as the records exactly', () => {
    const cases = buildFidelityCases(MARKER, 'json', PLAN)
    expect(sentFrom('json').map((item) => item.sent)).toEqual(cases.map((item) => item.record))
    const body = fidelityBody(codec, cases, 'json')
    expect(body).toContain('\\ud83d\\ude00') // 😀 as a surrogate pair of escapes
    expect(body).toContain('😀') // and raw
    expect(body).toContain('a\\/b')
  })

  it('[WRITE-MAXLEN-255, WRITE-LONG-TEXT] carries values of exactly 255 UTF-16 units in three planes, long values and the shortest ones (D38)', () => {
    const byLabel = new Map(buildFidelityCases(MARKER, 'xml').map((item) => [item.label, item.record]))
    for (const plane of ['ascii', 'bmp', 'astral']) {
      const record = byLabel.get(`max-255-${plane}`)!
      for (const value of [record.Who, record.Where, record.ObjectType, record.DetailList![0]!.PropertyName]) expect(value.length).toBe(MAX_UNITS)
    }
    expect(Array.from(byLabel.get('max-255-astral')!.Who)).toHaveLength(128)
    expect(byLabel.get('long values')!.DetailList![0]!.Before!.length).toBe(LONG_TEXT_UNITS)
    expect(byLabel.get('shortest values')!.Who).toBe('a')
    expect(fill(['😀'], 5)).toBe('😀😀x')
  })

  it('[WRITE-OPTIONAL-FIELDS] includes every optional field present and absent, the plan with and without its ID, and the When forms', () => {
    const records = buildFidelityCases(MARKER, 'json', PLAN).map((item) => item.record)
    expect(records.some((record) => record.MonitoringPlan?.ID === PLAN.id)).toBe(true)
    expect(records.some((record) => record.MonitoringPlan !== undefined && record.MonitoringPlan.ID === undefined)).toBe(true)
    expect(records.filter((record) => record.IsArchiveOnly !== undefined).map((record) => record.IsArchiveOnly)).toEqual([false, true])
    expect(records.some((record) => Object.keys(record).length === 6)).toBe(true)
    expect(new Set(records.map((record) => record.When)).size).toBe(18)
    expect(buildFidelityCases(MARKER, 'json').some((record) => record.record.MonitoringPlan)).toBe(false)
  })

  it('keys each record by its index at the start of What', () => {
    expect(caseIndex(MARKER, `${caseKey(MARKER, 12)}anything`)).toBe(12)
    expect(caseIndex(MARKER, `${MARKER}-x:`)).toBeUndefined()
    expect(caseIndex(MARKER, 'other')).toBeUndefined()
    expect(new Set(buildBatch(MARKER, 1000).map((record) => caseIndex(MARKER, record.What))).size).toBe(1000)
  })

  it('builds a batch of 1,000 records the contract accepts', () => {
    expect(codec.decode('ActivityRecordInputList', codec.encode('ActivityRecordInputList', buildBatch(MARKER, 1000), 'json'), 'json').ok).toBe(true)
  })
})

describe('fidelity judgment: every change named with its field and code points', () => {
  it('finds nothing on a server that returns what was sent, in either format of read', () => {
    for (const format of ['xml', 'json'] as const) {
      const cases = sentFrom(format)
      expect(judgeReads(MARKER, cases, [read(served(cases)), read(served(cases), 'xml', 'enum as XML')])).toEqual([])
    }
  })

  it('[WRITE-TEXT-UNICODE] names a Unicode normalisation (NFC) with both values and their code points, at MUST', () => {
    const cases = sentFrom('json')
    const findings = judgeReads(MARKER, cases, [read(served(cases, (record) => mapText(record, (text) => text.normalize('NFC'))))])
    const combining = findings.find((finding) => finding.label === 'combining, raw' && finding.field === 'Who')!
    expect(combining.judged).toBe('must')
    expect(combining.text).toContain('U+0065 U+0301')
    expect(combining.text).toContain('U+00E9')
    expect(findings.some((finding) => finding.label.startsWith('latin'))).toBe(false)
  })

  it('[WRITE-TEXT-UNICODE] takes a no-break or ideographic space at the end of a value as part of it (D45)', () => {
    const cases = sentFrom('xml')
    const findings = judgeReads(MARKER, cases, [read(served(cases, (record) => mapText(record, (text) => text.trim())))])
    expect(findings.filter((finding) => finding.judged === 'must').map((finding) => finding.label)).toContain('unicode-spaces, minimal')
  })

  it('[WRITE-TEXT-UNICODE] judges XML white space lost at the ends at D45, in JSON reads only', () => {
    const cases = sentFrom('json')
    const trimmed = served(cases, (record) => mapText(record, trimXmlSpace))
    const findings = judgeReads(MARKER, cases, [read(trimmed), read(trimmed, 'xml', 'enum as XML')])
    expect(findings.length).toBeGreaterThan(0)
    expect(new Set(findings.map((finding) => finding.judged))).toEqual(new Set(['D45']))
    expect(new Set(findings.flatMap((finding) => finding.reads))).toEqual(new Set(['search as JSON']))
  })

  it('[WRITE-TEXT-UNICODE] names collapsed inner white space and a carriage return turned into a line feed at MUST', () => {
    const cases = sentFrom('xml')
    const collapsed = judgeReads(MARKER, cases, [read(served(cases, (record) => mapText(record, (text) => text.replace(/\s+/g, ' '))))])
    expect(collapsed.some((finding) => finding.label === 'inner-white-space, entities' && finding.judged === 'must')).toBe(true)
    const lineFeeds = judgeReads(MARKER, cases, [read(served(cases, (record) => mapText(record, (text) => text.replace(/\r\n?/g, '\n'))))])
    const found = lineFeeds.find((finding) => finding.label === 'inner-white-space, references' && finding.field === 'Who')!
    expect(found.text).toContain('U+000D')
  })

  it('[WRITE-LONG-TEXT] names a truncation with where it starts and both lengths, and keeps the report small', () => {
    const cases = sentFrom('xml')
    const findings = judgeReads(MARKER, cases, [read(served(cases, (record) => mapText(record, (text) => text.slice(0, 4000))))])
    const what = findings.find((finding) => finding.label === 'long values' && finding.field === 'What')!
    expect(what.judged).toBe('must')
    expect(what.text).toMatch(/^first difference at code point 3873: .*\(67674 code points, 70042 UTF-16 units\).*\(3872 code points, 4000 UTF-16 units\)$/)
    expect(what.text.length).toBeLessThan(500)
  })

  it('[WRITE-WHEN-FORMATS] compares When as instants: another offset passes, a lost half-hour offset fails, a dropped fraction is D47', () => {
    const cases = sentFrom('json')
    expect(judgeReads(MARKER, cases, [read(served(cases, (record) => ({ ...record, When: record.When })))])).toEqual([])
    const sent = cases[0]!.sent
    const atOffset = compareRecord({ ...sent, When: '2021-07-04T09:15:00+05:30' }, { ...stored(sent, 0), When: '2021-07-04T03:45:00Z' }, 'json')
    expect(atOffset).toEqual([])
    const hourOnly = compareRecord({ ...sent, When: '2021-07-04T09:15:00+05:30' }, { ...stored(sent, 0), When: '2021-07-04T04:15:00Z' }, 'json')
    expect(hourOnly).toEqual([
      { field: 'When', judged: 'must', text: 'sent 2021-07-04T09:15:00+05:30, received 2021-07-04T04:15:00Z: not the same instant (+1800000 ms)' },
    ])
    const fraction = compareRecord({ ...sent, When: '2017-02-19T03:43:49.5Z' }, { ...stored(sent, 0), When: '2017-02-19T03:43:49Z' }, 'json')
    expect(fraction.map((difference) => difference.judged)).toEqual(['D47'])
  })

  it('[WRITE-DETAILLIST-OPTIONAL] takes details in another order as D46, and a changed or lost detail as MUST, named by its place', () => {
    const cases = sentFrom('xml')
    const many = caseOf(cases, 'many details')
    const reversed = served(cases, (record) =>
      record.What.startsWith(caseKey(MARKER, many)) ? { ...record, DetailList: [...record.DetailList!].reverse() } : record,
    )
    expect(judgeReads(MARKER, cases, [read(reversed)]).map((finding) => [finding.field, finding.judged])).toEqual([['DetailList', 'D46']])
    const shapes = caseOf(cases, 'detail shapes')
    const swapped = served(cases, (record) =>
      record.What.startsWith(caseKey(MARKER, shapes))
        ? {
            ...record,
            DetailList: record.DetailList!.map((detail) => ({ PropertyName: detail.PropertyName, ...(detail.After ? { Before: detail.After } : {}) })),
          }
        : record,
    )
    expect(judgeReads(MARKER, cases, [read(swapped)]).map((finding) => `${finding.field} ${finding.judged}`)).toEqual([
      'DetailList[1].Before must',
      'DetailList[1].After must',
      'DetailList[2].Before must',
      'DetailList[3].Before D49',
      'DetailList[3].After must',
    ])
  })

  it('[WRITE-DETAILLIST-OPTIONAL] pairs details by PropertyName when they come back both reordered and changed, naming the change where it was sent', () => {
    const cases = sentFrom('json')
    const shapes = caseOf(cases, 'detail shapes')
    const changed = served(cases, (record) =>
      record.What.startsWith(caseKey(MARKER, shapes))
        ? {
            ...record,
            DetailList: [...record.DetailList!].reverse().map((detail) => (detail.PropertyName === 'only after' ? { ...detail, After: 'changed' } : detail)),
          }
        : record,
    )
    expect(judgeReads(MARKER, cases, [read(changed)]).map((finding) => `${finding.field} ${finding.judged} ${finding.text}`)).toEqual([
      'DetailList[3].After must sent "added value" [U+0061 U+0064 U+0064 U+0065 U+0064 U+0020 U+0076 U+0061 U+006C U+0075 U+0065], received "changed" [U+0063 U+0068 U+0061 U+006E U+0067 U+0065 U+0064]',
      'DetailList D46 the entries came back in another order than they were sent',
    ])
  })

  it('[WRITE-OPTIONAL-FIELDS] takes an empty value read back absent, or a field added, as D49; a value lost is MUST', () => {
    const cases = sentFrom('json')
    const empty = caseOf(cases, 'empty optional values')
    const bare = caseOf(cases, 'mandatory fields only')
    const changed = served(cases, (record) => {
      if (record.What.startsWith(caseKey(MARKER, empty)))
        return { ...record, Workstation: undefined as unknown as string, DetailList: [{ PropertyName: 'empty' }] }
      if (record.What.startsWith(caseKey(MARKER, bare))) return { ...record, Workstation: 'invented' }
      return record
    })
    const findings = judgeReads(MARKER, cases, [read(JSON.parse(JSON.stringify(changed)))])
    expect(findings.map((finding) => `${finding.label} ${finding.field} ${finding.judged}`).sort()).toEqual([
      'empty optional values DetailList[1].After D49',
      'empty optional values DetailList[1].Before D49',
      'empty optional values Workstation D49',
      'mandatory fields only Workstation D49',
    ])
    const lost = judgeReads(MARKER, cases, [read(served(cases, ({ Workstation: _lost, ...record }) => record))])
    expect(lost.filter((finding) => finding.judged === 'must').length).toBeGreaterThan(10)
  })

  it('[WRITE-ARCHIVE-ONLY, WRITE-AVAILABLE-TO-READ] names records missing, returned twice, not written, or archive-only yet returned', () => {
    const cases = sentFrom('xml')
    const records = served(cases)
    const archive = caseOf(cases, 'archive only')
    const extra = { ...stored(cases[archive]!.sent, archive) }
    const findings = judgeReads(MARKER, cases, [read([...records.slice(1), records[2]!, extra, { ...records[3]!, What: `${MARKER}-999:x` }])])
    expect(findings.map((finding) => `${finding.label}: ${finding.field} ${finding.text}`)).toEqual([
      expect.stringMatching(/^\(not written\): What a record that was not written came back/),
      `${cases[0]!.label}: record not returned`,
      `${cases[2]!.label}: record returned 2 times`,
      'archive only: IsArchiveOnly written with IsArchiveOnly true, yet returned',
    ])
  })

  it("calls no record missing from a read cut short by the client's own bound (--max-pages), yet judges what it returned", () => {
    const cases = sentFrom('json')
    const some = served(cases).slice(0, 5)
    some[0] = { ...some[0]!, Who: 'changed' }
    const findings = judgeReads(MARKER, cases, [{ ...read(some, 'json', 'enum as JSON'), partial: true }])
    expect(findings.map((finding) => `${finding.label} ${finding.field}`)).toEqual([`${cases[0]!.label} Who`])
  })

  it('groups a difference every read shows into one finding, and bounds the report', () => {
    const cases = sentFrom('json')
    const nfc = served(cases, (record) => mapText(record, (text) => text.normalize('NFC')))
    const findings = judgeReads(MARKER, cases, [read(nfc), read(nfc, 'json', 'enum as JSON')])
    expect(findings[0]!.reads).toEqual(['search as JSON', 'enum as JSON'])
    expect(renderFindings(findings, 1, 4)[0]).toMatch(/\(search as JSON, enum as JSON\)$/)
    const lines = renderFindings(findings, 3, 2)
    expect(lines).toHaveLength(4)
    expect(lines[3]).toMatch(/^… and \d+ more$/)
    expect(lines[0]).toMatch(/\(every read\)$/)
  })

  it('describes short and long differences with code points', () => {
    expect(describeTextDifference('Zoë', 'ZoÃ«')).toBe('sent "Zoë" [U+005A U+006F U+00EB], received "ZoÃ«" [U+005A U+006F U+00C3 U+00AB]')
    const long = describeTextDifference(`${'a'.repeat(40)}😀b`, `${'a'.repeat(40)}\uFFFD\uFFFDb`)
    expect(long).toBe(
      'first difference at code point 41: sent …"aaa😀b" [U+0061 U+0061 U+0061 U+1F600 U+0062] (42 code points, 43 UTF-16 units), ' +
        'received …"aaa��b" [U+0061 U+0061 U+0061 U+FFFD U+FFFD U+0062] (43 code points, 43 UTF-16 units)',
    )
  })

  it('samples each of their planes', () => {
    const all = textSamples.map(([, text]) => text).join('')
    expect([...all].some((character) => character.codePointAt(0)! > 0xffff)).toBe(true)
    expect(all).toMatch(/\p{M}/u)
    expect(all).toMatch(/\p{Script=Arabic}/u)
    expect(all).toMatch(/\p{Script=Han}/u)
  })
})

describe('the fidelity checks', () => {
  it('write, so a read-only run skips every one of them with its reason', () => {
    expect(fidelityChecks.filter((check) => check.needs?.write !== true).map((check) => check.id)).toEqual([])
  })
})

describe('fidelity batches', () => {
  const sent = buildBatch(MARKER, 1000)
  const stored1000 = sent.map(stored)

  it('[WRITE-AVAILABLE-TO-READ] passes a batch stored whole, once', () => {
    expect(batchProblems(MARKER, sent, [{ label: 'by search', format: 'json', records: stored1000 }], 'the batch')).toEqual([])
    expect(storedCount(MARKER, stored1000)).toBe(1000)
  })

  it('[WRITE-AVAILABLE-TO-READ, WRITE-RID-ASSIGNED] counts records missing and repeated, and names a changed value', () => {
    const partial = [...stored1000.slice(0, 500), stored1000[7]!].map((record, index) => (index === 8 ? { ...record, Who: 'changed' } : record))
    const problems = batchProblems(
      MARKER,
      sent,
      [
        { label: 'by search', format: 'json', records: partial },
        { label: 'by enum', format: 'json', records: stored1000 },
      ],
      'the batch',
    )
    expect(problems[0]).toBe('by search: 500 of 1,000 records came back, 500 missing, 1 more than once')
    expect(problems[1]).toMatch(/^the batch: 1 value\(s\) changed in 1 record\(s\): record 9: Who first difference at code point 1: sent "8 .*\(by search\)$/)
    expect(problems).toHaveLength(2)
    expect(storedCount(MARKER, partial)).toBe(500)
    expect(batchProblems(MARKER, sent, [{ label: 'by enum', format: 'json', records: [], problem: 'page 2: expected 200, got 500' }], 'the batch')).toEqual([
      'by enum: page 2: expected 200, got 500',
    ])
  })
})
