import { describe, expect, it } from 'vitest'
import { createPrng } from './prng.ts'

const words = (seed: number, count: number) => {
  const prng = createPrng(seed)
  return Array.from({ length: count }, () => prng.next() * 2 ** 32)
}

describe('createPrng (mulberry32)', () => {
  it('gives the sequence of the reference C mulberry32 for a seed', () => {
    // Computed with the published C code (uint32 arithmetic), independently of this module.
    expect(words(1, 5)).toEqual([2693262067, 11749833, 2265367787, 4213581821, 4159151403])
    expect(words(0x4e574131, 3)).toEqual([1888579013, 1412690077, 2732713585])
  })

  it('stays in range: next in [0, 1), int in [0, below), hex of the asked length', () => {
    const prng = createPrng(7)
    for (let i = 0; i < 10_000; i++) {
      const value = prng.next()
      expect(value >= 0 && value < 1).toBe(true)
    }
    const ints = new Set(Array.from({ length: 1000 }, () => prng.int(6)))
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4, 5])
    expect(prng.hex(32)).toMatch(/^[0-9A-F]{32}$/)
    expect(() => prng.pick([])).toThrow(/empty/)
  })

  it('keeps two generators independent: interleaved draws give each its own sequence', () => {
    const a = createPrng(1)
    const b = createPrng(1)
    const c = createPrng(2)
    const fromA: number[] = []
    const fromB: number[] = []
    for (let i = 0; i < 5; i++) {
      fromA.push(a.next() * 2 ** 32)
      c.next()
      fromB.push(b.next() * 2 ** 32, b.next() * 2 ** 32)
    }
    expect(fromA).toEqual(words(1, 5))
    expect(fromB).toEqual(words(1, 10))
    expect(words(1, 5)).not.toEqual(words(2, 5))
  })
})
