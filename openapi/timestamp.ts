/**
 * The contract's Timestamp (api/activityrecordreference.md): YYYY-MM-DDTHH:mm:ss, up to 7 fraction digits, then Z
 * or ±HH:mm. One reading of it serves validation (the `date-time` format, openapi/validate.ts), storage (the
 * mock's normalising and its Audit Database) and search (a When range's From and To), so every When the
 * validators accept is one the store can hold and a search bound means the same instant
 * (openapi/DECISIONS.md D40): a real date and time, no leap second, and a UTC instant within years 0001..9999.
 */

interface ParsedWhen {
  /** The instant in whole seconds since the epoch, UTC. */
  epochSeconds: number
  /** The fractional-second digits as sent, without the dot ('' when none). */
  fraction: string
  /** Sent with Z rather than an offset. */
  isUtc: boolean
}

/**
 * Reads a Timestamp by position, or says why it is not one. Every write parses each record's When, and a regular
 * expression's match array and substrings were a measurable share of the write path's allocations.
 */
function readWhen(when: string): ParsedWhen | string {
  const year = digits(when, 0, 4)
  const month = digits(when, 5, 2)
  const day = digits(when, 8, 2)
  const hour = digits(when, 11, 2)
  const minute = digits(when, 14, 2)
  const second = digits(when, 17, 2)
  let at = 19
  let fraction = ''
  const hasFraction = when.charCodeAt(19) === 0x2e /* . */
  if (hasFraction) {
    at = 20
    while (at < 27 && isDigit(when.charCodeAt(at))) at++
    fraction = when.slice(20, at)
  }
  const zone = when.charCodeAt(at)
  const isUtc = zone === 0x5a /* Z */ && when.length === at + 1
  const isOffset = (zone === 0x2b /* + */ || zone === 0x2d) /* - */ && when.length === at + 6 && when.charCodeAt(at + 3) === 0x3a
  const offsetHours = isOffset ? digits(when, at + 1, 2) : 0
  const offsetMinutes = isOffset ? digits(when, at + 4, 2) : 0
  const separators =
    when.charCodeAt(4) === 0x2d && when.charCodeAt(7) === 0x2d && when.charCodeAt(10) === 0x54 && when.charCodeAt(13) === 0x3a && when.charCodeAt(16) === 0x3a
  if (
    !separators ||
    (!isUtc && !isOffset) ||
    (hasFraction && fraction === '') ||
    Number.isNaN(year + month + day + hour + minute + second + offsetHours + offsetMinutes)
  ) {
    return `When "${when}" is not YYYY-MM-DDTHH:mm:ss with Z or a ±HH:mm offset`
  }
  // No leap second: the Audit Database's datetime columns, like .NET's DateTime, have no 23:59:60.
  if (
    year < 1 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 14 ||
    offsetMinutes > 59
  ) {
    return `When "${when}" is not a valid date and time`
  }
  const offsetSign = zone === 0x2d ? -1 : 1
  const local = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
  const epochSeconds = local - offsetSign * (offsetHours * 3600 + offsetMinutes * 60)
  // An offset can carry 0001-01-01 back into year 0, or 9999-12-31 on into 10000, neither of which UTC storage holds.
  if (!isUtc && (epochSeconds < FIRST_SECOND || epochSeconds > LAST_SECOND)) return `When "${when}" falls outside years 0001..9999 in UTC`
  return { epochSeconds, fraction, isUtc }
}

const FIRST_SECOND = daysFromCivil(1, 1, 1) * 86_400
const LAST_SECOND = daysFromCivil(10_000, 1, 1) * 86_400 - 1

function parseWhen(when: string): ParsedWhen {
  const read = readWhen(when)
  if (typeof read === 'string') throw new RangeError(read)
  return read
}

/** A When read once: its UTC text (fraction digits as sent) and its instant. */
export interface WhenValue {
  utc: string
  /** Epoch milliseconds; digits below the millisecond are dropped. */
  ms: number
}

/** The Timestamps one validation read, by their text; see startReadingTimestamps. */
export type TimestampReads = Map<string, WhenValue>

let reading = false
let reads: TimestampReads | undefined

/**
 * Whether the text is a Timestamp the store can hold: the contract's `date-time` format. Between startReadingTimestamps
 * and stopReadingTimestamps it also keeps what it read, so the write path hands each When on as a value instead of
 * reading it again.
 */
