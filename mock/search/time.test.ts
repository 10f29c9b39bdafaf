import { describe, it, expect } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { parseTimeOfDay, parseTimestamp, timeframes, withinHours } from './time.ts'

const contract = await loadContract()

describe('parseTimestamp', () => {
  // Epoch values worked out by hand: 2017-02-17T09:28:35Z is 1487323715 s after the epoch.
  it('reads UTC timestamps from the documentation examples', () => {
    expect(parseTimestamp('2017-02-17T09:28:35Z')).toBe(1_487_323_715_000)
    expect(parseTimestamp('1970-01-01T00:00:00Z')).toBe(0)
  })

  it('honours positive and negative offsets (api/activityrecordreference.md)', () => {
    // 2016-01-16T16:30:00+11:00 is 05:30 UTC the same day (api/postdata/searchparameters.md example).
    expect(parseTimestamp('2016-01-16T16:30:00+11:00')).toBe(parseTimestamp('2016-01-16T05:30:00Z'))
    expect(parseTimestamp('2016-01-16T00:00:00-05:30')).toBe(parseTimestamp('2016-01-16T05:30:00Z'))
  })

  it('keeps milliseconds of a fraction and cuts longer ones', () => {
    expect(parseTimestamp('1970-01-01T00:00:01.5Z')).toBe(1500)
    expect(parseTimestamp('1970-01-01T00:00:01.1234567Z')).toBe(1123)
  })

  it('refuses text that is not a contract Timestamp', () => {
    for (const text of ['2017-02-17', '2017-02-17T09:28:35', '2017-02-17 09:28:35Z', 'yesterday', '2017-02-17T09:28:35+1100']) {
      expect(parseTimestamp(text), text).toBeUndefined()
    }
  })
})

describe('parseTimeOfDay and withinHours', () => {
  it('reads HH:mm and HH:mm:ss', () => {
    expect(parseTimeOfDay('09:00')).toBe(9 * 3_600_000)
    expect(parseTimeOfDay('23:59:59')).toBe(86_399_000)
    expect(parseTimeOfDay('24:00')).toBeUndefined()
    expect(parseTimeOfDay('9:00')).toBeUndefined()
  })

  it('includes From, excludes To, and spans midnight when From is later', () => {
    const h = (text: string) => parseTimeOfDay(text) ?? NaN
    expect(withinHours(h('09:00'), h('09:00'), h('17:00'))).toBe(true)
    expect(withinHours(h('17:00'), h('09:00'), h('17:00'))).toBe(false)
    expect(withinHours(h('23:00'), h('22:00'), h('06:00'))).toBe(true)
    expect(withinHours(h('05:59:59'), h('22:00'), h('06:00'))).toBe(true)
    expect(withinHours(h('06:00'), h('22:00'), h('06:00'))).toBe(false)
    expect(withinHours(h('12:00'), h('12:00'), h('12:00'))).toBe(false)
  })
})

describe('timeframes', () => {
  it('implements every timeframe the contract names', () => {
    expect(Object.keys(timeframes).sort()).toEqual([...contract.timeframes].sort())
    const extension = contract.document['x-nwa-timeframes'] as { definitions: Record<string, unknown> }
    expect(Object.keys(extension.definitions).sort()).toEqual([...contract.timeframes].sort())
  })
})
