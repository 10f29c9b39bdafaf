import { describe, expect, it } from 'vitest'
import type { CheckStatus } from '../conformance/types.ts'
import {
  computeMatrix,
  detectionRow,
  judgeClean,
  matrixHeader,
  progressLine,
  renderMarkdown,
  replaceMatrix,
  type DefectInfo,
  type RunOutcome,
  selftestExitCode,
} from './selftest-matrix.ts'

const ran = (statuses: Record<string, CheckStatus>, verdict: 'CONFORMANT' | 'NOT CONFORMANT' | 'INCOMPLETE' = 'CONFORMANT'): RunOutcome => ({
  kind: 'ran',
  verdict,
  summary: `${verdict} summary`,
  checks: Object.entries(statuses).map(([id, status]) => ({ id, status, message: `${id} ${status}\nsecond line` })),
})

const defect = (name: string, overrides: Partial<DefectInfo> = {}): DefectInfo => ({
  name,
  family: 'pagination',
  requirements: ['COUNT-PARAM'],
  description: `what ${name} breaks`,
  ...overrides,
})

const clean = ran({ 'a.must': 'pass', 'b.should': 'pass', 'c.skipped': 'skip' })

describe('judging the clean mock', () => {
  it('passes a CONFORMANT run where no check failed, warned or broke; skips are allowed', () => {
    expect(judgeClean(clean)).toEqual({ ok: true, problems: [] })
  })

  it('fails a run with a warning, a broken check or another verdict, naming each', () => {
    expect(judgeClean(ran({ 'a.must': 'pass', 'b.should': 'warn' }))).toEqual({ ok: false, problems: ['b.should: warn: b.should warn'] })
    expect(judgeClean(ran({ 'a.must': 'error' })).problems).toEqual(['a.must: error: a.must error'])
    expect(judgeClean(ran({ 'a.must': 'fail' }, 'NOT CONFORMANT')).problems).toEqual(['NOT CONFORMANT: NOT CONFORMANT summary', 'a.must: fail: a.must fail'])
    expect(judgeClean(ran({ 'a.must': 'skip' }, 'INCOMPLETE')).ok).toBe(false)
  })

  it('fails a run that stopped before any check', () => {
    expect(judgeClean({ kind: 'stopped', reason: 'connection refused' })).toEqual({
      ok: false,
      problems: ['the run stopped before any check: connection refused'],
    })
  })
})

describe('which checks caught a defect', () => {
  it('counts checks that failed or warned with the defect on, in suite order', () => {
    const row = detectionRow(defect('x'), clean, ran({ 'a.must': 'fail', 'b.should': 'warn', 'c.skipped': 'skip' }))
    expect(row).toMatchObject({ name: 'x', caughtBy: ['a.must', 'b.should'], caught: true })
  })

  it('does not count a skip, a broken check, or a check that did not pass on the clean mock', () => {
    const noisyClean = ran({ 'a.must': 'pass', 'b.should': 'warn', 'c.skipped': 'skip' })
    const row = detectionRow(defect('x'), noisyClean, ran({ 'a.must': 'error', 'b.should': 'warn', 'c.skipped': 'fail' }))
    expect(row).toMatchObject({ caughtBy: [], caught: false })
  })

  it('counts a run that pre-flight refused, with its reason', () => {
    const row = detectionRow(defect('x'), clean, { kind: 'stopped', reason: 'not the API' })
    expect(row).toMatchObject({ caughtBy: [], stoppedAt: 'not the API', caught: true })
  })

  it('keeps the decision only when the defect names one', () => {
    expect(detectionRow(defect('x'), clean, clean)).not.toHaveProperty('decision')
    expect(detectionRow(defect('x', { decision: 'D30' }), clean, clean).decision).toBe('D30')
  })
})

describe('the matrix and the exit code', () => {
  const runs = [
    { defect: defect('caught'), outcome: ran({ 'a.must': 'fail', 'b.should': 'pass' }) },
    { defect: defect('missed', { decision: 'D5', description: 'a | pipe' }), outcome: ran({ 'a.must': 'pass', 'b.should': 'pass' }) },
  ]

  it('counts the caught defects', () => {
    const matrix = computeMatrix(clean, runs)
    expect([matrix.caught, matrix.total]).toEqual([1, 2])
    expect(matrix.rows.map((row) => row.name)).toEqual(['caught', 'missed'])
  })

  it('exits 0 only when the clean mock passes and every defect of a non-empty catalogue is caught', () => {
    expect(selftestExitCode(computeMatrix(clean, runs.slice(0, 1)))).toBe(0)
    expect(selftestExitCode(computeMatrix(clean, runs))).toBe(1)
    expect(selftestExitCode(computeMatrix(ran({ 'a.must': 'fail' }, 'NOT CONFORMANT'), runs.slice(0, 1)))).toBe(1)
    expect(selftestExitCode(computeMatrix(clean, []))).toBe(1)
  })

  it('renders Markdown: the summary, a row per defect with what it breaks, escaped cells, and what was not caught', () => {
    const text = renderMarkdown(computeMatrix(clean, runs))
    const lines = text.split('\n')
    expect(lines[0]).toBe('**1 of 2 defects caught; the clean mock is CONFORMANT with no check failed or warned.**')
    expect(lines.slice(2, 4)).toEqual([...matrixHeader])
    expect(lines[4]).toBe('| `caught` | pagination | COUNT-PARAM | what caught breaks | `a.must` |')
    expect(lines[5]).toBe('| `missed` | pagination | COUNT-PARAM, D5 | a \\| pipe | **not caught** |')
  })

  it('renders why the clean mock fails under the table', () => {
    const text = renderMarkdown(computeMatrix(ran({ 'a.must': 'fail' }, 'NOT CONFORMANT'), []))
    expect(text).toContain('the clean mock FAILS the suite')
    expect(text).toContain('- a.must: fail: a.must fail')
  })

  it('prints one progress line per defect', () => {
    const [caught, missed] = computeMatrix(clean, runs).rows
    expect(progressLine(caught!, 0, 2)).toBe('✓ [1/2] caught (pagination): caught by a.must')
    expect(progressLine(missed!, 1, 2)).toBe('✗ [2/2] missed (pagination): NOT CAUGHT')
  })

  it('replaces the block between its markers, and refuses a page without them', () => {
    const readme = 'before\n<!-- selftest:start -->\nold\n<!-- selftest:end -->\nafter\n'
    expect(replaceMatrix(readme, 'new')).toBe('before\n<!-- selftest:start -->\nnew\n<!-- selftest:end -->\nafter\n')
    expect(() => replaceMatrix('no markers', 'new')).toThrow(/markers/)
  })
})
