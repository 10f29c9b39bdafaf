import { describe, expect, it } from 'vitest'
import { grouped, median, parseCpuTimes, stealShare } from './stats.ts'

describe('bench statistics', () => {
  it('takes the median of odd and even sample counts', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(() => median([])).toThrow(RangeError)
  })

  it('groups digits as the targets are written', () => expect(grouped(1_234_567.4)).toBe('1 234 567'))

  it('reads /proc/stat and the share of CPU time stolen between two readings', () => {
    const before = parseCpuTimes('cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 50 0 25 400 5 0 2 18 0 0\n')
    const after = parseCpuTimes('cpu  200 0 100 900 10 0 5 135 7 0\n')
    expect(before).toEqual({ steal: 35, total: 1000 })
    expect(after).toEqual({ steal: 135, total: 1350 })
    expect(stealShare(before as never, after as never)).toBeCloseTo(100 / 350)
    expect(parseCpuTimes('no cpu line')).toBeUndefined()
    expect(parseCpuTimes('cpu  1 2 3')).toBeUndefined()
  })
})
