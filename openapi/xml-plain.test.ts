import { beforeAll, describe, expect, it } from 'vitest'
import { loadExamples, loadInvalid, payloadForKind, readFixture } from '../test/helpers/contract.ts'
import { createPrng } from './prng.ts'
import { loadContract, type Contract, type PayloadName } from './contract.ts'
import { decodeGeneralXml, decodeXml } from './xml.ts'
import { decodePlainXml } from './xml-plain.ts'

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'
const fields = '<Who>ENTERPRISE\\Anna</Who><Action>Added</Action><What>W</What><When>2017-02-10T14:46:00Z</When><Where>S</Where><ObjectType>T</ObjectType>'
const list = (records: string) => `<ActivityRecordList xmlns="${ns}">${records}</ActivityRecordList>`

let contract: Contract
beforeAll(async () => {
  contract = await loadContract()
})

interface Sample {
  payload: PayloadName
  text: string
}

/** Shapes clients send that the plain decoder must take, each into the general decoder's value. */
const plainDocuments: Record<string, Sample> = {
  compact: { payload: 'ActivityRecordInputList', text: list(`<ActivityRecord>${fields}</ActivityRecord>`) },
  declaration: {
    payload: 'ActivityRecordInputList',
    text: `<?xml version="1.0" encoding="utf-8" standalone="yes"?>${list(`<ActivityRecord>${fields}</ActivityRecord>`)}`,
  },
  'pretty, CRLF': {
    payload: 'ActivityRecordInputList',
    text: `<?xml version='1.0'?>\r\n<ActivityRecordList xmlns="${ns}">\r\n  <ActivityRecord>\r\n    ${fields.replace(/></g, '>\r\n    <')}\r\n  </ActivityRecord>\r\n</ActivityRecordList>\r\n`,
  },
  'entities and references': {
    payload: 'ActivityRecordInputList',
    text: list(
      `<ActivityRecord>${fields.replace('<What>W</What>', '<What> a &amp; b &lt;c&gt; &#65;&#x42; &quot;q&quot; &apos;s&apos; &amp;#65;\r\nline </What>')}</ActivityRecord>`,
    ),
  },
  'every field, details, booleans, empty elements': {
    payload: 'ActivityRecordInputList',
    text: list(
      `<ActivityRecord>${fields}<MonitoringPlan><Name>AD Monitoring</Name></MonitoringPlan><Item><Name>i</Name></Item>` +
        `<Workstation/><IsArchiveOnly> 1 </IsArchiveOnly><DetailList><Detail><PropertyName>p</PropertyName><Before/><After>a</After></Detail>` +
        `<Detail><PropertyName>q</PropertyName></Detail></DetailList></ActivityRecord><ActivityRecord>${fields}<DetailList/><IsArchiveOnly>maybe</IsArchiveOnly></ActivityRecord>`,
    ),
  },
  'namespace declarations on the root': {
    payload: 'ActivityRecordInputList',
    text: `<ActivityRecordList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns = '${ns}' ><ActivityRecord>${fields}</ActivityRecord></ActivityRecordList>`,
  },
  'fields in reverse order': {
    payload: 'ActivityRecordInputList',
    text: list(
      `<ActivityRecord><Item><Name>i</Name></Item><MonitoringPlan><Name>P</Name></MonitoringPlan>${fields
        .match(/<(\w+)>[^<]*<\/\1>/g)
        ?.reverse()
        .join('')}</ActivityRecord>`,
    ),
  },
  'non-ASCII text': { payload: 'ActivityRecordInputList', text: list(`<ActivityRecord>${fields.replace('W</What>', 'Größe 📁 Ü</What>')}</ActivityRecord>`) },
  'an empty list': { payload: 'ActivityRecordInputList', text: `<ActivityRecordList xmlns="${ns}"/>` },
  'a continuation mark': { payload: 'ContinuationMark', text: `<ContinuationMark xmlns="${ns}"> PG5leHQ+ </ContinuationMark>` },
}

