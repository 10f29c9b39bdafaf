/**
 * What the XML codec's two decoders share: the element tree of the general one (fast-xml-parser,
 * openapi/xml.ts), entity references, namespace scopes, xs:boolean, and how the contract's schemas map
 * to elements. The plain-document decoder (openapi/xml-plain.ts) follows the same rules without the tree.
 */
import { excerpt } from './excerpt.ts'
import type { JsonSchema } from './types.ts'

export interface XmlDecodeError {
  /** syntax: not well-formed; doctype: DTDs are refused; root, namespace, structure: well-formed but not this document. */
  kind: 'syntax' | 'doctype' | 'root' | 'namespace' | 'structure'
  message: string
  line?: number
  column?: number
}

export class XmlDecodeFailure extends Error {
  constructor(readonly detail: XmlDecodeError) {
    super(detail.message)
  }
}

export interface XmlElement {
  namespace: string
  localName: string
  qualifiedName: string
  /** Attributes other than namespace declarations, entity references decoded. */
  attributes: Record<string, string>
  children: XmlElement[]
  /** All character data directly inside, its XML white space at both ends trimmed (trimXmlSpace). */
  text: string
  /** Some of that character data is not white space (mixed content, which no payload has). */
  hasText: boolean
  /** The namespace declarations in force inside it (the XML Infoset's [in-scope namespaces]). */
  inScope: NamespaceScope
}

// Most elements are leaves without attributes; they share these two frozen empties instead of allocating
// their own (a write body has tens of thousands of elements).
export const noAttributes: Record<string, string> = Object.freeze({}) as Record<string, string>
const noChildren: XmlElement[] = Object.freeze([]) as unknown as XmlElement[]

/** Prefix to namespace name; the empty prefix is the default namespace. */
export type NamespaceScope = ReadonlyMap<string, string>

/** The only prefix bound before any declaration (Namespaces in XML 1.0, section 3). */
export const documentScope: NamespaceScope = new Map([['xml', 'http://www.w3.org/XML/1998/namespace']])

/** XML 1.0's Char production (a lone surrogate arrives here as its own code point). */
export function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  )
}

/** Characters XML 1.0 does not allow anywhere (section 2.2), unpaired surrogates included. */
export const NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Every code unit that can be or begin a forbidden character, surrogates paired or not. A single class scans a
 * body many times faster than NOT_XML_CHAR's look-arounds, and most text holds none of these, so the exact
 * test runs only on text that has one.
 */
const MAYBE_NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/
const NOT_XML_CHARS = new RegExp(NOT_XML_CHAR.source, 'g')

/** Whether the text holds a character XML 1.0 does not allow; NOT_XML_CHAR's answer, reached faster. */
export function hasNotXmlChar(text: string): boolean {
  return MAYBE_NOT_XML_CHAR.test(text) && NOT_XML_CHAR.test(text)
}

/**
 * Text as XML 1.0 can carry it: a character it cannot represent, not even as a reference, becomes U+FFFD rather
 * than making the whole document ill-formed (openapi/DECISIONS.md D25). Writes refuse such characters (the
 * contract's xml-text format), but records can also arrive as seed data.
 */
export function xmlSafeText(text: string): string {
  return hasNotXmlChar(text) ? text.replace(NOT_XML_CHARS, '\uFFFD') : text
}

/**
 * XML's end-of-line handling (section 2.11): every CR LF pair and every CR alone reads as LF. A code unit at a time into
 * a typed array, not a regular expression: a replace over a body of 50 million CRs took V8 seconds and gigabytes.
 * Code units are copied as they are, so a lone surrogate is still there to be refused.
 */
export function normalizeLineEnds(text: string): string {
  if (!text.includes('\r')) return text
  const units = new Uint16Array(text.length)
  let length = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code === 0x0d) {
      units[length++] = 0x0a
      if (text.charCodeAt(index + 1) === 0x0a) index++
    } else units[length++] = code
  }
  return unitsToString(units, length)
}

const namedEntities: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, apos: 0x27, quot: 0x22 }