export function isTimestamp(text: string): boolean {
  const read = readWhen(text)
  if (typeof read === 'string') return false
  if (reading) {
    reads ??= new Map()
    reads.set(text, whenValueOf(text, read))
  }
  return true
}

/**
 * Keeps the Timestamps read until stopReadingTimestamps. The validators are synchronous and call `isTimestamp` as a
 * format, which has no other way to hand a value on; a caller starts and stops around one validation, in one turn.
 */
export function startReadingTimestamps(): void {
  reading = true
  reads = undefined
}

/** The Timestamps read since startReadingTimestamps (undefined: none, and no map was made), and stops keeping them. */
export function stopReadingTimestamps(): TimestampReads | undefined {
  const found = reads
  reading = false
  reads = undefined
  return found
}

/** Reads a When once, for storage; a RangeError says why it is not a Timestamp. */
export function readWhenValue(when: string): WhenValue {
  return whenValueOf(when, parseWhen(when))
}

function whenValueOf(when: string, read: ParsedWhen): WhenValue {
  return { utc: read.isUtc ? when : `${formatSeconds(read.epochSeconds)}${read.fraction ? `.${read.fraction}` : ''}Z`, ms: epochMsOf(read) }
}

/**
 * Whether formatWhen gives this UTC When back from its instant: whole seconds, or exactly three fraction digits that
 * are not all zero. A store keeps the text of any other When; the test reads the shape only, not the date.
 */
export function isFormattedWhen(utc: string): boolean {
  if (utc.length === 20) return utc.charCodeAt(19) === 0x5a
  return utc.length === 24 && utc.charCodeAt(19) === 0x2e && utc.charCodeAt(23) === 0x5a && utc.slice(20, 23) !== '000'
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

/** The decimal number in `count` characters from `at`; NaN unless they are all ASCII digits. */
function digits(text: string, at: number, count: number): number {
  let value = 0
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i)
    if (!isDigit(code)) return Number.NaN
    value = value * 10 + code - 0x30
  }
  return value
}

/** `2017-02-19T03:43:49-11:00` → `2017-02-19T14:43:49Z`; fractional seconds are kept digit for digit. */
export function whenToUtc(when: string): string {
  return readWhenValue(when).utc
}

/** The instant of a When value as epoch milliseconds; digits below the millisecond are dropped. */
export function whenToEpochMs(when: string): number {
  return epochMsOf(parseWhen(when))
}

/** As whenToEpochMs, but undefined for text that is not a Timestamp: a search's From and To bounds. */
export function timestampToEpochMs(text: string): number | undefined {
  const read = readWhen(text)
  return typeof read === 'string' ? undefined : epochMsOf(read)
}

function epochMsOf({ epochSeconds, fraction }: ParsedWhen): number {
  return epochSeconds * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3))
}

/**
 * Epoch milliseconds as the UTC text a record carries: whole seconds end in `Z`, others in `.sssZ`. By
 * arithmetic rather than through Date and toISOString, which cost as much as the rest of a page's record.
 */
export function formatWhen(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  const millis = ms - seconds * 1000
  return `${formatSeconds(seconds)}${millis === 0 ? '' : `.${pad(millis, 3)}`}Z`
}

/** Epoch seconds as YYYY-MM-DDTHH:mm:ss, UTC: the part of a When that formatWhen and whenToUtc both write. */
function formatSeconds(epochSeconds: number): string {
  const days = Math.floor(epochSeconds / 86_400)
  const secondsOfDay = epochSeconds - days * 86_400
  if (days !== lastDays) {
    const { year, month, day } = civilFromDays(days)
    lastDate = `${pad(year, 4)}-${twoDigits[month]}-${twoDigits[day]}T`
    lastDays = days
  }
  return `${lastDate}${twoDigits[Math.floor(secondsOfDay / 3600)]}:${twoDigits[Math.floor(secondsOfDay / 60) % 60]}:${twoDigits[secondsOfDay % 60]}`
}

/** '00' to '99', so a time of day is three lookups. */
const twoDigits = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : String(n)))

/**
 * The date part of the last day formatted: the records of a page mostly share a day, and the calendar arithmetic
 * was most of the cost of writing a When. A memo of a pure function, so it cannot change an answer.
 */
let lastDays = Number.NaN
let lastDate = ''

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31
}

// Proleptic Gregorian calendar arithmetic (H. Hinnant, "chrono-Compatible Low-Level Date
// Algorithms"): exact for any year, unlike Date.UTC, which maps years 0..99 to 1900..1999.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}
