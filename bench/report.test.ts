import { describe, expect, it } from 'vitest'
import { compareRounds } from './compare.ts'
import { failedRow, floorRow, missedLines, mockRow, renderTable, verdictRow } from './report.ts'
import { units } from './stats.ts'

const rps = units.perSecond('requests')

describe('bench rows', () => {
  const comparison = compareRounds([2_900, 2_500, 3_200], [22_500, 22_000, 23_000])

  it('sets the mock against the floor and judges every target of the row', () => {
    const row = floorRow('small requests', rps, comparison, [{ of: 'ratio', bound: 'min', value: 0.5 }])
    expect(row).toMatchObject({ mock: '2 900 requests/s (2 500–3 200)', floor: '22 500 requests/s (22 000–23 000)', target: 'ratio ≥ 0.5', met: false })
    expect(row.ratio).toMatch(/^0\.13× \(0\.11–0\.14\)$/)
    const both = floorRow('writes', rps, comparison, [
      { of: 'mock', bound: 'min', value: 2_000 },
      { of: 'ratio', bound: 'max', value: 1 },
    ])
    expect(both).toMatchObject({ target: '≥ 2 000 requests/s; ratio ≤ 1', met: true })
  })

  it('leaves the floor columns empty for a measure of the mock alone, and informational rows unjudged', () => {
    expect(mockRow('enum page 1', units.ms, { median: 30.8, min: 30, max: 32, runs: 5 })).toEqual({
      measure: 'enum page 1',
      mock: '30.8 ms (30.0–32.0)',
      floor: '',
      ratio: '',
      target: '',
    })
  })

  it('meets the verdict target only when every run ended CONFORMANT', () => {
    expect(verdictRow('nwa check', ['CONFORMANT', 'CONFORMANT'])).toMatchObject({ mock: 'CONFORMANT in 2 of 2', target: 'CONFORMANT', met: true })
    expect(verdictRow('nwa check', ['CONFORMANT', 'INCOMPLETE', 'exit 2, no report'])).toMatchObject({
      mock: 'CONFORMANT, INCOMPLETE, exit 2, no report',
      met: false,
    })
    expect(verdictRow('nwa check', [])).toMatchObject({ mock: 'no run', met: false })
  })

  it('renders aligned columns with dashes for empty cells, and one MISSED line per missed target', () => {
    const rows = [
      floorRow('small requests', rps, comparison, [{ of: 'ratio', bound: 'min', value: 0.5 }]),
      mockRow('enum ratio', units.plain, { median: 1.02, min: 1, max: 1.04, runs: 5 }, [{ of: 'mock', bound: 'max', value: 1.5 }]),
      failedRow('phase archive', 'stopped after 150 s'),
    ]
    const lines = renderTable(rows).split('\n')
    expect(lines).toHaveLength(5)
    expect(new Set(lines.map((line) => line.length)).size).toBe(1)
    expect(lines[0]).toMatch(/^\| measure +\| mock +\| floor +\| mock\/floor +\| target +\| met \|$/)
    expect(lines[3]).toContain('| -  ')
    expect(missedLines(rows)).toEqual([
      expect.stringMatching(
        /^MISSED: small requests: mock 2 900 requests\/s \(2 500–3 200\), floor 22 500 requests\/s .*, ratio 0\.13× .* \(target ratio ≥ 0\.5\)$/,
      ),
      'MISSED: phase archive: mock failed: stopped after 150 s (target completes)',
    ])
  })
})
