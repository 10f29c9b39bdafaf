import type { Contract, FilterInfo } from '../openapi/contract.ts'
import type { ActivityRecordOutput, FilterList } from '../openapi/records.ts'

/**
 * An independent reading of the documented search semantics (api/filterreference/*.md), used to compute
 * what a search over a known set of records must return. It takes its tables (filters, default operators,
 * how repeated entries combine) from the contract and owns only the meaning of each operator.
 */
export type GroupMembership = (group: string, account: string) => boolean

/**
 * How to read the points the pages leave open. The default is the contract's reading (openapi/DECISIONS.md);
 * the alternatives are other readings an implementation may take, so a MUST check can judge only the records on
 * which every reading agrees.
 */
export interface Reading {
  /** S1: the contract compares text without case. */
  caseSensitive: boolean
  /** S5: the contract includes the bounds of a When range. */
  exclusiveBounds: boolean
  /** S6: the contract counts the days of a timeframe in UTC; another zone, as milliseconds east of UTC. */
  zoneOffsetMs: number
  /** S6: LastSevenDays and LastThirtyDays start at the start of a day; a rolling window starts exactly 7 or 30 days ago. */
  rollingWindows: boolean
  /** S8: a negated operator holds when no value of a many-valued field (the Detail entries) matches; or when some value does not. */
  negationPerValue: boolean
}

export const contractReading: Reading = { caseSensitive: false, exclusiveBounds: false, zoneOffsetMs: 0, rollingWindows: false, negationPerValue: false }

export interface OracleOptions {
  /** The moment timeframes (Today, Yesterday, ...) are evaluated against, epoch milliseconds. */
  now: number
  /** Who belongs to which group; InGroup/NotInGroup cannot be evaluated without it. */
  inGroup?: GroupMembership
  /** Default: the contract's reading. */
  reading?: Partial<Reading>
}

export interface FilterEntry {
  operator: string
  operand: unknown
}

export interface Oracle {
  matches(record: ActivityRecordOutput, filters: FilterList): boolean
  select<T extends ActivityRecordOutput>(records: readonly T[], filters: FilterList): T[]
}

export type OracleTables = Pick<Contract, 'filters' | 'operators'>

const DAY = 86_400_000

/** Operators that hold when a value satisfies a test; each negated operator holds when no value satisfies its base. */
const negationOf: Readonly<Record<string, string>> = { DoesNotContain: 'Contains', NotEqualTo: 'Equals', NotInGroup: 'InGroup' }

export function createOracle(tables: OracleTables, given: OracleOptions): Oracle {
  const options: ResolvedOptions = { ...given, reading: { ...contractReading, ...given.reading } }
  const byName = new Map(tables.filters.map((filter) => [filter.name, filter]))
  const filterMatches = (record: ActivityRecordOutput, name: string, value: unknown): boolean => {
    const filter = byName.get(name)
    if (!filter) throw new Error(`the contract has no filter named ${name}`)
    const entries = normalizeFilter(filter, value)
    const anyOf: FilterEntry[] = []
    const allOf: FilterEntry[] = []
    for (const entry of entries) {
      const info = tables.operators[entry.operator]
      if (!info || !filter.operators.includes(entry.operator)) throw new Error(`filter ${name} has no operator ${entry.operator}`)
      ;(info.combine === 'and' ? allOf : anyOf).push(entry)
    }
    const test = (entry: FilterEntry): boolean => entryMatches(record, filter, entry, options)
    return (anyOf.length === 0 || anyOf.some(test)) && allOf.every(test)
  }
  const matches = (record: ActivityRecordOutput, filters: FilterList): boolean =>
    Object.entries(filters).every(([name, value]) => filterMatches(record, name, value))
  return { matches, select: (records, filters) => records.filter((record) => matches(record, filters)) }
}

interface ResolvedOptions extends OracleOptions {
  reading: Reading
}

/** A filter's value as a list of (operator, operand): bare operands take the filter's default operator. */
export function normalizeFilter(filter: FilterInfo, value: unknown): FilterEntry[] {
  const entries = Array.isArray(value) ? value : [value]
  return entries.flatMap((entry: unknown): FilterEntry[] => {
    if (isOperatorObject(entry, filter)) return Object.entries(entry).map(([operator, operand]) => ({ operator, operand }))
    if (filter.kind === 'text' && typeof entry !== 'string') {
      const keys = entry !== null && typeof entry === 'object' ? Object.keys(entry).join(', ') : JSON.stringify(entry)
      throw new Error(`filter ${filter.name} has no operator ${keys}`)
    }
    return [{ operator: filter.defaultOperator, operand: entry }]
  })
}

function isOperatorObject(entry: unknown, filter: FilterInfo): entry is Record<string, unknown> {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return false
  const keys = Object.keys(entry)
  return keys.length > 0 && keys.every((key) => filter.operators.includes(key))
}

function entryMatches(record: ActivityRecordOutput, filter: FilterInfo, entry: FilterEntry, options: ResolvedOptions): boolean {
  const base = negationOf[entry.operator]
  const operator = base ?? entry.operator
  switch (filter.kind) {
    case 'when':
      return whenHolds(record, operator, entry.operand, options) !== (base !== undefined)
    case 'workingHours':
      return workingHoursHolds(record, operator, entry.operand) !== (base !== undefined)
    default: {
      const values = fieldValues(record, filter.name)
      const test = (value: string): boolean => textHolds(operator, value, String(entry.operand), options)
      if (base === undefined) return values.some(test)
      // Many-valued fields: by the contract a negated operator needs no value to satisfy its base.
      return options.reading.negationPerValue ? values.some((value) => !test(value)) : !values.some(test)
    }
  }
}

