import type { FilterInfo } from '../../openapi/contract.ts'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import type { GroupMembership } from '../oracle.ts'
import { fail, skip, type Check, type CheckContext, type CheckVerdict } from '../types.ts'
import {
  buildSearchDataset,
  createJudge,
  designAndAcrossCases,
  designCaseCases,
  designDefaultOperatorCases,
  designFormatPairCases,
  designGroupCases,
  designLaterEntryCases,
  designMixedCases,
  designRepeatedAndCases,
  designRepeatedOrCases,
  designTextFilterCases,
  designTimeframeCases,
  designWhenBoundsCases,
  designWhenRangeCases,
  designWorkingHoursCases,
  membershipFrom,
  readingAspects,
  scopeFilters,
  type DesignInput,
  type ReadingAspect,
  type SearchCase,
} from './search-data.ts'
import {
  admin,
  compareRidSets,
  createPrng,
  describeComparison,
  describeResponse,
  enumerateAll,
  preview,
  ridsOf,
  searchAll,
  seedFrom,
  verdict,
  walkRecords,
  writeRecords,
} from './support.ts'

const check = (definition: Omit<Check, 'category'>): Check => ({ ...definition, category: 'search' })

/** How far the server's clock may be from ours before a timeframe answer is called wrong. */
const CLOCK_MARGIN_MS = 10 * 60_000
const SNAPSHOT_SIZE = 2000
/** Over a snapshot, a query may match far more than the snapshot; this many records are judged. */
const SNAPSHOT_RESULT_LIMIT = 3000
/** The timeframes api/filterreference/filters.md names; the contract adds LastThirtyDays for its "etc." (S6). */
const documentedTimeframes: readonly string[] = ['Today', 'Yesterday', 'LastSevenDays']

/** Every open point read every way the pages allow, except those a SHOULD check tests by its decision. */
const openExcept = (...decided: ReadingAspect[]): ReadingAspect[] => readingAspects.filter((aspect) => !decided.includes(aspect))

/**
 * The records the search checks query. With --write: the run's data set, written once and read back, and
 * every query is scoped to its marker. Without: a snapshot read through enum, and queries over real data.
 */
export interface SearchData {
  mode: 'written' | 'snapshot'
  records: ActivityRecordOutput[]
  /** The snapshot holds every visible record (the enum walk reached its end). */
  complete: boolean
  marker: string
}

type Prepared = { ok: true; data: SearchData } | { ok: false; verdict: CheckVerdict }

function prepare(ctx: CheckContext): Promise<Prepared> {
  return ctx.memo('search-dataset', async (): Promise<Prepared> => {
    const marker = `${ctx.runMarker}-search`
    if (ctx.options.write) {
      const input = buildSearchDataset(marker, ctx.now(), createPrng(seedFrom(ctx.runMarker)), ctx.groups?.members ?? [])
      const written = await writeRecords(ctx, admin, input, 'xml')
      if (written.response.status !== 200)
        return { ok: false, verdict: skip(`the search data set could not be written (see the write checks): ${describeResponse(written)}`) }
      const walk = await searchAll(ctx, admin, { What: { Contains: marker } }, { format: 'json', maxPages: ctx.options.maxPages })
      if (walk.problem) return { ok: false, verdict: fail(`reading the search data set back by What contains "${marker}": ${walk.problem}`) }
      const records = walkRecords(walk)
      if (records.length !== input.length) {
        return { ok: false, verdict: fail(`wrote ${input.length} records marked "${marker}", but searching What for the marker returns ${records.length}`) }
      }
      return { ok: true, data: { mode: 'written', records, complete: true, marker } }
    }
    const walk = await enumerateAll(ctx, admin, { format: 'json', count: 1000, maxPages: ctx.options.maxPages, stopWhen: (n) => n >= SNAPSHOT_SIZE })
    if (walk.problem) return { ok: false, verdict: fail(`reading a snapshot through enum: ${walk.problem}`) }
    const records = walkRecords(walk).filter((record) => record.RID !== undefined)
    if (records.length === 0)
      return { ok: false, verdict: skip('the administrator sees no records; run with --write to search a data set written for the run') }
    return { ok: true, data: { mode: 'snapshot', records, complete: walk.ended, marker } }
  })
}

