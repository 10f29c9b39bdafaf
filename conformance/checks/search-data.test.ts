import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract, type Contract } from '../../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../../openapi/payload.ts'
import type { ActivityRecordInput, ActivityRecordOutput, FilterList } from '../../openapi/records.ts'
import { createOracle, normalizeFilter } from '../oracle.ts'
import {
  buildSearchDataset,
  createJudge,
  designAndAcrossCases,
  designCaseCases,
  designDefaultOperatorCases,
  designFormatPairCases,
  designGroupCases,
  designMixedCases,
  designRepeatedAndCases,
  designRepeatedOrCases,
  designTextFilterCases,
  aspectsOf,
  designTimeframeCases,
  designWhenBoundsCases,
  designWhenRangeCases,
  designWorkingHoursCases,
  formatInstant,
  readingAspects,
  zoneSamples,
  membershipFrom,
  operandCandidates,
  scopeFilters,
  type DesignInput,
  type SearchCase,
} from './search-data.ts'
import { createPrng, seedFrom } from './support.ts'

let contract: Contract
let codec: PayloadCodec

beforeAll(async () => {
  contract = await loadContract()
  codec = createPayloadCodec(contract)
})

const NOW = Date.parse('2024-05-10T14:20:00Z')
const MARKER = 'nwa-run-7f3a-search'
const group = { inGroup: 'ENTERPRISE\\Auditors', members: ['Enterprise\\Auditor1', 'Enterprise\\Auditor2'] }

/** What a server following the contract gives back for a written record: a RID, "Netwrix API", "(Integration)". */
function stored(record: ActivityRecordInput, index: number): ActivityRecordOutput {
  const { DataSource: _sent, IsArchiveOnly: _archive, ...kept } = record
  const output: ActivityRecordOutput = { ...kept, RID: `20240510142000000${index.toString(16).padStart(32, '0').toUpperCase()}`, DataSource: 'Netwrix API' }
  if (record.Item) output.Item = { Name: `${record.Item.Name} (Integration)` }
  return output
}

function dataset(seed = 'run-1'): ActivityRecordOutput[] {
  return buildSearchDataset(MARKER, NOW, createPrng(seedFrom(seed)), group.members).map(stored)
}

function input(records = dataset()): DesignInput {
  return { tables: contract, records, now: NOW, timeframes: contract.timeframes, group }
}

function matchCount(records: readonly ActivityRecordOutput[], c: SearchCase): number {
  return createOracle(contract, { now: NOW, inGroup: membershipFrom(group) }).select(records, c.filters).length
}

