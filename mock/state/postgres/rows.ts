/**
 * Records as rows of nwa_records and back. Pure.
 *
 * A row keeps each text field as written and lower-cased by JavaScript (the searches compare the lower-cased ones,
 * so case is ignored exactly as the in-memory store ignores it), the Who's directory-free account key for InGroup
 * (mock/directory.ts qualifiedAccountKey), When as epoch milliseconds with its text only when formatWhen would not
 * give it back, and the DetailList as JSON text (json, not jsonb, keeps the output key order, D24) beside the
 * lower-cased values each Detail-reading filter looks at.
 */
import type { ActivityRecordOutput, DetailOutput } from '../../../openapi/records.ts'
import { formatWhen, isFormattedWhen } from '../../../openapi/timestamp.ts'
import { codes } from '../../errors.ts'
import { qualifiedAccountKey } from '../../directory.ts'
import type { StoredRecord } from '../../model.ts'
import { detailValues, fieldSources, type FieldSource } from '../../search/fields.ts'

/** The row of a record as json_to_recordset reads it: a short key per column (recordColumns), and `#`, its place in its batch. */
export type RecordRow = Record<string, string | number | readonly string[] | null>

/**
 * Columns a row is inserted with: name, type, and the key of its value in a row's JSON. Keys are one letter: the JSON
 * of a 1,000-record write is what PostgreSQL parses, and column names as keys made it twice as long.
 */
export const recordColumns: readonly (readonly [name: string, type: string, key: string])[] = [
  'rid text',
  'rid_lower text',
  'action text',
  'action_lower text',
  'plan_id text',
  'plan_name text',
  'plan_lower text',
  'data_source text',
  'data_source_lower text',
  'item text',
  'item_lower text',
  'object_type text',
  'object_type_lower text',
  'what text',
  'what_lower text',
  'when_ms bigint',
  'when_text text',
  'where_name text',
  'where_lower text',
  'who text',
  'who_lower text',
  'who_key text',
  'workstation text',
  'workstation_lower text',
  'details json',
  'detail_lower text[]',
  'before_lower text[]',
  'after_lower text[]',
].map((column, index) => {
  const [name, type] = column.split(' ') as [string, string]
  return [name, type, String.fromCharCode(index < 26 ? 0x61 + index : 0x41 + index - 26)] as const
})

/** The array column of each Detail-reading filter (mock/search/fields.ts says which parts each reads). */
export const detailColumns: Readonly<Record<string, string>> = { Detail: 'detail_lower', Before: 'before_lower', After: 'after_lower' }

const lower = (text: string | undefined): string | null => (text === undefined ? null : text.toLowerCase())

function lowerDetails(filter: string, details: readonly DetailOutput[] | undefined): string[] | null {
  const source = fieldSources[filter] as Extract<FieldSource, { kind: 'details' }>
  return details === undefined ? null : detailValues(source, details).map((value) => value.toLowerCase())
}

/**
 * PostgreSQL text holds neither U+0000 nor a lone surrogate (it is UTF-8). A written record cannot carry either
 * (D25), but a seed can; it is refused whole with the field named, rather than failing inside the database (D59).
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function holdable(text: string | undefined, what: string, index: number): void {
  if (text === undefined) return
  if (text.includes('\u0000') || LONE_SURROGATE.test(text)) {
    throw codes.MOCK_ERR_STORE_VALUE.create(`record ${index + 1}`, `its ${what} holds U+0000 or a lone surrogate, which PostgreSQL text cannot`)
  }
}

export function recordRow(record: ActivityRecordOutput, whenMs: number, index: number): RecordRow {
  for (const [what, text] of [
    ['RID', record.RID],
    ['Action', record.Action],
    ['MonitoringPlan', record.MonitoringPlan?.Name],
    ['MonitoringPlan ID', record.MonitoringPlan?.ID],
    ['DataSource', record.DataSource],
    ['Item', record.Item?.Name],
    ['ObjectType', record.ObjectType],
    ['What', record.What],
    ['When', record.When],
    ['Where', record.Where],
    ['Who', record.Who],
    ['Workstation', record.Workstation],
  ] as const)
    holdable(text, what, index)
  for (const detail of record.DetailList ?? []) {
    for (const text of [detail.PropertyName, detail.Before, detail.After, detail.Message]) holdable(text, 'DetailList', index)
  }
  const values: RecordRow[string][] = [
    record.RID ?? null,
    lower(record.RID),
    record.Action,
    lower(record.Action),
    record.MonitoringPlan?.ID ?? null,
    record.MonitoringPlan?.Name ?? null,
    lower(record.MonitoringPlan?.Name),
    record.DataSource ?? null,
    lower(record.DataSource),
    record.Item?.Name ?? null,
    lower(record.Item?.Name),
    record.ObjectType,
    lower(record.ObjectType),
    record.What,
    lower(record.What),
    whenMs,
    isFormattedWhen(record.When) ? null : record.When,
    record.Where,
    lower(record.Where),
    record.Who,
    lower(record.Who),
    qualifiedAccountKey(record.Who) ?? null,
    record.Workstation ?? null,
    lower(record.Workstation),
    (record.DetailList ?? null) as unknown as RecordRow[string],
    lowerDetails('Detail', record.DetailList),
    lowerDetails('Before', record.DetailList),
    lowerDetails('After', record.DetailList),
  ]
  const row: RecordRow = { '#': index }
  for (let column = 0; column < recordColumns.length; column++) {
    const value = values[column]
    // A missing key reads as NULL: absent fields cost the JSON nothing.
    if (value !== null && value !== undefined) row[(recordColumns[column] as readonly [string, string, string])[2]] = value
  }
  return row
}

/** The columns a page reads, in the order `storedRecord` takes them. */
export const pageColumns = [
  'seq',
  'rid',
  'action',
  'plan_id',
  'plan_name',
  'data_source',
  'item',
  'object_type',
  'what',
  'when_ms',
  'when_text',
  'where_name',
  'who',
  'workstation',
  'details',
]

/** A row as a page returns it (bigints come as text), or the empty row of a page without records. */
export interface PageRow {
  last_seq: string
  seq: string | null
  rid: string | null
  action: string
  plan_id: string | null
  plan_name: string | null
  data_source: string | null
  item: string | null
  object_type: string
  what: string
  when_ms: string
  when_text: string | null
  where_name: string
  who: string
  workstation: string | null
  details: DetailOutput[] | null
}

/** The record of a row, its keys in the contract's output order (D24), as the in-memory store rebuilds them. */
export function storedRecord(row: PageRow): StoredRecord {
  const whenMs = Number(row.when_ms)
  const out = {} as ActivityRecordOutput
  out.Action = row.action
  if (row.plan_name !== null) out.MonitoringPlan = row.plan_id === null ? { Name: row.plan_name } : { ID: row.plan_id, Name: row.plan_name }
  if (row.data_source !== null) out.DataSource = row.data_source
  if (row.item !== null) out.Item = { Name: row.item }
  out.ObjectType = row.object_type
  if (row.rid !== null) out.RID = row.rid
  out.What = row.what
  out.When = row.when_text ?? formatWhen(whenMs)
  out.Where = row.where_name
  out.Who = row.who
  if (row.workstation !== null) out.Workstation = row.workstation
  if (row.details !== null) out.DetailList = row.details
  return { seq: Number(row.seq), whenMs, record: out }
}
