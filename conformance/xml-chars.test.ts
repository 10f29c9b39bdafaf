import { describe, expect, it } from 'vitest'
import { isXmlChar } from '../openapi/xml-tree.ts'
import { describeCharacter, forbiddenXmlCharacters } from './xml-chars.ts'

describe('isXmlChar', () => {
  it("follows XML 1.0's Char production at every edge", () => {
    const allowed = [0x9, 0xa, 0xd, 0x20, 0xd7ff, 0xe000, 0xfffd, 0x10000, 0x10ffff]
    const forbidden = [0x0, 0x1, 0x8, 0xb, 0xc, 0xe, 0x1f, 0xd800, 0xdfff, 0xfffe, 0xffff, 0x110000]
    expect(allowed.filter((codePoint) => !isXmlChar(codePoint))).toEqual([])
    expect(forbidden.filter((codePoint) => isXmlChar(codePoint))).toEqual([])
  })
})

describe('forbiddenXmlCharacters', () => {
  it('finds raw characters and lone surrogates, but not a surrogate pair or tab, line feed and carriage return', () => {
    const text = `<What>a\u0001b\t\n\r\uD83D\uDE00\uFFFE\uD800x</What>`
    expect(forbiddenXmlCharacters(text).map(describeCharacter)).toEqual(['U+0001 raw at 7', 'U+FFFE raw at 14', 'U+D800 raw at 15'])
  })

  it('finds character references to forbidden characters, decimal and hexadecimal, and ignores allowed ones', () => {
    const text = '<a>&#1;&#x1F;&#xfffe;&#9;&#x20;&#x1F600;&amp;</a>'
    expect(forbiddenXmlCharacters(text).map(describeCharacter)).toEqual([
      'U+0001 as a character reference at 3',
      'U+001F as a character reference at 7',
      'U+FFFE as a character reference at 13',
    ])
  })

  it('finds nothing in a clean page', () => {
    expect(forbiddenXmlCharacters('<?xml version="1.0"?><ActivityRecordList>&lt;O&apos;Hara &amp; Sons&gt;</ActivityRecordList>')).toEqual([])
  })
})
