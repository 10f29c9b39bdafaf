/** Time arithmetic for the When and WorkingHours filters, all in UTC and in whole milliseconds. */

export const DAY_MS = 86_400_000

/** Both ends included. */
export interface Interval {
  from: number
  to: number
}

/** Milliseconds since midnight of HH:mm or HH:mm:ss (the contract's TimeOfDay), or undefined. */
export function parseTimeOfDay(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(text)
  if (!match) return undefined
  return ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3] ?? 0)) * 1000
}

export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS
}

export function timeOfDay(ms: number): number {
  return ms - startOfUtcDay(ms)
}

/**
 * The timeframes of the When filter, as the contract's x-nwa-timeframes defines them (the pages name
 * Today, Yesterday, LastSevenDays "etc." and say nothing of the time zone). Yesterday stops just before
 * today starts, so a moment belongs to one day only.
 */
export const timeframes: Readonly<Record<string, (now: number) => Interval>> = {
  Today: (now) => ({ from: startOfUtcDay(now), to: now }),
  Yesterday: (now) => ({ from: startOfUtcDay(now) - DAY_MS, to: startOfUtcDay(now) - 1 }),
  LastSevenDays: (now) => ({ from: startOfUtcDay(now) - 6 * DAY_MS, to: now }),
  LastThirtyDays: (now) => ({ from: startOfUtcDay(now) - 29 * DAY_MS, to: now }),
}

/**
 * Whether a time of day lies in [from, to). A From later than its To spans midnight (the contract's
 * WorkingHoursFilter); From equal to To is an empty interval.
 */
export function withinHours(time: number, from: number, to: number): boolean {
  return from <= to ? time >= from && time < to : time >= from || time < to
}
