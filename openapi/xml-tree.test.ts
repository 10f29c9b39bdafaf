import { describe, expect, it } from 'vitest'
import { createPrng } from './prng.ts'
import { decodeEntities, hasNotXmlChar, isXmlChar, NOT_XML_CHAR, normalizeLineEnds, XmlDecodeFailure, xmlSafeText } from './xml-tree.ts'

/** Texts on both sides of XML 1.0's Char production (section 2.2), surrogates paired and not. */
const samples: Record<string, string> = {
  plain: 'ENTERPRISE\\Anna.Smith',
  'tab, line feed, carriage return': 'a\tb\nc\rd',
  'a control character': 'a\u0001b',
  'NUL at the end': 'ab\u0000',
  'U+FFFE': 'a\uFFFEb',
  'U+FFFF': '\uFFFF',
  'U+FFFD (allowed)': '\uFFFD',
  'a paired surrogate (an emoji)': 'file 📁 here',
  'a high surrogate alone': 'a\uD83Db',
  'a high surrogate at the end': 'ab\uD83D',
  'a low surrogate alone': 'a\uDCC1b',
  'a low surrogate first': '\uDCC1ab',
  'two high surrogates, then a low one': '\uD83D\uD83D\uDCC1',
  'non-ASCII letters': 'Größe Ü ñ',
}

describe('characters XML 1.0 does not allow (D25): the quick test and the replacement', () => {
  it.each(Object.entries(samples))('agrees with NOT_XML_CHAR on %s', (_name, text) => {
    expect(hasNotXmlChar(text)).toBe(NOT_XML_CHAR.test(text))
  })

  it('finds what it must: each forbidden sample is caught, each allowed one passes', () => {
    const caught = Object.entries(samples)
      .filter(([, text]) => hasNotXmlChar(text))
      .map(([name]) => name)
    expect(caught).toEqual([
      'a control character',
      'NUL at the end',
      'U+FFFE',
      'U+FFFF',
      'a high surrogate alone',
      'a high surrogate at the end',
      'a low surrogate alone',
      'a low surrogate first',
      'two high surrogates, then a low one',
    ])
  })

  it('xmlSafeText replaces each forbidden character with U+FFFD and keeps paired surrogates', () => {
    expect(xmlSafeText('a\u0001b\uD83D\uD83D\uDCC1c\uFFFE')).toBe('a\uFFFDb\uFFFD\uD83D\uDCC1c\uFFFD')
    const plain = samples.plain as string
    expect(xmlSafeText(plain)).toBe(plain)
  })
})

describe('normalizeLineEnds', () => {
  it('reads CR LF and a lone CR as LF, as XML 1.0 section 2.11 does, and leaves every other code unit as it is', () => {
    expect(normalizeLineEnds('a\r\nb\rc\n\r\r\nd')).toBe('a\nb\nc\n\n\nd')
    expect(normalizeLineEnds('x\ud800\r\ny\udc00')).toBe('x\ud800\ny\udc00')
    expect(normalizeLineEnds('no breaks')).toBe('no breaks')
  })

  it('agrees with a regular expression on a text longer than one call takes', () => {
    const text = Array.from({ length: 30_000 }, (_, i) => `${String.fromCharCode(0x61 + (i % 26))}${['\r', '\r\n', '\n', 'é'][i % 4]}`).join('')
    expect(normalizeLineEnds(text)).toBe(text.replace(/\r\n?/g, '\n'))
  })
})

describe('decodeEntities', () => {
  /** The regular-expression reading it replaced, kept as the oracle. */
  function byPattern(raw: string): string {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' }
    return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);|&/g, (_match, body: string | undefined) => {
      if (body === undefined) throw new Error('bare')
      if (body.startsWith('#')) {
        const code = body[1] === 'x' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10)
        if (!Number.isFinite(code) || !isXmlChar(code)) throw new Error('char')
        return String.fromCodePoint(code)
      }
      const value = named[body]
      if (value === undefined) throw new Error('entity')
      return value
    })
  }
  const outcome = (decode: (raw: string) => string, raw: string) => {
    try {
      return decode(raw)
    } catch (error) {
      return error instanceof XmlDecodeFailure
        ? error.detail.message.startsWith('an ')
          ? 'bare'
          : error.detail.message.startsWith('reference')
            ? 'entity'
            : 'char'
        : (error as Error).message
    }
  }

  it('agrees with the regular expression it replaced on generated texts of references (property, 20,000 cases)', () => {
    const random = createPrng(20261206)
    const pieces = ['&', '#', 'x', 'X', ';', 'amp', 'lt', 'nbsp', 'A1', '0', '65', '1F600', 'D800', 'FFFE', '110000', '99999999999', 'é', ' ', 'a']
    for (let i = 0; i < 20_000; i++) {
      let raw = ''
      for (let n = random.int(8); n >= 0; n--) raw += random.pick(pieces)
      expect(outcome(decodeEntities, raw), raw).toBe(outcome(byPattern, raw))
    }
  })

  it('decodes ten million references of a 50 MB text in one pass', () => {
    expect(decodeEntities('&amp;'.repeat(10_000_000))).toBe('&'.repeat(10_000_000))
  })
})
