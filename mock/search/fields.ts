import type { DetailOutput } from '../../openapi/records.ts'
import type { TextField } from '../model.ts'

/** Where a text filter looks: one field of the record, or some parts of every Detail entry. */
export type FieldSource = { kind: 'field'; field: TextField } | { kind: 'details'; parts: (detail: DetailOutput) => (string | undefined)[] }

const field = (name: TextField): FieldSource => ({ kind: 'field', field: name })
const details = (parts: (detail: DetailOutput) => (string | undefined)[]): FieldSource => ({ kind: 'details', parts })

/**
 * Text filters by name (api/filterreference/filters.md). MonitoringPlan matches the plan's Name and Item
 * the item's Name with its bracketed type. The page does not say which parts of a Detail entry the Detail
 * filter reads; it reads all four (PropertyName, Message, Before, After), while Before and After read only
 * their own part of each entry, as their rows ("the specified before/after value in Detail") say.
 */
export const fieldSources: Readonly<Record<string, FieldSource>> = {
  RID: field('RID'),
  Who: field('Who'),
  Where: field('Where'),
  ObjectType: field('ObjectType'),
  What: field('What'),
  DataSource: field('DataSource'),
  MonitoringPlan: field('MonitoringPlan'),
  Item: field('Item'),
  Workstation: field('Workstation'),
  Action: field('Action'),
  Detail: details((detail) => [detail.PropertyName, detail.Message, detail.Before, detail.After]),
  Before: details((detail) => [detail.Before]),
  After: details((detail) => [detail.After]),
}

/** The values a Detail-reading filter sees in a record's entries; none when it has no DetailList. */
export function detailValues(source: Extract<FieldSource, { kind: 'details' }>, entries: readonly DetailOutput[] | undefined): string[] {
  return (entries ?? []).flatMap((detail) => source.parts(detail).filter((value): value is string => value !== undefined))
}
