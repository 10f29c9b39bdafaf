import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { payloadNames, type Contract, type PayloadName } from './contract.ts'
import type { JsonSchema } from './types.ts'
import { excerpt } from './excerpt.ts'
import { isTimestamp } from './timestamp.ts'
import { hasNotXmlChar, isXmlChar } from './xml-tree.ts'

/** One thing wrong with a payload, in words a client author can act on. */
export interface Issue {
  /** JSON pointer into the decoded value, e.g. /1/Who. */
  pointer: string
  /** The same place as an XML path, e.g. /ActivityRecordList/ActivityRecord[2]/Who (the API reports locations in XML form). */
  location: string
  message: string
}

export type ValidationResult = { ok: true } | { ok: false; issues: Issue[]; omitted: number }

/** What a rejection lists at most; `omitted` counts the issues found beyond them, so a client learns how many there are. */
export const ISSUES_LISTED = 10

/** Issues in the order Ajv found them, at most ISSUES_LISTED, with the count of the others. */
export interface Described {
  issues: Issue[]
  omitted: number
}

export interface Validators {
  /**
   * The one Ajv (JSON Schema 2020-12) instance every payload schema is compiled in. The mock's router hands it to
   * openapi-backend, so the validator that decides a request is the one whose errors are worded here.
   */
  readonly ajv: Ajv2020
  validate(name: PayloadName, value: unknown): ValidationResult
  /** Words Ajv errors raised for `value` against `root`, a payload schema (pointers relative to it). */
  describe(errors: readonly ErrorObject[], root: JsonSchema, value: unknown): Described
}

// ajv-formats is published as CommonJS with a default export that NodeNext sees as the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

// Ajv 8 calls its `unicode` option deprecated yet still honours it, and says so on every instance: a line on stderr
// at each `nwa mock` start that the user can do nothing about. That one notice is dropped; every other goes on.
const UNICODE_DEPRECATION = /^DEPRECATED: option unicode\b/
const ajvLogger = {
  log: (...args: unknown[]) => console.log(...args),
  warn: (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && UNICODE_DEPRECATION.test(args[0]))) console.warn(...args)
  },
  error: (...args: unknown[]) => console.error(...args),
}

/** Compiles one validator per payload schema; the contract is 3.1, so JSON Schema 2020-12. */
export function createValidators(contract: Contract): Validators {
  // unicode: false measures a string's length in UTF-16 code units, as SQL Server's nvarchar(n) does, which is where
  // the contract's limits come from (openapi/DECISIONS.md D38); it also spares a pass over every string.
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true, unicode: false, logger: ajvLogger })
  addFormats(ajv)
  // The contract's one date-time is its Timestamp, and the store's reading of it decides (D40): ajv-formats takes a
  // leap second and offsets that leave years 0001..9999, which no Audit Database row can hold.
  ajv.addFormat('date-time', { type: 'string', validate: isTimestamp })
  // The contract's text format (x-nwa-xml-text, D41): the characters XML 1.0 allows, found by a scan, not a pattern.
  ajv.addFormat(XML_TEXT_FORMAT, { type: 'string', validate: (text: string) => !hasNotXmlChar(text) })
  const compiled = new Map<PayloadName, ValidateFunction>()
  for (const name of payloadNames) compiled.set(name, ajv.compile(contract.schema(name)))
  return {
    ajv,
    validate(name, value) {
      const validateFn = compiled.get(name)
      if (!validateFn) throw new Error(`no validator for ${name}`)
      if (validateFn(value)) return { ok: true }
      const errors = validateFn.errors ?? []
      // Ajv keeps the last errors on the function until its next call; a million of them would outlive the call.
      validateFn.errors = null
      return { ok: false, ...describeErrors(errors, contract.schema(name), { value }) }
    },
    describe: (errors, root, value) => describeErrors(errors, root, { value }),
  }
}

/** The string format of every text a client sends: the characters XML 1.0 allows (the contract's x-nwa-xml-text). */
export const XML_TEXT_FORMAT = 'xml-text'

