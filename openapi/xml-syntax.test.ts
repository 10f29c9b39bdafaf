import { XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { loadExamples, readFixture } from '../test/helpers/contract.ts'
import { createPrng } from './prng.ts'
import { findSyntaxError, MAX_ATTRIBUTES, MAX_ELEMENT_DEPTH, MAX_NAME_LENGTH, positionAt } from './xml-syntax.ts'

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'
const search = (inner: string) => `<ActivityRecordSearch xmlns="${ns}"><FilterList>${inner}</FilterList></ActivityRecordSearch>`

describe('findSyntaxError: the first fault in MSXML words, with its line and position', () => {
  it.each([
    [
      'a mismatched end tag (the documented example)',
      search('<Who>x</DataSource>'),
      "0xC00CE56D End tag 'DataSource' does not match the start tag 'Who'.",
      1,
      101,
    ],
    ['an end tag nothing opened', '<a></a></b>', '0xC00CE552 End tag was not expected at this location.', 1, 8],
    ['elements left open', '<a><b><c>', '0xC00CE553 The following tags were not closed: a, b, c.', 1, 10],
    ['a second root', '<a/><b/>', '0xC00CE555 Only one top level element is allowed in an XML document.', 1, 5],
    ['text beside the root', 'x<a/>', '0xC00CE556 Invalid at the top level of the document.', 1, 1],
    ['nothing but a declaration', '<?xml version="1.0"?>', '0xC00CE558 XML document must have a top level element.', 1, 22],
    ['a declaration after the start', ' <?xml version="1.0"?><a/>', '0xC00CE557 Invalid XML declaration.', 1, 2],
    ['an unclosed processing instruction', '<a><?pi x', '0xC00CE55D Processing instruction was not closed.', 1, 4],
    ['an unclosed comment', '<a><!-- x', '0xC00CE561 A comment was not closed.', 1, 4],
    ['a double hyphen in a comment', '<a><!-- x -- y --></a>', '0xC00CE503 Incorrect syntax was used in a comment.', 1, 11],
    ['an unclosed CDATA section', '<a><![CDATA[x', '0xC00CE564 A CDATA section was not closed.', 1, 4],
    ['CDATA outside the root', '<![CDATA[x]]><a/>', '0xC00CE556 Invalid at the top level of the document.', 1, 1],
    [']]> in text', '<a>x]]>y</a>', "0xC00CE55C The literal string ']]>' is not allowed in element content.", 1, 5],
    ['a DOCTYPE inside the root', '<a><!DOCTYPE a></a>', '0xC00CE57E Cannot have a DOCTYPE declaration outside of a prolog.', 1, 4],
    ['another declaration', '<a><!ELEMENT a></a>', '0xC00CE565 Declaration has an invalid name.', 1, 6],
    ['a name starting with a digit', '<1a/>', '0xC00CE504 A name was started with an invalid character.', 1, 2],
    ['an attribute without a value', '<a b></a>', '0xC00CE501 Missing equals sign between attribute and attribute value.', 1, 5],
    ['an unquoted attribute value', '<a b=c></a>', '0xC00CE502 A string literal was expected, but no opening quote character was found.', 1, 6],
    ['an unclosed attribute value', '<a b="c></a>', '0xC00CE560 A string literal was not closed.', 1, 6],
    ['< in an attribute value', '<a b="<"/>', '0xC00CE506 A string literal contained an invalid character.', 1, 7],
    ['attributes without space between them', '<a b="1"c="2"/>', '0xC00CE509 Required white space was missing.', 1, 9],
    ['a repeated attribute', '<a b="1" b="2"/>', "0xC00CE554 Duplicate attribute 'b'.", 1, 10],
    ['a slash not closing the tag', '<a/ >', "0xC00CE50A The character '>' was expected.", 1, 4],
    ['an end tag without >', '<a></a b>', "0xC00CE55F End element was missing the character '>'.", 1, 8],
    ['a bare ampersand', '<a>x & y</a>', '0xC00CE50E An invalid character was found inside an entity reference.', 1, 7],
    ['a reference without a semicolon', '<a>&amp x</a>', '0xC00CE50D A semicolon character was expected.', 1, 8],
    ['an undefined entity', '<a>&nbsp;</a>', "0xC00CE57C Reference to undefined entity 'nbsp'.", 1, 4],
    ['a decimal reference with a letter', '<a>&#6x;</a>', '0xC00CE51D Invalid character for decimal digit.', 1, 7],
    ['a hexadecimal reference with a g', '<a>&#xg;</a>', '0xC00CE51E Invalid character for hexadecimal digit.', 1, 7],
    ['a reference to a character XML forbids', '<a>x&#1;</a>', 'the character reference &#1; names U+0001, which XML 1.0 does not allow.', 1, 5],
    [
      'a reference to a lone surrogate, in an attribute',
      '<a b="&#xD800;"/>',
      'the character reference &#xD800; names U+D800, which XML 1.0 does not allow.',
      1,
      7,
    ],
    ['a reference past the last code point', '<a>&#x110000;</a>', 'the character reference &#x110000; names no character.', 1, 4],
    ['a document that stops inside a start tag', '<a b="1"', '0xC00CE559 Unexpected end of file.', 1, 9],
    ['a fault on a later line', '<a>\n  <b>\n  </c>\n</a>', "0xC00CE56D End tag 'c' does not match the start tag 'b'.", 3, 3],
  ])('[ERR-XML-MALFORMED-400] %s', (_name, text, words, line, column) => {
    expect(findSyntaxError(text)).toEqual({ kind: 'syntax', message: `${words} Line ${line}, position ${column}.`, line, column })
  })

  it('refuses nesting past the parser limit where it passes it, and takes it up to the limit', () => {
    const deep = (depth: number) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`
    expect(findSyntaxError(deep(MAX_ELEMENT_DEPTH))).toBeUndefined()
    expect(findSyntaxError(deep(MAX_ELEMENT_DEPTH + 1))?.message).toBe(
      `Elements are nested more than ${MAX_ELEMENT_DEPTH} deep. Line 1, position ${MAX_ELEMENT_DEPTH * 3 + 1}.`,
    )
  })

  it('takes every well-formed documented XML example', () => {
    const examples = loadExamples().filter((entry) => entry.format === 'xml')
    expect(examples.length).toBeGreaterThan(10)
    for (const example of examples) expect(findSyntaxError(readFixture(`examples/${example.file}`)), example.file).toBeUndefined()
  })

  it('takes comments, processing instructions, CDATA, character references and namespaces where XML allows them', () => {
    const text = `<?xml version="1.0"?><!-- c --><?pi data?>\n<p:a xmlns:p="${ns}" x='1' y="&amp;&#65;&#x42;">t<![CDATA[<raw> & ]]]]><p:b/><!----></p:a>\n<!-- end -->`
    expect(findSyntaxError(text)).toBeUndefined()
  })
})

describe('findSyntaxError: bounded, however large the body', () => {
  const MB = 1024 * 1024

  it('names the first three elements left open and counts the rest, instead of listing them all', () => {
    const text = `<ActivityRecordList xmlns="${ns}">${'<a>'.repeat(60)}`
    const error = findSyntaxError(text)
    expect(error?.message).toBe(`0xC00CE553 The following tags were not closed: ActivityRecordList, a, a and 58 more. Line 1, position ${text.length + 1}.`)
  })

  it('answers a body of millions of unclosed elements at the first one past the depth limit', () => {
    const error = findSyntaxError(`<ActivityRecordList xmlns="${ns}">${'<a>'.repeat(2 * MB)}`)
    expect(error?.message).toMatch(/^Elements are nested more than 100 deep\. Line 1, position \d+\.$/)
  })

  it('quotes an excerpt of a long name in a syntax error', () => {
    const long = 'x'.repeat(MAX_NAME_LENGTH - 1)
    for (const text of [`<a><${long}></${long}y></a>`, `<a ${long}="1" ${long}="2"/>`, `<a>&${long};</a>`, `<${long}>`]) {
      const error = findSyntaxError(text)
      expect(error?.kind).toBe('syntax')
      expect(error?.message.length).toBeLessThan(400)
      expect(error?.message).toContain(`${'x'.repeat(100)}…`)
    }
  })

  it('refuses a name of megabytes as input no payload can hold, quoting an excerpt, before any parser builds it', () => {
    const long = 'x'.repeat(4 * MB)
    for (const text of [`<a><${long}></${long}></a>`, `<a ${long}="1"/>`, `<a>&${long};</a>`, `<${long}>`]) {
      const error = findSyntaxError(text)
      expect(error?.kind).toBe('structure')
      expect(error?.message).toMatch(
        new RegExp(`^The name 'x{100}…' is longer than ${MAX_NAME_LENGTH} characters; no name of the API is\\. Line 1, position \\d+\\.$`),
      )
    }
  })

  it('counts lines and positions without copying the text before the fault', () => {
    expect(positionAt('ab\ncd\r\nef', 0)).toEqual({ line: 1, column: 1 })
    expect(positionAt('ab\ncd\r\nef', 4)).toEqual({ line: 2, column: 2 })
    expect(positionAt('ab\ncd\r\nef', 8)).toEqual({ line: 3, column: 2 })
  })
})

describe('findSyntaxError against fast-xml-parser', () => {
  it('finds a fault in every damaged document fast-xml-parser refuses, so its validator is only ever a second opinion (property, 6,000 cases)', () => {
    const random = createPrng(20261206)
    const bases = loadExamples()
      .filter((entry) => entry.format === 'xml')
      .map((entry) => readFixture(`examples/${entry.file}`))
    const alphabet = ['<', '>', '/', '&', ';', '"', "'", '=', ' ', '\n', ':', '!', '?', '#', 'x', 'A', '0', ']', '-', 'é', '&amp;', '</', '/>', '<!--', '-->']
    let refusedByBoth = 0
    let stricter = 0
    for (let i = 0; i < 6000; i++) {
      let text = random.pick(bases)
      for (let n = 1 + random.int(3); n > 0; n--) {
        const at = random.int(text.length + 1)
        text = random.chance(0.5) ? text.slice(0, at) + random.pick(alphabet) + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + random.int(8))
      }
      if (/<!DOCTYPE/i.test(text)) continue
      const ours = findSyntaxError(text)
      const theirs = XMLValidator.validate(text, { allowBooleanAttributes: false })
      if (theirs !== true) {
        expect(ours, `fast-xml-parser refuses ${JSON.stringify(text)}: ${theirs.err.msg}`).toBeDefined()
        refusedByBoth++
      } else if (ours) stricter++
    }
    // Both kinds must really occur for the property to mean anything; "stricter" is XML 1.0 that fast-xml-parser lets
    // through (a double hyphen in a comment, an undefined entity, which the decoder refused later anyway).
    expect(refusedByBoth).toBeGreaterThan(1000)
    expect(stricter).toBeGreaterThan(0)
  })
})

describe('findSyntaxError: elements no payload can be', () => {
  it('refuses an element carrying more than MAX_ATTRIBUTES attributes as input, not syntax, before any parser reads it', () => {
    const attributes = (count: number) => Array.from({ length: count }, (_, i) => ` a${i}="1"`).join('')
    expect(findSyntaxError(`<a${attributes(MAX_ATTRIBUTES)}/>`)).toBeUndefined()
    expect(findSyntaxError(`<a>\n<ActivityRecord${attributes(400_000)}/></a>`)).toEqual({
      kind: 'structure',
      message: `The element 'ActivityRecord' carries more than ${MAX_ATTRIBUTES} attributes; no element of the API carries more than a few. Line 2, position 1.`,
      line: 2,
      column: 1,
    })
  })
})
