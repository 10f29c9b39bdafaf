/**
 * What the XML codec's two decoders share: the element tree of the general one (fast-xml-parser,
 * openapi/xml.ts), entity references, namespace scopes, xs:boolean, and how the contract's schemas map
 * to elements. The plain-document decoder (openapi/xml-plain.ts) follows the same rules without the tree.
 */
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
 * contract's x-nwa-xml-text), but records can also arrive as seed data.
 */
export function xmlSafeText(text: string): string {
  return hasNotXmlChar(text) ? text.replace(NOT_XML_CHARS, '\uFFFD') : text
}

const entityPattern = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);|&/g
const namedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' }

/** Character and the five predefined entity references, in one pass, so that "&amp;#65;" stays the literal "&#65;". */
export function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw
  return raw.replace(entityPattern, (match, body: string | undefined) => {
    if (body === undefined) throw new XmlDecodeFailure({ kind: 'syntax', message: "an '&' must start an entity such as &amp;" })
    if (body.startsWith('#')) {
      const code = body[1] === 'x' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10)
      // A reference must name a character XML 1.0 allows (its "Legal Character" well-formedness constraint).
      if (!Number.isFinite(code) || !isXmlChar(code)) {
        throw new XmlDecodeFailure({ kind: 'syntax', message: `the character reference ${match} names a character XML 1.0 does not allow` })
      }
      return String.fromCodePoint(code)
    }
    const value = namedEntities[body]
    if (value === undefined) throw new XmlDecodeFailure({ kind: 'syntax', message: `reference to undeclared entity '${body}'` })
    return value
  })
}

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
    throw new XmlDecodeFailure({ kind: 'namespace', message: `the prefix '${prefix}' of ${qualifiedName} is not declared` })
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
