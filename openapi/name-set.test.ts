import { describe, expect, it } from 'vitest'
import { NameSet } from './name-set.ts'

describe('NameSet', () => {
  it('finds a repeat among a few names and among many, past the point where the list becomes a Set', () => {
    for (const count of [3, 32, 33, 1000]) {
      const names = new NameSet()
      for (let i = 0; i < count; i++) expect(names.add(`n${i}`)).toBe(true)
      expect(names.size).toBe(count)
      expect(names.add('n0')).toBe(false)
      expect(names.add(`n${count - 1}`)).toBe(false)
      expect(names.size).toBe(count)
    }
  })

  it('forgets every name when cleared, so a reused one starts empty', () => {
    const names = new NameSet()
    for (let i = 0; i < 40; i++) names.add(`n${i}`)
    names.clear()
    expect(names.size).toBe(0)
    expect(names.add('n0')).toBe(true)
  })
})
