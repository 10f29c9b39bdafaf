import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../openapi/payload.ts'
import { judgeBody, type ValidationOptions } from './validate-result.ts'

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'
const options: ValidationOptions = { maxBody: 52_428_800 }
let codec: PayloadCodec
beforeAll(async () => {
  codec = createPayloadCodec(await loadContract())
})

const input = (name: string, text: string) => {
  const bytes = Buffer.from(text)
  return { name, bytes, size: bytes.length }
}
const record = (overrides: Record<string, unknown> = {}) => ({
  Who: 'a',
  Action: 'Added',
  What: 'w',
  When: '2017-02-19T03:43:49Z',
  Where: 'h',
  ObjectType: 't',
  ...overrides,
})

describe('judgeBody: what it is', () => {
  it('takes the format from --format, else the file extension, else the first character', () => {
    const json = JSON.stringify([record()])
    expect(judgeBody(codec, input('body.json', json), options)).toMatchObject({ format: 'json', formatFrom: 'extension', valid: true })
    expect(judgeBody(codec, input('-', json), options)).toMatchObject({ format: 'json', formatFrom: 'content', valid: true })
    expect(judgeBody(codec, input('body.txt', `<ContinuationMark xmlns="${ns}">m</ContinuationMark>`), options)).toMatchObject({
      format: 'xml',
      formatFrom: 'content',
      kind: 'mark',
    })
    // A JSON body named .xml is read as XML, as the mock reads it without ?format=json: not well-formed.
    expect(judgeBody(codec, input('body.xml', json), options)).toMatchObject({ format: 'xml', valid: false, problems: [{ category: 'XMLError' }] })
    expect(judgeBody(codec, input('body.xml', json), { ...options, format: 'json' })).toMatchObject({ format: 'json', formatFrom: 'option', valid: true })
  })

  it('takes the kind from --kind, else the body, else judges it as a write body and says so', () => {
    expect(judgeBody(codec, input('-', '{"FilterList": {"Who": "a"}}'), options)).toMatchObject({ kind: 'search', kindFrom: 'content', valid: true })
    expect(judgeBody(codec, input('-', JSON.stringify(record())), options)).toMatchObject({
      kind: 'write',
      kindFrom: 'default',
      valid: false,
      problems: [{ category: 'InputError', description: 'the document must be an array', location: '/ActivityRecordList', pointer: '', line: 1, column: 1 }],
    })
    expect(judgeBody(codec, input('-', '"m"'), { ...options, kind: 'search' })).toMatchObject({
      kind: 'search',
      kindFrom: 'option',
      problems: [{ description: 'the document must be an object' }],
    })
  })
})

describe('judgeBody: what the mock answers, and where each problem is', () => {
  it('places every schema problem of an XML body at its line and column, and says the mock answers 400', () => {
    const xml = `<ActivityRecordList xmlns="${ns}">\n  <ActivityRecord>\n    <Who>a</Who>\n  </ActivityRecord>\n</ActivityRecordList>`
    const result = judgeBody(codec, input('w.xml', xml), options)
    expect(result).toMatchObject({ kind: 'write', valid: false, answer: { status: 400, body: 'ErrorList' }, notListed: 0 })
    expect(result.problems[0]).toEqual({
      category: 'InputError',
      description: 'Action is mandatory but missing',
      location: '/ActivityRecordList/ActivityRecord[1]/Action',
      pointer: '/0/Action',
      line: 2,
      column: 3,
    })
  })

  it('lists ten problems as the mock does, counts the rest, and places each', () => {
    const records = Array.from({ length: 25 }, (_, index) => record({ When: `not a date ${index}` }))
    const text = `[\n${records.map((entry) => JSON.stringify(entry)).join(',\n')}\n]`
    const result = judgeBody(codec, input('many.json', text), options)
    expect(result.problems).toHaveLength(10)
    expect(result.notListed).toBeGreaterThan(0)
    expect(result.problems.map((problem) => problem.line)).toEqual(result.problems.map((problem) => Number(/\/(\d+)\//.exec(problem.pointer ?? '')?.[1]) + 2))
  })

  it('bounds every quoted name as the mock does', () => {
    const result = judgeBody(codec, input('-', JSON.stringify([record({ [`F${'o'.repeat(5000)}`]: 1 })])), options)
    expect(result.problems[0]?.description).toBe(`unknown field 'F${'o'.repeat(99)}…'`)
    expect((result.problems[0]?.location ?? '').length).toBeLessThanOrEqual(300)
  })

  it('says the mock answers corrupt JSON with an empty 500, and still what and where', () => {
    const result = judgeBody(codec, input('c.json', '[\n  {"Who": "a",}\n]'), options)
    expect(result).toMatchObject({
      valid: false,
      answer: { status: 500, body: 'empty' },
      problems: [{ category: 'corrupted JSON', line: 2, column: 15 }],
    })
  })

  it('places a well-formed XML document that is not this one at the element it names, or at its root', () => {
    const attribute = judgeBody(codec, input('a.xml', `<ActivityRecordList xmlns="${ns}">\n<ActivityRecord x="1"/></ActivityRecordList>`), options)
    expect(attribute.problems).toEqual([
      { category: 'InputError', description: "/ActivityRecordList/ActivityRecord[1] has an unknown attribute 'x'", line: 2, column: 1 },
    ])
    const namespace = judgeBody(codec, input('n.xml', '<?xml version="1.0"?>\n<ActivityRecordSearch/>'), options)
    expect(namespace.problems).toMatchObject([{ category: 'InputError', line: 2, column: 1 }])
  })

  it('judges by size alone a body larger than the mock takes: 413, and none of it read', () => {
    const result = judgeBody(codec, { name: 'big.json', bytes: Buffer.from('[{'), size: 60_000_000 }, options)
    expect(result).toMatchObject({
      valid: false,
      answer: { status: 413, body: 'empty' },
      problems: [{ category: 'too large', description: 'The body is 60000000 bytes; the mock accepts at most 52428800 (--max-body).' }],
    })
  })

  it('says nothing of an answer for what a server sends: a page, an error list, records', () => {
    const page = judgeBody(codec, input('p.json', '{"ActivityRecordList": [{"Who": 1}]}'), options)
    expect(page).toMatchObject({ kind: 'page', valid: false })
    expect(page.answer).toBeUndefined()
    expect(judgeBody(codec, input('e.json', '{"ErrorList": [{"Category": "InputError", "Description": "x"}]}'), options)).toMatchObject({
      kind: 'errors',
      valid: true,
    })
  })
})
