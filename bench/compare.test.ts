import { describe, expect, it } from 'vitest'
import { compareRounds, generatorNotice, ratioSpreadText, roundOrder, spreadOf, spreadText, targetMet, targetText } from './compare.ts'
import { units } from './stats.ts'

const rps = units.perSecond('requests')

describe('bench spreads and ratios', () => {
  it('takes the median and the range of the runs', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 })
    expect(() => spreadOf([])).toThrow(RangeError)
  })

  it('puts the ratio on the medians and keeps the per-round ratios for their range', () => {
    const comparison = compareRounds([2_000, 3_000, 2_500], [20_000, 20_000, 20_000])
    expect(comparison.ratio).toBeCloseTo(2_500 / 20_000)
    expect(comparison.roundRatios).toEqual({ median: 0.125, min: 0.1, max: 0.15, runs: 3 })
    expect(() => compareRounds([1], [1, 2])).toThrow(RangeError)
  })

  it('alternates which side goes first', () => {
    expect([0, 1, 2].map((round) => roundOrder(round, 'mock', 'floor')[0])).toEqual(['mock', 'floor', 'mock'])
  })

  it('judges bounds on the figure or on the ratio, and fails a ratio target without a ratio', () => {
    expect(targetMet({ of: 'mock', bound: 'max', value: 10 }, { mock: 10 })).toBe(true)
    expect(targetMet({ of: 'mock', bound: 'min', value: 100_000 }, { mock: 99_999 })).toBe(false)
    expect(targetMet({ of: 'ratio', bound: 'min', value: 0.5 }, { mock: 1, ratio: 0.5 })).toBe(true)
    expect(targetMet({ of: 'ratio', bound: 'max', value: 1.5 }, { mock: 1, ratio: 1.51 })).toBe(false)
    expect(targetMet({ of: 'ratio', bound: 'max', value: 1.5 }, { mock: 1 })).toBe(false)
  })

  it('writes figures, ranges and targets in the units the targets use', () => {
    expect(spreadText({ median: 2_900, min: 2_850.4, max: 2_960, runs: 5 }, rps)).toBe('2 900 requests/s (2 850–2 960)')
    expect(spreadText({ median: 4.123, min: 4.123, max: 4.123, runs: 1 }, units.ms)).toBe('4.12 ms')
    expect(spreadText({ median: 1_500 * 1024 ** 2, min: 0, max: 0, runs: 1 }, units.megabytes)).toBe('1 500 MB')
    expect(targetText({ of: 'mock', bound: 'max', value: 600 * 1024 ** 2 }, units.megabytes)).toBe('≤ 600 MB')
    expect(targetText({ of: 'ratio', bound: 'min', value: 0.5 }, rps)).toBe('ratio ≥ 0.5')
    expect(targetText({ of: 'mock', bound: 'max', value: 1.5 }, units.plain)).toBe('≤ 1.50')
    expect(ratioSpreadText(compareRounds([1, 2], [4, 4]))).toBe('0.38× (0.25–0.50)')
  })
})

describe('the load generator notice', () => {
  it('speaks only when the generator was busy for most of a core against the floor', () => {
    expect(generatorNotice([0.55, 0.61])).toBeUndefined()
    expect(generatorNotice([])).toBeUndefined()
    expect(generatorNotice([0.5, 0.93])).toMatch(/^note: autocannon used up to 93% of a core against the floor: .*flatters the mock$/)
  })
})
