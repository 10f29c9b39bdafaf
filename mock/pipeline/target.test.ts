import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readTarget } from './target.ts'

// Parameters compared as a set: an object lists integer-like names first, whatever their order in the target.
const byName = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

/** What the WHATWG URL parser makes of a target: the reading the hand-split path must never differ from. */
function byUrl(target: string) {
  let url: URL
  try {
    url = new URL(target, 'http://mock.invalid')
  } catch {
    return undefined
  }
  const query = new Map<string, string>()
  for (const [key, value] of url.searchParams) if (!query.has(key)) query.set(key, value)
  return { path: url.pathname, query: [...query].sort(byName), href: url.href }
}

function read(target: string) {
  const read = readTarget(target)
  return read && { path: read.path, query: Object.entries(read.query).sort(byName), href: read.url.href }
}

describe('readTarget', () => {
  it.each([
    '/netwrix/api/v1/activity_records/enum?format=json&count=10',
    '/netwrix/api/v1/activity_records/',
    '/netwrix/api/v1/activity_records',
    '/',
    '/netwrix/api/v1/activity_records/enum?count=10&count=20',
    '/netwrix/api/v1/activity_records/enum?format=json&unknown',
    '/netwrix/api/v1/activity_records/enum?format=%6Ason',
    '/netwrix/api/v1/activity_records/enum?a+b=c+d',
    '/netwrix/api/v1/activity_records/enum?',
    '/netwrix/api/v1/./activity_records/../activity_records/enum',
    '/netwrix/api/v1/%61ctivity_records/enum',
    '//evil.example/netwrix/api/v1/activity_records/enum',
    'http://host:9699/netwrix/api/v1/activity_records/enum?format=json',
    '/netwrix/api/v1/activity_records/enum?format="json"',
    '/netwrix/api/v1/activity_records/enum?q=a b',
    '/netwrix/api/v1/activity_records/enum#fragment',
    '/netwrix\\api\\v1',
    '/netwrix/api/v1/activity_records/enum?constructor=1&__proto__=2&toString=3',
  ])('reads %s as the URL parser does', (target) => {
    expect(read(target)).toEqual(byUrl(target))
  })

  it('reads a parameter named like an Object property as any other', () => {
    const query = readTarget('/x?constructor=a&__proto__=b')?.query
    expect(Object.entries(query ?? {})).toEqual([
      ['constructor', 'a'],
      ['__proto__', 'b'],
    ])
  })

  it('agrees with the URL parser on any target made of the characters clients send', () => {
    const char = fc.constantFrom(...'abz09AZ_-./~?=&%+#:@ "\\'.split(''), '%41', '%zz', '..', '//', '?format=json', '&count=1')
    fc.assert(
      fc.property(fc.array(char, { maxLength: 24 }), (parts) => {
        const target = `/${parts.join('')}`
        expect(read(target)).toEqual(byUrl(target))
      }),
      { numRuns: 2000, seed: 7 },
    )
  })

  it('refuses what cannot be read as a URL', () => {
    expect(readTarget('http://[::1')).toBeUndefined()
  })
})