/**
 * Over a snapshot, the config names some members of the group but not who else is in it: accounts not
 * listed cannot be judged. The data set's other accounts are made up, so there they are outside.
 */
function groupJudgeable(data: SearchData, member: GroupMembership, group: string): (record: ActivityRecordOutput) => boolean {
  return (record: ActivityRecordOutput): boolean => data.mode === 'written' || member(group, record.Who)
}

interface CaseOutcome {
  problem?: string
  judged: number
}

interface CaseJudging {
  open: readonly ReadingAspect[]
  inGroup?: GroupMembership
  judgeable?: (record: ActivityRecordOutput) => boolean
}

async function runCase(ctx: CheckContext, data: SearchData, item: SearchCase, now: number, judging: CaseJudging): Promise<CaseOutcome> {
  const { judgeable } = judging
  const judge = createJudge(ctx.contract, now, CLOCK_MARGIN_MS, { open: judging.open, ...(judging.inGroup ? { inGroup: judging.inGroup } : {}) })
  const label = `${item.title} [${item.format}]`
  const expected: string[] = []
  const ignored = new Set<string>()
  for (const record of data.records) {
    const answer = judge(record, item.filters)
    if (answer === 'ambiguous' || (judgeable && !judgeable(record))) ignored.add(record.RID ?? '')
    else if (answer === 'match') expected.push(record.RID ?? '')
  }
  ctx.note(
    `${label}: the oracle expects ${expected.length} of ${data.records.length} records ${preview(expected)}${ignored.size ? `; ${ignored.size} cannot be judged` : ''}`,
  )
  const sent = data.mode === 'written' ? scopeFilters(item.filters, data.marker) : item.filters
  const walk = await searchAll(ctx, admin, sent, {
    format: item.format,
    maxPages: ctx.options.maxPages,
    ...(data.mode === 'snapshot' ? { stopWhen: (n: number) => n >= SNAPSHOT_RESULT_LIMIT } : {}),
  })
  if (walk.problem) return { problem: `${label}: ${walk.problem}`, judged: 0 }
  const returned = walkRecords(walk)
  const known = new Set(data.records.map((record) => record.RID))
  // A returned record outside a snapshot is judged by itself; outside the data set it is unexpected anyway.
  for (const record of returned) {
    if (known.has(record.RID) || data.mode === 'written') continue
    const answer = judge(record, item.filters)
    if (answer === 'ambiguous' || (judgeable && !judgeable(record))) ignored.add(record.RID ?? '')
    else if (answer === 'match') expected.push(record.RID ?? '')
  }
  const comparison = compareRidSets(expected, ridsOf(returned), ignored)
  // Records missing from a search cut short cannot be told from records on its later pages.
  if (!walk.ended) comparison.missing = []
  const described = describeComparison(comparison)
  return { ...(described ? { problem: `${label}: expected ${expected.length}, got ${returned.length}: ${described}` } : {}), judged: returned.length }
}

/**
 * `open`: the points on which every reading is accepted, records whose answer depends on them left unjudged.
 * A MUST check leaves all open; a SHOULD check closes the one its decision reads.
 */
async function runCases(
  ctx: CheckContext,
  design: (input: DesignInput) => SearchCase[],
  options: { groups?: boolean; open?: readonly ReadingAspect[] } = {},
): Promise<CheckVerdict> {
  const prepared = await prepare(ctx)
  if (!prepared.ok) return prepared.verdict
  const { data } = prepared
  const now = ctx.now()
  const group = ctx.groups
  const input: DesignInput = { tables: ctx.contract, records: data.records, now, timeframes: ctx.contract.timeframes, ...(group ? { group } : {}) }
  const inGroup = options.groups && group ? membershipFrom(group) : undefined
  const judgeable = inGroup && group ? groupJudgeable(data, inGroup, group.inGroup) : undefined
  const cases = design(input)
  const problems: string[] = []
  const judging: CaseJudging = { open: options.open ?? readingAspects, ...(inGroup ? { inGroup } : {}), ...(judgeable ? { judgeable } : {}) }
  for (const item of cases) {
    const outcome = await runCase(ctx, data, item, now, judging)
    if (outcome.problem) problems.push(outcome.problem)
  }
  const over =
    data.mode === 'written'
      ? `the ${data.records.length} records written for this run`
      : `a snapshot of ${data.records.length} records${data.complete ? '' : ' (the server holds more; records beyond it were judged one by one)'}`
  return verdict(problems, `${cases.length} searches returned what the oracle expects over ${over}`)
}

