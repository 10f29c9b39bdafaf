import { describe, expect, it } from 'vitest'
import { hasNotXmlChar, NOT_XML_CHAR, xmlSafeText } from './xml-tree.ts'

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
