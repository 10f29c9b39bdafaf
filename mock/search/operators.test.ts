import { describe, it, expect } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { groupOperators, implementedOperators, intervalOperators, textOperators } from './operators.ts'

const contract = await loadContract()

describe('operator table', () => {
  it('implements exactly the operators of the contract', () => {
    expect([...implementedOperators].sort()).toEqual(Object.keys(contract.operators).sort())
  })

  it('implements each operator every filter of the contract offers', () => {
    const byKind = { text: { ...textOperators, ...groupOperators(() => true) }, when: intervalOperators, workingHours: intervalOperators }
    for (const filter of contract.filters) {
      for (const operator of filter.operators) expect(byKind[filter.kind], `${filter.name} ${operator}`).toHaveProperty(operator)
    }
  })

  it('[OP-CONTAINS][OP-EQUALS][OP-STARTSWITH][OP-ENDSWITH] compares lower-cased text as given', () => {
    const { Contains, Equals, StartsWith, EndsWith, DoesNotContain, NotEqualTo } = textOperators
    expect(Contains?.('domain1\\johnson', 'john')).toBe(true)
    expect(Contains?.('domain1\\anna', 'john')).toBe(false)
    expect(DoesNotContain?.('domain1\\johnson', 'john')).toBe(false)
    expect(Equals?.('domain1\\john', 'domain1\\john')).toBe(true)
    expect(Equals?.('domain1\\johnson', 'domain1\\john')).toBe(false)
    expect(NotEqualTo?.('domain1\\johnson', 'domain1\\john')).toBe(true)
    expect(StartsWith?.('domain1\\johnny', 'domain1\\john')).toBe(true)
    expect(StartsWith?.('domain2\\john', 'domain1\\john')).toBe(false)
    expect(EndsWith?.('domain2\\dr.john', 'john')).toBe(true)
    expect(EndsWith?.('domain1\\johnson', 'john')).toBe(false)
  })

  it('[OP-INGROUP][OP-NOTINGROUP] asks the membership function', () => {
    const calls: string[] = []
    const { InGroup, NotInGroup } = groupOperators((account, group) => {
      calls.push(`${account}|${group}`)
      return account === 'a'
    })
    expect(InGroup?.('a', 'g')).toBe(true)
    expect(NotInGroup?.('a', 'g')).toBe(false)
    expect(InGroup?.('b', 'g')).toBe(false)
    expect(calls).toEqual(['a|g', 'a|g', 'b|g'])
  })
})
