import type { Contract, FilterInfo, FilterKind } from '../../openapi/contract.ts'
import type { FilterEntry, FilterList, FilterValue } from '../../openapi/records.ts'
import { codes } from '../errors.ts'
import type { CompiledQuery, IndexedField, RowReader } from '../model.ts'
import { detailValues, fieldSources } from './fields.ts'
import { signatureOf } from '../state/signature.ts'
import { containmentOperators, groupOperators, implementedOperators, intervalOperators, textOperators, type ValueTest } from './operators.ts'
import { timestampToEpochMs } from '../../openapi/timestamp.ts'
import { parseTimeOfDay, timeframes, timeOfDay, withinHours, type Interval } from './time.ts'

export interface SearchEnv {
  /** Epoch milliseconds, the moment the request came; the timeframes (Today, LastSevenDays, ...) are measured from it. */
  now: number
  /** Transitive group membership, ignoring case as Windows names do. */
  isMember: (account: string, group: string) => boolean
}

export type Operand = string | Record<string, string>

/** One filter entry after normalisation; `operator` is undefined for a bare operand. */
interface RawEntry {
  operator: string | undefined
  operand: Operand
}

/** One entry of a filter with its operator resolved: what a store translates (memory: a test; PostgreSQL: SQL). */
export interface Condition {
  operator: string
  operand: Operand
}

/** A test of one row; built per read by a BoundTest, so memos live as long as the read. */
type RowTest = (row: number) => boolean
type BoundTest = (rows: RowReader) => RowTest

const indexedFields: ReadonlySet<string> = new Set<IndexedField>(['Who', 'Action', 'DataSource', 'ObjectType', 'MonitoringPlan', 'Where', 'RID'])

const fail = (message: string): never => {
  throw codes.MOCK_ERR_SEARCH.create(message)
}

/**
 * Splits a filter's value into entries (api/postdata/searchparameters.md): a string or an operand object is
 * one entry with no operator; an object keyed by operators is one entry per key ("MatchType1": "Value1",
 * "MatchType2": "Value2"); an array holds several of both. An object is keyed by operators when every key
 * is an operator name; When ranges (From/To), timeframes and WorkingHours never use one.
 */
function splitEntries(value: FilterValue, isOperatorName: (name: string) => boolean): RawEntry[] {
  const list: FilterEntry[] = Array.isArray(value) ? value : [value]
  return list.flatMap((entry): RawEntry[] => {
    if (typeof entry === 'string') return [{ operator: undefined, operand: entry }]
    const keys = Object.keys(entry)
    if (keys.length > 0 && keys.every(isOperatorName)) {
      return keys.map((key) => ({ operator: key, operand: entry[key] as Operand }))
    }
    return [{ operator: undefined, operand: entry as Record<string, string> }]
  })
}

function operatorNames(contract: Contract | undefined): (name: string) => boolean {
  return (name) => implementedOperators.has(name) || (contract !== undefined && name in contract.operators)
}

/** A bare operand takes the filter's default operator (filters.md marks it "(default)" per filter). */
function conditionsOf(filter: FilterInfo, value: FilterValue, contract: Contract): Condition[] {
  return splitEntries(value, operatorNames(contract)).map(({ operator, operand }) => {
    const resolved = operator ?? filter.defaultOperator
    if (!filter.operators.includes(resolved)) fail(`filter ${filter.name} does not support the operator ${resolved}`)
    if (!(resolved in contract.operators)) fail(`the operator ${resolved} of filter ${filter.name} is not in the contract's x-nwa-operators`)
    return { operator: resolved, operand }
  })
}

interface BuildContext {
  filter: FilterInfo
  contract: Contract
  env: SearchEnv
  /** Read once, so every record of one request is measured against the same moment. */
  now: number
}

type ConditionBuilder = (condition: Condition, context: BuildContext) => BoundTest

/**
 * Whether an operator excludes: the contract's x-nwa-operators joins repeated entries of exactly the
 * excluding operators with AND ("none of these"), so `combine` is read from there rather than listed here.
 */
export function excludes(operator: string, contract: Contract): boolean {
  return contract.operators[operator]?.combine === 'and'
}