/**
 * Character and the five predefined entity references, in one pass, so that "&amp;#65;" stays the literal "&#65;".
 * Like normalizeLineEnds, it writes code units into a typed array: a regular-expression replace with a function
 * spent seconds and gigabytes on the ten million references a 50 MB body can hold.
 */
export function decodeEntities(raw: string): string {
  let ampersand = raw.indexOf('&')
  if (ampersand < 0) return raw
  const units = new Uint16Array(raw.length)
  let length = 0
  let copied = 0
  while (ampersand >= 0) {
    for (let index = copied; index < ampersand; index++) units[length++] = raw.charCodeAt(index)
    const reference = readReference(raw, ampersand)
    if (reference.code > 0xffff) {
      units[length++] = 0xd800 + ((reference.code - 0x10000) >> 10)
      units[length++] = 0xdc00 + ((reference.code - 0x10000) & 0x3ff)
    } else units[length++] = reference.code
    copied = reference.end
    ampersand = raw.indexOf('&', copied)
  }
  for (let index = copied; index < raw.length; index++) units[length++] = raw.charCodeAt(index)
  return unitsToString(units, length)
}

/** The reference at `start` (an `&`): the code point it names and the offset after its `;`. */
function readReference(raw: string, start: number): { code: number; end: number } {
  let position = start + 1
  if (raw.charCodeAt(position) === 0x23 /* # */) {
    const hexadecimal = raw.charCodeAt(position + 1) === 0x78 /* x */
    position += hexadecimal ? 2 : 1
    const digits = position
    let code = 0
    for (; position < raw.length; position++) {
      const digit = digitValue(raw.charCodeAt(position), hexadecimal)
      if (digit < 0) break
      // Past the last code point the value only has to stay out of range, not exact.
      code = Math.min(code * (hexadecimal ? 16 : 10) + digit, 0x110000)
    }
    if (position === digits || raw.charCodeAt(position) !== 0x3b /* ; */) throw bareAmpersand()
    // A reference must name a character XML 1.0 allows (its "Legal Character" well-formedness constraint).
    if (!isXmlChar(code)) {
      throw new XmlDecodeFailure({
        kind: 'syntax',
        message: `the character reference ${excerpt(raw.slice(start, position + 1))} names a character XML 1.0 does not allow`,
      })
    }
    return { code, end: position + 1 }
  }
  if (!isAsciiLetter(raw.charCodeAt(position))) throw bareAmpersand()
  while (isAsciiLetter(raw.charCodeAt(position)) || isAsciiDigit(raw.charCodeAt(position))) position++
  if (raw.charCodeAt(position) !== 0x3b /* ; */) throw bareAmpersand()
  const name = raw.slice(start + 1, position)
  const code = namedEntities[name]
  if (code === undefined) throw new XmlDecodeFailure({ kind: 'syntax', message: `reference to undeclared entity '${excerpt(name)}'` })
  return { code, end: position + 1 }
}

function bareAmpersand(): XmlDecodeFailure {
  return new XmlDecodeFailure({ kind: 'syntax', message: "an '&' must start an entity such as &amp;" })
}

function digitValue(code: number, hexadecimal: boolean): number {
  if (isAsciiDigit(code)) return code - 0x30
  if (!hexadecimal) return -1
  if (code >= 0x41 && code <= 0x46) return code - 0x37
  if (code >= 0x61 && code <= 0x66) return code - 0x57
  return -1
}

function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)
}

/**
 * The first `length` code units as a string, through Buffer's UTF-16 decoding, which copies them as they are (lone
 * surrogates included, where TextDecoder would replace them) and is the fastest way V8 has. A typed array holds
 * them in the machine's byte order; on a big-endian machine they go through String.fromCharCode instead.
 */
