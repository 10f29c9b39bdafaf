import { describe, expect, it } from 'vitest'
import type { FileResult } from './validate-result.ts'
import { printable, renderJson, renderText } from './validate-report.ts'

const valid: FileResult = {
  file: 'ok.json',
  kind: 'write',
  kindFrom: 'content',
  format: 'json',
  formatFrom: 'extension',
  valid: true,
  problems: [],
  notListed: 0,
}
const invalid: FileResult = {
  file: 'bad.xml',
  kind: 'search',
  kindFrom: 'content',
  format: 'xml',
  formatFrom: 'extension',
  valid: false,
  answer: { status: 400, body: 'ErrorList' },
  problems: [
    {
      category: 'InputError',
      description: "unknown filter 'Foo'",
      location: '/ActivityRecordSearch/FilterList/Foo',
      pointer: '/FilterList/Foo',
      line: 7,
      column: 9,
    },
    {
      category: 'InputError',
      description: 'Who must not be empty',
      location: '/ActivityRecordSearch/FilterList/Who[1]',
      pointer: '/FilterList/Who/0',
      line: 4,
      column: 9,
    },
  ],
  notListed: 3,
}
const corrupt: FileResult = {
  file: '-',
  kind: 'write',
  kindFrom: 'default',
  format: 'json',
  formatFrom: 'content',
  valid: false,
  answer: { status: 500, body: 'empty' },
  problems: [{ category: 'corrupted JSON', description: 'Unexpected token \']\', ..." ]\n]" is not valid JSON\u001b[2J', line: 3, column: 1 }],
  notListed: 0,
}

describe('the text report', () => {
  it('gives a line per file, a FILE:LINE:COLUMN line per problem, the rest counted, and a summary', () => {
    expect(renderText([valid, invalid, corrupt])).toBe(
      [
        'ok.json: valid write body (JSON)',
        'bad.xml: invalid search parameters (XML); the mock answers 400 InputError',
        "bad.xml:7:9: unknown filter 'Foo' (/ActivityRecordSearch/FilterList/Foo)",
        'bad.xml:4:9: Who must not be empty (/ActivityRecordSearch/FilterList/Who[1])',
        'bad.xml: and 3 more errors were found and not listed',
        '-: invalid write body (JSON; its kind is not clear from it: judged as a write body, --kind chooses another); the mock answers 500 with an empty body (corrupted JSON, api/errordetails.md)',
        '-:3:1: Unexpected token \']\', ..." ]\\n]" is not valid JSON\\u001b[2J',
        '3 files: 1 valid, 2 invalid',
        '',
      ].join('\n'),
    )
  })

  it('prints no summary for one file', () => {
    expect(renderText([valid])).toBe('ok.json: valid write body (JSON)\n')
  })

  it('shows control characters of client text as escapes, so a body cannot split a line or drive the terminal', () => {
    expect(printable('a\nb\r\t\u0000\u001b[31m\u009bc')).toBe('a\\nb\\r\\t\\u0000\\u001b[31m\\u009bc')
  })
})

describe('the JSON report', () => {
  it('is one document: a version, every file as judged, and the summary', () => {
    const report = JSON.parse(renderJson([valid, invalid]))
    expect(report).toEqual({ version: 1, files: [valid, invalid], summary: { files: 2, valid: 1, invalid: 1 } })
  })
})
