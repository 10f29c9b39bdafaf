import { describe, expect, it } from 'vitest'
import { createPrng, type Prng } from './prng.ts'
import { findDuplicateName, parseJson } from './json.ts'

describe('parseJson', () => {
  it('[JSON-TRAILING-COMMA] refuses a trailing comma', () => {
    const result = parseJson('[{"Who":"a",}]')
    expect(result.ok).toBe(false)
    expect(parseJson('[{"Who":"a"}]').ok).toBe(true)
  })

  it('reads a body that starts with a byte order mark', () => {
    expect(parseJson('\ufeff{"a":1}')).toEqual({ ok: true, value: { a: 1 } })
  })

  it('refuses a name repeated in one object, naming it and where it stands', () => {
    const text = '[{"Who":"a","MonitoringPlan":"x","MonitoringPlan":{"Name":"y"}}]'
    expect(parseJson(text)).toEqual({
      ok: false,
      message: `duplicate name "MonitoringPlan" in one object at position ${text.lastIndexOf('"MonitoringPlan"')}`,
      position: text.lastIndexOf('"MonitoringPlan"'),
    })
  })
})

describe('findDuplicateName', () => {
  const cases: [string, string, string | undefined][] = [
    ['the same name in sibling objects', '[{"a":1,"b":2},{"a":1,"b":2}]', undefined],
    ['the same name at different depths', '{"a":{"a":{"a":1}}}', undefined],
    ['a repeat deep inside', '{"x":[1,{"y":{"z":1,"z":2}}]}', 'z'],
    ['a repeat after a nested object closes', '{"a":{"b":1},"c":[{"a":2}],"a":3}', 'a'],
    ['names inside string values', '{"a":"\\"a\\":1","b":"{\\"b\\":2}"}', undefined],
    ['a value ending in an escaped backslash', '{"a":"x\\\\","a":1}', 'a'],
    ['an escaped spelling of the same name', '{"A":1,"\\u0041":2}', 'A'],
    ['names that differ only in case', '{"Who":1,"who":2}', undefined],
    ['an empty name twice', '{"":1,"":2}', ''],
    ['a value that looks like a name', '{"a":"b","b":"a"}', undefined],
  ]
  it.each(cases)('%s', (_title, text, duplicate) => {
    JSON.parse(text)
    expect(findDuplicateName(text)?.name).toBe(duplicate)
  })

  it('finds a repeat among thousands of names, without quadratic time, and none when all differ', () => {
    const names = Array.from({ length: 50_000 }, (_, i) => `"n${i}":${i}`)
    expect(findDuplicateName(`{${names.join(',')}}`)).toBeUndefined()
    expect(findDuplicateName(`{${names.join(',')},"n49999":0}`)?.name).toBe('n49999')
  })

  it('agrees with the truth on random documents, with and without a planted repeat (property, 500 cases)', () => {
    const random = createPrng(1121)
    for (let i = 0; i < 500; i++) {
      const plant = random.chance(0.5)
      const { text, planted } = randomDocument(random, 0, plant)
      expect(() => JSON.parse(text), text).not.toThrow()
      expect(findDuplicateName(text)?.name, text).toBe(planted)
    }
  })
})

const nameAlphabet = ['a', 'b', 'Who', 'x"y', 'back\\slash', 'é', '{', '[', ',', ':']

/** A JSON text whose objects have distinct names, except one repeat when asked (reported as the name planted). */
function randomDocument(random: Prng, depth: number, plant: boolean): { text: string; planted: string | undefined } {
  if (depth > 3 || random.chance(0.3)) {
    return { text: JSON.stringify(random.chance(0.5) ? random.pick(nameAlphabet) : random.int(100)), planted: undefined }
  }
  if (random.chance(0.3)) {
    const items = Array.from({ length: random.int(4) }, () => randomDocument(random, depth + 1, false).text)
    return { text: `[${items.join(',')}]`, planted: undefined }
  }
  const names = [...new Set(Array.from({ length: 1 + random.int(5) }, () => random.pick(nameAlphabet)))]
  const members = names.map((name) => `${JSON.stringify(name)}:${randomDocument(random, depth + 1, false).text}`)
  if (!plant) return { text: `{${members.join(',')}}`, planted: undefined }
  const repeated = random.pick(names)
  members.push(`${JSON.stringify(repeated)}:0`)
  return { text: `{${members.join(',')}}`, planted: repeated }
}
