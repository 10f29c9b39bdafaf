import type { PayloadCodec, WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordInput, DetailInput } from '../../openapi/records.ts'

/**
 * The fidelity family's data, pure: records carrying the value space the pages allow (every script, combining
 * marks, characters outside the BMP, the characters XML and JSON escape, white space, lengths at their limits,
 * every optional field present and absent, When in every documented form), and the bodies that send them, each
 * record's text escaped in its own style. What a record was sent as is what the contract codec reads back from
 * the body (openapi/DECISIONS.md D11 trims XML element text), so a check compares against the body it sent.
 */

/** How a record's text is escaped in an XML body: the five entities, only what XML requires, or character references. */
export type XmlStyle = 'entities' | 'minimal' | 'references'
/** How a record's text is escaped in a JSON body: raw UTF-8, or every non-ASCII code unit as \uXXXX (pairs for astral characters) and / as \/. */
export type JsonStyle = 'raw' | 'escaped'
export type BodyStyle = XmlStyle | JsonStyle

export const bodyStyles: Readonly<Record<WireFormat, readonly BodyStyle[]>> = {
  xml: ['entities', 'minimal', 'references'],
  json: ['raw', 'escaped'],
}

export interface FidelityCase {
  /** Names the record in every report line: what it carries, and how its body escapes it. */
  label: string
  record: ActivityRecordInput
  style: BodyStyle
}

/** A monitoring plan the run may write to (the config names it), with its ID when the server has shown one. */
export interface PlanFixture {
  name: string
  id?: string
}

/** Text in every plane a field may carry; none longer than 120 UTF-16 units, so each fits a 255-unit field with room to spare. */
export const textSamples: readonly (readonly [string, string])[] = [
  ['latin', 'Zoë Ångström-Müller, Ñandú, Łódź, Þórr, Œuvre, façade, Straße ẞ, ĳ'],
  ['greek-cyrillic', 'Ελληνικά ΣΊΣΥΦΟΣ ς · Привет, Ёжик · Україна ґ Ї'],
  ['cjk', '山田太郎 東京都 中文 한국어 日本語テスト ｶﾀｶﾅ ＡＢＣ'],
  ['right-to-left', 'שלום עולם · مرحبا بالعالم \u200F١٢٣ \u202Bembedded\u202C'],
  ['combining', 'e\u0301 a\u0308 n\u0303 Z\u0335\u0321 · नमस्ते · ภาษาไทย · \u1100\u1161\u11A8'],
  ['astral', '😀 👩\u200D💻 🏳️\u200D🌈 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎𠜱 𐐷 \u{10FFFD}'],
  ['xml-escapes', `Ally & Sons "Stars" O'Hara <100> ID>500 ]]> &amp; &#65; &lt;`],
  ['json-escapes', 'C:\\Users\\Zoë\\Документы\\a.txt \\\\server\\share "quoted" a/b \\u0041 \\n'],
  ['unicode-spaces', '\uFEFF\u00A0nbsp\u3000ideographic\u2003em\u202F\u00A0'],
  ['other-characters', '\uFFFD \uE000 \u0085 \u2028 \u2029 soft\u00ADhyphen zero\u200Bwidth'],
  ['inner-white-space', 'a  b   c\td\ne\r\nf\rg \t \n h'],
  ['edge-white-space', '  \t leading and trailing \t\r\n '],
]

/** The actions of the pages' examples; Action is compared like any text. */
const actions = ['Added', 'Modified', 'Removed', 'Read', 'Moved', 'Renamed']

