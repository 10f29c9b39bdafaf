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
 * - When is returned in UTC "Z" form, the instant and the fractional seconds kept as sent.
 * - Keys come in the one output order (openapi/DECISIONS.md D24, the output schemas' property order), so JSON
 *   pages list them as XML pages do; seeded records are rebuilt in it too (canonicalOutputRecord).
 */
import type { ActivityRecordInput, ActivityRecordOutput, DetailOutput, MonitoringPlanRef } from '../../openapi/records.ts'

export const NETWRIX_API_DATA_SOURCE = 'Netwrix API'
export const INTEGRATION_SUFFIX = ' (Integration)'

export interface NormalizeDeps {
  rid: string
  resolvePlan: (name: string) => { name: string; id: string } | undefined
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
  output.What = input.What
  output.When = whenToUtc(input.When)
  output.Where = input.Where
  output.Who = input.Who
  if (input.Workstation !== undefined) output.Workstation = input.Workstation
  if (input.IsArchiveOnly === true) output.IsArchiveOnly = true
  if (input.DetailList && input.DetailList.length > 0) output.DetailList = input.DetailList.map(detailOutput)
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
  if (record.DetailList) output.DetailList = record.DetailList.map(detailOutput)
  return output
}

function resolveMonitoringPlan(name: string, resolvePlan: NormalizeDeps['resolvePlan']): MonitoringPlanRef {
  const plan = resolvePlan(name)
  return plan ? { ID: plan.id, Name: plan.name } : { Name: name }
}

export function integrationItemName(name: string): string {
  return name.trimEnd().endsWith('(Integration)') ? name : name + INTEGRATION_SUFFIX
}

function detailOutput(detail: DetailOutput): DetailOutput {
  const output = {} as DetailOutput
  if (detail.Before !== undefined) output.Before = detail.Before
  if (detail.After !== undefined) output.After = detail.After
  output.PropertyName = detail.PropertyName
  if (detail.Message !== undefined) output.Message = detail.Message
  return output
}

interface ParsedWhen {
  /** The instant in whole seconds since the epoch, UTC. */
  epochSeconds: number
  /** The fractional-second digits as sent, without the dot ('' when none). */
  fraction: string
  /** Sent with Z rather than an offset. */
  isUtc: boolean
}

/**
 * The Timestamp pattern of the contract, YYYY-MM-DDTHH:mm:ss, then up to 7 fraction digits, then Z or
 * ±HH:mm, read by position: every write parses each record's When, and a regular expression's match
 * array and substrings were a measurable share of the write path's allocations.
 */
function parseWhen(when: string): ParsedWhen {
  const year = digits(when, 0, 4)
  const month = digits(when, 5, 2)
  const day = digits(when, 8, 2)
  const hour = digits(when, 11, 2)
  const minute = digits(when, 14, 2)
  const second = digits(when, 17, 2)
  let at = 19
  let fraction = ''
  const hasFraction = when.charCodeAt(19) === 0x2e /* . */
  if (hasFraction) {
    at = 20
    while (at < 27 && isDigit(when.charCodeAt(at))) at++
    fraction = when.slice(20, at)
  }
  const zone = when.charCodeAt(at)
  const isUtc = zone === 0x5a /* Z */ && when.length === at + 1
  const isOffset = (zone === 0x2b /* + */ || zone === 0x2d) /* - */ && when.length === at + 6 && when.charCodeAt(at + 3) === 0x3a
  const offsetHours = isOffset ? digits(when, at + 1, 2) : 0
  const offsetMinutes = isOffset ? digits(when, at + 4, 2) : 0
  const separators =
    when.charCodeAt(4) === 0x2d && when.charCodeAt(7) === 0x2d && when.charCodeAt(10) === 0x54 && when.charCodeAt(13) === 0x3a && when.charCodeAt(16) === 0x3a
  if (
    !separators ||
    (!isUtc && !isOffset) ||
    (hasFraction && fraction === '') ||
    Number.isNaN(year + month + day + hour + minute + second + offsetHours + offsetMinutes)
  ) {
    throw new RangeError(`When "${when}" is not YYYY-MM-DDTHH:mm:ss with Z or a ±HH:mm offset`)
  }
  if (
    year < 1 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 14 ||
    offsetMinutes > 59
  ) {
    throw new RangeError(`When "${when}" is not a valid date and time`)
  }
  const offsetSign = zone === 0x2d ? -1 : 1
  const local = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
  return { epochSeconds: local - offsetSign * (offsetHours * 3600 + offsetMinutes * 60), fraction, isUtc }
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

/** The decimal number in `count` characters from `at`; NaN unless they are all ASCII digits. */
function digits(text: string, at: number, count: number): number {
  let value = 0
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i)
    if (!isDigit(code)) return Number.NaN
    value = value * 10 + code - 0x30
  }
  return value
}

/** `2017-02-19T03:43:49-11:00` → `2017-02-19T14:43:49Z`; fractional seconds are kept digit for digit. */
export function whenToUtc(when: string): string {
  const { epochSeconds, fraction, isUtc } = parseWhen(when)
  // Already UTC: parseWhen has checked the date, and years 0001..9999 stay in range with no offset to apply.
  if (isUtc) return when
  const days = Math.floor(epochSeconds / 86_400)
  const secondsOfDay = epochSeconds - days * 86_400
  const { year, month, day } = civilFromDays(days)
  if (year < 1 || year > 9999) throw new RangeError(`When "${when}" falls outside years 0001..9999 in UTC`)
  const time = [Math.floor(secondsOfDay / 3600), Math.floor(secondsOfDay / 60) % 60, secondsOfDay % 60]
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time.map((n) => pad(n, 2)).join(':')}${fraction ? `.${fraction}` : ''}Z`
}

/** The instant of a When value as epoch milliseconds; digits below the millisecond are dropped. */
export function whenToEpochMs(when: string): number {
  const { epochSeconds, fraction } = parseWhen(when)
  return epochSeconds * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3))
}

/**
 * Epoch milliseconds as the UTC text a record carries: whole seconds end in `Z`, others in `.sssZ`. By
 * arithmetic rather than through Date and toISOString, which cost as much as the rest of a page's record.
 */
export function formatWhen(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  const millis = ms - seconds * 1000
  const days = Math.floor(seconds / 86_400)
  const secondsOfDay = seconds - days * 86_400
  const { year, month, day } = civilFromDays(days)
  const clock = `${two(Math.floor(secondsOfDay / 3600))}:${two(Math.floor(secondsOfDay / 60) % 60)}:${two(secondsOfDay % 60)}`
  return `${pad(year, 4)}-${two(month)}-${two(day)}T${clock}${millis === 0 ? '' : `.${pad(millis, 3)}`}Z`
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31
}

// Proleptic Gregorian calendar arithmetic (H. Hinnant, "chrono-Compatible Low-Level Date
// Algorithms"): exact for any year, unlike Date.UTC, which maps years 0..99 to 1900..1999.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}