describe('the search data set', () => {
  it('[WRITE-MANDATORY-FIELDS] is about forty records the contract accepts, each marked in What and Where', () => {
    const records = buildSearchDataset(MARKER, NOW, createPrng(1))
    expect(records.length).toBeGreaterThanOrEqual(40)
    expect(() => codec.encode('ActivityRecordInputList', records, 'xml')).not.toThrow()
    expect(records.every((r) => r.What.includes(MARKER) && r.Where.includes(MARKER))).toBe(true)
  })

  it('is reproducible from its seed and varies with it', () => {
    expect(buildSearchDataset(MARKER, NOW, createPrng(5))).toEqual(buildSearchDataset(MARKER, NOW, createPrng(5)))
    expect(buildSearchDataset(MARKER, NOW, createPrng(5))).not.toEqual(buildSearchDataset(MARKER, NOW, createPrng(6)))
  })

  it('writes some instants with offsets and keeps them on distinct days', () => {
    const whens = buildSearchDataset(MARKER, NOW, createPrng(1)).map((r) => r.When)
    expect(whens.some((w) => w.endsWith('+02:00')) && whens.some((w) => w.endsWith('-11:00'))).toBe(true)
    expect(new Set(whens.map((w) => new Date(w).toISOString().slice(0, 10))).size).toBeGreaterThan(30)
  })

  it('[FILTER-RID, FILTER-WHO, FILTER-WHERE, FILTER-OBJECTTYPE, FILTER-WHAT, FILTER-ITEM, FILTER-WORKSTATION, FILTER-DETAIL, FILTER-ACTION] gives every operator of every discriminating filter a match and a non-match', () => {
    const records = dataset()
    // Written records all get DataSource "Netwrix API" and no plan, so those two filters cannot split them.
    const splittable = contract.filters.filter((f) => f.kind === 'text' && f.name !== 'DataSource' && f.name !== 'MonitoringPlan')
    const trivial = splittable.flatMap((filter) =>
      designTextFilterCases(input(records), filter)
        .map((c) => ({ c, n: matchCount(records, c) }))
        .filter(({ n }) => n === 0 || n === records.length)
        .map(({ c, n }) => `${c.title} → ${n}`),
    )
    expect(trivial).toEqual([])
  })

  it('[FILTER-WHEN-TIMEFRAME, FILTER-WHEN-RANGE, FILTER-WORKINGHOURS] makes every time query split the records', () => {
    const records = dataset()
    const all = [...designTimeframeCases(input(records)), ...designWhenRangeCases(input(records)), ...designWorkingHoursCases()]
    expect(all.map((c) => [c.title, matchCount(records, c)]).filter(([, n]) => n === 0 || n === records.length)).toEqual([])
    expect(designTimeframeCases(input(records))).toHaveLength(contract.timeframes.length * 2)
  })

  it('[OP-REPEATED-OR, OP-NEGATED-AND, FILTER-AND-ACROSS, OP-INGROUP, OP-NOTINGROUP] makes the combination queries split the records too', () => {
    const records = dataset()
    const designed = [
      ...designRepeatedOrCases(input(records)),
      ...designRepeatedAndCases(input(records)),
      ...designMixedCases(input(records)),
      ...designAndAcrossCases(input(records)),
      ...designCaseCases(input(records)),
      ...designFormatPairCases(input(records)),
      ...designGroupCases(input(records), group),
    ]
    expect(designed.map((c) => [c.title, matchCount(records, c)]).filter(([, n]) => n === 0 || n === records.length)).toEqual([])
  })
})

describe('designed queries', () => {
  it('[SEARCH-XML-BODY, SEARCH-JSON-BODY] are valid search bodies in both formats, also when scoped to the run', () => {
    const records = dataset()
    const all = [
      ...contract.filters.filter((f) => f.kind === 'text').flatMap((f) => designTextFilterCases(input(records), f)),
      ...designWhenBoundsCases(input(records)),
      ...designTimeframeCases(input(records)),
      ...designWorkingHoursCases(),
      ...designDefaultOperatorCases(input(records), contract.filters),
      ...designRepeatedOrCases(input(records)),
      ...designRepeatedAndCases(input(records)),
      ...designMixedCases(input(records)),
      ...designAndAcrossCases(input(records)),
      ...designCaseCases(input(records)),
      ...designFormatPairCases(input(records)),
      ...designGroupCases(input(records), group),
    ]
    for (const c of all) {
      for (const filters of [c.filters, scopeFilters(c.filters, MARKER)]) {
        const value = { FilterList: filters }
        expect(codec.decode('ActivityRecordSearch', codec.encode('ActivityRecordSearch', value, 'json'), 'json')).toEqual({ ok: true, value })
        // XML has one element per entry, so it reads back as a list: compare the (operator, operand) entries instead.
        const decoded = codec.decode('ActivityRecordSearch', codec.encode('ActivityRecordSearch', value, 'xml'), 'xml')
        if (!decoded.ok) throw new Error(`${c.title} does not read back from XML`)
        const readBack = (decoded.value as { FilterList: FilterList }).FilterList
        // The XML writer follows the schema's order of filters, so only the set of filters is compared.
        expect(Object.keys(readBack).sort()).toEqual(Object.keys(filters).sort())
        for (const filter of contract.filters.filter((f) => f.name in filters)) {
          expect(normalizeFilter(filter, readBack[filter.name])).toEqual(normalizeFilter(filter, filters[filter.name]))
        }
      }
    }
    expect(new Set(all.map((c) => c.format))).toEqual(new Set(['xml', 'json']))
  })

  it('[FILTER-DEFAULT-CONTAINS, FILTER-DEFAULT-EQUALS] pair a bare operand with the explicit default for every filter but WorkingHours (S7)', () => {
    const designed = designDefaultOperatorCases(input(), contract.filters)
    expect(designed).toHaveLength((contract.filters.length - 1) * 2)
    expect(designed.some((c) => 'WorkingHours' in c.filters)).toBe(false)
    const records = dataset()
    for (let i = 0; i < designed.length; i += 2) expect(matchCount(records, designed[i]!)).toBe(matchCount(records, designed[i + 1]!))
  })

  it('still design queries over records that lack most optional fields', () => {
    const bare = [{ RID: 'r', Who: 'a', Action: 'Read', What: 'w', When: '2020-01-01T00:00:00Z', Where: 'h', ObjectType: 'o' }]
    const cases = contract.filters.filter((f) => f.kind === 'text').flatMap((f) => designTextFilterCases(input(bare), f))
    expect(cases.length).toBeGreaterThan(60)
    expect(designRepeatedOrCases(input(bare))).toHaveLength(6)
  })

  it('take operands from the value without surrounding spaces', () => {
    expect(operandCandidates('StartsWith', 'Domain1\\John')).toEqual(['Domain', 'Domain1\\J', 'Domain1\\John'])
    expect(operandCandidates('EndsWith', 'ab cd')).toEqual(['cd', 'b cd', 'ab cd'])
    expect(operandCandidates('Equals', 'x')).toEqual(['x'])
  })
})