/** Every documented When form (Z, +HH:mm, -HH:mm) across offsets, days that change with the offset, and a leap day. */
export const whenForms: readonly string[] = [
  '2017-02-19T03:43:49-11:00',
  '2017-02-10T14:46:00Z',
  '2016-12-31T23:30:00-01:00',
  '2020-02-29T12:00:00+13:00',
  '2019-06-30T23:59:59+00:00',
  '2018-03-25T01:30:00-00:00',
  '2021-07-04T09:15:00+05:30',
  '2022-11-05T18:45:00+05:45',
  '2015-01-01T00:00:00-03:30',
  '2023-12-31T23:59:59+14:00',
  '2024-02-29T00:00:00-12:00',
  '2038-01-19T03:14:08Z',
  '1999-12-31T23:59:59+01:00',
  '2010-10-10T10:10:10+09:00',
]

/** Fractional seconds, accepted by D12; how precisely they come back is D47's question. */
export const fractionWhens: readonly string[] = [
  '2017-02-19T03:43:49.5Z',
  '2021-07-04T09:15:00.123+05:30',
  '2020-01-01T00:00:00.1234567-08:00',
  '2012-06-30T12:00:00.0000001Z',
]

/** Long enough to pass every 16-bit length and SQL Server's nvarchar(4000) and varchar(8000) limits. */
export const LONG_TEXT_UNITS = 70_000
export const MAX_UNITS = 255

/** The key a record carries at the start of its What: the marker, its index and a colon, all ASCII, so a changed value still pairs. */
export function caseKey(marker: string, index: number): string {
  return `${marker}-${index}:`
}

/** The index a What carries after the marker, or undefined when it carries none. */
export function caseIndex(marker: string, what: string | undefined): number | undefined {
  if (what === undefined || !what.startsWith(`${marker}-`)) return undefined
  const match = /^(\d+):/.exec(what.slice(marker.length + 1))
  return match ? Number(match[1]) : undefined
}

/** The text with `tag` inserted at its middle code point: each field gets a value of its own, and the sample's ends stay its ends. */
function tagged(text: string, tag: string): string {
  const points = Array.from(text)
  const half = Math.floor(points.length / 2)
  return `${points.slice(0, half).join('')}‹${tag}›${points.slice(half).join('')}`
}

/** `units` UTF-16 code units of the cycled pieces, never cutting a surrogate pair. */
export function fill(pieces: readonly string[], units: number): string {
  let text = ''
  for (let i = 0; text.length < units; i++) {
    const piece = pieces[i % pieces.length]!
    if (text.length + piece.length > units) {
      const room = units - text.length
      text += 'x'.repeat(room)
    } else text += piece
  }
  return text
}

function textRecord(key: string, text: string, index: number): ActivityRecordInput {
  return {
    Who: tagged(text, 'Who'),
    Action: actions[index % actions.length]!,
    What: `${key}${tagged(text, 'What')}`,
    When: '',
    Where: tagged(text, 'Where'),
    ObjectType: tagged(text, 'ObjectType'),
    Item: { Name: tagged(text, 'Item').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '') },
    Workstation: tagged(text, 'Workstation'),
    DetailList: [{ PropertyName: tagged(text, 'PropertyName'), Before: tagged(text, 'Before'), After: tagged(text, 'After') }],
  }
}

function base(key: string, rest: Partial<ActivityRecordInput> = {}): ActivityRecordInput {
  return { Who: 'ENTERPRISE\\nwa-fidelity', Action: 'Added', What: key, When: '', Where: 'fidelity.nwa.example', ObjectType: 'nwa fidelity record', ...rest }
}

/** Values of exactly 255 UTF-16 units (D38) in every field whose maximum is 255, in three planes. */
function maxLengthRecords(): [string, (key: string) => ActivityRecordInput][] {
  const planes: [string, readonly string[]][] = [
    ['ascii', ['abcdefghij', 'KLMNOPQRST', '0123456789']],
    ['bmp', ['語', 'ü', 'Ж', 'ש', 'é']],
    ['astral', ['😀', '𝔘', '𠜎', '🏳']],
  ]
  return planes.map(([plane, pieces]) => [
    `max-255-${plane}`,
    (key) =>
      base(key, {
        Who: fill(pieces, MAX_UNITS),
        Where: fill([...pieces].reverse(), MAX_UNITS),
        ObjectType: fill(pieces.slice(1), MAX_UNITS),
        DetailList: [{ PropertyName: fill(pieces.slice(-1), MAX_UNITS), Before: fill(pieces, MAX_UNITS), After: fill(pieces, 1000) }],
      }),
  ])
}