/** Documents the plain decoder must leave to the general one, which accepts them or words their error. */
const generalDocuments: Record<string, Sample> = {
  comment: { payload: 'ActivityRecordInputList', text: list(`<!-- c --><ActivityRecord>${fields}</ActivityRecord>`) },
  cdata: { payload: 'ActivityRecordInputList', text: list(`<ActivityRecord>${fields.replace('W</What>', '<![CDATA[a<b]]></What>')}</ActivityRecord>`) },
  'processing instruction': { payload: 'ActivityRecordInputList', text: `<?xml version="1.0"?><?style x?>${list('')}` },
  doctype: { payload: 'ActivityRecordInputList', text: `<!DOCTYPE x [<!ENTITY e "x">]>${list('')}` },
  prefixes: {
    payload: 'ActivityRecordInputList',
    text: `<n:ActivityRecordList xmlns:n='${ns}'><n:ActivityRecord>${fields.replace(/<(\/?)(\w+)>/g, '<$1n:$2>')}</n:ActivityRecord></n:ActivityRecordList>`,
  },
  'an attribute': { payload: 'ActivityRecordInputList', text: list(`<ActivityRecord xsi:type="x">${fields}</ActivityRecord>`) },
  'an unknown element': { payload: 'ActivityRecordInputList', text: list(`<ActivityRecord>${fields}<Extra>1</Extra></ActivityRecord>`) },
  'a repeated field': { payload: 'ActivityRecordInputList', text: list(`<ActivityRecord>${fields}<Who>again</Who></ActivityRecord>`) },
  'a field repeated at once': {
    payload: 'ActivityRecordInputList',
    text: list(`<ActivityRecord><Who>a</Who><Who>b</Who>${fields.slice(fields.indexOf('<Action>'))}</ActivityRecord>`),
  },
  'text between fields': { payload: 'ActivityRecordInputList', text: list(`<ActivityRecord>x${fields}</ActivityRecord>`) },
  'an element inside a string': {
    payload: 'ActivityRecordInputList',
    text: list(`<ActivityRecord>${fields.replace('W</What>', 'W<b/></What>')}</ActivityRecord>`),
  },
  'a mismatched tag': { payload: 'ActivityRecordInputList', text: list(`<ActivityRecord>${fields}</ActivityRecords>`) },
  'white space in an end tag': { payload: 'ActivityRecordInputList', text: `<ActivityRecordList xmlns="${ns}"></ActivityRecordList >` },
  'an undeclared entity': { payload: 'ActivityRecordInputList', text: list('<ActivityRecord><Who>&nbsp;</Who></ActivityRecord>') },
  'a bare ampersand': { payload: 'ActivityRecordInputList', text: list('<ActivityRecord><Who>a & b</Who></ActivityRecord>') },
  'another root': { payload: 'ActivityRecordInputList', text: `<ActivityRecordSearch xmlns="${ns}"/>` },
  'another namespace': { payload: 'ActivityRecordInputList', text: '<ActivityRecordList xmlns="urn:other"/>' },
  'a second root': { payload: 'ActivityRecordInputList', text: `${list('')}${list('')}` },
  'text after the root': { payload: 'ActivityRecordInputList', text: `${list('')}x` },
  'an unclosed root': { payload: 'ActivityRecordInputList', text: `<ActivityRecordList xmlns="${ns}"><ActivityRecord>` },
  'a control character': { payload: 'ActivityRecordInputList', text: list('<ActivityRecord><Who>a\u0001</Who></ActivityRecord>') },
  'a search (filters are the general decoder’s)': {
    payload: 'ActivityRecordSearch',
    text: `<ActivityRecordSearch xmlns="${ns}"><FilterList><Who>A</Who></FilterList></ActivityRecordSearch>`,
  },
}

/** Every XML body under fixtures/ with a payload schema: the documented examples and the invalid corpus. */
function fixtureDocuments(): Record<string, Sample> {
  const documents: Record<string, Sample> = {}
  const add = (name: string, kind: string) => {
    const payload = payloadForKind[kind]
    if (payload) documents[name] = { payload, text: readFixture(name).replace(/^\ufeff/, '') }
  }
  for (const entry of loadExamples()) if (entry.format === 'xml') add(`examples/${entry.file}`, entry.kind)
  for (const entry of loadInvalid()) if (entry.format === 'xml') add(`invalid/${entry.file}`, entry.kind)
  return documents
}

/**
 * The property: whatever the plain decoder takes, the general decoder takes too, into the very same value,
 * key order included. Returns whether the plain decoder took it.
 */
