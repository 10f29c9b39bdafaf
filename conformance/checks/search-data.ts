import type { FilterInfo } from '../../openapi/contract.ts'
import type { WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordInput, ActivityRecordOutput, DetailInput, FilterList } from '../../openapi/records.ts'
import { createOracle, fieldValues, normalizeFilter, type GroupMembership, type Oracle, type OracleTables, type Reading } from '../oracle.ts'
import type { GroupFixture } from '../types.ts'
import type { Prng } from './support.ts'

/**
 * The search family's data and queries, pure: the records written once per run, and for every filter and
 * operator a query whose expected answer (from the oracle) is neither nothing nor everything where the
 * data allows it.
 */

export interface SearchCase {
  title: string
  filters: FilterList
  format: WireFormat
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

const whoPool = [
  'ENTERPRISE\\Administrator',
  'Enterprise\\Admin',
  'Enterprise\\Analyst',
  'Domain1\\John',
  'Domain1\\Johnson',
  'Domain2\\Johnny',
  'John@domain.com',
  'Domain2\\Dr.John',
  'admin@corp.onmicrosoft.com',
]
const actionPool = ['Added', 'Removed', 'Modified', 'Read', 'Moved', 'Renamed']
const objectTypePool = ['user', 'group', 'Mailbox', 'Folder', 'Stored Procedure', 'List', 'Group Policy']
const wherePool = ['EnterpriseDC1.enterprise.local', 'WKSWin12SQL', 'BLUPR05MB1940', 'demolabsp', 'FileStorage.enterprise.local']
const whatPool = [
  '\\local\\enterprise\\Users\\Jason Smith',
  'Databases\\ReportServer\\Stored Procedures\\dbo.sp_New',
  'Shared Mailbox',
  'Annual_Reports',
  'http://demolabsp/lists/Taskslist',
  'Domain Admins',
]
const itemPool = ['enterprise.local', 'WKSWin12SQL', 'mail@corp.onmicrosoft.com', undefined]
const workstationPool = ['172.28.6.15', 'WKSwin12.enterprise.local', 'stwin12R2.enterprise.local', undefined, undefined]
const detailPool: (DetailInput[] | undefined)[] = [
  [{ PropertyName: 'Custom_Attribute', Before: '1', After: '2' }],
  [{ PropertyName: 'member', After: 'CN=Anna Smith,OU=Users' }],
  undefined,
  [
    { PropertyName: 'Description', Before: 'old text', After: 'new text' },
    { PropertyName: 'Enabled', Before: 'True', After: 'False' },
  ],
  undefined,
]
/** Times of day that sit on and beside the WorkingHours bounds the cases use (09:00, 18:00, 22:00, 06:00). */
const timesOfDay = [
  '00:15:00',
  '03:00:00',
  '05:59:59',
  '06:00:00',
  '08:59:59',
  '09:00:00',
  '12:30:00',
  '17:59:59',
  '18:00:00',
  '20:10:00',
  '22:00:00',
  '23:59:59',
]
/** Offsets a When is written with: the server must compare instants, not text. */
const offsets = [0, 120, 0, -660]
/** Recent records for the timeframes, relative to the writer's clock; the checks ignore those too near a boundary. */
const recentAges = [3 * HOUR, 27 * HOUR, 50 * HOUR, 4 * DAY + 2 * HOUR, 8 * DAY, 13 * DAY, 20 * DAY, 45 * DAY]
const FIXED_RECORDS = 32
const FIXED_BASE = Date.UTC(2020, 2, 10)
/**
 * Where the timeframes begin, in whole UTC days before today's midnight (Today, Yesterday, LastSevenDays,
 * LastThirtyDays as S6 reads them). A record a second either side of each start tells a calendar window from one
 * shifted by a day, and from a rolling window of whole 24-hour days, which starts up to a day earlier.
 */
const timeframeStartsInDays = [0, 1, 6, 29]
const EDGE_MS = 1000

/**
 * About fifty records, each with the marker in What and Where. Fields cycle through their pools with strides
 * that are co-prime with the pool sizes, so every value meets many others; `extraWho` (members of the
 * configured group) replaces every fifth Who so InGroup has something to find.
 */
export function buildSearchDataset(marker: string, now: number, prng: Prng, extraWho: readonly string[] = []): ActivityRecordInput[] {
  const records: ActivityRecordInput[] = []
  const midnight = Math.floor(now / DAY) * DAY
  const edges = timeframeStartsInDays.flatMap((days) => [midnight - days * DAY - EDGE_MS, midnight - days * DAY + EDGE_MS])
  const fixed = Array.from({ length: FIXED_RECORDS }, (_, i) => FIXED_BASE + i * DAY + parseTimeOfDay(timesOfDay[i % timesOfDay.length]!))
  const recent = recentAges.map((age) => now - age + (prng.int(21) - 10) * 60_000)
  for (const [i, instant] of [...fixed, ...recent, ...edges].entries()) {
    const extra = extraWho.length && i % 5 === 4 ? extraWho[Math.floor(i / 5) % extraWho.length] : undefined
    const record: ActivityRecordInput = {
      Who: extra ?? whoPool[i % whoPool.length]!,
      Action: actionPool[(i * 5) % actionPool.length]!,
      What: `${whatPool[(i * 7) % whatPool.length]!} ${marker}-${i}`,
      When: formatInstant(instant, offsets[i % offsets.length]!),
      Where: `${wherePool[(i * 3) % wherePool.length]!}.${marker}`,
      ObjectType: objectTypePool[(i * 3) % objectTypePool.length]!,
    }
    const item = itemPool[i % itemPool.length]
    if (item) record.Item = { Name: item }
    const workstation = workstationPool[(i * 2) % workstationPool.length]
    if (workstation) record.Workstation = workstation
    const details = detailPool[(i * 3) % detailPool.length]
    if (details) record.DetailList = details.map((detail) => ({ ...detail }))
    // Sent and overwritten with "Netwrix API" (api/activityrecordreference.md); the oracle reads what comes back.
    if (i % 3 === 0) record.DataSource = 'Active Directory'
    records.push(record)
  }
  return shuffle(records, prng)
}

function shuffle<T>(items: T[], prng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = prng.int(i + 1)
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}

function parseTimeOfDay(text: string): number {
  const [h, m, s] = text.split(':').map(Number)
  return ((h! * 60 + m!) * 60 + s!) * 1000
}

/** An instant as YYYY-MM-DDTHH:mm:ss[.fff] with Z or a ±HH:mm offset. */
export function formatInstant(ms: number, offsetMinutes = 0): string {
  const shifted = new Date(ms + offsetMinutes * 60_000).toISOString()
  const base = shifted.slice(0, 19) + (ms % 1000 === 0 ? '' : shifted.slice(19, 23))
  if (offsetMinutes === 0) return `${base}Z`
  const sign = offsetMinutes > 0 ? '+' : '-'
  const abs = Math.abs(offsetMinutes)
  return `${base}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** Keeps a query to this run's data set: ANDs it with the marker on What, or on Where when the query filters What. */
export function scopeFilters(filters: FilterList, marker: string): FilterList {
  const field = 'What' in filters ? 'Where' : 'What'
  if (field in filters) throw new Error('a query scoped to the data set cannot filter both What and Where')
  return { ...filters, [field]: { Contains: marker } }
}

export type Judgement = 'match' | 'no' | 'ambiguous'

/**
 * The oracle at `now` and `margin` either side of it, under every reading left open: a record whose answer
 * changes within that window (a timeframe boundary near the server's unknown clock) or between readings the
 * pages allow cannot be judged.
 */
export type Judge = (record: ActivityRecordOutput, filters: FilterList) => Judgement

/** The points the pages leave open that a search's answer can depend on (openapi/DECISIONS.md S1, S5, S6, S8). */
export type ReadingAspect = 'case' | 'bounds' | 'zone' | 'window' | 'negation'

export const readingAspects: readonly ReadingAspect[] = ['case', 'bounds', 'zone', 'window', 'negation']

const manyValued: ReadonlySet<string> = new Set(['Detail', 'Before', 'After'])
const singleDays: ReadonlySet<string> = new Set(['Today', 'Yesterday'])

/** Which open points a query touches: text comparisons, When ranges, timeframes, negations over Detail entries. */
export function aspectsOf(tables: OracleTables, filters: FilterList): Set<ReadingAspect> {
  const aspects = new Set<ReadingAspect>()
  for (const [name, value] of Object.entries(filters)) {
    const filter = tables.filters.find((candidate) => candidate.name === name)
    if (!filter) continue
    if (filter.kind === 'text') aspects.add('case')
    for (const entry of normalizeFilter(filter, value)) {
      if (manyValued.has(name) && tables.operators[entry.operator]?.combine === 'and') aspects.add('negation')
      if (filter.kind !== 'when' || entry.operand === null || typeof entry.operand !== 'object') continue
      const keys = Object.keys(entry.operand)
      if (keys.some((key) => key === 'From' || key === 'To')) aspects.add('bounds')
      else aspects.add('zone')
      // Only a timeframe of several days can be read as a rolling window.
      if (keys.some((key) => singleDays.has(key) === false && key !== 'From' && key !== 'To')) aspects.add('window')
    }
  }
  return aspects
}

const ZONE_RANGE_MS = { west: -12 * HOUR, east: 14 * HOUR }

/**
 * Zone offsets that sample every answer a timeframe can give for these instants: one inside each stretch of the
 * range of real zones between two offsets at which one of the instants crosses a midnight. Within a stretch the
 * days every instant falls on, and so the answer, stay the same.
 */
export function zoneSamples(instants: readonly number[]): number[] {
  const crossings = new Set<number>()
  for (const instant of instants) {
    for (let zone = (((-instant % DAY) + DAY) % DAY) - 2 * DAY; zone < ZONE_RANGE_MS.east; zone += DAY) {
      if (zone > ZONE_RANGE_MS.west) crossings.add(zone)
    }
  }
  const bounds = [ZONE_RANGE_MS.west, ...[...crossings].sort((a, b) => a - b), ZONE_RANGE_MS.east]
  const samples = [ZONE_RANGE_MS.west, ZONE_RANGE_MS.east]
  for (let i = 0; i + 1 < bounds.length; i++) samples.push(Math.floor((bounds[i]! + bounds[i + 1]!) / 2))
  return [...new Set(samples)].sort((a, b) => a - b)
}

function readingsFor(aspects: ReadonlySet<ReadingAspect>, instants: readonly number[]): Partial<Reading>[] {
  let readings: Partial<Reading>[] = [{}]
  const widen = (alternatives: readonly Partial<Reading>[]): void => {
    readings = readings.flatMap((reading) => [reading, ...alternatives.map((alternative) => ({ ...reading, ...alternative }))])
  }
  if (aspects.has('case')) widen([{ caseSensitive: true }])
  if (aspects.has('bounds')) widen([{ exclusiveBounds: true }])
  if (aspects.has('window')) widen([{ rollingWindows: true }])
  if (aspects.has('negation')) widen([{ negationPerValue: true }])
  if (aspects.has('zone')) widen(zoneSamples(instants).map((zoneOffsetMs) => ({ zoneOffsetMs })))
  return readings
}

export interface JudgeOptions {
  inGroup?: GroupMembership
  /** The points on which the check accepts every reading; the rest are read as the contract decides. */
  open?: readonly ReadingAspect[]
}

function readingKey(at: number, reading: Partial<Reading>): string {
  const flag = (value: boolean | undefined): string => (value ? '1' : '0')
  return `${at}|${flag(reading.caseSensitive)}${flag(reading.exclusiveBounds)}${flag(reading.rollingWindows)}${flag(reading.negationPerValue)}|${reading.zoneOffsetMs ?? 0}`
}

export function createJudge(tables: OracleTables, now: number, marginMs: number, options: JudgeOptions = {}): Judge {
  const open = new Set(options.open ?? [])
  const times = [now - marginMs, now, now + marginMs]
  const oracles = new Map<string, Oracle>()
  const oracle = (at: number, reading: Partial<Reading>): Oracle => {
    const key = readingKey(at, reading)
    let found = oracles.get(key)
    if (found === undefined) {
      found = createOracle(tables, { now: at, reading, ...(options.inGroup ? { inGroup: options.inGroup } : {}) })
      oracles.set(key, found)
    }
    return found
  }
  // A judge serves one query over many records: what the query touches is worked out once. Only a timeframe
  // depends on the server's clock, so only a query with one is asked at the margin's ends too.
  const touched = new WeakMap<FilterList, { aspects: Set<ReadingAspect>; times: number[] }>()
  const touchedBy = (filters: FilterList): { aspects: Set<ReadingAspect>; times: number[] } => {
    let found = touched.get(filters)
    if (found === undefined) {
      const all = aspectsOf(tables, filters)
      found = { aspects: new Set([...all].filter((aspect) => open.has(aspect))), times: all.has('zone') ? times : [now] }
      touched.set(filters, found)
    }
    return found
  }
  return (record, filters) => {
    const { aspects, times: at } = touchedBy(filters)
    const when = Date.parse(record.When)
    // Zones are sampled around the midnights of the record and of now; the clock margin's own midnights lie within
    // minutes of now's, where the three times already evaluated cover them.
    const readings = readingsFor(aspects, Number.isNaN(when) ? [now] : [when, now])
    let matched = false
    let missed = false
    for (const time of at) {
      for (const reading of readings) {
        if (oracle(time, reading).matches(record, filters)) matched = true
        else missed = true
        if (matched && missed) return 'ambiguous'
      }
    }
    return matched ? 'match' : 'no'
  }
}

// ------------------------------------------------------------------------------------------------ case design

export interface DesignInput {
  tables: OracleTables
  records: readonly ActivityRecordOutput[]
  now: number
  timeframes: readonly string[]
  group?: GroupFixture
}

const formats: readonly WireFormat[] = ['json', 'xml']
const formatFor = (index: number): WireFormat => formats[index % formats.length]!

function cases(list: readonly Omit<SearchCase, 'format'>[]): SearchCase[] {
  return list.map((item, index) => ({ ...item, format: formatFor(index) }))
}

function titleOf(filters: FilterList): string {
  return JSON.stringify(filters)
}

/** Distinct values of a field, most frequent first; operands are trimmed because XML readers trim text. */
export function distinctValues(records: readonly ActivityRecordOutput[], filterName: string): string[] {
  const counts = new Map<string, number>()
  for (const record of records) {
    for (const value of new Set(fieldValues(record, filterName))) {
      const trimmed = value.trim()
      if (trimmed) counts.set(trimmed, (counts.get(trimmed) ?? 0) + 1)
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([value]) => value)
}

/** Operands an operator can take from one value, most telling first. */
export function operandCandidates(operator: string, value: string): string[] {
  const half = Math.ceil(value.length / 2)
  const threeQuarters = Math.ceil((value.length * 3) / 4)
  let candidates: string[]
  switch (operator) {
    case 'Contains':
    case 'DoesNotContain':
      candidates = [value.slice(Math.floor(value.length / 4), Math.floor(value.length / 4) + half), value.slice(1, -1), value]
      break
    case 'StartsWith':
      candidates = [value.slice(0, half), value.slice(0, threeQuarters), value]
      break
    case 'EndsWith':
      candidates = [value.slice(-half), value.slice(-threeQuarters), value]
      break
    default:
      candidates = [value]
  }
  return [...new Set(candidates.map((candidate) => candidate.trim()).filter((candidate) => candidate.length > 0))]
}

const VALUES_TRIED = 40

/** The first operand whose answer is a proper, non-empty subset of the records; failing that, any operand. */
export function pickOperand(input: DesignInput, filter: FilterInfo, operator: string): string {
  const oracle = createOracle(input.tables, { now: input.now })
  const values = distinctValues(input.records, filter.name).slice(0, VALUES_TRIED)
  let fallback: string | undefined
  for (const value of values) {
    for (const operand of operandCandidates(operator, value)) {
      if (filter.maxLength !== null && operand.length > filter.maxLength) continue
      fallback ??= operand
      const found = oracle.select(input.records, { [filter.name]: { [operator]: operand } }).length
      if (found > 0 && found < input.records.length) return operand
    }
  }
  return fallback ?? 'nwa-value-absent-from-the-data'
}

const groupOperators = new Set(['InGroup', 'NotInGroup'])

/** One query per operator the contract lists for a text filter (group operators have their own check). */
export function designTextFilterCases(input: DesignInput, filter: FilterInfo): SearchCase[] {
  return cases(
    filter.operators
      .filter((operator) => !groupOperators.has(operator))
      .map((operator) => {
        const filters = { [filter.name]: { [operator]: pickOperand(input, filter, operator) } }
        return { title: titleOf(filters), filters }
      }),
  )
}

/**
 * For Detail, Before and After, which read every entry of a DetailList (S8): a value some record holds only
 * beyond its first Detail, and no record in its first, so a server that reads one entry per record misses it.
 */
export function designLaterEntryCases(input: DesignInput, filter: FilterInfo): SearchCase[] {
  if (!manyValued.has(filter.name)) return []
  const entries = (record: ActivityRecordOutput, from: number, to?: number): ActivityRecordOutput => ({
    ...record,
    DetailList: record.DetailList?.slice(from, to),
  })
  const inFirst = new Set(input.records.flatMap((record) => fieldValues(entries(record, 0, 1), filter.name)).map((value) => value.trim().toLowerCase()))
  const value = input.records
    .flatMap((record) => fieldValues(entries(record, 1), filter.name))
    .map((text) => text.trim())
    .find((text) => text !== '' && !inFirst.has(text.toLowerCase()))
  if (value === undefined) return []
  const list: FilterList[] = [{ [filter.name]: { Equals: value } }, { [filter.name]: value }]
  return cases(list.map((filters) => ({ title: `${titleOf(filters)} (found beyond the first Detail only)`, filters })))
}

function instants(records: readonly ActivityRecordOutput[]): number[] {
  return [...new Set(records.map((record) => Date.parse(record.When)).filter((ms) => !Number.isNaN(ms)))].sort((a, b) => a - b)
}

/** A range from the first to the third quarter of the records' instants; both ends sit exactly on a record. */
function quartileRange(records: readonly ActivityRecordOutput[], now: number): { from: number; to: number } {
  const sorted = instants(records)
  if (sorted.length < 2) return { from: now - 30 * DAY, to: now - DAY }
  return { from: sorted[Math.floor(sorted.length / 4)]!, to: sorted[Math.floor((sorted.length * 3) / 4)]! }
}

/** From..To ranges (the documented form), with and without the operator, and with offsets. */
export function designWhenRangeCases(input: DesignInput): SearchCase[] {
  const { from, to } = quartileRange(input.records, input.now)
  const range = { From: formatInstant(from), To: formatInstant(to) }
  // Bounds a couple of hours either side of one record, written in far-off offsets: read as UTC clock times,
  // both would leave the record out, which bounds sitting on records cannot show.
  const sorted = instants(input.records)
  const middle = sorted[Math.floor(sorted.length / 2)] ?? input.now - DAY
  const list: FilterList[] = [
    { When: range },
    { When: { Equals: range } },
    { When: { NotEqualTo: range } },
    { When: { From: formatInstant(from, 330), To: formatInstant(to, -660) } },
    { When: { From: formatInstant(middle - 2 * HOUR, 330), To: formatInstant(middle + 2 * HOUR, -660) } },
  ]
  return cases(list.map((filters) => ({ title: titleOf(filters), filters })))
}

/** The ranges again with bounds exactly on records, and ranges open at one end (openapi/DECISIONS.md S5). */
export function designWhenBoundsCases(input: DesignInput): SearchCase[] {
  const { from, to } = quartileRange(input.records, input.now)
  const list: FilterList[] = [{ When: { From: formatInstant(from) } }, { When: { To: formatInstant(to) } }]
  return [...designWhenRangeCases(input), ...cases(list.map((filters) => ({ title: titleOf(filters), filters })))]
}

export function designTimeframeCases(input: DesignInput): SearchCase[] {
  const list: FilterList[] = input.timeframes.flatMap((timeframe) => [{ When: { [timeframe]: '' } }, { When: { NotEqualTo: { [timeframe]: '' } } }])
  return cases(list.map((filters) => ({ title: titleOf(filters), filters })))
}

/** WorkingHours alone and as the default operator: its From/To format is the contract's (openapi/DECISIONS.md S7). */
export function designWorkingHoursCases(): SearchCase[] {
  const list: FilterList[] = [
    { WorkingHours: { From: '09:00', To: '18:00' } },
    { WorkingHours: { NotEqualTo: { From: '09:00', To: '18:00' } } },
    { WorkingHours: { From: '22:00', To: '06:00' } },
    { WorkingHours: { Equals: { From: '08:59:59', To: '17:59:59' } } },
  ]
  return cases(list.map((filters) => ({ title: titleOf(filters), filters })))
}

/**
 * Each filter once with a bare operand and once with its default operator spelled out: both must agree with the
 * oracle. WorkingHours is left to its own check: the format of its From and To is not documented (S7).
 */
export function designDefaultOperatorCases(input: DesignInput, filters: readonly FilterInfo[]): SearchCase[] {
  const { from, to } = quartileRange(input.records, input.now)
  const list = filters
    .filter((filter) => filter.kind !== 'workingHours')
    .flatMap((filter): FilterList[] => {
      const operand: unknown =
        filter.kind === 'when' ? { From: formatInstant(from), To: formatInstant(to) } : pickOperand(input, filter, filter.defaultOperator)
      return [{ [filter.name]: operand } as FilterList, { [filter.name]: { [filter.defaultOperator]: operand } } as FilterList]
    })
  return cases(list.map((filters) => ({ title: titleOf(filters), filters })))
}

function twoValues(input: DesignInput, field: string): [string, string] {
  const values = distinctValues(input.records, field)
  return [values[0] ?? 'nwa-first-absent-value', values[1] ?? 'nwa-second-absent-value']
}

function middle(value: string): string {
  return operandCandidates('Contains', value)[0] ?? value
}

/** Repeated entries with Equals, Contains, StartsWith, EndsWith (and bare values): any one of them may match. */
export function designRepeatedOrCases(input: DesignInput): SearchCase[] {
  const [who1, who2] = twoValues(input, 'Who')
  const [type1, type2] = twoValues(input, 'ObjectType')
  const [action1, action2] = twoValues(input, 'Action')
  const [detail1, detail2] = twoValues(input, 'Detail')
  const sorted = instants(input.records)
  const at = (fraction: number): string => formatInstant(sorted[Math.floor((sorted.length - 1) * fraction)] ?? input.now)
  const list: FilterList[] = [
    { Who: [{ Equals: who1 }, { Equals: who2 }] },
    { Who: [middle(who1), middle(who2)] },
    { ObjectType: [{ StartsWith: type1.slice(0, 3) }, { EndsWith: type2.slice(-3) }] },
    { Action: [action1, action2] },
    { Detail: [{ Contains: middle(detail1) }, { Contains: middle(detail2) }] },
    {
      When: [
        { From: at(0), To: at(0.2) },
        { From: at(0.6), To: at(0.8) },
      ],
    },
  ]
  return cases(list.map((filters) => ({ title: titleOf(filters), filters })))
}

/** Repeated DoesNotContain and NotEqualTo entries: a record must avoid all of them. */
export function designRepeatedAndCases(input: DesignInput): SearchCase[] {
  const [who1, who2] = twoValues(input, 'Who')
  const [type1, type2] = twoValues(input, 'ObjectType')
  const [action1, action2] = twoValues(input, 'Action')
  const sorted = instants(input.records)
  const at = (fraction: number): string => formatInstant(sorted[Math.floor((sorted.length - 1) * fraction)] ?? input.now)
  const list: FilterList[] = [
    { ObjectType: [{ DoesNotContain: middle(type1) }, { DoesNotContain: middle(type2) }] },
    { Who: [{ NotEqualTo: who1 }, { NotEqualTo: who2 }] },
    { Action: [{ NotEqualTo: action1 }, { NotEqualTo: action2 }] },
    { When: [{ NotEqualTo: { From: at(0), To: at(0.3) } }, { NotEqualTo: { From: at(0.5), To: at(0.9) } }] },
  ]
  return cases(list.map((filters) => ({ title: titleOf(filters), filters })))
}

/** Positive and negated entries in one filter: (any positive) AND (every negated). */
export function designMixedCases(input: DesignInput): SearchCase[] {
  const [who1] = twoValues(input, 'Who')
  const [type1, type2] = twoValues(input, 'ObjectType')
  const fragment = who1.slice(0, Math.max(1, Math.ceil(who1.length / 3)))
  const list: FilterList[] = [
    { Who: [{ StartsWith: fragment }, { NotEqualTo: who1 }] },
    { ObjectType: { Contains: middle(type1), DoesNotContain: middle(type2) } },
  ]
  return cases(list.map((filters) => ({ title: titleOf(filters), filters })))
}

function quartileWhen(input: DesignInput): { From: string; To: string } {
  const { from, to } = quartileRange(input.records, input.now)
  return { From: formatInstant(from), To: formatInstant(to) }
}

/** Different filters at once, shaped like the documented examples: all must hold. */
export function designAndAcrossCases(input: DesignInput): SearchCase[] {
  const sample = input.records[Math.floor(input.records.length / 2)]
  const [type1, type2] = twoValues(input, 'ObjectType')
  const otherType = sample?.ObjectType === type1 ? type2 : type1
  const list: FilterList[] = [
    { Who: middle(sample?.Who ?? 'John'), Action: sample?.Action ?? 'Added', ObjectType: { DoesNotContain: middle(otherType) } },
    { Who: middle(sample?.Who ?? 'John'), DataSource: middle(sample?.DataSource ?? 'Netwrix API'), Action: { NotEqualTo: sample?.Action ?? 'Read' } },
    { ObjectType: sample?.ObjectType ?? 'user', When: { NotEqualTo: quartileWhen(input) } },
  ]
  return cases(list.map((filters) => ({ title: titleOf(filters), filters })))
}

function swapCase(text: string): string {
  return [...text].map((char) => (char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase())).join('')
}

/** The same comparisons with the operand's case changed. */
export function designCaseCases(input: DesignInput): SearchCase[] {
  const [who1] = twoValues(input, 'Who')
  const [action1] = twoValues(input, 'Action')
  const [type1] = twoValues(input, 'ObjectType')
  const [where1] = twoValues(input, 'Where')
  const list: FilterList[] = [
    { Who: { Contains: middle(who1).toUpperCase() } },
    { Who: { Equals: swapCase(who1) } },
    { Action: { Equals: action1.toLowerCase() } },
    { ObjectType: { StartsWith: type1.slice(0, 3).toUpperCase() } },
    { Where: { NotEqualTo: swapCase(where1) } },
  ]
  return cases(list.map((filters) => ({ title: titleOf(filters), filters })))
}

/** One composite query sent as XML (Operator attributes) and as JSON (operator objects). */
export function designFormatPairCases(input: DesignInput): SearchCase[] {
  const [who1, who2] = twoValues(input, 'Who')
  const [type1] = twoValues(input, 'ObjectType')
  const { from, to } = quartileRange(input.records, input.now)
  const composite: FilterList = {
    Who: [{ Contains: middle(who1) }, { StartsWith: who2.slice(0, 4) }, { NotEqualTo: who1 }],
    ObjectType: { DoesNotContain: middle(type1) },
    When: { Equals: { From: formatInstant(from), To: formatInstant(to) } },
  }
  return formats.map((format) => ({ title: titleOf(composite), filters: composite, format }))
}

/** InGroup and NotInGroup alone, and each beside another entry of its own combine group. */
export function designGroupCases(input: DesignInput, group: GroupFixture): SearchCase[] {
  const member = membershipFrom(group)
  const outsider = distinctValues(input.records, 'Who').find((who) => !member(group.inGroup, who)) ?? 'Enterprise\\nwa-outsider'
  const list: FilterList[] = [
    { Who: { InGroup: group.inGroup } },
    { Who: { NotInGroup: group.inGroup } },
    { Who: [{ InGroup: group.inGroup }, { Equals: outsider }] },
    { Who: [{ NotInGroup: group.inGroup }, { NotEqualTo: outsider }] },
  ]
  return cases(list.map((filters) => ({ title: titleOf(filters), filters })))
}

/**
 * Membership from the config's `groups`: the listed members are in the named group, compared without case.
 * Anyone else counts as outside it, which holds for the data set's made-up accounts but not for a snapshot's real ones.
 */
export function membershipFrom(group: GroupFixture): GroupMembership {
  const members = new Set(group.members.map((member) => member.toLowerCase()))
  const name = group.inGroup.toLowerCase()
  return (wanted, account) => wanted.toLowerCase() === name && members.has(account.toLowerCase())
}