function textCondition({ operator, operand }: Condition, { filter, contract, env }: BuildContext): BoundTest {
  if (typeof operand !== 'string') return fail(`filter ${filter.name} takes a text value, not an object`)
  const source = fieldSources[filter.name] ?? fail(`filter ${filter.name} has no field source`)
  const test: ValueTest =
    textOperators[operator] ?? groupOperators(env.isMember)[operator] ?? fail(`the operator ${operator} has no text implementation in the mock`)
  const wanted = operand.toLowerCase()
  // On a field with several values (Detail), an including operator needs one matching value; an excluding
  // one needs every value to pass, i.e. none may match. An absent field fails Contains and passes DoesNotContain.
  const excluding = excludes(operator, contract)
  if (source.kind === 'details') {
    if (excluding) return (rows) => (row) => detailValues(source, rows.details(row)).every((value) => test(value.toLowerCase(), wanted))
    return (rows) => (row) => detailValues(source, rows.details(row)).some((value) => test(value.toLowerCase(), wanted))
  }
  // One value: it decides alone, whichever the operator; only a record without the field depends on it.
  const absent = excluding
  return (rows) => {
    const column = rows.column(source.field)
    if (column.kind === 'plain') {
      const { lower, signatures } = column
      if (signatures && containmentOperators.has(operator)) {
        // A value whose signature lacks the operand's bits cannot hold it: most rows end at two integer tests.
        const [low, high] = signatureOf(wanted)
        return (row) => {
          if (((signatures[2 * row] as number) & low) !== low || ((signatures[2 * row + 1] as number) & high) !== high) return false
          const value = lower(row)
          return value === undefined ? absent : test(value, wanted)
        }
      }
      return (row) => {
        const value = lower(row)
        return value === undefined ? absent : test(value, wanted)
      }
    }
    // Each distinct value is tested once per read, the first time a row holds it (0 unknown, 1 yes, 2 no).
    const { ids, lower } = column
    const known = new Uint8Array(lower.length)
    return (row) => {
      const id = ids[row] as number
      if (id < 0) return absent
      let result = known[id] as number
      if (result === 0) {
        result = test(lower[id] as string, wanted) ? 1 : 2
        known[id] = result
      }
      return result === 1
    }
  }
}

function intervalDecision(operator: string, filter: FilterInfo): (inside: boolean) => boolean {
  return intervalOperators[operator] ?? fail(`the operator ${operator} has no implementation for filter ${filter.name} in the mock`)
}

/**
 * When (api/filterreference/filters.md, filterreference.md): a From..To range, either end optional, both
 * ends included (the pages do not say; an inclusive reading keeps a record stamped exactly at a bound),
 * offsets honoured; or one timeframe element (contract.timeframes, meanings in x-nwa-timeframes), in UTC.
 */
export function whenInterval(operand: Operand, { filter, contract, now }: Omit<BuildContext, 'env'>): Interval {
  if (typeof operand === 'string') return fail(`filter ${filter.name} takes a range or a timeframe, not text`)
  const keys = Object.keys(operand)
  const [only] = keys
  if (keys.length === 1 && only !== undefined && contract.timeframes.includes(only)) {
    const timeframe = timeframes[only] ?? fail(`the timeframe ${only} has no implementation in the mock`)
    return timeframe(now)
  }
  const unknown = keys.find((key) => key !== 'From' && key !== 'To')
  if (unknown !== undefined || keys.length === 0) fail(`filter ${filter.name} does not understand ${JSON.stringify(operand)}`)
  const bound = (key: 'From' | 'To', absent: number): number => {
    const text = operand[key]
    if (text === undefined) return absent
    return timestampToEpochMs(text) ?? fail(`filter ${filter.name}: ${key} ${text} is not a timestamp`)
  }
  return { from: bound('From', -Infinity), to: bound('To', Infinity) }
}

function whenCondition(condition: Condition, context: BuildContext): BoundTest {
  const decide = intervalDecision(condition.operator, context.filter)
  const { from, to } = whenInterval(condition.operand, context)
  return ({ whenMs }) =>
    (row) => {
      const at = whenMs[row] as number
      return decide(at >= from && at <= to)
    }
}

/** WorkingHours' From and To as milliseconds of the day (filters.md; contract WorkingHoursFilter). */
export function workingHoursInterval(operand: Operand, filter: FilterInfo): Interval {
  if (typeof operand === 'string') return fail(`filter ${filter.name} takes From and To, not text`)
  const parse = (key: 'From' | 'To'): number => parseTimeOfDay(operand[key] ?? '') ?? fail(`filter ${filter.name}: ${key} must be HH:mm or HH:mm:ss`)
  return { from: parse('From'), to: parse('To') }
}

/** WorkingHours: the record's UTC time of day in [From, To). */
function workingHoursCondition({ operator, operand }: Condition, { filter }: BuildContext): BoundTest {
  const decide = intervalDecision(operator, filter)
  const { from, to } = workingHoursInterval(operand, filter)
  return ({ whenMs }) =>
    (row) =>
      decide(withinHours(timeOfDay(whenMs[row] as number), from, to))
}

const conditionBuilders: Readonly<Record<FilterKind, ConditionBuilder>> = {
  text: textCondition,
  when: whenCondition,
  workingHours: workingHoursCondition,
}

/**
 * One filter's test (api/filterreference/filterreference.md): entries whose operator the contract
 * combines with `or` match when any of them does, an empty group being true; entries whose operator it
 * combines with `and` must all match; the filter matches when both groups do. The page does not describe
 * mixing the two; requiring both is the reading that keeps each group's own rule.
 */
function compileFilter(conditions: Condition[], context: BuildContext): BoundTest {
  const build = conditionBuilders[context.filter.kind]
  const anyOf: BoundTest[] = []
  const allOf: BoundTest[] = []
  for (const condition of conditions) {
    const test = build(condition, context)
    if (excludes(condition.operator, context.contract)) allOf.push(test)
    else anyOf.push(test)
  }
  return (rows) => both(anyTest(anyOf.map((test) => test(rows))), allTest(allOf.map((test) => test(rows))))
}