function expectAgreement(name: string, { payload, text }: Sample): boolean {
  const schema = contract.schema(payload)
  const plain = decodePlainXml(schema, text)
  if (plain !== undefined) {
    const general = decodeGeneralXml(schema, text)
    expect(general, name).toStrictEqual({ ok: true, value: plain.value })
    expect(JSON.stringify(plain.value), name).toBe(JSON.stringify((general as { value: unknown }).value))
  }
  return plain !== undefined
}

describe('XML plain-document decoder', () => {
  it.each(Object.entries(plainDocuments))('[FMT-WRITE-XML-ROOT] takes a plain document (%s) into the general decoder’s value', (name, sample) => {
    expect(expectAgreement(name, sample), `${name} left the plain path`).toBe(true)
  })

  it.each(Object.entries(generalDocuments))('leaves %s to the general decoder', (_name, { payload, text }) => {
    expect(decodePlainXml(contract.schema(payload), text)).toBeUndefined()
  })

  it('keeps the general decoder’s wording for what it leaves: a mismatched tag is still MSXML’s message with its position', () => {
    const result = decodeXml(contract.schema('ActivityRecordInputList'), (generalDocuments['a mismatched tag'] as Sample).text)
    expect(result.ok).toBe(false)
    if (!result.ok)
      expect(result.error).toMatchObject({ kind: 'syntax', message: expect.stringMatching(/^0xC00CE56D End tag 'ActivityRecords' does not match/) })
  })

  it('agrees with the general decoder on every XML body of the fixtures, and takes every documented write body', () => {
    const documents = fixtureDocuments()
    expect(Object.keys(documents).length).toBeGreaterThan(40)
    for (const [name, sample] of Object.entries(documents)) expectAgreement(name, sample)
    const writes = loadExamples().filter((entry) => entry.format === 'xml' && entry.kind === 'write-input' && entry.validate === 'schema')
    expect(writes.length).toBeGreaterThan(0)
    const declined = writes.filter((entry) => !expectAgreement(entry.file, documents[`examples/${entry.file}`] as Sample))
    expect(declined.map((entry) => entry.file)).toEqual([])
  })

  it('agrees with the general decoder on thousands of damaged documents (seeded edits of the plain documents and the fixtures)', () => {
    const random = createPrng(20261121)
    const alphabet = [
      '<',
      '>',
      '/',
      '&',
      ';',
      '"',
      "'",
      '=',
      ' ',
      '\n',
      '\r',
      '\t',
      ':',
      '!',
      '?',
      '#',
      'x',
      'A',
      '0',
      ']',
      '-',
      '\u0001',
      'é',
      '&amp;',
      '</',
      '/>',
      'xmlns="u"',
      '<Who>',
      '</Who>',
      '<DetailList>',
    ]
    const edits: ((text: string) => string)[] = [
      (text) => removeAt(text, random.int(text.length), 1),
      (text) => insertAt(text, random.int(text.length + 1), random.pick(alphabet)),
      (text) => removeAt(insertAt(text, random.int(text.length + 1), random.pick(alphabet)), random.int(text.length), 1),
      (text) => removeAt(text, random.int(text.length), 1 + random.int(12)),
      (text) => {
        const from = random.int(text.length)
        return insertAt(text, random.int(text.length + 1), text.slice(from, from + 1 + random.int(20)))
      },
    ]
    const bases = [
      ...Object.entries(plainDocuments).map(([name, sample]) => ({ name, sample, count: 400 })),
      ...Object.entries(fixtureDocuments()).map(([name, sample]) => ({ name, sample, count: 40 })),
    ]
    let taken = 0
    let declined = 0
    for (const { name, sample, count } of bases) {
      for (let i = 0; i < count; i++) {
        let text = sample.text
        for (let n = 1 + random.int(2); n > 0; n--) text = random.pick(edits)(text)
        if (expectAgreement(`${name} #${i}: ${JSON.stringify(text)}`, { payload: sample.payload, text })) taken++
        else declined++
      }
    }
    // Both paths must really be exercised for the property to mean anything.
    expect(taken).toBeGreaterThan(300)
    expect(declined).toBeGreaterThan(300)
  })
})

function insertAt(text: string, at: number, piece: string): string {
  return text.slice(0, at) + piece + text.slice(at)
}

function removeAt(text: string, at: number, length: number): string {
  return text.slice(0, at) + text.slice(at + length)
}
