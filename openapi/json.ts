/**
 * Reading a JSON body. The API documents that a trailing comma is not supported (JSON.parse agrees), and a
 * name repeated inside one object is refused too: JSON.parse would silently keep the last one, and the
 * documentation's own stray duplicate "MonitoringPlan" shows how that hides mistakes.
 */
export type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string; position?: number }

export function parseJson(text: string): JsonParseResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const position = /position (\d+)/.exec(message)
    return position ? { ok: false, message, position: Number(position[1]) } : { ok: false, message }
  }
  const duplicate = findDuplicateName(body)
  if (duplicate)
    return { ok: false, message: `duplicate name "${duplicate.name}" in one object at position ${duplicate.position}`, position: duplicate.position }
  return { ok: true, value }
}

/** One open object or array; frames are reused by depth, so a scan allocates little beyond the names themselves. */
interface Frame {
  isObject: boolean
  /** Names seen so far in this object: records have a dozen, for which a list beats a Set... */
  names: string[]
  /** ...and a Set takes over past that, so an object with a million names costs no quadratic time. */
  nameSet: Set<string> | undefined
  expectingName: boolean
}

const LIST_LIMIT = 32

/** Adds the name to the frame; false when it was already there. */
function remember(frame: Frame, name: string): boolean {
  if (frame.nameSet) {
    if (frame.nameSet.has(name)) return false
    frame.nameSet.add(name)
    return true
  }
  if (frame.names.includes(name)) return false
  frame.names.push(name)
  if (frame.names.length > LIST_LIMIT) frame.nameSet = new Set(frame.names)
  return true
}

/** One pass over text that JSON.parse already accepted, so it only has to follow strings and nesting. */
export function findDuplicateName(text: string): { name: string; position: number } | undefined {
  const frames: Frame[] = []
  let depth = 0
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index)
    if (char === 0x22 /* " */) {
      const start = index
      index = closingQuote(text, start)
      const top = depth > 0 ? (frames[depth - 1] as Frame) : undefined
      if (top?.isObject && top.expectingName) {
        const raw = text.slice(start + 1, index)
        // Escapes are decoded so that "\u0041" and "A" count as the same name.
        const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
        if (!remember(top, name)) return { name, position: start }
        top.expectingName = false
      }
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      let frame = frames[depth]
      if (frame === undefined) {
        frame = { isObject: false, names: [], nameSet: undefined, expectingName: false }
        frames[depth] = frame
      }
      frame.isObject = char === 0x7b
      frame.names.length = 0
      frame.nameSet = undefined
      frame.expectingName = frame.isObject
      depth++
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) depth--
    else if (char === 0x2c /* , */) {
      const top = depth > 0 ? (frames[depth - 1] as Frame) : undefined
      if (top?.isObject) top.expectingName = true
    }
  }
  return undefined
}

/** The index of the quote that ends the string opened at `start`: the next one not escaped by an odd run of backslashes. */
function closingQuote(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1)
  for (;;) {
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c /* \ */) backslashes++
    if (backslashes % 2 === 0) return quote
    quote = text.indexOf('"', quote + 1)
  }
}
