import { describe, it, expect } from 'vitest'
import { createRidGenerator, RID_PATTERN } from './rid.ts'

const DOCUMENTED_RID = '20160215110503420B9451771F5964A9EAC0A5F35307EA155'
const documentedMoment = Date.UTC(2016, 1, 15, 11, 5, 3, 420)

const fixedRandom = (hex: string) => (n: number) => Buffer.from(hex, 'hex').subarray(0, n)

describe('createRidGenerator', () => {
  it('[WRITE-RID-ASSIGNED] reproduces the documented RID from its timestamp and random part', () => {
    const next = createRidGenerator({ now: () => documentedMoment, random: fixedRandom('B9451771F5964A9EAC0A5F35307EA155') })
    const rid = next()
    expect(rid).toBe(DOCUMENTED_RID)
    expect(rid).toHaveLength(49)
    expect(rid).toMatch(RID_PATTERN)
  })

  it('[WRITE-RID-ASSIGNED] stays unique with a frozen clock and a repeating random source', () => {
    const next = createRidGenerator({ now: () => documentedMoment, random: fixedRandom('00'.repeat(16)) })
    const seen = new Set<string>()
    for (let i = 0; i < 10_000; i++) seen.add(next())
    expect(seen.size).toBe(10_000)
    for (const rid of seen) expect(rid).toMatch(RID_PATTERN)
  })

  it('keeps increasing when the clock steps back', () => {
    let clock = documentedMoment
    const next = createRidGenerator({ now: () => clock, random: fixedRandom('7F'.repeat(16)) })
    const first = next()
    clock -= 60_000
    const second = next()
    expect(second > first).toBe(true)
    expect(second.slice(0, 17)).toBe(first.slice(0, 17))
  })

  it('carries into the timestamp when the random part is at its maximum', () => {
    const next = createRidGenerator({ now: () => documentedMoment, random: fixedRandom('FF'.repeat(16)) })
    expect(next()).toBe('20160215110503420' + 'F'.repeat(32))
    expect(next()).toBe('20160215110503421' + '0'.repeat(32))
  })

  it('uses the fresh random part when the clock has moved on', () => {
    let clock = documentedMoment
    const next = createRidGenerator({ now: () => clock, random: fixedRandom('B9451771F5964A9EAC0A5F35307EA155') })
    next()
    clock += 1
    expect(next()).toBe('20160215110503421B9451771F5964A9EAC0A5F35307EA155')
  })

  it('rejects a random source that returns too few bytes', () => {
    const next = createRidGenerator({ now: () => documentedMoment, random: () => Buffer.alloc(4) })
    expect(() => next()).toThrow(RangeError)
  })
})
