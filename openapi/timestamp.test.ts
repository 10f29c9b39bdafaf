import { describe, expect, it } from 'vitest'
import { createPrng } from './prng.ts'
import {
  formatWhen,
  isFormattedWhen,
  isTimestamp,
  readWhenValue,
  startReadingTimestamps,
  stopReadingTimestamps,
  timestampToEpochMs,
  whenToEpochMs,
  whenToUtc,
} from './timestamp.ts'

describe('whenToUtc and whenToEpochMs', () => {
  it('converts the documented negative offset', () => expect(whenToUtc('2017-02-19T03:43:49-11:00')).toBe('2017-02-19T14:43:49Z'))
  it('keeps fractional seconds digit for digit', () => {
    expect(whenToUtc('2017-02-19T03:43:49.1234567+01:30')).toBe('2017-02-19T02:13:49.1234567Z')
    expect(whenToUtc('2017-02-19T03:43:49.50Z')).toBe('2017-02-19T03:43:49.50Z')
  })
  it('crosses day, month and year boundaries', () => {
    expect(whenToUtc('2017-01-01T00:30:00+01:00')).toBe('2016-12-31T23:30:00Z')
    expect(whenToUtc('2016-02-28T23:00:00-02:00')).toBe('2016-02-29T01:00:00Z')
    expect(whenToUtc('0050-06-01T12:00:00Z')).toBe('0050-06-01T12:00:00Z')
  })
  it('rejects impossible dates and the forms the documentation does not list', () => {
    const malformed = [
      '2017-02-29T00:00:00Z',
      '2017-13-01T00:00:00Z',
      '2017-02-19T24:00:00Z',
      '2017-02-19T03:43:49',
      '2017-02-19 03:43:49Z',
      '2017-02-19T03:43Z',
      '0001-01-01T00:00:00+01:00',
      '2017-02-19T03:43:49.Z',
      '2017-02-19T03:43:49.12345678Z',
      '2017-02-19T03:43:49+0100',
      '2017-02-19T03:43:49z',
      '2017-02-19T03:43:49Z ',
      ' 2017-02-19T03:43:49Z',
      '2017-2-19T03:43:49Z',
      '2017-02-19T03:43:49+01:00:00',
      '2017-02-19T03:43:49+1:00',
      '2017/02/19T03:43:49Z',
      '2017-02-19T03-43-49Z',
      '٢٠١٧-02-19T03:43:49Z',
      '2017-02-19T03:43:49+15:00',
      '2017-02-19T03:43:49-01:60',
      '',
      'Z',
    ]
    for (const bad of malformed) {
      expect(() => whenToUtc(bad), bad).toThrow(RangeError)
      expect(() => whenToEpochMs(bad), bad).toThrow(RangeError)
      expect(isTimestamp(bad), bad).toBe(false)
    }
  })
  it('agrees with Date for many instants and offsets', () => {
    let seed = 12345
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31)
    for (let i = 0; i < 2000; i++) {
      const instant = (next() % 4_000_000) * 1_000_000 + (next() % 1000)
      const offsetMinutes = (next() % 57) * 30 - 840
      const local = new Date(instant + offsetMinutes * 60_000).toISOString().slice(0, 23)
      const sign = offsetMinutes < 0 ? '-' : '+'
      const abs = Math.abs(offsetMinutes)
      const when = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
      expect(whenToEpochMs(when), when).toBe(instant)
      expect(whenToEpochMs(when), when).toBe(Date.parse(when))
      expect(whenToUtc(when), when).toBe(new Date(instant).toISOString())
    }
  })
  it('drops digits below the millisecond', () => expect(whenToEpochMs('1970-01-01T00:00:01.2349999Z')).toBe(1234))
})

describe('formatWhen', () => {
  it('writes epoch milliseconds as toISOString does, without the fraction when the second is whole', () => {
    const rand = createPrng(3).int
    for (let i = 0; i < 2000; i++) {
      // Years 1 to 9999 and whole seconds as often as not, since records carry both.
      const ms = Date.UTC(1 + rand(9999), rand(12), 1 + rand(28), rand(24), rand(60), rand(60), rand(2) === 0 ? 0 : rand(1000))
      const iso = new Date(ms).toISOString()
      expect(formatWhen(ms)).toBe(iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso)
    }
    expect(formatWhen(Date.UTC(2017, 1, 19, 14, 43, 49))).toBe('2017-02-19T14:43:49Z')
  })

  it('reads back as the same instant', () => {
    for (const when of ['2017-02-19T14:43:49Z', '1970-01-01T00:00:00Z', '2024-02-29T23:59:59.999Z']) expect(formatWhen(whenToEpochMs(when))).toBe(when)
  })

  it("keeps each date right while instants of one day follow each other and cross into the next, as a page's do", () => {
    const rand = createPrng(5).int
    // From just before a leap day and a year's end, in uneven steps that land several times on each day.
    for (const start of [Date.UTC(2024, 1, 28, 22), Date.UTC(1999, 11, 31, 20), Date.UTC(9999, 11, 31, 21)]) {
      for (let ms = start, i = 0; i < 400; i++, ms += 1 + rand(3 * 3_600_000)) {
        if (ms > Date.UTC(9999, 11, 31, 23, 59, 59, 999)) break
        const iso = new Date(ms).toISOString()
        expect(formatWhen(ms)).toBe(iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso)
      }
    }
  })
})

