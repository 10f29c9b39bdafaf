import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonSyntaxErrorOffset } from './json-syntax.ts'

const accepts = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

describe('jsonSyntaxErrorOffset: where a text stops being JSON', () => {
  it.each([
    ['a trailing comma in an array (the documented refusal)', '[1,\n2,\n]', 7],
    ['a trailing comma in an object', '{"a": 1,}', 8],
    ['a missing colon', '{"a" 1}', 5],
    ['a single-quoted string', "{'a': 1}", 1],
    ['a bare word', '[yes]', 1],
    ['a misspelt literal', '[tru]', 4],
    ['a number with a leading zero', '[01]', 2],
    ['a number ending in a point', '[1.]', 3],
    ['an exponent without digits', '[1e+]', 4],
    ['a raw line feed in a string', '["a\nb"]', 3],
    ['an unknown escape', '["a\\x"]', 4],
    ['a short unicode escape', '["\\u12"]', 3],
    ['two values', '{} {}', 3],
    ['a closing bracket of the other kind', '[1}', 2],
    ['a text that ends too soon', '[{"a": [1, 2', 12],
    ['nothing at all', '   ', 3],
  ])('%s', (_name, text, offset) => {
    expect(accepts(text)).toBe(false)
    expect(jsonSyntaxErrorOffset(text)).toBe(offset)
  })

  it('agrees with JSON.parse on which texts are JSON, for JSON and for JSON with a character changed, cut or added', () => {
    const edited = fc
      .tuple(
        fc.json(),
        fc.nat(),
        fc.constantFrom('cut', 'insert', 'replace'),
        fc.constantFrom(',', ']', '}', '"', ':', '1', '.', 'e', '-', ' ', 'x', '\n', '\\'),
      )
      .map(([text, at, how, character]) => {
        const index = at % (text.length + 1)
        if (how === 'cut') return text.slice(0, index)
        if (how === 'insert') return text.slice(0, index) + character + text.slice(index)
        return text.slice(0, index) + character + text.slice(index + 1)
      })
    fc.assert(
      fc.property(fc.oneof(fc.json(), edited), (text) => {
        expect(jsonSyntaxErrorOffset(text) === undefined).toBe(accepts(text))
      }),
      { numRuns: 3000, seed: 20 },
    )
  })
})
