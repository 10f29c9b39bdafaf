/**
 * Whether an XML body is well-formed, read once, in memory that does not grow with the body, and worded as MSXML words
 * it (api/errordetails.md shows "0xC00CE56D End tag 'FilterList' does not match the start tag 'DataSource'"): the
 * first fault, its code and text, and its line and position. A name the message quotes is an excerpt, so a body of
 * 50 MB gets an answer of a few hundred bytes; and the open elements are counted, not listed, past a few.
 *
 * It runs before fast-xml-parser on every document the plain decoder (xml-plain.ts) did not take, so the parser only
 * ever sees well-formed text: its validator words unclosed elements by printing its whole stack, which for a body of
 * unclosed elements is larger than any string V8 can make, and the process dies.
 */
import { excerpt } from './excerpt.ts'
import { NameSet } from './name-set.ts'
import { isXmlChar, type XmlDecodeError } from './xml-tree.ts'

/** Elements nested deeper than this are refused: fast-xml-parser's own limit, and far beyond any payload's depth (5). */
export const MAX_ELEMENT_DEPTH = 100

/**
 * Attributes one element may carry. The API's documents carry namespace declarations and a filter's Operator; an
 * element with more can never be a payload, and fast-xml-parser takes seconds over a tag of a million of them.
 */
export const MAX_ATTRIBUTES = 100

/**
 * The longest element or attribute name read. XML sets no limit, but no name of the API is longer than 30 characters,
 * so a longer one can only be refused as unknown; fast-xml-parser builds a long name a character at a time, and one of
 * 50 MB took it seconds and gigabytes.
 */
export const MAX_NAME_LENGTH = 1000

/** Open elements an unclosed-tags message names before it only counts the rest. */
const NAMED_UNCLOSED = 3

/** MSXML's codes and texts (msxml6 xmlparser), for the faults this reader finds. */
const msxml = {
  missingEquals: ['0xC00CE501', 'Missing equals sign between attribute and attribute value.'],
  missingQuote: ['0xC00CE502', 'A string literal was expected, but no opening quote character was found.'],
  commentSyntax: ['0xC00CE503', 'Incorrect syntax was used in a comment.'],
  badStartNameChar: ['0xC00CE504', 'A name was started with an invalid character.'],
  badNameChar: ['0xC00CE505', 'A name contained an invalid character.'],
  badCharInString: ['0xC00CE506', 'A string literal contained an invalid character.'],
  missingWhitespace: ['0xC00CE509', 'Required white space was missing.'],
  expectingTagEnd: ['0xC00CE50A', "The character '>' was expected."],
  missingSemicolon: ['0xC00CE50D', 'A semicolon character was expected.'],
  badCharInEntityRef: ['0xC00CE50E', 'An invalid character was found inside an entity reference.'],
  invalidDecimal: ['0xC00CE51D', 'Invalid character for decimal digit.'],
  invalidHexadecimal: ['0xC00CE51E', 'Invalid character for hexadecimal digit.'],
  unexpectedEndTag: ['0xC00CE552', 'End tag was not expected at this location.'],
  unclosedTags: ['0xC00CE553', 'The following tags were not closed.'],
  duplicateAttribute: ['0xC00CE554', 'Duplicate attribute.'],
  multipleRoots: ['0xC00CE555', 'Only one top level element is allowed in an XML document.'],
  invalidAtRootLevel: ['0xC00CE556', 'Invalid at the top level of the document.'],
  badXmlDeclaration: ['0xC00CE557', 'Invalid XML declaration.'],
  missingRoot: ['0xC00CE558', 'XML document must have a top level element.'],
  unexpectedEof: ['0xC00CE559', 'Unexpected end of file.'],
  cdataClosingTag: ['0xC00CE55C', "The literal string ']]>' is not allowed in element content."],
  unclosedPi: ['0xC00CE55D', 'Processing instruction was not closed.'],
  unclosedEndTag: ['0xC00CE55F', "End element was missing the character '>'."],
  unclosedString: ['0xC00CE560', 'A string literal was not closed.'],
  unclosedComment: ['0xC00CE561', 'A comment was not closed.'],
  unclosedCdata: ['0xC00CE564', 'A CDATA section was not closed.'],
  badDeclarationName: ['0xC00CE565', 'Declaration has an invalid name.'],
  endTagMismatch: ['0xC00CE56D', 'End tag does not match the start tag.'],
  undefinedEntity: ['0xC00CE57C', 'Reference to undefined entity.'],
  doctypeOutsideProlog: ['0xC00CE57E', 'Cannot have a DOCTYPE declaration outside of a prolog.'],
} as const satisfies Record<string, readonly [string, string]>

