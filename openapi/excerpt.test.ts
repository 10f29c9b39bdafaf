import { describe, expect, it } from 'vitest'
import { EXCERPT_LENGTH, excerpt } from './excerpt.ts'

describe('excerpt', () => {
  it('keeps text up to the excerpt length and cuts longer text with an ellipsis', () => {
    expect(excerpt('a'.repeat(EXCERPT_LENGTH))).toBe('a'.repeat(EXCERPT_LENGTH))
    expect(excerpt('a'.repeat(EXCERPT_LENGTH + 1))).toBe(`${'a'.repeat(EXCERPT_LENGTH)}…`)
    expect(excerpt('abcdef', 3)).toBe('abc…')
  })

  it('never splits a surrogate pair', () => {
    expect(excerpt(`ab${'😀'.repeat(5)}`, 3)).toBe('ab…')
    expect(excerpt(`ab${'😀'.repeat(5)}`, 4)).toBe('ab😀…')
  })
})