// The combinators run once per row of a scan: plain loops, and the lone test itself when there is one, so no
// closure or iterator is made per row.
const always: RowTest = () => true

function anyTest(tests: RowTest[]): RowTest {
  if (tests.length === 0) return always
  if (tests.length === 1) return tests[0] as RowTest
  return (row) => {
    for (let i = 0; i < tests.length; i++) if ((tests[i] as RowTest)(row)) return true
    return false
  }
}

function allTest(tests: RowTest[]): RowTest {
  if (tests.length === 0) return always
  if (tests.length === 1) return tests[0] as RowTest
  return (row) => {
    for (let i = 0; i < tests.length; i++) if (!(tests[i] as RowTest)(row)) return false
    return true
  }
}

function both(first: RowTest, second: RowTest): RowTest {
  if (first === always) return second
  if (second === always) return first
  return (row) => first(row) && second(row)
}

/** Only a filter made of Equals entries alone pins its field to a list of values. */
function equalityHint(filter: FilterInfo, conditions: Condition[]): CompiledQuery['equalityHints'][number] | undefined {
  if (!indexedFields.has(filter.name) || conditions.length === 0) return undefined
  const values: string[] = []
  for (const { operator, operand } of conditions) {
    if (operator !== 'Equals' || typeof operand !== 'string') return undefined
    values.push(operand.toLowerCase())
  }
  return { field: filter.name as IndexedField, values: [...new Set(values)] }
}

/**
 * A text filter made of including entries alone (Contains, Equals, StartsWith, EndsWith, InGroup, in any mix)
 * limits its field to the values one of them takes; excluding entries would let any other value through.
 */
function valueHint(filter: FilterInfo, conditions: Condition[], context: Omit<BuildContext, 'filter'>): CompiledQuery['valueHints'][number] | undefined {
  const source = fieldSources[filter.name]
  if (filter.kind !== 'text' || source?.kind !== 'field' || conditions.length === 0) return undefined
  const takes: ((lower: string) => boolean)[] = []
  for (const { operator, operand } of conditions) {
    if (excludes(operator, context.contract) || typeof operand !== 'string') return undefined
    const test = textOperators[operator] ?? groupOperators(context.env.isMember)[operator]
    if (!test) return undefined
    const wanted = operand.toLowerCase()
    takes.push((lower) => test(lower, wanted))
  }
  return { field: source.field, accepts: (lower) => takes.some((take) => take(lower)) }
}

/** Each filter of a FilterList with its entries' operators resolved, defaults included; unknown filters fail. */
export function filterConditions(filterList: FilterList, contract: Contract): { filter: FilterInfo; conditions: Condition[] }[] {
  return Object.entries(filterList).map(([name, value]) => {
    const filter = contract.filters.find((candidate) => candidate.name === name) ?? fail(`the contract has no filter named ${name}`)
    return { filter, conditions: conditionsOf(filter, value, contract) }
  })
}

/** Different filters combine with AND (filterreference.md: "they work as a logical AND"). */
export function compileSearch(filterList: FilterList, contract: Contract, env: SearchEnv): CompiledQuery {
  const now = env.now
  const tests: BoundTest[] = []
  const equalityHints: CompiledQuery['equalityHints'] = []
  const valueHints: CompiledQuery['valueHints'] = []
  for (const { filter, conditions } of filterConditions(filterList, contract)) {
    tests.push(compileFilter(conditions, { filter, contract, env, now }))
    const hint = equalityHint(filter, conditions)
    if (hint) equalityHints.push(hint)
    const values = valueHint(filter, conditions, { contract, env, now })
    if (values) valueHints.push(values)
  }
  return {
    bind: (rows) => allTest(tests.map((test) => test(rows))),
    equalityHints,
    valueHints,
  }
}

function sortKeys(operand: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(operand).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/**
 * A normal form of a FilterList, for hashing and for carrying in Continuation marks: filters in name order,
 * each an array of single-key operator objects (operand objects with sorted keys), sorted and without
 * duplicates, which changes nothing since the entries of one filter join with OR or AND. Given the
 * contract, a bare operand takes its filter's default operator, so "Admin" and {"Contains": "Admin"}
 * come out alike; without it bare operands stay bare.
 */
export function canonicalFilterList(filterList: FilterList, contract?: Contract): FilterList {
  const canonical: FilterList = {}
  for (const name of Object.keys(filterList).sort()) {
    const value = filterList[name]
    if (value === undefined) continue
    const defaultOperator = contract?.filters.find((filter) => filter.name === name)?.defaultOperator
    const entries = splitEntries(value, operatorNames(contract)).map(({ operator, operand }): FilterEntry => {
      const normal = typeof operand === 'string' ? operand : sortKeys(operand)
      const resolved = operator ?? defaultOperator
      return resolved === undefined ? normal : { [resolved]: normal }
    })
    const byText = new Map(entries.map((entry) => [JSON.stringify(entry), entry]))
    canonical[name] = [...byText.keys()].sort().map((key) => byText.get(key) as FilterEntry)
  }
  return canonical
}
