import { describe, it, expect } from 'vitest'
import { createRidGenerator, RID_PATTERN, ridTime } from './rid.ts'

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
    expect(next()).toBe(`20160215110503420${'F'.repeat(32)}`)
    expect(next()).toBe(`20160215110503421${'0'.repeat(32)}`)
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

describe('createRidGenerator.many', () => {
  it('[WRITE-RID-ASSIGNED] mints a batch from one draw of randomness, in increasing order and unique', () => {
    const requested: number[] = []
    const random = (n: number) => {
      requested.push(n)
      // Descending random parts: every RID after the first must fall back to the previous one plus one.
      return Buffer.concat(Array.from({ length: n / 16 }, (_, i) => Buffer.alloc(16, 0xff - i)))
    }
    const rids = createRidGenerator({ now: () => documentedMoment, random }).many(5)
    expect(requested).toEqual([80])
    expect(rids[0]).toBe(`20160215110503420${'F'.repeat(32)}`)
    expect(rids[1]).toBe(`20160215110503421${'0'.repeat(32)}`)
    expect(rids[4]).toBe(`20160215110503421${'0'.repeat(31)}3`)
    expect([...rids].sort()).toEqual(rids)
  })

  it('carries an increment through trailing F digits', () => {
    let calls = 0
    const random = (n: number) => Buffer.from((calls++ === 0 ? `${'00'.repeat(13)}0AFFFF` : '00'.repeat(16)).slice(0, n * 2), 'hex')
    const next = createRidGenerator({ now: () => documentedMoment, random })
    expect(next()).toBe(`20160215110503420${'0'.repeat(26)}0AFFFF`)
    expect(next()).toBe(`20160215110503420${'0'.repeat(26)}0B0000`)
  })
})

describe('ridTime', () => {
  it('reads the instant of the documented RID and refuses what is not a RID', () => {
    expect(ridTime(DOCUMENTED_RID)).toBe(documentedMoment)
    expect(ridTime('20160215110503420b9451771f5964a9eac0a5f35307ea155')).toBeUndefined()
    expect(ridTime('2016021511050342')).toBeUndefined()
    // 30 February: the digits have the shape but name no instant.
    expect(ridTime(`20260230000000000${'0'.repeat(32)}`)).toBeUndefined()
  })

  it('reads back what the generator stamps', () => {
    const now = Date.parse('2031-12-31T23:59:59.999Z')
    const next = createRidGenerator({ now: () => now, random: (n) => Buffer.alloc(n, 0xab) })
    expect(ridTime(next())).toBe(now)
  })
})
