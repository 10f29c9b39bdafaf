import { beforeAll, describe, expect, it } from 'vitest'
import { checkBody, readBody } from './body.ts'
import { loadContract } from './contract.ts'
import { createPayloadCodec, type PayloadCodec } from './payload.ts'

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'
let codec: PayloadCodec
beforeAll(async () => {
  codec = createPayloadCodec(await loadContract())
})

const bytes = (text: string) => Buffer.from(text, 'utf8')
const record = { Who: 'a', Action: 'Added', What: 'w', When: '2017-02-19T03:43:49Z', Where: 'h', ObjectType: 't' }

describe('readBody: the mock decode stage, offline', () => {
  it('reads JSON and XML into the one value', () => {
    expect(readBody(codec, 'ContinuationMark', bytes('"abc"'), 'json')).toEqual({ ok: true, value: 'abc', text: '"abc"' })
    const xml = `<ContinuationMark xmlns="${ns}">abc</ContinuationMark>`
    expect(readBody(codec, 'ContinuationMark', bytes(xml), 'xml')).toEqual({ ok: true, value: 'abc', text: xml })
  })

  it('answers corrupt JSON with 500 and says what and where, though the answer says nothing', () => {
    const read = readBody(codec, 'ActivityRecordInputList', bytes('[\n  {"Who": "a",}\n]'), 'json')
    expect(read).toMatchObject({ ok: false, fault: { status: 500, stage: 'syntax', at: { line: 2, column: 15 } } })
    const duplicate = readBody(codec, 'ActivityRecordSearch', bytes('{"FilterList": {}, "FilterList": {}}'), 'json')
    expect(duplicate).toMatchObject({
      ok: false,
      fault: { status: 500, reason: 'duplicate name "FilterList" in one object at position 19', at: { line: 1, column: 20 } },
    })
  })

  it('refuses JSON nested past 100 levels with 400 InputError, where the 101st opens', () => {
    const read = readBody(codec, 'ActivityRecordInputList', bytes(`${'['.repeat(101)}${']'.repeat(101)}`), 'json')
    expect(read).toEqual({
      ok: false,
      fault: {
        status: 400,
        stage: 'structure',
        error: { Category: 'InputError', Description: 'The document is nested deeper than 100 levels.' },
        at: { line: 1, column: 101 },
      },
    })
  })

  it('words XML faults as the mock does: XMLError for syntax, InputError for a document that is not this one', () => {
    const syntax = readBody(codec, 'ActivityRecordSearch', bytes(`<ActivityRecordSearch xmlns="${ns}">\n<FilterList><Who>x</DataSource>`), 'xml')
    expect(syntax).toEqual({
      ok: false,
      fault: {
        status: 400,
        stage: 'syntax',
        error: { Category: 'XMLError', Description: "0xC00CE56D End tag 'DataSource' does not match the start tag 'Who'. Line 2, position 19." },
        at: { line: 2, column: 19 },
      },
    })
    const root = readBody(codec, 'ActivityRecordSearch', bytes(`<Search xmlns="${ns}"/>`), 'xml')
    expect(root).toMatchObject({ ok: false, fault: { status: 400, stage: 'structure', error: { Category: 'InputError' } } })
    expect(root.ok || 'at' in root.fault).toBe(false)
  })

  it('refuses a body that is not UTF-8 as the mock does, and finds the first byte that is not', () => {
    const latin1 = Buffer.concat([bytes('[{"Who": "Ren'), Buffer.from([0xe9]), bytes('"}]')])
    expect(readBody(codec, 'ActivityRecordInputList', latin1, 'json')).toEqual({
      ok: false,
      fault: { status: 500, stage: 'encoding', reason: 'the body is not UTF-8', at: { line: 1, column: 14 } },
    })
    const xml = Buffer.concat([bytes('<a>\n€ '), Buffer.from([0xed, 0xa0, 0x80]), bytes('</a>')])
    expect(readBody(codec, 'ActivityRecordInputList', xml, 'xml')).toEqual({
      ok: false,
      fault: { status: 400, stage: 'encoding', error: { Category: 'XMLError', Description: 'The body is not valid UTF-8.' }, at: { line: 2, column: 3 } },
    })
    for (const broken of [[0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]]) {
      const read = readBody(codec, 'ContinuationMark', Buffer.concat([bytes('"ab'), Buffer.from(broken)]), 'json')
      expect(read.ok ? undefined : read.fault.at, broken.join()).toEqual({ line: 1, column: 4 })
    }
  })
})

describe('checkBody: read, then the contract', () => {
  it('gives the issues and the ErrorList the mock answers', () => {
    const check = checkBody(codec, 'ActivityRecordInputList', bytes(JSON.stringify([record, { ...record, Who: undefined }, { ...record, Foo: 1 }])), 'json')
    expect(check).toMatchObject({
      ok: false,
      stage: 'schema',
      errors: [
        { Category: 'InputError', Description: 'Who is mandatory but missing', Location: '/ActivityRecordList/ActivityRecord[2]/Who' },
        { Category: 'InputError', Description: "unknown field 'Foo'", Location: '/ActivityRecordList/ActivityRecord[3]/Foo' },
      ],
      omitted: 0,
    })
    expect(check.ok || check.stage !== 'schema' ? [] : check.issues.map((issue) => issue.pointer)).toEqual(['/1/Who', '/2/Foo'])
  })

  it('passes a valid body with its value', () => {
    expect(checkBody(codec, 'ActivityRecordInputList', bytes(JSON.stringify([record])), 'json')).toMatchObject({ ok: true, value: [record] })
  })
})