function textHolds(operator: string, value: string, operand: string, options: ResolvedOptions): boolean {
  const field = options.reading.caseSensitive ? value : value.toLowerCase()
  const wanted = options.reading.caseSensitive ? operand : operand.toLowerCase()
  switch (operator) {
    case 'Contains':
      return field.includes(wanted)
    case 'Equals':
      return field === wanted
    case 'StartsWith':
      return field.startsWith(wanted)
    case 'EndsWith':
      return field.endsWith(wanted)
    case 'InGroup':
      if (!options.inGroup) throw new Error('InGroup/NotInGroup need the group membership from the config')
      return options.inGroup(operand, value)
    default:
      throw new Error(`the oracle does not know the operator ${operator}`)
  }
}

/** The values a filter looks at in one record; an absent optional field has none. */
export function fieldValues(record: ActivityRecordOutput, filterName: string): string[] {
  const present = (values: (string | undefined)[]): string[] => values.filter((value): value is string => typeof value === 'string')
  const details = record.DetailList ?? []
  switch (filterName) {
    case 'MonitoringPlan':
      return present([record.MonitoringPlan?.Name])
    case 'Item':
      return present([record.Item?.Name])
    case 'Detail':
      return present(details.flatMap((detail) => [detail.PropertyName, detail.Message, detail.Before, detail.After]))
    case 'Before':
      return present(details.map((detail) => detail.Before))
    case 'After':
      return present(details.map((detail) => detail.After))
    default: {
      const value = (record as unknown as Record<string, unknown>)[filterName]
      return typeof value === 'string' ? [value] : []
    }
  }
}

export interface Interval {
  from: number
  to: number
  fromInclusive: boolean
  /** Yesterday ends where today begins, so its upper bound is excluded; ranges and the other timeframes include theirs. */
  toInclusive: boolean
}

export function whenInterval(operand: unknown, now: number, given: Partial<Reading> = {}): Interval {
  if (operand === null || typeof operand !== 'object') throw new Error(`a When operand must be a range or a timeframe, not ${JSON.stringify(operand)}`)
  const reading = { ...contractReading, ...given }
  const value = operand as Record<string, unknown>
  if ('From' in value || 'To' in value) {
    return {
      from: typeof value['From'] === 'string' ? parseInstant(value['From']) : -Infinity,
      to: typeof value['To'] === 'string' ? parseInstant(value['To']) : Infinity,
      fromInclusive: !reading.exclusiveBounds,
      toInclusive: !reading.exclusiveBounds,
    }
  }
  const zone = reading.zoneOffsetMs
  const startOfToday = Math.floor((now + zone) / DAY) * DAY - zone
  const window = (days: number): Interval => ({
    from: reading.rollingWindows ? now - days * DAY : startOfToday - (days - 1) * DAY,
    to: now,
    fromInclusive: true,
    toInclusive: true,
  })
  const [name] = Object.keys(value)
  switch (name) {
    case 'Today':
      return { from: startOfToday, to: now, fromInclusive: true, toInclusive: true }
    case 'Yesterday':
      return { from: startOfToday - DAY, to: startOfToday, fromInclusive: true, toInclusive: false }
    case 'LastSevenDays':
      return window(7)
    case 'LastThirtyDays':
      return window(30)
    default:
      throw new Error(`the oracle does not know the timeframe ${String(name)}`)
  }
}

function parseInstant(text: string): number {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new Error(`not a date and time: ${text}`)
  return ms
}

function recordInstant(record: ActivityRecordOutput): number | undefined {
  const ms = Date.parse(record.When)
  return Number.isNaN(ms) ? undefined : ms
}

function whenHolds(record: ActivityRecordOutput, operator: string, operand: unknown, options: ResolvedOptions): boolean {
  if (operator !== 'Equals') throw new Error(`the When filter has no operator ${operator}`)
  const at = recordInstant(record)
  if (at === undefined) return false
  const interval = whenInterval(operand, options.now, options.reading)
  return (interval.fromInclusive ? at >= interval.from : at > interval.from) && (interval.toInclusive ? at <= interval.to : at < interval.to)
}

/** HH:mm or HH:mm:ss as milliseconds after midnight. */
export function timeOfDay(text: string): number {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text)
  if (!match) throw new Error(`not a time of day: ${text}`)
  return ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3] ?? 0)) * 1000
}

function workingHoursHolds(record: ActivityRecordOutput, operator: string, operand: unknown): boolean {
  if (operator !== 'Equals') throw new Error(`the WorkingHours filter has no operator ${operator}`)
  const at = recordInstant(record)
  if (at === undefined) return false
  const { From, To } = operand as { From: string; To: string }
  const from = timeOfDay(From)
  const to = timeOfDay(To)
  const time = ((at % DAY) + DAY) % DAY
  // [From, To) in UTC; a From later than To spans midnight.
  return from <= to ? time >= from && time < to : time >= from || time < to
}