describe('timestampToEpochMs (a search bound)', () => {
  // Epoch values worked out by hand: 2017-02-17T09:28:35Z is 1487323715 s after the epoch.
  it('reads UTC timestamps from the documentation examples', () => {
    expect(timestampToEpochMs('2017-02-17T09:28:35Z')).toBe(1_487_323_715_000)
    expect(timestampToEpochMs('1970-01-01T00:00:00Z')).toBe(0)
  })

  it('honours positive and negative offsets (api/activityrecordreference.md)', () => {
    // 2016-01-16T16:30:00+11:00 is 05:30 UTC the same day (api/postdata/searchparameters.md example).
    expect(timestampToEpochMs('2016-01-16T16:30:00+11:00')).toBe(timestampToEpochMs('2016-01-16T05:30:00Z'))
    expect(timestampToEpochMs('2016-01-16T00:00:00-05:30')).toBe(timestampToEpochMs('2016-01-16T05:30:00Z'))
  })

  it('keeps milliseconds of a fraction and cuts longer ones', () => {
    expect(timestampToEpochMs('1970-01-01T00:00:01.5Z')).toBe(1500)
    expect(timestampToEpochMs('1970-01-01T00:00:01.1234567Z')).toBe(1123)
  })

  it('reads years below 100 as written, where Date.UTC would move them to the 1900s', () => {
    expect(timestampToEpochMs('0050-06-01T12:00:00Z')).toBe(Date.parse('0050-06-01T12:00:00Z'))
  })

  it('refuses text that is not a contract Timestamp', () => {
    for (const text of ['2017-02-17', '2017-02-17T09:28:35', '2017-02-17 09:28:35Z', 'yesterday', '2017-02-17T09:28:35+1100']) {
      expect(timestampToEpochMs(text), text).toBeUndefined()
    }
  })
})

describe('reading a When once', () => {
  it('keeps what isTimestamp read between start and stop, as UTC text and instant, and nothing outside', () => {
    expect(isTimestamp('2017-02-19T03:43:49Z')).toBe(true)
    startReadingTimestamps()
    expect(isTimestamp('2017-02-19T03:43:49-11:00')).toBe(true)
    expect(isTimestamp('2017-02-30T00:00:00Z')).toBe(false)
    expect(isTimestamp('2017-02-19T03:43:49.1234567Z')).toBe(true)
    const reads = stopReadingTimestamps()
    expect(reads && Object.fromEntries(reads)).toEqual({
      '2017-02-19T03:43:49-11:00': { utc: '2017-02-19T14:43:49Z', ms: Date.parse('2017-02-19T14:43:49Z') },
      '2017-02-19T03:43:49.1234567Z': { utc: '2017-02-19T03:43:49.1234567Z', ms: Date.parse('2017-02-19T03:43:49.123Z') },
    })
    expect(isTimestamp('2017-02-19T03:43:49Z')).toBe(true)
    startReadingTimestamps()
    expect(stopReadingTimestamps()).toBeUndefined()
  })

  it('readWhenValue gives what whenToUtc and whenToEpochMs give, from one read', () => {
    for (const when of ['2017-02-19T03:43:49-11:00', '2017-02-19T03:43:49.50Z', '0050-06-01T12:00:00Z']) {
      expect(readWhenValue(when)).toEqual({ utc: whenToUtc(when), ms: whenToEpochMs(when) })
    }
    expect(() => readWhenValue('yesterday')).toThrow(RangeError)
  })

  it('isFormattedWhen tells a When formatWhen gives back by its shape', () => {
    for (const ms of [0, 1_487_323_715_000, 1_487_323_715_120, -62_135_596_800_000]) expect(isFormattedWhen(formatWhen(ms))).toBe(true)
    for (const when of ['2017-02-19T03:43:49.5Z', '2017-02-19T03:43:49.000Z', '2017-02-19T03:43:49.1234567Z', '2017-02-19T03:43:49.50Z']) {
      expect(isFormattedWhen(when), when).toBe(false)
      expect(formatWhen(whenToEpochMs(when)) === when).toBe(false)
    }
  })
})