function unitsToString(units: Uint16Array, length: number): string {
  if (littleEndian) return Buffer.from(units.buffer, units.byteOffset, length * 2).toString('utf16le')
  const parts: string[] = []
  for (let start = 0; start < length; start += 8192) {
    parts.push(String.fromCharCode.apply(null, units.subarray(start, Math.min(start + 8192, length)) as unknown as number[]))
  }
  return parts.join('')
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * A start tag read into an empty element: namespace declarations are split from the attributes and the
 * element's prefix is resolved. Attribute values arrive raw (entity references still in them). The
 * element's scope is its parent's own when the tag declares nothing.
 */
export function openElement(qualifiedName: string, rawAttributes: Record<string, string>, parentScope: NamespaceScope): XmlElement {
  let declared: Map<string, string> | undefined
  let attributes: Record<string, string> | undefined
  for (const name in rawAttributes) {
    const value = decodeEntities(rawAttributes[name] as string)
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      declared ??= new Map(parentScope)
      declared.set(name === 'xmlns' ? '' : name.slice(6), value)
    } else {
      attributes ??= {}
      attributes[name] = value
    }
  }
  const scope = declared ?? parentScope
  const colon = qualifiedName.indexOf(':')
  const prefix = colon > 0 ? qualifiedName.slice(0, colon) : ''
  const namespace = scope.get(prefix)
  if (prefix && namespace === undefined) {
    throw new XmlDecodeFailure({ kind: 'namespace', message: `the prefix '${excerpt(prefix)}' of ${excerpt(qualifiedName)} is not declared` })
  }
  return {
    namespace: namespace ?? '',
    localName: colon > 0 ? qualifiedName.slice(colon + 1) : qualifiedName,
    qualifiedName,
    attributes: attributes ?? noAttributes,
    children: noChildren,
    text: '',
    hasText: false,
    inScope: scope,
  }
}

/** Adds a child element to an element being read. */
export function appendChild(element: XmlElement, child: XmlElement): void {
  if (element.children === noChildren) element.children = [child]
  else element.children.push(child)
}

/** Adds a piece of character data to an element being read; call `closeElement` once its end tag is read. */
export function appendText(element: XmlElement, piece: string): void {
  element.text += piece
  if (!element.hasText && trimXmlSpace(piece) !== '') element.hasText = true
}

export function closeElement(element: XmlElement): void {
  element.text = trimXmlSpace(element.text)
}

/**
 * Element text without the white space XML 1.0 names (space, tab, line feed, carriage return) at either end
 * (openapi/DECISIONS.md D11, D45). Not String.prototype.trim: a no-break or ideographic space is a character of
 * the value, which a user name or a path may begin or end with. The same string comes back when nothing is cut.
 */
export function trimXmlSpace(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && isXmlSpace(text.charCodeAt(start))) start++
  while (end > start && isXmlSpace(text.charCodeAt(end - 1))) end--
  return start === 0 && end === text.length ? text : text.slice(start, end)
}

function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x9 || code === 0xa || code === 0xd
}

/** xs:boolean's lexical forms; anything else stays text so the validator names it. */
export function readBoolean(text: string): boolean | string {
  if (text === 'true' || text === '1') return true
  if (text === 'false' || text === '0') return false
  return text
}

/** An array property whose items stand directly in the parent, with no wrapping element of their own. */
export function isUnwrappedArray(schema: JsonSchema): boolean {
  return schema.type === 'array' && schema.xml?.wrapped !== true
}

/** The element name a property's values appear under: the item name for an unwrapped array. */
export function elementNameOf(property: string, schema: JsonSchema): string {
  return (isUnwrappedArray(schema) ? schema.items?.xml?.name : undefined) ?? schema.xml?.name ?? property
}

/**
 * A plan per schema, made once by `build` and remembered; null when the schema uses something the plain path leaves
 * to the general one. The plain reader and the plain writer each keep one.
 */
export function planCache<Plan>(build: (schema: JsonSchema) => Plan | null): (schema: JsonSchema) => Plan | null {
  const plans = new WeakMap<JsonSchema, Plan | null>()
  return (schema) => {
    const known = plans.get(schema)
    if (known !== undefined) return known
    // Placed first, so a schema that refers to itself ends instead of recursing.
    plans.set(schema, null)
    const plan = build(schema)
    plans.set(schema, plan)
    return plan
  }
}
