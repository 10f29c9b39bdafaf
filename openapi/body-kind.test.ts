import { describe, expect, it } from 'vitest'
import { detectFormat, detectKind } from './body-kind.ts'

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'

describe('detectFormat', () => {
  it.each([
    ['<ActivityRecordList/>', 'xml'],
    ['\uFEFF\r\n  <?xml version="1.0"?><a/>', 'xml'],
    ['[{"Who": "a"}]', 'json'],
    ['"mark"', 'json'],
    ['', 'json'],
    ['not a body', 'json'],
  ])('%j is %s', (text, format) => {
    expect(detectFormat(text)).toBe(format)
  })
})

describe('detectKind: what a body is, from its root element or its JSON shape', () => {
  it.each([
    [`<ActivityRecordList xmlns="${ns}"/>`, 'write'],
    [`<?xml version="1.0" encoding="utf-8"?>\n<!-- a search -->\n<?pi x?><ActivityRecordSearch xmlns="${ns}"/>`, 'search'],
    [`<nwa:ContinuationMark xmlns:nwa="${ns}">m</nwa:ContinuationMark>`, 'mark'],
    ['<ErrorList xmlns="http://schemas.netwrix.com/api/v1/"/>', 'errors'],
    ['<!DOCTYPE a [<!ENTITY x "y">]><ActivityRecordList/>', 'write'],
    ['<!DOCTYPE ActivityRecordSearch><ActivityRecordSearch/>', 'search'],
    ['<Search/>', undefined],
    ['<!-- never closed', undefined],
    ['no element', undefined],
  ])('XML %j is %s', (text, kind) => {
    expect(detectKind(text, 'xml')).toBe(kind)
  })

  it.each([
    ['[{"Who": "a"}]', 'write'],
    ['  []', 'write'],
    ['"PG5y...PjwvYT48L24+PC9ucj4A"', 'mark'],
    ['{"FilterList": {"Who": "a"}}', 'search'],
    ['{"ContinuationMark": "m", "FilterList": {}}', 'search'],
    ['{"ActivityRecordList": [], "ContinuationMark": "m"}', 'page'],
    ['{"ErrorList": []}', 'errors'],
    ['{"Who": "a", "Action": "Added"}', undefined],
    ['{}', undefined],
    ['{"FilterList": {"Who": "a",}}', 'search'],
    ['42', undefined],
    ['', undefined],
  ])('JSON %j is %s', (text, kind) => {
    expect(detectKind(text, 'json')).toBe(kind)
  })
})
