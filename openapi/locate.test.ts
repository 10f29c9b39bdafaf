import { describe, expect, it } from 'vitest'
import { locateJsonPointer, locateXmlPath, locateXmlPaths } from './locate.ts'

const xml = [
  '\uFEFF<?xml version="1.0"?>\r',
  '<ActivityRecordList xmlns="urn:x">\r',
  '  <ActivityRecord><Who>a</Who></ActivityRecord>\r',
  '  <ActivityRecord>\r',
  '    <!-- the second -->\r',
  '    <DetailList><Detail/><Detail><Before>1</Before></Detail></DetailList>\r',
  '  </ActivityRecord>\r',
  '</ActivityRecordList>',
].join('\n')

describe('locateXmlPath: an XML path to the start tag it names', () => {
  it.each([
    ['/ActivityRecordList', { line: 2, column: 1 }],
    ['/', { line: 2, column: 1 }],
    ['/ActivityRecordList/ActivityRecord[1]/Who', { line: 3, column: 19 }],
    ['/ActivityRecordList/ActivityRecord[2]', { line: 4, column: 3 }],
    ['/ActivityRecordList/ActivityRecord[2]/DetailList/Detail[2]/Before', { line: 6, column: 34 }],
    // What is not there is placed at what holds it.
    ['/ActivityRecordList/ActivityRecord[2]/Who', { line: 4, column: 3 }],
    ['/ActivityRecordList/ActivityRecord[2]/DetailList/Detail[1]/PropertyName', { line: 6, column: 17 }],
    ['/ActivityRecordList/ActivityRecord[3]/Who', { line: 2, column: 1 }],
    ['/ActivityRecordList/ActivityRecord[1]/aaaaaaaaaa…', { line: 3, column: 3 }],
  ])('%s', (path, position) => {
    expect(locateXmlPath(xml, path)).toEqual(position)
  })

  it('reads prefixed names by their local name, and gives nothing for another root', () => {
    expect(locateXmlPath('<p:A xmlns:p="urn:x">\n<p:B/></p:A>', '/A/B')).toEqual({ line: 2, column: 1 })
    expect(locateXmlPath('<A/>', '/B/C')).toBeUndefined()
  })
})

describe('locateJsonPointer: a JSON pointer to the start of the value it names', () => {
  const json = '\uFEFF[\n  {"Who": "a", "a/b~c": {"x": [1, {"y": "}"}]}},\n  {"When": "2017"}\n]'
  it.each([
    ['', { line: 1, column: 1 }],
    ['/0', { line: 2, column: 3 }],
    ['/0/Who', { line: 2, column: 11 }],
    ['/0/a~1b~0c/x/1/y', { line: 2, column: 41 }],
    ['/1/When', { line: 3, column: 12 }],
    // What is not there is placed at what holds it.
    ['/1/Who', { line: 3, column: 3 }],
    ['/2/Who', { line: 1, column: 1 }],
  ])('%j', (pointer, position) => {
    expect(locateJsonPointer(json, pointer)).toEqual(position)
  })
})

describe('locateXmlPaths: many paths in one walk', () => {
  it('places each as locateXmlPath does alone', () => {
    const paths = ['/ActivityRecordList/ActivityRecord[2]/DetailList/Detail[2]/Before', '/', '/ActivityRecordList/ActivityRecord[1]/Who', '/Other']
    expect(locateXmlPaths(xml, paths)).toEqual(paths.map((path) => locateXmlPath(xml, path)))
    expect(locateXmlPaths(xml, [])).toEqual([])
  })
})