function filterInfo(ctx: CheckContext, name: string): FilterInfo | undefined {
  return ctx.contract.filters.find((filter) => filter.name === name)
}

const allTextOperators = ['OP-CONTAINS', 'OP-DOESNOTCONTAIN', 'OP-EQUALS', 'OP-NOTEQUALTO', 'OP-STARTSWITH', 'OP-ENDSWITH']

/** One check per text filter, covering every operator the contract lists for it. */
function textFilterCheck(
  name: string,
  requirement: string,
  operatorRequirements: readonly string[] = allTextOperators,
  decided?: { decision: string; title: string; closes: ReadingAspect[] },
): Check {
  return check({
    id: `search.filter-${name.toLowerCase()}`,
    title: decided?.title ?? `The ${name} filter matches as the oracle says with each of its operators`,
    level: decided === undefined ? 'MUST' : 'SHOULD',
    ...(decided === undefined ? {} : { decision: decided.decision }),
    requirements: [requirement, ...operatorRequirements, 'SEARCH-MATCHES-ONLY', 'EP-SEARCH-POST'],
    tags: ['search', 'filters'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const filter = filterInfo(ctx, name)
      if (!filter) return skip(`the contract has no ${name} filter`)
      const design = (input: DesignInput) => [...designTextFilterCases(input, filter), ...designLaterEntryCases(input, filter)]
      return runCases(ctx, design, { open: openExcept(...(decided?.closes ?? [])) })
    },
  })
}

