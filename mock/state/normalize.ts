/**
 * Turns a written Activity Record into the output record the Audit Database keeps. Pure.
 *
 * Rules and their sources:
 * - DataSource is "Netwrix API" whatever was sent: "For input Activity Records, the data source is
 *   automatically set to Netwrix API" (api/activityrecordreference.md, api/writeactivityrecords.md).
 * - Item: "For input Activity Records, the type is automatically set to Integration, you do not need
 *   to provide it" (api/activityrecordreference.md). So everything the writer sends is the name, and
 *   " (Integration)" is appended. The one exception is a name already ending in "(Integration)",
 *   left as is so that a record read back and written again does not grow a second suffix.
 *   The mock's choice: "Payroll (EU)" or "x (Domain)" become "Payroll (EU) (Integration)" and
 *   "x (Domain) (Integration)"; the writer cannot claim another item type.
 * - MonitoringPlan: the ID "is assigned automatically by the product" (api/compatibility.md), so an
 *   ID sent by the writer is dropped and the directory's canonical name and ID are used, the name
 *   matched case-insensitively. The real product writes a record to a plan's database only if the
 *   plan exists (api/writeactivityrecords.md); the mock's choice for an unknown plan is to keep the
 *   name as sent, without an ID, so global readers still see the record while no scoped reviewer can.
 * - When is returned in UTC "Z" form, the instant and the fractional seconds kept as sent; it comes read already
 *   (NormalizeDeps.when), so the store takes its instant without reading the text again.
 * - Keys come in the one output order (openapi/DECISIONS.md D24, the output schemas' property order), so JSON
 *   pages list them as XML pages do; seeded records are rebuilt in it too (canonicalOutputRecord).
 */
import type { ActivityRecordInput, ActivityRecordOutput, DetailOutput, MonitoringPlanRef } from '../../openapi/records.ts'
import type { WhenValue } from '../../openapi/timestamp.ts'
import { ownCopy } from '../../openapi/excerpt.ts'

export const NETWRIX_API_DATA_SOURCE = 'Netwrix API'
export const INTEGRATION_SUFFIX = ' (Integration)'

export interface NormalizeDeps {
  rid: string
  /** The input's When, read once on the way in (openapi/timestamp.ts readWhenValue). */
  when: WhenValue
  resolvePlan: (name: string) => { name: string; id: string } | undefined
  /**
   * Set when the input's strings may be views into its request body (XML: openapi/xml-plain.ts cuts them from
   * it): What and the details, which the store keeps per record, are then copied out (openapi/excerpt.ts). JSON.parse
   * makes fresh strings, which need no copy.
   */
  copyText?: boolean
}

export function normalizeInputRecord(input: ActivityRecordInput, deps: NormalizeDeps): ActivityRecordOutput {
  // Built by assignment in the output key order: conditional object spreads cost V8 a dictionary-mode
  // object per record, which measured as most of the write path's time.
  const output: ActivityRecordOutput = {} as ActivityRecordOutput
  output.Action = input.Action
  if (input.MonitoringPlan) output.MonitoringPlan = resolveMonitoringPlan(input.MonitoringPlan.Name, deps.resolvePlan)
  output.DataSource = NETWRIX_API_DATA_SOURCE
  if (input.Item) output.Item = { Name: integrationItemName(input.Item.Name) }
  output.ObjectType = input.ObjectType
  output.RID = deps.rid
  output.What = deps.copyText ? ownCopy(input.What) : input.What
  output.When = deps.when.utc
  output.Where = input.Where
  output.Who = input.Who
  if (input.Workstation !== undefined) output.Workstation = input.Workstation
  if (input.IsArchiveOnly === true) output.IsArchiveOnly = true
  if (input.DetailList && input.DetailList.length > 0) output.DetailList = input.DetailList.map(deps.copyText ? copiedDetail : detailAsGiven)
  return output
}

/** A record kept as given (seed data), with its keys rebuilt in the output order, as a written record has them. */
export function canonicalOutputRecord(record: ActivityRecordOutput): ActivityRecordOutput {
  const output: ActivityRecordOutput = {} as ActivityRecordOutput
  output.Action = record.Action
  if (record.MonitoringPlan)
    output.MonitoringPlan =
      record.MonitoringPlan.ID === undefined ? { Name: record.MonitoringPlan.Name } : { ID: record.MonitoringPlan.ID, Name: record.MonitoringPlan.Name }
  if (record.DataSource !== undefined) output.DataSource = record.DataSource
  if (record.Item) output.Item = { Name: record.Item.Name }
  output.ObjectType = record.ObjectType
  if (record.RID !== undefined) output.RID = record.RID
  output.What = record.What
  output.When = record.When
  output.Where = record.Where
  output.Who = record.Who
  if (record.Workstation !== undefined) output.Workstation = record.Workstation
  if (record.IsArchiveOnly !== undefined) output.IsArchiveOnly = record.IsArchiveOnly
  if (record.DetailList) output.DetailList = record.DetailList.map(detailAsGiven)
  return output
}

function resolveMonitoringPlan(name: string, resolvePlan: NormalizeDeps['resolvePlan']): MonitoringPlanRef {
  const plan = resolvePlan(name)
  return plan ? { ID: plan.id, Name: plan.name } : { Name: name }
}

export function integrationItemName(name: string): string {
  return name.trimEnd().endsWith('(Integration)') ? name : name + INTEGRATION_SUFFIX
}

/** A detail in the output key order, each text passed through `keep`. */
function detailOutput(detail: DetailOutput, keep: (text: string) => string): DetailOutput {
  const output = {} as DetailOutput
  if (detail.Before !== undefined) output.Before = keep(detail.Before)
  if (detail.After !== undefined) output.After = keep(detail.After)
  output.PropertyName = keep(detail.PropertyName)
  if (detail.Message !== undefined) output.Message = keep(detail.Message)
  return output
}

const sameText = (text: string) => text
const copiedDetail = (detail: DetailOutput) => detailOutput(detail, ownCopy)
const detailAsGiven = (detail: DetailOutput) => detailOutput(detail, sameText)
