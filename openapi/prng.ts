// Lives in openapi/ because it is the one package that the mock, the runner, the fixtures and the bench may all import.

/** A seeded generator: the same seed gives the same sequence on every platform, so data and faults replay. */
export interface Prng {
  /** Uniform in [0, 1), in steps of 2^-32. */
  next(): number
  /** An integer in [0, below). */
  int(below: number): number
  pick<T>(items: readonly T[]): T
  chance(probability: number): boolean
  /** `digits` uppercase hexadecimal digits. */
  hex(digits: number): string
}

/** mulberry32: one 32-bit state, well mixed, fast; for test data and fault sampling, never for secrets. */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (below: number) => Math.floor(next() * below)
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(items.length)]
      if (item === undefined) throw new Error('pick from an empty list')
      return item
    },
    chance: (probability) => next() < probability,
    hex: (digits) => Array.from({ length: digits }, () => '0123456789ABCDEF'[int(16)]).join(''),
  }
}