export const searchChecks: Check[] = [
  textFilterCheck('RID', 'FILTER-RID'),
  textFilterCheck('Who', 'FILTER-WHO'),
  textFilterCheck('Where', 'FILTER-WHERE'),
  textFilterCheck('ObjectType', 'FILTER-OBJECTTYPE'),
  textFilterCheck('What', 'FILTER-WHAT'),
  textFilterCheck('DataSource', 'FILTER-DATASOURCE'),
  textFilterCheck('MonitoringPlan', 'FILTER-MONITORINGPLAN'),
  textFilterCheck('Item', 'FILTER-ITEM'),
  textFilterCheck('Workstation', 'FILTER-WORKSTATION'),
  textFilterCheck('Detail', 'FILTER-DETAIL', allTextOperators, {
    decision: 'S8',
    title: 'The Detail filter looks at PropertyName, Message, Before and After of every Detail entry, with each of its operators',
    closes: ['negation'],
  }),
  textFilterCheck('Before', 'FILTER-DETAIL'),
  textFilterCheck('After', 'FILTER-DETAIL'),
  textFilterCheck('Action', 'FILTER-ACTION', ['OP-EQUALS', 'OP-NOTEQUALTO']),

  check({
    id: 'search.filter-when-range',
    title: 'When From..To ranges, with offsets and with Equals and NotEqualTo, select the records inside them (records on a bound not judged)',
    level: 'MUST',
    requirements: ['FILTER-WHEN-RANGE', 'SEARCH-MATCHES-ONLY'],
    tags: ['search', 'filters', 'time'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, designWhenRangeCases),
  }),

  check({
    id: 'search.when-range-bounds',
    title: 'When ranges include their bounds, and a range may leave out From or To',
    level: 'SHOULD',
    decision: 'S5',
    requirements: ['FILTER-WHEN-RANGE', 'SEARCH-MATCHES-ONLY'],
    tags: ['search', 'filters', 'time'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, designWhenBoundsCases, { open: openExcept('bounds') }),
  }),

  check({
    id: 'search.filter-when-timeframe',
    title: 'When timeframes Today, Yesterday and LastSevenDays (Equals and NotEqualTo) select what they name in any time zone',
    level: 'MUST',
    requirements: ['FILTER-WHEN-TIMEFRAME', 'SEARCH-MATCHES-ONLY'],
    tags: ['search', 'filters', 'time'],
    needs: { accounts: ['administrator'] },
    run: (ctx) =>
      runCases(ctx, (input) => designTimeframeCases({ ...input, timeframes: input.timeframes.filter((name) => documentedTimeframes.includes(name)) })),
  }),

  check({
    id: 'search.timeframe-utc',
    title: 'When timeframes (Today, Yesterday, LastSevenDays, LastThirtyDays) count whole UTC days',
    level: 'SHOULD',
    decision: 'S6',
    requirements: ['FILTER-WHEN-TIMEFRAME', 'SEARCH-MATCHES-ONLY'],
    tags: ['search', 'filters', 'time'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, designTimeframeCases, { open: openExcept('zone', 'window') }),
  }),

  check({
    id: 'search.filter-workinghours',
    title: 'WorkingHours From..To as HH:mm selects [From, To) in UTC, wrapping past midnight; NotEqualTo selects the rest',
    level: 'SHOULD',
    decision: 'S7',
    requirements: ['FILTER-WORKINGHOURS', 'FILTER-DEFAULT-EQUALS', 'SEARCH-MATCHES-ONLY'],
    tags: ['search', 'filters', 'time'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, designWorkingHoursCases),
  }),

  check({
    id: 'search.default-operators',
    title: 'A bare value means Contains for text filters and Equals for Action, When and WorkingHours',
    level: 'MUST',
    requirements: ['FILTER-DEFAULT-CONTAINS', 'FILTER-DEFAULT-EQUALS'],
    tags: ['search', 'filters'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, (input) => designDefaultOperatorCases(input, ctx.contract.filters)),
  }),

  check({
    id: 'search.repeated-or',
    title: 'Repeated entries with Equals, Contains, StartsWith or EndsWith combine with OR',
    level: 'MUST',
    requirements: ['OP-REPEATED-OR', 'SEARCH-XML-OPERATOR', 'SEARCH-JSON-OPERATOR'],
    tags: ['search', 'combine'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, designRepeatedOrCases),
  }),

  check({
    id: 'search.repeated-and',
    title: 'Repeated entries with DoesNotContain or NotEqualTo combine with AND',
    level: 'MUST',
    requirements: ['OP-NEGATED-AND'],
    tags: ['search', 'combine'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, designRepeatedAndCases),
  }),

  check({
    id: 'search.mixed-entries',
    title: 'Positive and negated entries of one filter: any positive AND every negated',
    level: 'SHOULD',
    decision: 'S10',
    requirements: ['OP-REPEATED-OR', 'OP-NEGATED-AND'],
    tags: ['search', 'combine'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, designMixedCases),
  }),

  check({
    id: 'search.and-across',
    title: 'Different filters combine with AND',
    level: 'MUST',
    requirements: ['FILTER-AND-ACROSS'],
    tags: ['search', 'combine'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, designAndAcrossCases),
  }),

  check({
    id: 'search.case-insensitive',
    title: 'Text filters ignore case',
    level: 'SHOULD',
    decision: 'S1',
    requirements: ['OP-CONTAINS', 'OP-EQUALS', 'OP-STARTSWITH', 'OP-NOTEQUALTO'],
    tags: ['search', 'filters'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, designCaseCases, { open: openExcept('case') }),
  }),

  check({
    id: 'search.xml-json-equivalent',
    title: 'One search written with XML Operator attributes and with JSON operator objects gives the same records',
    level: 'MUST',
    requirements: ['SEARCH-XML-OPERATOR', 'SEARCH-JSON-OPERATOR', 'SEARCH-XML-BODY', 'SEARCH-JSON-BODY'],
    tags: ['search', 'xml', 'json'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => runCases(ctx, designFormatPairCases),
  }),

  check({
    id: 'search.in-group',
    title: 'Who InGroup and NotInGroup select the members of the configured group, and the others',
    level: 'MUST',
    requirements: ['OP-INGROUP', 'OP-NOTINGROUP', 'FILTER-WHO'],
    tags: ['search', 'filters', 'groups'],
    needs: { accounts: ['administrator'], groups: true },
    async run(ctx) {
      const group = ctx.groups
      if (!group) return skip('no groups configured (groups.inGroup and groups.members in the config)')
      return runCases(ctx, (input) => designGroupCases(input, group), { groups: true })
    },
  }),
]
