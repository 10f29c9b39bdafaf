import type { ActivityRecordInput, DetailInput } from '../../openapi/records.ts'
import { trimXmlSpace } from '../../openapi/xml-tree.ts'
import type { RequestContext, Stage } from '../pipeline/context.ts'
import { aroundOperations, aroundStage } from '../pipeline/decorate.ts'
import { emptyResponse } from '../responses.ts'
import { type Defect, editInputs, readOperations, writeOperation } from './support.ts'

/**
 * What becomes of the values on their way to the Audit Database and back: encodings, normalisation, truncation,
 * fields lost or mixed up, reordering, and batches stored in part. Each is a bug a real server could have, and
 * the fidelity checks must name it with the field and the code points.
 */

/** Every text a record carries (not When), through `edit`. */
function editText(record: ActivityRecordInput, edit: (text: string) => string): ActivityRecordInput {
  return JSON.parse(JSON.stringify(record), (key, value: unknown) => (typeof value === 'string' && key !== 'When' ? edit(value) : value))
}

/** The text values of written records, through `edit`. */
function storedText(stages: readonly Stage[], edit: (text: string) => string): Stage[] {
  return editInputs(stages, (record) => editText(record, edit))
}

/** A write body rewritten as text before it is decoded, for one format. */
function writeBodyText(stages: readonly Stage[], format: RequestContext['format'], rewrite: (text: string) => string): Stage[] {
  return aroundStage(stages, 'decode', (ctx, next) => {
    if (ctx.operation?.operationId === writeOperation && ctx.format === format && ctx.body !== undefined)
      ctx.body = Buffer.from(rewrite(ctx.body.toString('utf8')), 'utf8')
    return next(ctx)
  })
}

/** Records past `size` in one write: the array the operation stores, rewritten. */
function editBatch(stages: readonly Stage[], edit: (records: ActivityRecordInput[]) => ActivityRecordInput[]): Stage[] {
  return aroundOperations(stages, [writeOperation], (ctx, next) => {
    if (Array.isArray(ctx.value)) ctx.value = edit(ctx.value as ActivityRecordInput[])
    return next(ctx)
  })
}

const ASTRAL = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g
const SURROGATE_PAIR_ESCAPE = /\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}/g
const CHARACTER_REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+);/g
const LIMITED = ['Who', 'Where', 'ObjectType'] as const
const NVARCHAR_4000 = 4000
const CHUNK = 250

/** A field over 255 UTF-8 bytes, where the limit is 255 UTF-16 units (D38). */
function overByteLimit(record: ActivityRecordInput): string | undefined {
  const limited = [
    ...LIMITED.map((field) => [field, record[field]] as const),
    ...(record.DetailList ?? []).map((detail) => ['PropertyName', detail.PropertyName] as const),
  ]
  return limited.find(([, value]) => Buffer.byteLength(value, 'utf8') > 255)?.[0]
}

function cut(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.slice(0, NVARCHAR_4000)
}

