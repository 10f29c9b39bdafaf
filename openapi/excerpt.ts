/**
 * Client text the kit keeps or echoes, bounded. An answer, a log line or a journal entry quotes at most an excerpt of
 * what a client sent, however large (docs/mock.md "Bounds"), and what it keeps must not keep the request body alive.
 */

/** How much of a name, a value or a path an error or a log line quotes before it cuts with an ellipsis. */
export const EXCERPT_LENGTH = 100

/**
 * At most `max` UTF-16 code units of `text`, then `…` when anything was cut. A cut never splits a surrogate pair, and
 * the result is a copy, so quoting a 50 MB name keeps 100 characters alive instead of the body they came from.
 */
export function excerpt(text: string, max: number = EXCERPT_LENGTH): string {
  if (text.length <= max) return text
  let end = max
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return `${ownCopy(text.slice(0, end))}…`
}

/**
 * A string that can be kept without keeping anything else. V8 makes a substring of 13 characters or more a view
 * into its parent, and the text the XML decoder reads is cut from the request body: a stored view would keep the
 * whole body alive. Concatenating first makes V8 copy the characters into a fresh string, which the slice then
 * views (a real copy through a Buffer cost ~4 ms a body). Shorter substrings are copies already.
 *
 * Only what is kept is copied: a value the store's dictionaries already hold is never copied at all, and its view
 * dies young with the request.
 */
export function ownCopy(text: string): string {
  return text.length < SLICE_VIEW_MIN_LENGTH ? text : ` ${text}`.slice(1)
}

/** V8 copies a substring shorter than this (SlicedString::kMinLength) instead of viewing its parent. */
const SLICE_VIEW_MIN_LENGTH = 13
