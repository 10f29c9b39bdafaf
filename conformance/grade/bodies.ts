/**
 * What a connector's body says, read without a schema: JSON as parsed, XML as its element tree turned into the same
 * plain shape, and the records of a write. Pure; a body the recording kept only as an excerpt is `partial`, and the
 * judgments then rest on the server's answer instead.
 */
import type { RecordedBody } from '../../openapi/grade-session.ts'
import { parseJson } from '../../openapi/json.ts'
import { readXmlDocument, type XmlElement } from '../../openapi/xml.ts'

export type BodySyntax = 'json' | 'xml' | 'other'

export type ReadBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'xml'; root: XmlElement; value: unknown }
  | { kind: 'malformed'; syntax: BodySyntax; message: string }
  | { kind: 'partial'; syntax: BodySyntax }

/** The namespace every document a client posts is in (api/postdata/*.md). */
export const recordsNamespace = 'http://schemas.netwrix.com/api/v1/activity_records/'

/** What a body looks like from its first character: `[`, `{` or `"` JSON, `<` XML. */
export function syntaxOf(text: string): BodySyntax {
  const first = /\S/.exec(text)?.[0]
  if (first === '<') return 'xml'
  if (first === '[' || first === '{' || first === '"') return 'json'
  return 'other'
}

/** An element as plain data: its text when it has no children, else its children by local name (an array when repeated). */
export function plainOf(element: XmlElement): unknown {
  if (element.children.length === 0) return element.text
  const value: Record<string, unknown> = {}
  for (const child of element.children) {
    const item = plainOf(child)
    const existing = value[child.localName]
    if (existing === undefined) value[child.localName] = item
    else value[child.localName] = Array.isArray(existing) ? [...existing, item] : [existing, item]
  }
  return value
}

export function readBodyText(body: RecordedBody): ReadBody {
  const syntax = syntaxOf(body.text)
  if (body.kept === 'excerpt') return { kind: 'partial', syntax }
  if (syntax === 'xml') {
    const read = readXmlDocument(body.text)
    return read.ok ? { kind: 'xml', root: read.root, value: plainOf(read.root) } : { kind: 'malformed', syntax, message: read.error.message }
  }
  const parsed = parseJson(body.text)
  return parsed.ok ? { kind: 'json', value: parsed.value } : { kind: 'malformed', syntax, message: parsed.message }
}

/**
 * Where a JSON text has a comma right before a closing bracket or brace, outside strings; undefined when none.
 * api/postdata/overview.md: "Trailing comma is not supported."
 */
export function trailingCommaAt(text: string): number | undefined {
  let inString = false
  let lastComma: number | undefined
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (inString) {
      if (char === '\\') index += 1
      else if (char === '"') inString = false
      continue
    }
    if (char === '"') {
      inString = true
      lastComma = undefined
    } else if (char === ',') lastComma = index
    else if ((char === ']' || char === '}') && lastComma !== undefined) return lastComma
    else if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') lastComma = undefined
  }
  return undefined
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value])

/** The objects of a list, anything else left out. */
const objectsOf = (items: unknown[]): Record<string, unknown>[] =>
  items.flatMap((item) => {
    const record = asRecord(item)
    return record === undefined ? [] : [record]
  })

/** The records of a write body, as plain objects: a JSON array, or the ActivityRecord elements of an XML list. */
export function writeRecords(read: ReadBody): Record<string, unknown>[] {
  if (read.kind === 'json') return objectsOf(asList(read.value))
  if (read.kind === 'xml') return objectsOf(asList(asRecord(read.value)?.['ActivityRecord']))
  return []
}

/** The Detail entries of a record: a JSON DetailList array, or the Detail elements of an XML DetailList. */
export function detailsOf(record: Record<string, unknown>): Record<string, unknown>[] {
  const list = record['DetailList']
  const entries = Array.isArray(list) ? list : asList(asRecord(list)?.['Detail'])
  return objectsOf(entries)
}
