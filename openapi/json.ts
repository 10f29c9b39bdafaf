import { excerpt } from './excerpt.ts'
import { jsonSyntaxErrorOffset } from './json-syntax.ts'
import { NameSet } from './name-set.ts'

/**
 * Reading a JSON body. The API documents that a trailing comma is not supported (JSON.parse agrees), and a
 * name repeated inside one object is refused too: JSON.parse would silently keep the last one, and the
 * documentation's own stray duplicate "MonitoringPlan" shows how that hides mistakes.
 */
export type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string; position?: number; tooDeep?: true }

/**
 * The deepest nesting a JSON body may have. No payload of the API nests deeper than 5, and JSON.parse builds any depth
 * it is given: 25 million nested arrays in a 50 MB body take it seconds and gigabytes, so depth is measured first.
 */
export const MAX_JSON_DEPTH = 100

export function parseJson(text: string): JsonParseResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const scan = scanJson(body)
  if (scan.tooDeepAt !== undefined) {
    return { ok: false, tooDeep: true, message: `the document is nested deeper than ${MAX_JSON_DEPTH} levels`, position: scan.tooDeepAt }
  }
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (error) {
    // V8's words, which differ from release to release; the place is found the same way on every one.
    const message = excerpt(error instanceof Error ? error.message : String(error), 200)
    return { ok: false, message, position: jsonSyntaxErrorOffset(body) ?? body.length }
  }
  const duplicate = scan.duplicate
  if (duplicate) {
    return { ok: false, message: `duplicate name "${excerpt(duplicate.name)}" in one object at position ${duplicate.position}`, position: duplicate.position }
  }
  return { ok: true, value }
}

/** What one pass over a body finds before it is parsed: the first name repeated in one object, and where it nests too deep. */
export interface JsonScan {
  duplicate?: { name: string; position: number }
  /** The offset of the bracket that opens level MAX_JSON_DEPTH + 1. */
  tooDeepAt?: number
}

/** One open object or array; frames are reused by depth, so a scan allocates little beyond the names themselves. */
interface Frame {
  isObject: boolean
  /** Names seen so far in this object. */
  names: NameSet
  expectingName: boolean
}

/** The first name repeated in one object of a JSON text, if any. */
export function findDuplicateName(text: string): { name: string; position: number } | undefined {
  return scanJson(text).duplicate
}

/**
 * One pass that follows strings and nesting. It runs before JSON.parse, so on text that is not JSON it may stop early
 * or misread; JSON.parse then decides, and a duplicate is reported only for text it accepted.
 */
export function scanJson(text: string): JsonScan {
  const frames: Frame[] = []
  const found: JsonScan = {}
  let depth = 0
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index)
    if (char === 0x22 /* " */) {
      const start = index
      index = closingQuote(text, start)
      if (index < 0) return found
      const top = depth > 0 ? (frames[depth - 1] as Frame) : undefined
      if (top?.isObject && top.expectingName) {
        if (found.duplicate === undefined) {
          const name = nameAt(text, start, index)
          if (!top.names.add(name)) found.duplicate = { name, position: start }
        }
        top.expectingName = false
      }
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      if (depth === MAX_JSON_DEPTH) {
        found.tooDeepAt = index
        return found
      }
      let frame = frames[depth]
      if (frame === undefined) {
        frame = { isObject: false, names: new NameSet(), expectingName: false }
        frames[depth] = frame
      }
      frame.isObject = char === 0x7b
      frame.names.clear()
      frame.expectingName = frame.isObject
      depth++
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) depth = Math.max(0, depth - 1)
    else if (char === 0x2c /* , */) {
      const top = depth > 0 ? (frames[depth - 1] as Frame) : undefined
      if (top?.isObject) top.expectingName = true
    }
  }
  return found
}

/** A member name, escapes decoded so that "\u0041" and "A" count as the same name (kept raw when its escapes are broken). */
function nameAt(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end)
  if (!raw.includes('\\')) return raw
  try {
    return JSON.parse(`"${raw}"`) as string
  } catch {
    return raw
  }
}

/** The index of the quote that ends the string opened at `start`: the next one not escaped by an odd run of backslashes; -1 if none. */
function closingQuote(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1)
  while (quote >= 0) {
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c /* \ */) backslashes++
    if (backslashes % 2 === 0) return quote
    quote = text.indexOf('"', quote + 1)
  }
  return -1
}