const longPieces = textSamples.filter(([label]) => !label.includes('white-space')).map(([, text]) => `${text} | `)

/** Forty details: PropertyNames repeated, each shape of Before and After, values from every sample. */
function manyDetails(): DetailInput[] {
  return Array.from({ length: 40 }, (_, n) => {
    const sample = textSamples[n % textSamples.length]![1]
    const detail: DetailInput = { PropertyName: `property ${n % 7} ${tagged(sample, String(n))}` }
    if (n % 4 !== 1) detail.Before = `before ${n}: ${sample}`
    if (n % 4 !== 2) detail.After = `after ${n}: ${sample}`
    return detail
  })
}

/**
 * The records of one fidelity write: every text sample in every style of the format, then the lengths, the
 * optional fields present and absent, and the details; each record gets a When of the next form in turn.
 */
export function buildFidelityCases(marker: string, format: WireFormat, plan?: PlanFixture): FidelityCase[] {
  const styles = bodyStyles[format]
  const cases: { label: string; make: (key: string, index: number) => ActivityRecordInput; style?: BodyStyle }[] = []
  for (const style of styles) {
    for (const [label, text] of textSamples) cases.push({ label: `${label}, ${style}`, make: (key, index) => textRecord(key, text, index), style })
  }
  for (const [label, make] of maxLengthRecords()) cases.push({ label, make })
  cases.push({
    label: 'long values',
    // The largest record goes with the body's most compact escaping.
    style: styles[0]!,
    make: (key) =>
      base(key, {
        What: `${key}${fill(longPieces, LONG_TEXT_UNITS)}`,
        Workstation: fill(longPieces.slice(3), 10_000),
        Item: { Name: fill(longPieces.slice(5), 10_000) },
        DetailList: [{ PropertyName: 'long', Before: fill(longPieces.slice(1), LONG_TEXT_UNITS), After: fill(longPieces.slice(2), LONG_TEXT_UNITS) }],
      }),
  })
  cases.push({
    label: 'shortest values',
    make: (key) =>
      base(key, {
        Who: 'a',
        Where: '😀',
        ObjectType: 'c',
        Workstation: 'w',
        Item: { Name: 'i' },
        DetailList: [{ PropertyName: 'p', Before: 'b', After: 'a' }],
      }),
  })
  cases.push({
    label: 'every optional field',
    make: (key) =>
      base(key, {
        ...(plan ? { MonitoringPlan: { Name: plan.name } } : {}),
        DataSource: 'Active Directory',
        Item: { Name: 'fidelity.nwa.example' },
        Workstation: 'WKSwin12.enterprise.local',
        IsArchiveOnly: false,
        DetailList: [{ PropertyName: 'Custom_Attribute', Before: '1', After: '2' }],
      }),
  })
  if (plan?.id !== undefined) {
    const id = plan.id
    cases.push({ label: 'monitoring plan with its ID', make: (key) => base(key, { MonitoringPlan: { ID: id, Name: plan.name } }) })
  }
  cases.push({ label: 'mandatory fields only', make: (key) => base(key) })
  cases.push({ label: 'archive only', make: (key) => base(key, { IsArchiveOnly: true }) })
  cases.push({ label: 'many details', make: (key) => base(key, { DetailList: manyDetails() }) })
  cases.push({
    label: 'detail shapes',
    make: (key) =>
      base(key, {
        DetailList: [
          { PropertyName: 'both', Before: 'old', After: 'new' },
          { PropertyName: 'only before', Before: 'removed value' },
          { PropertyName: 'only after', After: 'added value' },
          { PropertyName: 'neither' },
        ],
      }),
  })
  cases.push({ label: 'empty optional values', make: (key) => base(key, { Workstation: '', DetailList: [{ PropertyName: 'empty', Before: '', After: '' }] }) })
  const whens = [...whenForms, ...fractionWhens]
  return cases.map(({ label, make, style }, index) => {
    const record = make(caseKey(marker, index), index)
    record.When = whens[index % whens.length]!
    return { label, record, style: style ?? styles[index % styles.length]! }
  })
}