type Fault = keyof typeof msxml

/** The five entities XML predefines; the API's XSDs declare no others (api/postdata/overview.md). */
const predefinedEntities = new Set(['lt', 'gt', 'amp', 'apos', 'quot'])

/** What a reader of the document hears, in document order, while the text is found well-formed so far. */
export interface XmlEvents {
  /**
   * A start tag (an empty-element tag is a start and an end), its attribute values raw: references still in them, and
   * the offset of its `<`.
   */
  start(qualifiedName: string, rawAttributes: Record<string, string>, at: number): void
  /** Character data inside an element, references still in it. */
  text(raw: string): void
  /** The content of a CDATA section. */
  cdata(text: string): void
  end(): void
}

/** The first well-formedness fault of `text` (a BOM already removed), or undefined when it is well-formed. */
export function findSyntaxError(text: string): XmlDecodeError | undefined {
  return readXml(text)
}

/**
 * Reads `text` once, telling `events` what it finds, and stops at the first fault: what the events built is then
 * to be dropped. An event handler may throw to stop the reading; anything but a fault of this reader goes through.
 */
export function readXml(text: string, events?: XmlEvents): XmlDecodeError | undefined {
  return new SyntaxReader(text, events).read()
}

/** Line and position (1-based, in UTF-16 code units) of an offset, counted without copying the text before it. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let newline = text.indexOf('\n'); newline >= 0 && newline < offset; newline = text.indexOf('\n', newline + 1)) {
    line += 1
    lineStart = newline + 1
  }
  return { line, column: offset - lineStart + 1 }
}

class Failure {
  constructor(readonly error: XmlDecodeError) {}
}

class SyntaxReader {
  private index = 0
  /** The open elements, as the offsets of their names: a name is never copied unless a message quotes it. */
  private readonly openStarts: number[] = []
  private readonly openEnds: number[] = []
  private rootSeen = false

  constructor(
    private readonly text: string,
    private readonly events: XmlEvents | undefined,
  ) {}

  read(): XmlDecodeError | undefined {
    try {
      this.document()
      return undefined
    } catch (thrown) {
      if (thrown instanceof Failure) return thrown.error
      throw thrown
    }
  }

  /** Throws the fault at `at`, in MSXML's words or in `detail`, its words with the names quoted. */
  private fail(fault: Fault, at: number, detail?: string): never {
    const [code, words] = msxml[fault]
    throw this.failure(`${code} ${detail ?? words}`, at)
  }

  private failure(words: string, at: number): Failure {
    const { line, column } = positionAt(this.text, at)
    return new Failure({ kind: 'syntax', message: `${words} Line ${line}, position ${column}.`, line, column })
  }

  private document(): void {
    const { text } = this
    const length = text.length
    while (this.index < length) {
      const code = text.charCodeAt(this.index)
      if (code === 0x3c /* < */) this.markup()
      else if (this.openStarts.length > 0) this.characterData()
      else if (isWhitespace(code)) this.index += 1
      else this.fail('invalidAtRootLevel', this.index)
    }
    if (this.openStarts.length > 0) throw this.unclosed()
    if (!this.rootSeen) this.fail('missingRoot', length)
  }

  private markup(): void {
    const { text, index } = this
    const next = text.charCodeAt(index + 1)
    if (next === 0x3f /* ? */) this.processingInstruction()
    else if (next === 0x21 /* ! */) this.declaration()
    else if (next === 0x2f /* / */) this.endTag()
    else this.startTag()
  }

  private processingInstruction(): void {
    const { text } = this
    const start = this.index
    const end = text.indexOf('?>', start + 2)
    if (end < 0) this.fail('unclosedPi', start)
    const targetEnd = this.nameEnd(start + 2, end)
    const target = text.slice(start + 2, targetEnd)
    if (target.toLowerCase() === 'xml' && start !== 0) this.fail('badXmlDeclaration', start)
    this.index = end + 2
  }

  private declaration(): void {
    const { text } = this
    const start = this.index
    if (text.startsWith('<!--', start)) {
      const end = text.indexOf('-->', start + 4)
      if (end < 0) this.fail('unclosedComment', start)
      const doubleHyphen = text.indexOf('--', start + 4)
      if (doubleHyphen < end) this.fail('commentSyntax', doubleHyphen)
      this.index = end + 3
      return
    }
    if (text.startsWith('<![CDATA[', start)) {
      if (this.openStarts.length === 0) this.fail('invalidAtRootLevel', start)
      const end = text.indexOf(']]>', start + 9)
      if (end < 0) this.fail('unclosedCdata', start)
      this.events?.cdata(text.slice(start + 9, end))
      this.index = end + 3
      return
    }
    if (text.slice(start + 2, start + 9).toUpperCase() === 'DOCTYPE') this.fail('doctypeOutsideProlog', start)
    this.fail('badDeclarationName', start + 2)
  }

  private startTag(): void {
    const { text } = this
    const start = this.index
    if (this.rootSeen && this.openStarts.length === 0) this.fail('multipleRoots', start)
    const nameEnd = this.nameEnd(start + 1, text.length)
    let position = nameEnd
    const attributes = new NameSet()
    // Values are kept only for a reader that builds something.
    const values: Record<string, string> | undefined = this.events ? {} : undefined
    for (;;) {
      const afterSpace = skipWhitespace(text, position)
      if (afterSpace >= text.length) this.fail('unexpectedEof', afterSpace)
      const code = text.charCodeAt(afterSpace)
      if (code === 0x3e /* > */) {
        this.open(start + 1, nameEnd, start)
        this.events?.start(text.slice(start + 1, nameEnd), values as Record<string, string>, start)
        this.index = afterSpace + 1
        return
      }
      if (code === 0x2f /* / */) {
        if (text.charCodeAt(afterSpace + 1) !== 0x3e) this.fail('expectingTagEnd', afterSpace + 1)
        this.rootSeen = true
        this.events?.start(text.slice(start + 1, nameEnd), values as Record<string, string>, start)
        this.events?.end()
        this.index = afterSpace + 2
        return
      }
      if (afterSpace === position && isNameStartChar(code)) this.fail('missingWhitespace', afterSpace)
      if (attributes.size === MAX_ATTRIBUTES) throw this.tooManyAttributes(start + 1, nameEnd)
      position = this.attribute(afterSpace, attributes, values)
    }
  }

  /** One attribute from `start`: a name, `=`, a quoted value without `<`; returns where it ends. */
  private attribute(start: number, seen: NameSet, values: Record<string, string> | undefined): number {
    const { text } = this
    const nameEnd = this.nameEnd(start, text.length)
    if (!seen.add(text.slice(start, nameEnd))) {
      this.fail('duplicateAttribute', start, `Duplicate attribute '${excerpt(text.slice(start, nameEnd))}'.`)
    }
    const equals = skipWhitespace(text, nameEnd)
    if (text.charCodeAt(equals) !== 0x3d /* = */) this.fail(equals >= text.length ? 'unexpectedEof' : 'missingEquals', equals)
    const open = skipWhitespace(text, equals + 1)
    const quote = text.charCodeAt(open)
    if (quote !== 0x22 && quote !== 0x27) this.fail(open >= text.length ? 'unexpectedEof' : 'missingQuote', open)
    const close = text.indexOf(quote === 0x22 ? '"' : "'", open + 1)
    if (close < 0) this.fail('unclosedString', open)
    // Only the value is looked at: a search for the next `<` from here would cross every later attribute, and a tag of
    // a million attributes would cost a million times its length.
    for (let position = open + 1; position < close; position++) {
      const code = text.charCodeAt(position)
      if (code === 0x3c /* < */) this.fail('badCharInString', position)
      if (code === 0x26 /* & */) position = this.reference(position, close) - 1
    }
    if (values) values[text.slice(start, nameEnd)] = text.slice(open + 1, close)
    return close + 1
  }

  private open(nameStart: number, nameEnd: number, tagStart: number): void {
    if (this.openStarts.length >= MAX_ELEMENT_DEPTH) {
      throw this.failure(`Elements are nested more than ${MAX_ELEMENT_DEPTH} deep.`, tagStart)
    }
    this.openStarts.push(nameStart)
    this.openEnds.push(nameEnd)
    this.rootSeen = true
  }

  private endTag(): void {
    const { text } = this
    const start = this.index
    const depth = this.openStarts.length
    if (depth === 0) this.fail('unexpectedEndTag', start)
    const nameEnd = this.nameEnd(start + 2, text.length)
    const openStart = this.openStarts[depth - 1] as number
    const openEnd = this.openEnds[depth - 1] as number
    if (!sameText(text, start + 2, nameEnd, openStart, openEnd)) {
      const closing = excerpt(text.slice(start + 2, nameEnd))
      const opening = excerpt(text.slice(openStart, openEnd))
      this.fail('endTagMismatch', start, `End tag '${closing}' does not match the start tag '${opening}'.`)
    }
    const close = skipWhitespace(text, nameEnd)
    if (close >= text.length) this.fail('unexpectedEof', close)
    if (text.charCodeAt(close) !== 0x3e /* > */) this.fail('unclosedEndTag', close)
    this.openStarts.pop()
    this.openEnds.pop()
    this.events?.end()
    this.index = close + 1
  }

  /** Text inside an element, up to the next markup: references must be well-formed, and `]]>` may not appear. */
  private characterData(): void {
    const { text } = this
    const length = text.length
    const start = this.index
    let position = start
    for (; position < length; position++) {
      const code = text.charCodeAt(position)
      if (code === 0x3c /* < */) break
      if (code === 0x26 /* & */) position = this.reference(position, length) - 1
      else if (code === 0x3e /* > */ && text.charCodeAt(position - 1) === 0x5d && text.charCodeAt(position - 2) === 0x5d) {
        this.fail('cdataClosingTag', position - 2)
      }
    }
    if (position > start) this.events?.text(text.slice(start, position))
    this.index = position
  }

  /** A reference at `start` (`&`), which must end before `limit`; returns the offset after its `;`. */
  private reference(start: number, limit: number): number {
    const { text } = this
    let position = start + 1
    if (text.charCodeAt(position) === 0x23 /* # */) {
      position += 1
      const hexadecimal = text.charCodeAt(position) === 0x78 /* x */
      if (hexadecimal) position += 1
      const digitsStart = position
      while (position < limit && (hexadecimal ? isHexDigit(text.charCodeAt(position)) : isDigit(text.charCodeAt(position)))) position += 1
      if (position >= limit) this.fail('missingSemicolon', position)
      if (text.charCodeAt(position) !== 0x3b /* ; */ || position === digitsStart) {
        this.fail(hexadecimal ? 'invalidHexadecimal' : 'invalidDecimal', position)
      }
      // XML's Legal Character constraint, found here so that the fault has its place (D25): a reference to U+0001 is
      // as ill-formed as the character itself.
      const code = referencedCode(text, digitsStart, position, hexadecimal)
      if (!isXmlChar(code)) {
        const named = code > 0x10ffff ? 'no character' : `U+${code.toString(16).toUpperCase().padStart(4, '0')}, which XML 1.0 does not allow`
        throw this.failure(`the character reference ${excerpt(text.slice(start, position + 1))} names ${named}.`, start)
      }
      return position + 1
    }
    if (position >= limit || !isNameStartChar(text.charCodeAt(position))) this.fail('badCharInEntityRef', position)
    const nameEnd = this.nameEnd(position, limit)
    if (nameEnd >= limit || text.charCodeAt(nameEnd) !== 0x3b /* ; */) this.fail('missingSemicolon', nameEnd)
    const name = text.slice(position, nameEnd)
    if (!predefinedEntities.has(name)) {
      this.fail('undefinedEntity', start, `Reference to undefined entity '${excerpt(name)}'.`)
    }
    return nameEnd + 1
  }

  /** The end of the name that must start at `start` (before `limit`); a missing or bad first character is a fault. */
  private nameEnd(start: number, limit: number): number {
    const { text } = this
    if (start >= text.length) this.fail('unexpectedEof', start)
    if (start >= limit || !isNameStartChar(text.charCodeAt(start))) this.fail('badStartNameChar', start)
    let position = start + 1
    while (position < limit && isNameChar(text.charCodeAt(position))) position += 1
    if (position - start > MAX_NAME_LENGTH) throw this.tooLongName(start, position)
    return position
  }

  /** A name no document of the API has: an input error, not a syntax error. */
  private tooLongName(start: number, end: number): Failure {
    const { line, column } = positionAt(this.text, start)
    const message = `The name '${excerpt(this.text.slice(start, end))}' is longer than ${MAX_NAME_LENGTH} characters; no name of the API is. Line ${line}, position ${column}.`
    return new Failure({ kind: 'structure', message, line, column })
  }

  /** Well-formed so far, but not a document of the API: an input error, not a syntax error. */
  private tooManyAttributes(nameStart: number, nameEnd: number): Failure {
    const { line, column } = positionAt(this.text, nameStart - 1)
    const name = excerpt(this.text.slice(nameStart, nameEnd))
    const message = `The element '${name}' carries more than ${MAX_ATTRIBUTES} attributes; no element of the API carries more than a few. Line ${line}, position ${column}.`
    return new Failure({ kind: 'structure', message, line, column })
  }

  private unclosed(): Failure {
    const { text } = this
    const depth = this.openStarts.length
    const named: string[] = []
    for (let level = 0; level < Math.min(depth, NAMED_UNCLOSED); level++) {
      named.push(excerpt(text.slice(this.openStarts[level] as number, this.openEnds[level] as number)))
    }
    const rest = depth - named.length
    const list = rest > 0 ? `${named.join(', ')} and ${rest} more` : named.join(', ')
    return this.failure(`${msxml.unclosedTags[0]} The following tags were not closed: ${list}.`, text.length)
  }
}