export const fidelityDefects: readonly Defect[] = [
  {
    name: 'utf8-read-as-latin1',
    family: 'fidelity',
    requirements: ['WRITE-TEXT-UNICODE'],
    description: 'A write body is decoded as Latin-1 instead of UTF-8: every non-ASCII character is stored as the mojibake of its bytes (é as Ã©)',
    decorator: (stages) =>
      aroundStage(stages, 'decode', (ctx, next) => {
        if (ctx.operation?.operationId === writeOperation && ctx.body !== undefined) ctx.body = Buffer.from(ctx.body.toString('latin1'), 'utf8')
        return next(ctx)
      }),
  },
  {
    name: 'astral-replaced',
    family: 'fidelity',
    requirements: ['WRITE-TEXT-UNICODE'],
    description: 'Characters outside the Basic Multilingual Plane (emoji, CJK extension B) are stored as U+FFFD, as in a UCS-2 column',
    decorator: (stages) => storedText(stages, (text) => text.replace(ASTRAL, '\uFFFD')),
  },
  {
    name: 'xml-char-refs-literal',
    family: 'fidelity',
    requirements: ['WRITE-TEXT-UNICODE', 'XML-ENTITY-ESCAPING'],
    description: 'In an XML write, character references (&#xE9;, &#233;) are stored as their literal text: only the five named entities are decoded',
    decorator: (stages) => writeBodyText(stages, 'xml', (text) => text.replace(CHARACTER_REFERENCE, '&amp;$1;')),
  },
  {
    name: 'json-surrogate-escapes-broken',
    family: 'fidelity',
    requirements: ['WRITE-TEXT-UNICODE', 'JSON-ESCAPING'],
    description: 'In a JSON write, a surrogate pair written as two \\u escapes (\\ud83d\\ude00) is stored as two U+FFFD, each escape decoded alone',
    decorator: (stages) => writeBodyText(stages, 'json', (text) => text.replace(SURROGATE_PAIR_ESCAPE, '\\ufffd\\ufffd')),
  },
  {
    name: 'xml-pages-raw-cr',
    family: 'fidelity',
    requirements: ['WRITE-TEXT-UNICODE'],
    decision: 'D45',
    description: 'XML pages write a carriage return raw instead of as &#xD;, so every XML reader gets a line feed (XML 1.0, section 2.11)',
    decorator: (stages) =>
      aroundOperations(stages, readOperations, async (ctx, next) => {
        const response = await next(ctx)
        return ctx.format === 'xml' && response.status === 200 ? { ...response, body: response.body.replaceAll('&#xD;', '\r') } : response
      }),
  },
  {
    name: 'text-nfc-normalised',
    family: 'fidelity',
    requirements: ['WRITE-TEXT-UNICODE'],
    decision: 'D45',
    description: 'Text is stored in Unicode normalisation form C: a letter and its combining mark (e + U+0301) become one code point (é)',
    decorator: (stages) => storedText(stages, (text) => text.normalize('NFC')),
  },
  {
    name: 'inner-white-space-collapsed',
    family: 'fidelity',
    requirements: ['WRITE-TEXT-UNICODE'],
    decision: 'D45',
    description: "Runs of white space inside a value (repeated spaces, tabs, line breaks) are collapsed to one space, as xs:token's whiteSpace=collapse",
    decorator: (stages) => storedText(stages, (text) => trimXmlSpace(text).replace(/[ \t\r\n]+/g, ' ')),
  },
  {
    name: 'unicode-spaces-trimmed',
    family: 'fidelity',
    requirements: ['WRITE-TEXT-UNICODE'],
    decision: 'D45',
    description: 'Values are trimmed of every Unicode space at their ends (no-break, ideographic, U+FEFF), not only the white space XML names',
    decorator: (stages) => storedText(stages, (text) => text.trim()),
  },
  {
    name: 'json-edges-trimmed',
    family: 'fidelity',
    requirements: ['WRITE-TEXT-UNICODE'],
    decision: 'D45',
    description: 'Values written as JSON lose the spaces, tabs and line breaks at their ends, as XML element text does',
    decorator: (stages) => editInputs(stages, (record, ctx) => (ctx.format === 'json' ? editText(record, trimXmlSpace) : record)),
  },
  {
    name: 'long-text-truncated-4000',
    family: 'fidelity',
    requirements: ['WRITE-LONG-TEXT'],
    description: 'What, Workstation, Item and the details Before and After are cut to 4,000 characters, as in an nvarchar(4000) column',
    decorator: (stages) =>
      editInputs(stages, (record) => {
        const details = record.DetailList?.map((detail): DetailInput => {
          const kept: DetailInput = { PropertyName: detail.PropertyName }
          if (detail.Before !== undefined) kept.Before = cut(detail.Before)!
          if (detail.After !== undefined) kept.After = cut(detail.After)!
          return kept
        })
        return {
          ...record,
          What: cut(record.What)!,
          ...(record.Workstation === undefined ? {} : { Workstation: cut(record.Workstation)! }),
          ...(record.Item === undefined ? {} : { Item: { Name: cut(record.Item.Name)! } }),
          ...(details === undefined ? {} : { DetailList: details }),
        }
      }),
  },
  {
    name: 'limit-counted-in-bytes',
    family: 'fidelity',
    requirements: ['WRITE-MAXLEN-255', 'WRITE-TEXT-UNICODE'],
    decision: 'D38',
    description: 'The 255 limit of Who, Where, ObjectType and PropertyName counts UTF-8 bytes: 255 CJK or accented characters are refused with 400',
    decorator: (stages, services) =>
      aroundOperations(stages, [writeOperation], (ctx, next) => {
        const records = Array.isArray(ctx.value) ? (ctx.value as ActivityRecordInput[]) : []
        const at = records.findIndex((record) => overByteLimit(record) !== undefined)
        if (at < 0) return next(ctx)
        const field = overByteLimit(records[at]!)
        const description = `The value of ${field} is longer than 255 characters.`
        return Promise.resolve(
          services.writer.errors(400, ctx.format, [
            { Category: 'InputError', Description: description, Location: `/ActivityRecordList/ActivityRecord[${at + 1}]/${field}` },
          ]),
        )
      }),
  },
  {
    name: 'workstation-lost-in-json',
    family: 'fidelity',
    requirements: ['WRITE-OPTIONAL-FIELDS', 'WRITE-AVAILABLE-TO-READ'],
    description: 'Workstation is not stored for records written as JSON (the JSON mapper looks for "WorkStation")',
    decorator: (stages) =>
      editInputs(stages, (record, ctx) => {
        if (ctx.format !== 'json') return record
        const { Workstation: _lost, ...rest } = record
        return rest
      }),
  },
  {
    name: 'detail-after-stored-as-before',
    family: 'fidelity',
    requirements: ['WRITE-DETAILLIST-OPTIONAL', 'WRITE-AVAILABLE-TO-READ'],
    description: 'A Detail with an After but no Before is stored with that value as its Before (values mapped by position)',
    decorator: (stages) =>
      editInputs(stages, (record) =>
        record.DetailList === undefined
          ? record
          : {
              ...record,
              DetailList: record.DetailList.map((detail) =>
                detail.Before === undefined && detail.After !== undefined ? { PropertyName: detail.PropertyName, Before: detail.After } : detail,
              ),
            },
      ),
  },
  {
    name: 'details-sorted',
    family: 'fidelity',
    requirements: ['WRITE-DETAILLIST-OPTIONAL'],
    decision: 'D46',
    description: "A DetailList comes back sorted by PropertyName instead of in the writer's order (a clustered index on the name)",
    decorator: (stages) =>
      editInputs(stages, (record) =>
        record.DetailList === undefined
          ? record
          : { ...record, DetailList: [...record.DetailList].sort((a, b) => (a.PropertyName < b.PropertyName ? -1 : a.PropertyName > b.PropertyName ? 1 : 0)) },
      ),
  },
  {
    name: 'when-offset-minutes-dropped',
    family: 'fidelity',
    requirements: ['WRITE-WHEN-FORMATS', 'WRITE-AVAILABLE-TO-READ'],
    description: 'The minutes of a When offset are ignored: +05:30 and +05:45 are read as +05:00, -03:30 as -03:00',
    decorator: (stages) => editInputs(stages, (record) => ({ ...record, When: record.When.replace(/([+-]\d{2}):\d{2}$/, '$1:00') })),
  },
  {
    name: 'when-fraction-dropped',
    family: 'fidelity',
    requirements: ['WRITE-WHEN-FORMATS'],
    decision: 'D47',
    description: 'Fractional seconds of a When are dropped (a datetime2(0) column): 03:43:49.5 comes back as 03:43:49',
    decorator: (stages) => editInputs(stages, (record) => ({ ...record, When: record.When.replace(/\.\d+/, '') })),
  },
  {
    name: 'batch-stops-at-500',
    family: 'fidelity',
    requirements: ['WRITE-AVAILABLE-TO-READ', 'EP-WRITE-POST'],
    description: 'A write of more than 500 records stores the first 500 and answers 200 (a fixed-size buffer)',
    decorator: (stages) => editBatch(stages, (records) => records.slice(0, 500)),
  },
  {
    name: 'batch-chunk-repeated',
    family: 'fidelity',
    requirements: ['WRITE-AVAILABLE-TO-READ', 'WRITE-RID-ASSIGNED'],
    description: 'A write of more than 250 records is stored in chunks of 250 and its last chunk twice (a chunk retried after it had been stored)',
    decorator: (stages) =>
      editBatch(stages, (records) => (records.length > CHUNK ? [...records, ...records.slice(-(records.length % CHUNK || CHUNK))] : records)),
  },
  {
    name: 'batch-over-partly-stored',
    family: 'fidelity',
    requirements: ['WRITE-SIZE-RECOMMENDED', 'STATUS-413'],
    decision: 'D48',
    description: 'A write of more than 1,000 records stores the first 1,000, then answers 413 for the rest',
    decorator: (stages) =>
      aroundOperations(stages, [writeOperation], async (ctx, next) => {
        const records = Array.isArray(ctx.value) ? (ctx.value as ActivityRecordInput[]) : []
        if (records.length <= 1000) return next(ctx)
        await next({ ...ctx, value: records.slice(0, 1000) })
        return emptyResponse(413, {}, ['defect: stored the first 1,000 records'])
      }),
  },
]
