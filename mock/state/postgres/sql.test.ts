import { describe, expect, it } from 'vitest'
import { loadContract } from '../../../openapi/contract.ts'
import type { FilterEntry, FilterList } from '../../../openapi/records.ts'
import { generateRecords, generateSearches } from '../../../test/store/generate.ts'
import { demoDirectory } from '../../directory.ts'
import { canonicalFilterList } from '../../search/compile.ts'
import { escapeLike, pageStatement } from './sql.ts'

const contract = await loadContract()
const env = { contract, directory: demoDirectory() }
const { records } = generateRecords(11, 300)
const searches = generateSearches(12, 2_000, contract, records)

/** The FilterList with every text operand replaced by `mark(n)`: the shape kept, every value changed. */
function marked(filters: FilterList, mark: (n: number) => string): FilterList {
  let n = 0
  const out: FilterList = {}
  for (const [name, entries] of Object.entries(canonicalFilterList(filters, contract))) {
    out[name] = (entries as FilterEntry[]).map((entry) => {
      const [operator, operand] = Object.entries(entry)[0] as [string, unknown]
      return { [operator]: typeof operand === 'string' ? mark(n++) : operand } as FilterEntry
    })
  }
  return out
}

const statement = (filters: FilterList, scope = searches[0]?.scope ?? { kind: 'all' as const }) =>
  pageStatement({ filters, scope, afterSeq: 17, count: 23, now: Date.UTC(2017, 1, 14) }, env)

describe('pageStatement: one parameterised statement per search', () => {
  it('writes no value into the SQL text: every operand is a parameter, and the text depends on the shape alone', () => {
    for (const search of searches) {
      const hostile = (n: number) => `Zq${n}'; DROP TABLE nwa_records; -- "%_\\`
      const plain = (n: number) => `other value ${n}`
      const first = statement(marked(search.filters, hostile), search.scope)
      const second = statement(marked(search.filters, plain), search.scope)
      expect(first.text).toBe(second.text)
      expect(first.text).not.toMatch(/Zq\d|DROP|other value/)
      const hasText = JSON.stringify(marked(search.filters, hostile)).includes('Zq0')
      if (hasText) expect(first.values).not.toEqual(second.values)
      // Every placeholder has a value and every value a placeholder.
      const used = new Set([...first.text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])))
      expect([...used].sort((a, b) => a - b)).toEqual(first.values.map((_, i) => i + 1))
    }
  })

  it('keeps the position, the count, the scope and the bounds out of the text too', () => {
    const { text, values } = pageStatement(
      {
        filters: canonicalFilterList({ When: { From: '2017-02-14T00:00:00Z' }, WorkingHours: { From: '22:00', To: '06:00' } }, contract),
        scope: { kind: 'plans', plans: new Set(["o'brien plan"]) },
        afterSeq: 987_654,
        count: 4_321,
        now: 0,
      },
      env,
    )
    expect(text).not.toMatch(/987654|4321|o'brien|1487030400000|79200000|21600000/)
    expect(values).toEqual(expect.arrayContaining([987_654, 4_321, ["o'brien plan"], 1_487_030_400_000, null, 79_200_000, 21_600_000]))
  })

  it('escapes the characters LIKE reads as wildcards', () => {
    expect(escapeLike('100%_a\\b')).toBe('100\\%\\_a\\\\b')
    const { values } = statement(canonicalFilterList({ What: { StartsWith: 'A%b_' } }, contract))
    expect(values).toContain('a\\%b\\_%')
  })
})