function sameText(text: string, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false
  for (let offset = 0; offset < aEnd - aStart; offset++) {
    if (text.charCodeAt(aStart + offset) !== text.charCodeAt(bStart + offset)) return false
  }
  return true
}

function skipWhitespace(text: string, from: number): number {
  let position = from
  while (position < text.length && isWhitespace(text.charCodeAt(position))) position += 1
  return position
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x9 || code === 0xa || code === 0xd
}

/** The code point of a reference's digits; past the last code point it only has to stay out of range. */
function referencedCode(text: string, start: number, end: number, hexadecimal: boolean): number {
  let code = 0
  for (let position = start; position < end; position++) {
    const digit = text.charCodeAt(position)
    const value = digit <= 0x39 ? digit - 0x30 : (digit | 0x20) - 0x57
    code = Math.min(code * (hexadecimal ? 16 : 10) + value, 0x110000)
  }
  return code
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66)
}

/**
 * XML 1.0's NameStartChar within the Basic Multilingual Plane, the set fast-xml-parser reads names with, so the two
 * agree on every name.
 */
function isNameStartChar(code: number): boolean {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a
  return (
    (code >= 0xc0 && code <= 0xd6) ||
    (code >= 0xd8 && code <= 0xf6) ||
    (code >= 0xf8 && code <= 0x2ff) ||
    (code >= 0x370 && code <= 0x37d) ||
    (code >= 0x37f && code <= 0x1fff) ||
    (code >= 0x200c && code <= 0x200d) ||
    (code >= 0x2070 && code <= 0x218f) ||
    (code >= 0x2c00 && code <= 0x2fef) ||
    (code >= 0x3001 && code <= 0xd7ff) ||
    (code >= 0xf900 && code <= 0xfdcf) ||
    (code >= 0xfdf0 && code <= 0xfffd)
  )
}

function isNameChar(code: number): boolean {
  return (
    isNameStartChar(code) ||
    code === 0x2d ||
    code === 0x2e ||
    isDigit(code) ||
    code === 0xb7 ||
    (code >= 0x300 && code <= 0x36f) ||
    (code >= 0x203f && code <= 0x2040)
  )
}
