/**
 * Where a text stops being JSON (RFC 8259). JSON.parse says what is wrong, in words that change with the V8 release,
 * and since V8 10 mostly without saying where; this finds the offset, so that a fault has its line and column on any
 * Node. It runs only on a text JSON.parse refused, in one pass, with an explicit stack (no recursion).
 */

/** What may come next. */
enum Expect {
  Value,
  /** After `[`: a value or `]`. */
  FirstItem,
  /** After `{`: a member name or `}`. */
  FirstName,
  /** After `,` in an object. */
  Name,
  Colon,
  /** After a value: `,`, the container's end, or (at the top) nothing but white space. */
  Next,
}

/**
 * The offset of the first character that cannot continue a JSON text, the text's length when it ends too soon, or
 * undefined when it is JSON.
 */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  /** The open containers: true for an object. */
  const open: boolean[] = []
  let expect = Expect.Value
  let index = 0
  const length = text.length
  while (index < length) {
    const code = text.charCodeAt(index)
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) {
      index += 1
      continue
    }
    switch (expect) {
      case Expect.Colon:
        if (code !== 0x3a /* : */) return index
        index += 1
        expect = Expect.Value
        continue
      case Expect.Next: {
        if (open.length === 0) return index
        const inObject = open[open.length - 1] as boolean
        if (code === 0x2c /* , */) {
          index += 1
          expect = inObject ? Expect.Name : Expect.Value
          continue
        }
        if (code !== (inObject ? 0x7d : 0x5d)) return index
        open.pop()
        index += 1
        continue
      }
      case Expect.FirstName:
      case Expect.Name:
        if (code === 0x7d /* } */ && expect === Expect.FirstName) {
          open.pop()
          index += 1
          expect = Expect.Next
          continue
        }
        if (code !== 0x22 /* " */) return index
        index = stringEnd(text, index)
        if (index < 0) return -index - 1
        expect = Expect.Colon
        continue
      default: {
        if (code === 0x5d /* ] */ && expect === Expect.FirstItem) {
          open.pop()
          index += 1
          expect = Expect.Next
          continue
        }
        if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
          open.push(code === 0x7b)
          index += 1
          expect = code === 0x7b ? Expect.FirstName : Expect.FirstItem
          continue
        }
        const end = code === 0x22 ? stringEnd(text, index) : scalarEnd(text, index)
        if (end < 0) return -end - 1
        index = end
        expect = Expect.Next
      }
    }
  }
  return expect === Expect.Next && open.length === 0 ? undefined : length
}

/** The characters a backslash may escape besides u: " \\ / b f n r t. */
const simpleEscapes = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74])

/** The offset after the string opened at `start`, or -(offset + 1) of the character that breaks it. */
function stringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code === 0x22) return index + 1
    if (code < 0x20) return -index - 1
    if (code !== 0x5c /* \ */) continue
    const escaped = text.charCodeAt(index + 1)
    if (escaped === 0x75 /* u */) {
      if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(index + 2, index + 6))) return -(index + 1) - 1
      index += 5
    } else if (simpleEscapes.has(escaped)) index += 1
    else return -(index + 1) - 1
  }
  return -text.length - 1
}

/** A number or true, false, null at `start`: the offset after it, or -(offset + 1) of the first character that breaks it. */
function scalarEnd(text: string, start: number): number {
  for (const literal of ['true', 'false', 'null']) {
    if (text.charCodeAt(start) !== literal.charCodeAt(0)) continue
    for (let offset = 1; offset < literal.length; offset++) {
      if (text.charCodeAt(start + offset) !== literal.charCodeAt(offset)) return -(start + offset) - 1
    }
    return start + literal.length
  }
  let index = start
  if (text.charCodeAt(index) === 0x2d /* - */) index += 1
  if (text.charCodeAt(index) === 0x30 /* 0 */) index += 1
  else if (isDigit(text.charCodeAt(index))) index = digitsEnd(text, index)
  else return -index - 1
  if (text.charCodeAt(index) === 0x2e /* . */) {
    if (!isDigit(text.charCodeAt(index + 1))) return -(index + 1) - 1
    index = digitsEnd(text, index + 1)
  }
  if ((text.charCodeAt(index) | 0x20) === 0x65 /* e */) {
    index += 1
    if (text.charCodeAt(index) === 0x2b || text.charCodeAt(index) === 0x2d) index += 1
    if (!isDigit(text.charCodeAt(index))) return -index - 1
    index = digitsEnd(text, index)
  }
  return index
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

function digitsEnd(text: string, from: number): number {
  let index = from
  while (isDigit(text.charCodeAt(index))) index += 1
  return index
}