/** What the wording may consult beyond the errors: the value that failed. */
export interface WordingContext {
  value?: unknown
}

/**
 * Turns Ajv's errors into issues. anyOf branches (a filter value may be a string, an operator object or
 * an array) each report their own failure; the branch that understood the value is the one worth showing.
 * A body of a million bad records raises millions of errors, so every test here is a set lookup (linear in the
 * errors), and only the first `limit` issues are worded; the rest are counted.
 */
export function describeErrors(errors: readonly ErrorObject[], root: JsonSchema, wording: WordingContext = {}, limit: number = ISSUES_LISTED): Described {
  const relevant = errors.filter((error) => !branchKeywords.has(error.keyword))
  // Places at or above some error more specific than a shape error, at or above any error, and holding a `required`.
  const aboveSpecific = new Set<string>()
  const aboveAny = new Set<string>()
  const requiredAt = new Set<string>()
  for (const error of relevant) {
    addWithAncestors(aboveAny, error.instancePath)
    if (!shapeKeywords.has(error.keyword)) addWithAncestors(aboveSpecific, error.instancePath)
    if (error.keyword === 'required') requiredAt.add(error.instancePath)
  }
  const kept = relevant.filter((error) => {
    // A shape error is noise when another branch failed for a more specific reason at or below this place.
    if (shapeKeywords.has(error.keyword)) return !aboveSpecific.has(error.instancePath)
    if (error.keyword === 'additionalProperties') {
      const child = `${error.instancePath}/${escapePointer(String(error.params['additionalProperty']))}`
      // Another branch knew this property (it complained about its value or about a sibling it requires).
      return !aboveAny.has(child) && !requiredAt.has(error.instancePath)
    }
    return true
  })
  const seen = new Set<string>()
  const issues: Issue[] = []
  let omitted = 0
  for (const error of kept.length ? kept : relevant) {
    // Two branches raising one complaint at one place word it the same way: one issue.
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`
    if (seen.has(key)) continue
    seen.add(key)
    if (issues.length < limit) issues.push(describeError(error, root, wording))
    else omitted += 1
  }
  return { issues, omitted }
}

const branchKeywords = new Set(['anyOf', 'oneOf', 'if'])
const shapeKeywords = new Set(['type', 'maxProperties'])

/** Adds a JSON pointer and every pointer above it, the empty one (the document) included. */
function addWithAncestors(set: Set<string>, pointer: string): void {
  let current = pointer
  for (;;) {
    if (set.has(current)) return
    set.add(current)
    if (current === '') return
    current = current.slice(0, current.lastIndexOf('/'))
  }
}

function describeError(error: ErrorObject, root: JsonSchema, wording: WordingContext): Issue {
  const segments = parsePointer(error.instancePath)
  const field = lastField(segments)
  const params = error.params as Record<string, unknown>
  let pointerSegments = segments
  let message: string
  switch (error.keyword) {
    case 'required': {
      const missing = String(params['missingProperty'])
      pointerSegments = [...segments, missing]
      message = `${missing} is mandatory but missing`
      break
    }
    case 'additionalProperties': {
      const name = String(params['additionalProperty'])
      pointerSegments = [...segments, name]
      message = describeUnknown(segments, name)
      break
    }
    case 'maxLength':
      message = `${field ?? 'value'} is longer than ${String(params['limit'])} characters`
      break
    case 'minLength':
      message = `${field ?? 'value'} must not be empty`
      break
    case 'pattern':
      message = describeFormat(segments, field)
      break
    case 'format':
      message = params['format'] === XML_TEXT_FORMAT ? describeForbiddenCharacter(field, valueAt(wording.value, segments)) : describeFormat(segments, field)
      break
    case 'minItems':
      message = `${field ?? 'the list'} must contain at least ${String(params['limit'])} entr${params['limit'] === 1 ? 'y' : 'ies'}`
      break
    case 'minProperties':
      message = `${field ?? 'the element'} must not be empty`
      break
    case 'maxProperties':
      message = `${field ?? 'the element'} takes only one of its choices`
      break
    case 'type':
      message = `${field ?? 'the document'} must be ${article(String(params['type']))}`
      break
    case 'enum':
      message = `${field ?? 'value'} must be one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')}`
      break
    default:
      message = `${field ?? 'value'} ${error.message ?? 'is invalid'}`
  }
  return { pointer: toPointer(pointerSegments), location: toXmlLocation(pointerSegments, root), message }
}

