import { describe, expect, it } from 'vitest'
import { interleavedRounds } from './rounds.ts'

describe('interleaved rounds', () => {
  it('alternates the side that goes first and keeps the median of each side per round', async () => {
    const calls: string[] = []
    const side = (name: string, values: number[]) => async () => {
      calls.push(name)
      return values.shift() ?? Number.NaN
    }
    const figures = await interleavedRounds({ rounds: 2, samples: 3 }, side('mock', [5, 1, 3, 9, 7, 8]), side('floor', [2, 2, 4, 6, 1, 1]))
    expect(calls).toEqual(['mock', 'mock', 'mock', 'floor', 'floor', 'floor', 'floor', 'floor', 'floor', 'mock', 'mock', 'mock'])
    expect(figures).toEqual({ measured: [3, 8], reference: [2, 1] })
  })
})
