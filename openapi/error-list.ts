/**
 * An ErrorList answer, bounded however much a client sent (docs/mock.md "Bounds"): at most ERRORS_LISTED errors, then one
 * saying how many more were found; every Description and Location at most FIELD_LENGTH characters, so an answer
 * stays a few kilobytes. The names and values a Description quotes are excerpts already (excerpt.ts); this is the
 * last fence, for whatever else a description may hold.
 */
import { excerpt } from './excerpt.ts'
import type { ErrorEntry } from './records.ts'

export const ERRORS_LISTED = 10
export const FIELD_LENGTH = 300

/**
 * The first `listed` errors with their fields cut to FIELD_LENGTH, and when errors were left out (beyond `listed`,
 * plus `omitted` found but never worded), a last one counting them, in the category of the last one listed.
 */
export function boundErrorList(errors: readonly ErrorEntry[], omitted = 0, listed: number = ERRORS_LISTED): ErrorEntry[] {
  const kept = errors.slice(0, Math.max(1, listed)).map(boundEntry)
  const more = errors.length - kept.length + omitted
  const last = kept[kept.length - 1]
  if (more <= 0 || last === undefined) return kept
  kept.push({ Category: last.Category, Description: `${more} more error${more === 1 ? ' was' : 's were'} found and not listed.` })
  return kept
}

function boundEntry(entry: ErrorEntry): ErrorEntry {
  const bounded: ErrorEntry = { Category: excerpt(entry.Category, FIELD_LENGTH), Description: excerpt(entry.Description, FIELD_LENGTH) }
  if (entry.Location !== undefined) bounded.Location = excerpt(entry.Location, FIELD_LENGTH)
  return bounded
}
