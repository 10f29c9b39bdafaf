import { describe, expect, it } from 'vitest'
import { createRandom } from '../fixtures/seed/generate.ts'
import { loadExamples, loadInvalid, readFixture } from '../test/helpers/contract.ts'
import { readXmlTree } from './xml.ts'
import { scanXml } from './xml-scan.ts'

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'
const fields = '<Who>ENTERPRISE\\Anna</Who><Action>Added</Action><What>W</What><When>2017-02-10T14:46:00Z</When><Where>S</Where><ObjectType>T</ObjectType>'

/** Shapes clients send that the fast reader must take, each with the general reader's tree. */
const plainDocuments: Record<string, string> = {
  compact: `<ActivityRecordList xmlns="${ns}"><ActivityRecord>${fields}</ActivityRecord></ActivityRecordList>`,
  declaration: `<?xml version="1.0" encoding="utf-8" standalone="yes"?><ActivityRecordList xmlns="${ns}"><ActivityRecord>${fields}</ActivityRecord></ActivityRecordList>`,
  'pretty, CRLF': `<?xml version='1.0'?>\r\n<ActivityRecordList xmlns="${ns}">\r\n  <ActivityRecord>\r\n    ${fields.replace(/></g, '>\r\n    <')}\r\n  </ActivityRecord>\r\n</ActivityRecordList>\r\n`,
  prefixed: `<n:ActivityRecordList xmlns:n='${ns}'><n:ActivityRecord>${fields.replace(/<(\/?)(\w+)>/g, '<$1n:$2>')}</n:ActivityRecord></n:ActivityRecordList>`,
  'entities and references': `<ActivityRecordList xmlns="${ns}"><ActivityRecord>${fields.replace('<What>W</What>', '<What>a &amp; b &lt;c&gt; &#65;&#x42; &quot;q&quot; &apos;s&apos; &amp;#65;</What>')}</ActivityRecord></ActivityRecordList>`,
  'attributes and self-closing': `<ActivityRecordList xmlns="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ><ActivityRecord xsi:type = "x" >${fields}<Workstation/><DetailList /></ActivityRecord></ActivityRecordList>`,
  'search with operators': `<ActivityRecordSearch xmlns="${ns}"><FilterList><Who Operator="NotEqualTo">A</Who><What Operator='Contains'>x &amp; y</What></FilterList></ActivityRecordSearch>`,
  'redeclared default namespace': `<ActivityRecordList xmlns="${ns}"><ActivityRecord>${fields}<Extra xmlns="urn:other"><Inner>1</Inner></Extra></ActivityRecord></ActivityRecordList>`,
  'non-ASCII text': `<ActivityRecordList xmlns="${ns}"><ActivityRecord>${fields.replace('W</What>', 'Größe 📁 Ü</What>')}</ActivityRecord></ActivityRecordList>`,
}

/** Documents the fast reader must hand to the general reader, which accepts them or words their error. */
const generalDocuments: Record<string, string> = {
  comment: `<ActivityRecordList xmlns="${ns}"><!-- c --><ActivityRecord>${fields}</ActivityRecord></ActivityRecordList>`,
  cdata: `<ActivityRecordList xmlns="${ns}"><ActivityRecord>${fields.replace('W</What>', '<![CDATA[a<b]]></What>')}</ActivityRecord></ActivityRecordList>`,
  'processing instruction': `<?xml version="1.0"?><?style x?><ActivityRecordList xmlns="${ns}"/>`,
  doctype: `<!DOCTYPE x [<!ENTITY e "x">]><ActivityRecordList xmlns="${ns}"/>`,
  'mismatched tag': `<ActivityRecordList xmlns="${ns}"><ActivityRecord>${fields}</ActivityRecords></ActivityRecordList>`,
  'white space in an end tag': `<ActivityRecordList xmlns="${ns}"></ActivityRecordList >`,
  'undeclared entity': `<ActivityRecordList xmlns="${ns}"><ActivityRecord><Who>&nbsp;</Who></ActivityRecord></ActivityRecordList>`,
  'bare ampersand': `<ActivityRecordList xmlns="${ns}"><ActivityRecord><Who>a & b</Who></ActivityRecord></ActivityRecordList>`,
  'undeclared prefix': `<x:ActivityRecordList/>`,
  'repeated attribute': `<ActivityRecordList xmlns="${ns}" a="1" a="2"/>`,
  'second root': `<ActivityRecordList xmlns="${ns}"/><ActivityRecordList xmlns="${ns}"/>`,
  'text after the root': `<ActivityRecordList xmlns="${ns}"/>x`,
  'unclosed root': `<ActivityRecordList xmlns="${ns}"><ActivityRecord>`,
  'control character': `<ActivityRecordList xmlns="${ns}"><ActivityRecord><Who>a\u0001</Who></ActivityRecord></ActivityRecordList>`,
  'tab in an attribute value': `<ActivityRecordSearch xmlns="${ns}"><FilterList><Who Operator="Not\tEqualTo">A</Who></FilterList></ActivityRecordSearch>`,
}

