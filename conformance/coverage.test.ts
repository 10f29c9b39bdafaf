import { describe, expect, it } from 'vitest'
import { loadRequirements, type Requirement } from '../openapi/requirements.ts'
import { computeCoverage, describeCoverage, loadUntestable, parseUntestable } from './coverage.ts'

const requirement = (id: string): Requirement => ({ id, level: 'MUST', area: 'status', source: 'api/endpoints.md', text: `${id} text` })

describe('computeCoverage', () => {
  const requirements = ['AA-ONE', 'AA-TWO', 'AA-THREE', 'AA-FOUR'].map(requirement)

  it('maps each requirement to the checks citing it, a reason, or a gap, in catalogue order', () => {
    const rows = computeCoverage(
      requirements,
      [
        { id: 'c.one', requirements: ['AA-ONE', 'AA-ONE'] },
        { id: 'c.two', requirements: ['AA-ONE', 'AA-FOUR'] },
      ],
      [
        { id: 'AA-TWO', reason: 'needs the server down' },
        { id: 'AA-FOUR', reason: 'stale entry' },
      ],
    )
    expect(rows.map((r) => [r.requirement, r.status, r.checks])).toEqual([
      ['AA-ONE', 'covered', ['c.one', 'c.two']],
      ['AA-TWO', 'untestable', []],
      ['AA-THREE', 'not-covered', []],
      ['AA-FOUR', 'covered', ['c.two']],
    ])
    expect(rows.map(describeCoverage)).toEqual(['c.one, c.two', 'not testable from outside: needs the server down', 'not covered', 'c.two'])
  })
})

describe('untestable.yaml', () => {
  it('names only catalogued requirements, once each', () => {
    const known = new Set(loadRequirements().map((r) => r.id))
    const entries = loadUntestable()
    expect(entries.length).toBeGreaterThan(0)
    expect(entries.filter((e) => !known.has(e.id)).map((e) => e.id)).toEqual([])
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length)
  })

  it('refuses entries without a one-line reason or with extra keys', () => {
    expect(() => parseUntestable('untestable:\n  - id: AA-ONE\n')).toThrow(/reason/)
    expect(() => parseUntestable('untestable:\n  - id: AA-ONE\n    reason: "a\\nb"\n')).toThrow(/one-line/)
    expect(() => parseUntestable('untestable:\n  - id: AA-ONE\n    reason: r\n    reson: r\n')).toThrow(/other than/)
    expect(() => parseUntestable('- id: AA-ONE\n')).toThrow(/untestable/)
  })
})