function describeUnknown(parent: readonly string[], name: string): string {
  const renamed: Record<string, string> = {
    AuditedSystem: ' (renamed DataSource in Netwrix Auditor 9.0)',
    ManagedObject: ' (replaced by MonitoringPlan with Name and ID in Netwrix Auditor 9.0)',
  }
  if (parent.length === 1 && parent[0] === 'FilterList') return `unknown filter '${excerpt(name)}'`
  if (parent[0] === 'FilterList' && parent.length >= 2) return `unknown operator '${excerpt(name)}' for filter ${excerpt(parent[1] ?? '')}`
  if (name === 'RID' || name === 'Message') return `${name} is an output-only field and cannot be written`
  return `unknown field '${excerpt(name)}'${renamed[name] ?? ''}`
}

/** The first character XML 1.0 does not allow, as U+XXXX with its position, so a client can find it in its data. */
function describeForbiddenCharacter(field: string | undefined, value: unknown): string {
  const base = `${field ?? 'value'} contains a character XML 1.0 does not allow`
  if (typeof value !== 'string') return base
  let position = 0
  for (const character of value) {
    const code = character.codePointAt(0) as number
    if (!isXmlChar(code)) return `${base} (U+${code.toString(16).toUpperCase().padStart(4, '0')} at character ${position + 1})`
    position += 1
  }
  return base
}

function valueAt(value: unknown, segments: readonly string[]): unknown {
  let current = value
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}

function describeFormat(segments: readonly string[], field: string | undefined): string {
  const inWorkingHours = segments.includes('WorkingHours')
  if (inWorkingHours) return `${field ?? 'value'} must be a time of day such as 09:00 or 18:30:00`
  return `${field ?? 'value'} must be a date and time such as 2017-02-14T15:42:34Z or 2017-02-14T15:42:34+02:00`
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function lastField(segments: readonly string[]): string | undefined {
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i]
    if (segment !== undefined && !/^\d+$/.test(segment)) return excerpt(segment)
  }
  return undefined
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}

function parsePointer(pointer: string): string[] {
  if (!pointer) return []
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function toPointer(segments: readonly string[]): string {
  return segments.map((segment) => `/${escapePointer(segment)}`).join('')
}

/** Walks the schema beside the pointer so that array indexes become element positions: /1/Who → /ActivityRecordList/ActivityRecord[2]/Who. */
export function toXmlLocation(segments: readonly string[], root: JsonSchema): string {
  const parts: string[] = [root.xml?.name ?? 'root']
  let schema: JsonSchema | undefined = root
  let element = parts[0] ?? 'root'
  for (const segment of segments) {
    if (/^\d+$/.test(segment) && schema) {
      const itemName: string = schema.items?.xml?.name ?? element
      const position = `${itemName}[${Number(segment) + 1}]`
      const wrapped = schema.xml?.wrapped === true || schema === root
      if (wrapped) parts.push(position)
      else parts[parts.length - 1] = position
      element = itemName
      schema = schema.items ?? firstArrayItems(schema)
      continue
    }
    const next: JsonSchema | undefined = propertySchema(schema, segment)
    element = segment
    parts.push(excerpt(segment))
    schema = next
  }
  return `/${parts.join('/')}`
}

function firstArrayItems(schema: JsonSchema): JsonSchema | undefined {
  return schema.anyOf?.find((branch) => branch.type === 'array')?.items
}

function propertySchema(schema: JsonSchema | undefined, name: string): JsonSchema | undefined {
  if (!schema) return undefined
  if (schema.properties?.[name]) return schema.properties[name]
  for (const branch of schema.anyOf ?? []) {
    const found = propertySchema(branch, name)
    if (found) return found
  }
  return undefined
}
