import type { ActivityRecordOutput, DetailOutput } from '../../openapi/records.ts'

/** The values a text filter looks at in a record; an absent field has none. */
export type FieldAccessor = (record: ActivityRecordOutput) => string[]

const present = (...values: (string | undefined)[]): string[] => values.filter((value): value is string => value !== undefined)
const eachDetail =
  (pick: (detail: DetailOutput) => (string | undefined)[]): FieldAccessor =>
  (record) =>
    (record.DetailList ?? []).flatMap((detail) => present(...pick(detail)))

/**
 * Text filters by name (api/filterreference/filters.md). MonitoringPlan matches the plan's Name and Item
 * the item's Name with its bracketed type. The page does not say which parts of a Detail entry the Detail
 * filter reads; it reads all four (PropertyName, Message, Before, After), while Before and After read only
 * their own part of each entry, as their rows ("the specified before/after value in Detail") say.
 */
export const fieldAccessors: Readonly<Record<string, FieldAccessor>> = {
  RID: (record) => present(record.RID),
  Who: (record) => present(record.Who),
  Where: (record) => present(record.Where),
  ObjectType: (record) => present(record.ObjectType),
  What: (record) => present(record.What),
  DataSource: (record) => present(record.DataSource),
  MonitoringPlan: (record) => present(record.MonitoringPlan?.Name),
  Item: (record) => present(record.Item?.Name),
  Workstation: (record) => present(record.Workstation),
  Action: (record) => present(record.Action),
  Detail: eachDetail((detail) => [detail.PropertyName, detail.Message, detail.Before, detail.After]),
  Before: eachDetail((detail) => [detail.Before]),
  After: eachDetail((detail) => [detail.After]),
}
