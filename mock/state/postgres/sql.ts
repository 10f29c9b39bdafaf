/**
 * A store query (store.ts) as one parameterised SELECT. Pure.
 *
 * No value is ever written into the statement's text: every operand, bound, plan and position is a parameter, and
 * the text depends only on the query's shape (which filters, which operators, how many entries), so a value can
 * neither change what the statement does nor reach the database as SQL (docs/store.md). Unnamed statements are planned with
 * their parameters' values, so a LIKE pattern still meets its trigram index.
 *
 * The semantics are the search's own (mock/search/compile.ts, S1-S10), field by field:
 * - text operators compare the columns JavaScript lower-cased on the way in with operands it lower-cases here;
 *   Contains, StartsWith and EndsWith are LIKE patterns with %, _ and \ escaped, Equals is =, and an excluding
 *   operator (the contract's combine: and) is the negation of its including twin, which a record without the field
 *   passes;
 * - Detail, Before and After look at every value of a record's DetailList: an including operator needs one value
 *   that matches, an excluding one needs none to match;
 * - InGroup compares the Who's account key with the group's members as the instance's directory lists them
 *   (Directory.membersOf), bare names with the members of the default domain;
 * - When compares epoch milliseconds with a range or a timeframe measured from the query's `now`, WorkingHours the
 *   UTC time of day, [From, To) and wrapping past midnight;
 * - filters join with AND; a filter's including entries with OR, its excluding entries with AND (S10).
 */
import type { Contract, FilterInfo } from '../../../openapi/contract.ts'
import { codes } from '../../errors.ts'
import type { Directory } from '../../directory.ts'
import { type Condition, excludes, filterConditions, whenInterval, workingHoursInterval } from '../../search/compile.ts'
import { fieldSources } from '../../search/fields.ts'
import { DAY_MS } from '../../search/time.ts'
import type { TextField } from '../../model.ts'
import type { StoreQuery } from '../store.ts'
import { detailColumns, pageColumns } from './rows.ts'

export interface CompiledStatement {
  text: string
  values: unknown[]
}

export interface SqlEnv {
  contract: Contract
  directory: Pick<Directory, 'membersOf'>
}

/** The lower-cased column each single-valued text filter reads. */
const textColumns: Readonly<Record<TextField, string>> = {
  RID: 'rid_lower',
  Who: 'who_lower',
  Where: 'where_lower',
  ObjectType: 'object_type_lower',
  What: 'what_lower',
  DataSource: 'data_source_lower',
  MonitoringPlan: 'plan_lower',
  Item: 'item_lower',
  Workstation: 'workstation_lower',
  Action: 'action_lower',
}

/** Each excluding operator is the negation of an including one (mock/search/operators.ts defines them so). */
const negationOf: Readonly<Record<string, string>> = { DoesNotContain: 'Contains', NotEqualTo: 'Equals', NotInGroup: 'InGroup' }

/** `\`, `%` and `_` stand for themselves in a LIKE pattern only escaped (the default escape character is `\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`)
}

type Param = (value: unknown) => string

/** Including text operators: (the column's SQL, the lower-cased operand, a parameter maker) → a condition. */
const textOperatorSql: Readonly<Record<string, (column: string, operand: string, param: Param) => string>> = {
  Contains: (column, operand, param) => `${column} LIKE ${param(`%${escapeLike(operand)}%`)}`,
  StartsWith: (column, operand, param) => `${column} LIKE ${param(`${escapeLike(operand)}%`)}`,
  EndsWith: (column, operand, param) => `${column} LIKE ${param(`%${escapeLike(operand)}`)}`,
  Equals: (column, operand, param) => `${column} = ${param(operand)}`,
}

const fail = (message: string): never => {
  throw codes.MOCK_ERR_SEARCH.create(message)
}

interface FilterContext {
  filter: FilterInfo
  env: SqlEnv
  now: number
  param: Param
}

function textConditionSql({ operator, operand }: Condition, { filter, env, param }: FilterContext): string {
  if (typeof operand !== 'string') return fail(`filter ${filter.name} takes a text value, not an object`)
  const excluding = excludes(operator, env.contract)
  const positive = excluding ? (negationOf[operator] ?? fail(`the operator ${operator} has no SQL translation`)) : operator
  const wanted = operand.toLowerCase()
  const source = fieldSources[filter.name] ?? fail(`filter ${filter.name} has no field source`)
  if (source.kind === 'details') {
    const column = detailColumns[filter.name] ?? fail(`filter ${filter.name} has no detail column`)
    const test = textOperatorSql[positive] ?? fail(`the operator ${operator} has no SQL translation for filter ${filter.name}`)
    const any = `EXISTS (SELECT 1 FROM unnest(r.${column}) AS v(value) WHERE ${test('v.value', wanted, param)})`
    return excluding ? `NOT ${any}` : any
  }
  const column = `r.${textColumns[source.field]}`
  let matches: string
  if (positive === 'InGroup') {
    if (source.field !== 'Who') fail(`the operator ${operator} has no SQL translation for filter ${filter.name}`)
    const members = env.directory.membersOf(operand)
    // A CASE, not an OR: a NULL key would make the OR unknown, and NOT unknown drops the record from NotInGroup.
    matches = `(CASE WHEN r.who_key IS NULL THEN r.who_lower = ANY(${param(members.bare)}::text[]) ELSE r.who_key = ANY(${param(members.keys)}::text[]) END)`
  } else {
    const test = textOperatorSql[positive] ?? fail(`the operator ${operator} has no SQL translation for filter ${filter.name}`)
    matches = test(column, wanted, param)
  }
  // A record without the field matches no including entry and every excluding one, as in the in-memory store.
  return excluding ? `(${column} IS NULL OR NOT ${matches})` : matches
}