// ------------------------------------------------------------------------------------------------ bodies

/**
 * The write body of the cases, each record's text escaped in its style. The XML is the contract codec's, its text
 * re-escaped record by record; the JSON is written here, since JSON.stringify knows one escaping only.
 */
export function fidelityBody(codec: PayloadCodec, cases: readonly FidelityCase[], format: WireFormat): string {
  const records = cases.map((item) => item.record)
  if (format === 'json') return `[${cases.map((item) => jsonText(item.record, item.style)).join(',')}]`
  const xml = codec.encode('ActivityRecordInputList', records, 'xml')
  let index = 0
  return xml.replace(/<ActivityRecord>[\s\S]*?<\/ActivityRecord>/g, (element) => restyleXml(element, cases[index++]!.style))
}

function jsonText(value: unknown, style: BodyStyle): string {
  const text = JSON.stringify(value)
  if (style !== 'escaped') return text
  // JSON.stringify leaves non-ASCII raw only inside strings, and a slash appears nowhere else.
  return text.replace(/[\u0080-\uFFFF]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\//g, '\\/')
}

const entityText: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', apos: "'", quot: '"', '#xD': '\r' }

/** The text nodes of one record element, read back from the codec's escaping and written again in `style`. */
function restyleXml(element: string, style: BodyStyle): string {
  if (style === 'entities') return element
  return element.replace(/>([^<]+)</g, (_node, escaped: string) => {
    const text = escaped.replace(/&(amp|lt|gt|apos|quot|#xD);/g, (_entity, name: string) => entityText[name]!)
    return `>${style === 'minimal' ? minimalXml(text) : referencesXml(text)}<`
  })
}

/** Only what XML requires: & and <, > where it would close "]]>", and a carriage return, which a raw one would not stay. */
function minimalXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/]]>/g, ']]&gt;').replace(/\r/g, '&#xD;')
}

/** Every character outside printable ASCII, and the five, as character references, hexadecimal and decimal in turn. */
function referencesXml(text: string): string {
  let out = ''
  let n = 0
  for (const character of text) {
    const code = character.codePointAt(0)!
    const plain = code >= 0x20 && code < 0x7f && !`&<>'"`.includes(character)
    out += plain ? character : n++ % 2 === 0 ? `&#x${code.toString(16).toUpperCase()};` : `&#${code};`
  }
  return out
}

// ------------------------------------------------------------------------------------------------ batches

/** Samples without white space at their ends, for the batches, whose records are read at MUST only. */
const batchSamples = textSamples.filter(([label]) => label !== 'edge-white-space').map(([, text]) => text)

/**
 * `size` small records for one write request, each with its own key and values cycled through the samples and
 * the When forms, every tenth with a detail: the pages' recommended batch (1,000) and one just over it (D48).
 */
export function buildBatch(marker: string, size: number): ActivityRecordInput[] {
  return Array.from({ length: size }, (_, index) => {
    const sample = batchSamples[index % batchSamples.length]!
    const record = base(caseKey(marker, index), {
      Who: `${index} ${sample}`,
      Action: actions[index % actions.length]!,
      What: `${caseKey(marker, index)}batch record ${index}`,
      When: whenForms[index % whenForms.length]!,
      Where: `host-${index}.fidelity.nwa.example`,
    })
    if (index % 10 === 0) record.DetailList = [{ PropertyName: `property ${index}`, After: sample }]
    return record
  })
}