/** Every XML body under fixtures/: the documented examples and the invalid corpus. */
function fixtureDocuments(): Record<string, string> {
  const documents: Record<string, string> = {}
  for (const entry of loadExamples()) if (entry.format === 'xml') documents[`examples/${entry.file}`] = readFixture(`examples/${entry.file}`)
  for (const entry of loadInvalid()) if (entry.format === 'xml') documents[`invalid/${entry.file}`] = readFixture(`invalid/${entry.file}`)
  return documents
}

/** The general reader's tree, or the failure it reports. */
function general(text: string): unknown {
  try {
    return readXmlTree(text)
  } catch (error) {
    return { failed: error instanceof Error ? error.message : String(error) }
  }
}

/** The property: whatever the fast reader takes, the general reader takes too, into the very same tree. */
function expectAgreement(name: string, text: string): boolean {
  const fast = scanXml(text)
  if (fast !== undefined) expect(general(text), name).toEqual(fast)
  return fast !== undefined
}

describe('XML fast reader', () => {
  it.each(Object.entries(plainDocuments))('takes a plain document (%s) into the general reader’s tree', (name, text) => {
    expect(expectAgreement(name, text), `${name} left the fast path`).toBe(true)
  })

  it.each(Object.entries(generalDocuments))('leaves %s to the general reader', (_name, text) => {
    expect(scanXml(text)).toBeUndefined()
  })

  it('agrees with the general reader on every XML body of the fixtures, and takes every well-formed documented example', () => {
    const documents = fixtureDocuments()
    expect(Object.keys(documents).length).toBeGreaterThan(40)
    for (const [name, text] of Object.entries(documents)) expectAgreement(name, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
    const examples = loadExamples().filter((entry) => entry.format === 'xml' && !entry.file.includes('fragment'))
    const declined = examples.filter((entry) => {
      const text = readFixture(`examples/${entry.file}`)
      return !(general(text) as { failed?: string }).failed && scanXml(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) === undefined
    })
    expect(declined.map((entry) => entry.file)).toEqual([])
  })

  it('agrees with the general reader on thousands of damaged documents (seeded edits of the plain documents and the fixtures)', () => {
    const random = createRandom(20261121)
    const alphabet = ['<', '>', '/', '&', ';', '"', "'", '=', ' ', '\n', '\r', '\t', ':', '!', '?', '#', 'x', 'A', '0', ']', '-', '\u0001', 'é', '&amp;', '</', '/>', 'xmlns="u"']
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
    let taken = 0
    let declined = 0
    const bases = [
      ...Object.entries(plainDocuments).map(([name, text]) => ({ name, text, edits: 400 })),
      ...Object.entries(fixtureDocuments()).map(([name, text]) => ({ name, text, edits: 40 })),
    ]
    for (const { name, text: base, edits: count } of bases) {
      for (let i = 0; i < count; i++) {
        let text = base
        for (let n = 1 + random.int(2); n > 0; n--) text = random.pick(edits)(text)
        if (expectAgreement(`${name} #${i}: ${JSON.stringify(text)}`, text)) taken++
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
