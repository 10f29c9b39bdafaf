/**
 * Characters XML 1.0 cannot carry, pure. Its Char production allows tab, line feed, carriage return,
 * U+0020..U+D7FF, U+E000..U+FFFD and U+10000..U+10FFFF; anything else makes a document ill-formed, written
 * raw or as a character reference (&#1;), and XSD-validating and .NET clients refuse the whole page.
 */

import { isXmlChar } from '../openapi/xml-tree.ts'

export interface ForbiddenCharacter {
  /** UTF-16 index in the text. */
  at: number
  codePoint: number
  form: 'raw' | 'reference'
}

const reference = /&#(?:x([0-9A-Fa-f]+)|([0-9]+));/g

export function forbiddenXmlCharacters(text: string): ForbiddenCharacter[] {
  const found: ForbiddenCharacter[] = []
  for (let at = 0; at < text.length; ) {
    // A lone surrogate is read as itself: codePointAt only pairs a high surrogate with a following low one.
    const codePoint = text.codePointAt(at)!
    if (!isXmlChar(codePoint)) found.push({ at, codePoint, form: 'raw' })
    at += codePoint > 0xffff ? 2 : 1
  }
  for (const match of text.matchAll(reference)) {
    const codePoint = match[1] !== undefined ? Number.parseInt(match[1], 16) : Number(match[2])
    if (!isXmlChar(codePoint)) found.push({ at: match.index, codePoint, form: 'reference' })
  }
  return found.sort((a, b) => a.at - b.at)
}

export function describeCharacter(character: ForbiddenCharacter): string {
  const hex = `U+${character.codePoint.toString(16).toUpperCase().padStart(4, '0')}`
  return character.form === 'raw' ? `${hex} raw at ${character.at}` : `${hex} as a character reference at ${character.at}`
}
