/**
 * The XML codec's fast reader: one pass over a plain document (an optional XML declaration, then
 * elements, attributes, character data and entity references) into the same tree the general reader
 * builds with fast-xml-parser.
 *
 * Why it exists: fast-xml-parser's validator and ordered parse take ~60 ms for a 1,000-record body, three
 * times the whole budget of a 50,000 records/s write (bench/). This reader takes a few milliseconds.
 *
 * What it is not: a second judge of well-formedness. It answers `undefined`, and the caller falls back to
 * the general reader, at the first thing outside its plain subset or anything it would have to report:
 * comments, CDATA, processing instructions, a DOCTYPE, non-ASCII names, white space inside an end tag,
 * a bad entity, an undeclared prefix, a mismatched tag, trailing content. So every error keeps the
 * general reader's wording and position, and a test holds the two readers to the same tree on every
 * document this one takes (openapi/xml-scan.test.ts).
 */
import {
  appendChild,
  appendText,
  closeElement,
  decodeEntities,
  documentScope,
  noAttributes,
  openElement,
  XmlDecodeFailure,
  type XmlElement,
} from './xml-tree.ts'

const NAME = String.raw`[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?`
const DECLARATION = /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][\w.\-]*"|'[A-Za-z][\w.\-]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/y
// Attribute values may not hold '<' (XML 1.0, AttValue); the white space rules are S of XML 1.0.
const START_TAG = new RegExp(String.raw`<(${NAME})((?:[ \t\r\n]+${NAME}[ \t\r\n]*=[ \t\r\n]*(?:"[^"<]*"|'[^'<]*'))*)[ \t\r\n]*(/?)>`, 'y')
const ATTRIBUTE = new RegExp(String.raw`[ \t\r\n]+(${NAME})[ \t\r\n]*=[ \t\r\n]*(?:"([^"<]*)"|'([^'<]*)')`, 'y')
/** Characters XML 1.0 does not allow anywhere (section 2.2), unpaired surrogates included. */
const NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const LESS_THAN = 0x3c
const SLASH = 0x2f
const GREATER_THAN = 0x3e


/** The document's root element, or undefined when the document needs the general reader. The BOM is already gone. */
export function scanXml(text: string): XmlElement | undefined {
  if (NOT_XML_CHAR.test(text)) return undefined
  try {
    // End-of-line handling (XML 1.0, section 2.11), as the general reader does it.
    return scan(text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text)
  } catch (error) {
    // An entity or prefix error: the general reader reports it, in document order with any other error.
    if (error instanceof XmlDecodeFailure) return undefined
    throw error
  }
}

function scan(text: string): XmlElement | undefined {
  let at = 0
  if (text.startsWith('<?xml', 0)) {
    DECLARATION.lastIndex = 0
    if (!DECLARATION.test(text)) return undefined
    at = DECLARATION.lastIndex
  }
  at = skipSpace(text, at)
  /** Elements whose end tag is still to come, the innermost last. */
  const open: XmlElement[] = []
  for (;;) {
    if (text.charCodeAt(at) !== LESS_THAN) return undefined
    let closed: XmlElement | undefined
    if (text.charCodeAt(at + 1) === SLASH) {
      const top = open.pop()
      const name = top?.qualifiedName
      const end = at + 2 + (name?.length ?? 0)
      if (!top || !text.startsWith(name as string, at + 2) || text.charCodeAt(end) !== GREATER_THAN) return undefined
      closeElement(top)
      closed = top
      at = end + 1
    } else {
      const parent = open[open.length - 1]
      const parentScope = parent?.inScope ?? documentScope
      // Most start tags are a bare name, read without the regular expression.
      let end = at + 1
      while (isPlainNameChar(text.charCodeAt(end))) end++
      if (text.charCodeAt(end) === GREATER_THAN && end > at + 1 && isNameStart(text.charCodeAt(at + 1))) {
        const element = openElement(text.slice(at + 1, end), noAttributes, parentScope)
        if (parent) appendChild(parent, element)
        open.push(element)
        at = end + 1
      } else {
        START_TAG.lastIndex = at
        const tag = START_TAG.exec(text)
        const attributes = tag ? readAttributes(tag[2] as string) : undefined
        if (!tag || !attributes) return undefined
        const element = openElement(tag[1] as string, attributes, parentScope)
        if (parent) appendChild(parent, element)
        if (tag[3] === '/') {
          closeElement(element)
          closed = element
        } else open.push(element)
        at = START_TAG.lastIndex
      }
    }
    // The root is complete: only white space may follow it.
    if (closed && open.length === 0) return skipSpace(text, at) === text.length ? closed : undefined
    const next = text.indexOf('<', at)
    if (next < 0) return undefined
    if (next > at) appendText(open[open.length - 1] as XmlElement, decodeText(text.slice(at, next)))
    at = next
  }
}

/** A-Z, a-z, _ */
function isNameStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f
}

/** The name characters of NAME without the colon, which needs the regular expression's placement rule. */
function isPlainNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e
}

function readAttributes(source: string): Record<string, string> | undefined {
  if (source === '') return noAttributes
  const attributes: Record<string, string> = {}
  ATTRIBUTE.lastIndex = 0
  while (ATTRIBUTE.lastIndex < source.length) {
    const match = ATTRIBUTE.exec(source)
    if (!match) return undefined
    const name = match[1] as string
    const value = match[2] ?? (match[3] as string)
    // A repeated attribute is not well-formed; values with tabs or line breaks, which XML 1.0 normalises
    // (section 3.3.3), are left to the general reader.
    if (Object.hasOwn(attributes, name) || /[\t\r\n]/.test(value)) return undefined
    attributes[name] = value
  }
  return attributes
}

/** Character data with its references decoded; ']]>' may not appear in it (XML 1.0, CharData), so the general reader decides. */
function decodeText(raw: string): string {
  if (raw.includes(']]>')) throw new XmlDecodeFailure({ kind: 'syntax', message: "']]>' in character data" })
  return decodeEntities(raw)
}

function skipSpace(text: string, from: number): number {
  let at = from
  for (;;) {
    const code = text.charCodeAt(at)
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return at
    at++
  }
}
