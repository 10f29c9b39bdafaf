import { describe, expect, it } from 'vitest'
import { detailsOf, plainOf, readBodyText, syntaxOf, trailingCommaAt, writeRecords } from './bodies.ts'

const whole = (text: string) => ({ text, bytes: Buffer.byteLength(text), kept: 'whole' as const })

describe("reading a connector's bodies without a schema", () => {
  it('tells JSON from XML by the first character', () => {
    expect([syntaxOf(' [1]'), syntaxOf('"mark"'), syntaxOf('\n<a/>'), syntaxOf('mark'), syntaxOf('')]).toEqual(['json', 'json', 'xml', 'other', 'other'])
  })

  it('finds a trailing comma outside strings, escaped quotes included, and nowhere else', () => {
    expect(trailingCommaAt('[1, 2,]')).toBe(5)
    expect(trailingCommaAt('{"a": 1 ,\n }')).toBe(8)
    expect(trailingCommaAt('["a,]", "b\\",]"]')).toBeUndefined()
    expect(trailingCommaAt('[1, 2]')).toBeUndefined()
  })

  it('reads the records of a write in JSON and in XML to the same plain shape, repeated elements as lists', () => {
    const json = readBodyText(whole('[{"What":"a","DetailList":[{"PropertyName":"p","Message":"m"}]}]'))
    const xml = readBodyText(
      whole(
        '<ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/"><ActivityRecord><What>a</What><DetailList><Detail><PropertyName>p</PropertyName><Message>m</Message></Detail></DetailList></ActivityRecord><ActivityRecord><What>b &amp; c</What></ActivityRecord></ActivityRecordList>',
      ),
    )
    expect(writeRecords(json).map((record) => record['What'])).toEqual(['a'])
    expect(writeRecords(xml).map((record) => record['What'])).toEqual(['a', 'b & c'])
    expect(detailsOf(writeRecords(json)[0]!)).toEqual(detailsOf(writeRecords(xml)[0]!))
  })

  it('names what does not parse, and leaves an excerpt unread', () => {
    const broken = readBodyText(whole('<a><b></a>'))
    expect(broken.kind).toBe('malformed')
    expect(readBodyText({ text: '<a>', bytes: 9_000_000, kept: 'excerpt' })).toEqual({ kind: 'partial', syntax: 'xml' })
    const read = readBodyText(whole('<r><x>1</x><x>2</x><y/></r>'))
    expect(read.kind === 'xml' && plainOf(read.root)).toEqual({ x: ['1', '2'], y: '' })
  })
})