function intervalDecision(operator: string, inside: string, filter: FilterInfo): string {
  if (operator === 'Equals') return inside
  if (operator === 'NotEqualTo') return `NOT ${inside}`
  return fail(`the operator ${operator} has no SQL translation for filter ${filter.name}`)
}

/** A missing bound is a NULL parameter, so the text is the same whichever bounds a range has. */
function whenConditionSql({ operator, operand }: Condition, { filter, env, now, param }: FilterContext): string {
  const { from, to } = whenInterval(operand, { filter, contract: env.contract, now })
  const low = param(Number.isFinite(from) ? from : null)
  const high = param(Number.isFinite(to) ? to : null)
  const inside = `((${low}::bigint IS NULL OR r.when_ms >= ${low}) AND (${high}::bigint IS NULL OR r.when_ms <= ${high}))`
  return intervalDecision(operator, inside, filter)
}

/** The time of day is taken as the in-memory store takes it: the remainder after whole UTC days, negative epochs included. */
function workingHoursConditionSql({ operator, operand }: Condition, { filter, param }: FilterContext): string {
  const { from, to } = workingHoursInterval(operand, filter)
  const start = param(from)
  const end = param(to)
  const time = `((r.when_ms % ${DAY_MS} + ${DAY_MS}) % ${DAY_MS})`
  const inside = `(CASE WHEN ${start}::bigint <= ${end}::bigint THEN ${time} >= ${start} AND ${time} < ${end} ELSE ${time} >= ${start} OR ${time} < ${end} END)`
  return intervalDecision(operator, inside, filter)
}

const conditionSql: Readonly<Record<FilterInfo['kind'], (condition: Condition, context: FilterContext) => string>> = {
  text: textConditionSql,
  when: whenConditionSql,
  workingHours: workingHoursConditionSql,
}

/** One filter: any of its including entries (true when it has none) and every excluding one (S10). */
function filterSql(conditions: readonly Condition[], context: FilterContext): string {
  const anyOf: string[] = []
  const allOf: string[] = []
  for (const condition of conditions) {
    const sql = conditionSql[context.filter.kind](condition, context)
    if (excludes(condition.operator, context.env.contract)) allOf.push(sql)
    else anyOf.push(sql)
  }
  const parts = [...(anyOf.length > 0 ? [`(${anyOf.join(' OR ')})`] : []), ...allOf]
  return parts.length > 0 ? `(${parts.join(' AND ')})` : 'TRUE'
}

/**
 * The page a query asks for, and the store's last seq in the same snapshot (one statement): records with a seq after the position,
 * in the caller's scope, matching every filter, in seq order, at most `count`. The outer join answers one row of
 * NULL records when none match, so the last seq always comes back.
 */
export function pageStatement(query: StoreQuery, env: SqlEnv): CompiledStatement {
  const values: unknown[] = []
  const param: Param = (value) => {
    values.push(value)
    return `$${values.length}`
  }
  const where = [`r.seq > ${param(query.afterSeq)}::bigint`]
  if (query.scope.kind === 'plans') where.push(`r.plan_lower = ANY(${param([...query.scope.plans])}::text[])`)
  for (const { filter, conditions } of filterConditions(query.filters ?? {}, env.contract)) {
    where.push(filterSql(conditions, { filter, env, now: query.now, param }))
  }
  const columns = pageColumns.map((column) => `r.${column}`).join(', ')
  // The last seq as a scalar subquery (one row, read once) rather than a join: the planner would take the store
  // table for hundreds of rows and price the page as if it ran once for each.
  const text =
    `SELECT (SELECT last_seq FROM nwa_store) AS last_seq, p.* FROM (SELECT) AS one LEFT JOIN LATERAL (` +
    `SELECT ${columns} FROM nwa_records r WHERE ${where.join(' AND ')} ORDER BY r.seq LIMIT ${param(query.count)}::bigint` +
    ') p ON TRUE ORDER BY p.seq'
  return { text, values }
}
