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
  if (duplicate) return { ok: false, message: `duplicate name "${duplicate.name}" in one object at position ${duplicate.position}`, position: duplicate.position }
  return { ok: true, value }
}

interface Frame {
  isObject: boolean
  names: Set<string>
  expectingName: boolean
}

/** One pass over text that JSON.parse already accepted, so it only has to follow strings and nesting. */
export function findDuplicateName(text: string): { name: string; position: number } | undefined {
  const stack: Frame[] = []
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index)
    if (char === 0x22 /* " */) {
      const start = index
      let escaped = false
      for (index++; index < text.length; index++) {
        const inner = text.charCodeAt(index)
        if (inner === 0x5c /* \ */) {
          escaped = true
          index++
        } else if (inner === 0x22) break
      }
      const top = stack[stack.length - 1]
      if (top?.isObject && top.expectingName) {
        const raw = text.slice(start, index + 1)
        // Escapes are decoded so that "\u0041" and "A" count as the same name.
        const name = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1)
        if (top.names.has(name)) return { name, position: start }
        top.names.add(name)
        top.expectingName = false
      }
    } else if (char === 0x7b /* { */) stack.push({ isObject: true, names: new Set(), expectingName: true })
    else if (char === 0x5b /* [ */) stack.push({ isObject: false, names: new Set(), expectingName: false })
    else if (char === 0x7d /* } */ || char === 0x5d /* ] */) stack.pop()
    else if (char === 0x2c /* , */) {
      const top = stack[stack.length - 1]
      if (top?.isObject) top.expectingName = true
    }
  }
  return undefined
}
