/**
 * A string the store can keep without keeping anything else. V8 makes a substring of 13 characters or more a view
 * into its parent, and the text the XML decoder reads is cut from the request body: a stored view would keep the
 * whole body alive. Concatenating first makes V8 copy the characters into a fresh string, which the slice then
 * views (a real copy through a Buffer cost ~4 ms a body). Shorter substrings are copies already.
 *
 * Only what the store keeps is copied: a value its dictionaries already hold is never copied at all, and its view
 * dies young with the request.
 */
export function ownCopy(text: string): string {
  return text.length < SLICE_VIEW_MIN_LENGTH ? text : ` ${text}`.slice(1)
}

/** V8 copies a substring shorter than this (SlicedString::kMinLength) instead of viewing its parent. */
const SLICE_VIEW_MIN_LENGTH = 13