describe('scoping and judging', () => {
  it('scopes on What, or on Where when the query filters What', () => {
    expect(scopeFilters({ Who: 'a' }, 'm')).toEqual({ Who: 'a', What: { Contains: 'm' } })
    expect(scopeFilters({ What: 'a' }, 'm')).toEqual({ What: 'a', Where: { Contains: 'm' } })
    expect(() => scopeFilters({ What: 'a', Where: 'b' }, 'm')).toThrow()
  })

  it('[FILTER-WHEN-TIMEFRAME] cannot judge a record that a clock skew of the margin would move across a boundary', () => {
    const judge = createJudge(contract, NOW, 10 * 60_000)
    const at = (when: string) => ({ RID: when, Who: 'a', Action: 'Read', What: 'w', When: when, Where: 'h', ObjectType: 'o' })
    const today = { When: { Today: '' } }
    expect(judge(at(formatInstant(NOW - 3 * 3_600_000)), today)).toBe('match')
    expect(judge(at(formatInstant(NOW + 5 * 60_000)), today)).toBe('ambiguous')
    expect(judge(at(formatInstant(NOW - 20 * 3_600_000)), today)).toBe('no')
    const nearMidnight = createJudge(contract, Date.parse('2024-05-10T00:04:00Z'), 10 * 60_000)
    expect(nearMidnight(at('2024-05-09T23:00:00Z'), { When: { Yesterday: '' } })).toBe('ambiguous')
  })

  it('[FILTER-WHEN-RANGE] sends no open-ended range and no bound on a record in the MUST design; the S5 design adds them', () => {
    const records = dataset()
    const must = designWhenRangeCases(input(records)).map((c) => JSON.stringify(c.filters))
    expect(must.some((text) => !text.includes('"From"') || !text.includes('"To"'))).toBe(false)
    const bounds = designWhenBoundsCases(input(records)).map((c) => JSON.stringify(c.filters))
    expect(bounds.filter((text) => !text.includes('"To"'))).toHaveLength(1)
    expect(bounds.filter((text) => !text.includes('"From"'))).toHaveLength(1)
  })

  it('names the open points a query touches', () => {
    expect([...aspectsOf(contract, { Who: 'a' })]).toEqual(['case'])
    expect([...aspectsOf(contract, { When: { From: '2020-01-01T00:00:00Z' } })]).toEqual(['bounds'])
    expect([...aspectsOf(contract, { When: { NotEqualTo: { Today: '' } } })]).toEqual(['zone'])
    expect([...aspectsOf(contract, { When: { LastSevenDays: '' } })].sort()).toEqual(['window', 'zone'])
    expect([...aspectsOf(contract, { After: { DoesNotContain: 'x' } })].sort()).toEqual(['case', 'negation'])
    expect([...aspectsOf(contract, { After: { Contains: 'x' } })]).toEqual(['case'])
    expect([...aspectsOf(contract, { WorkingHours: { From: '09:00', To: '18:00' } })]).toEqual([])
  })

  it('samples each stretch of UTC-12..UTC+14 between the offsets at which an instant crosses midnight', () => {
    const hour = 3_600_000
    // 03:00 UTC is midnight at UTC-3 (and at UTC+21, out of range): two stretches, and the two ends.
    expect(zoneSamples([Date.parse('2024-05-10T03:00:00Z')])).toEqual([-12 * hour, -7.5 * hour, 5.5 * hour, 14 * hour])
    // 12:00 UTC is midnight at UTC-12 and UTC+12: the stretches between them and the ends.
    expect(zoneSamples([Date.parse('2024-05-10T12:00:00Z')])).toEqual([-12 * hour, 0, 13 * hour, 14 * hour])
  })

  it('judges a record only when every reading the pages allow agrees, and by the contract on a closed point', () => {
    const record = (fields: Partial<ActivityRecordOutput>): ActivityRecordOutput => ({
      RID: 'r',
      Who: 'ENTERPRISE\\Administrator',
      Action: 'Read',
      What: 'w',
      When: '2024-05-01T10:00:00Z',
      Where: 'h',
      ObjectType: 'o',
      ...fields,
    })
    const all = createJudge(contract, NOW, 0, { open: readingAspects })
    const contractOnly = createJudge(contract, NOW, 0)
    const caseQuery = { Who: { Contains: 'administrator' } }
    expect(contractOnly(record({}), caseQuery)).toBe('match')
    expect(all(record({}), caseQuery)).toBe('ambiguous')
    expect(all(record({ Who: 'x\\administrator' }), caseQuery)).toBe('match')
    const onBound = { When: { From: '2024-05-01T10:00:00Z', To: '2024-05-02T00:00:00Z' } }
    expect(contractOnly(record({}), onBound)).toBe('match')
    expect(all(record({}), onBound)).toBe('ambiguous')
    expect(all(record({ When: '2024-05-01T12:00:00Z' }), onBound)).toBe('match')
    // Three hours ago is today in UTC, but yesterday where the day began less than three hours ago.
    const today = { When: { Today: '' } }
    expect(contractOnly(record({ When: formatInstant(NOW - 3 * 3_600_000) }), today)).toBe('match')
    expect(all(record({ When: formatInstant(NOW - 3 * 3_600_000) }), today)).toBe('ambiguous')
    expect(all(record({ When: formatInstant(NOW - 30 * 3_600_000) }), today)).toBe('no')
    expect(all(record({ When: formatInstant(NOW - 3 * 86_400_000) }), { When: { LastSevenDays: '' } })).toBe('match')
    const twoDetails = record({
      DetailList: [
        { PropertyName: 'a', After: 'x' },
        { PropertyName: 'b', After: 'y' },
      ],
    })
    expect(contractOnly(twoDetails, { After: { NotEqualTo: 'x' } })).toBe('no')
    expect(all(twoDetails, { After: { NotEqualTo: 'x' } })).toBe('ambiguous')
  })

  it('formats instants with offsets that parse back to the same moment', () => {
    const ms = Date.parse('2020-03-10T08:59:59Z')
    expect(formatInstant(ms)).toBe('2020-03-10T08:59:59Z')
    expect(formatInstant(ms, 120)).toBe('2020-03-10T10:59:59+02:00')
    expect(formatInstant(ms, -660)).toBe('2020-03-09T21:59:59-11:00')
    expect(formatInstant(ms + 250, 330)).toBe('2020-03-10T14:29:59.250+05:30')
    for (const offset of [0, 120, -660, 330]) expect(Date.parse(formatInstant(ms + 250, offset))).toBe(ms + 250)
  })

  it('[OP-INGROUP] reads group membership without regard to case', () => {
    const member = membershipFrom(group)
    expect(member('enterprise\\auditors', 'ENTERPRISE\\AUDITOR2')).toBe(true)
    expect(member('ENTERPRISE\\Auditors', 'Enterprise\\Helper')).toBe(false)
    expect(member('ENTERPRISE\\Helpdesk', 'Enterprise\\Auditor1')).toBe(false)
  })
})
