/**
 * The XML codec's plain writer: writes a value whose schema has no choices (no anyOf, no search filters) straight
 * to text, following the schema's properties in order, with the same bytes fast-xml-parser's builder writes
 * (openapi/xml.ts) for such a value. A 1,000-record page took the builder about 35 ms and takes this writer about
 * as long as JSON.stringify; pages are what the mock writes most. It answers undefined at the first thing outside
 * that subset (a key the schema does not name, a value of another type, a schema with choices), and the builder
 * writes the value, or refuses it with its own error. A test holds the two to the same text
 * (openapi/xml-write.test.ts).
 */
import type { JsonSchema } from './types.ts'
import { isUnwrappedArray, planCache, xmlSafeText } from './xml-tree.ts'

type Plan = { kind: 'text' } | ObjectPlan | { kind: 'list'; itemName: string; item: Plan }

interface ObjectPlan {
  kind: 'object'
  fields: Field[]
  /** Property names, for telling a key the schema does not know. */
  known: ReadonlySet<string>
}

interface Field {
  property: string
  /** The element each value goes in: the property's element, or each item's for an unwrapped list. */
  element: string
  plan: Plan
  /** An unwrapped list: one element per item, directly in the parent. */
  repeats: boolean
}

/** The plan for a schema, or null when it has choices (filters, branches) the builder must write. */
const planFor = planCache(buildPlan)

function buildPlan(schema: JsonSchema): Plan | null {
  if (schema.anyOf || schema.oneOf || schema['x-nwa-filter']) return null
  if (schema.type === 'string' || schema.type === 'boolean' || schema.type === 'integer' || schema.type === 'number') return { kind: 'text' }
  if (schema.type === 'array') {
    const item = schema.items ? planFor(schema.items) : null
    const itemName = schema.items?.xml?.name
    return item && itemName ? { kind: 'list', itemName, item } : null
  }
  if (schema.type !== 'object') return null
  const fields: Field[] = []
  for (const [property, propertySchema] of Object.entries(schema.properties ?? {})) {
    const repeats = isUnwrappedArray(propertySchema)
    const itemSchema = repeats ? propertySchema.items : undefined
    const plan = planFor(repeats ? (itemSchema ?? {}) : propertySchema)
    if (!plan) return null
    const element = repeats ? itemSchema?.xml?.name : (propertySchema.xml?.name ?? property)
    if (element === undefined) return null
    fields.push({ property, element, plan, repeats })
  }
  return { kind: 'object', fields, known: new Set(fields.map((field) => field.property)) }
}

/** Gives up on the plain writer; caught in encodePlainXml. */
class NotPlain extends Error {}
const notPlain = new NotPlain()

/** The document for `value`, root element and namespace from the schema; undefined when the builder must write it. */
export function encodePlainXml(schema: JsonSchema, rootName: string, declaration: string, value: unknown): string | undefined {
  const plan = planFor(schema)
  if (!plan) return undefined
  const namespace = schema.xml?.namespace
  try {
    return declaration + element(rootName, content(plan, value), namespace === undefined ? '' : ` xmlns="${escapeText(namespace)}"`)
  } catch (error) {
    if (error === notPlain) return undefined
    throw error
  }
}

/** An element as the builder writes it: empty content makes `<Name/>`. */
function element(name: string, inner: string, attributes = ''): string {
  return inner === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${inner}</${name}>`
}

function content(plan: Plan, value: unknown): string {
  if (value === null || value === undefined) return ''
  switch (plan.kind) {
    case 'text':
      if (typeof value === 'object') throw notPlain
      return escapeText(String(value))
    case 'list': {
      if (!Array.isArray(value)) throw notPlain
      let text = ''
      for (const item of value) text += element(plan.itemName, content(plan.item, item))
      return text
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) throw notPlain
      const record = value as Record<string, unknown>
      for (const key in record) if (!plan.known.has(key) && record[key] !== undefined) throw notPlain
      let text = ''
      for (const field of plan.fields) {
        const fieldValue = record[field.property]
        if (fieldValue === undefined) continue
        if (field.repeats) {
          if (!Array.isArray(fieldValue)) throw notPlain
          for (const item of fieldValue) text += element(field.element, content(field.plan, item))
        } else text += element(field.element, content(field.plan, fieldValue))
      }
      return text
    }
  }
}

const special = /[&<>'"\r]/
const specials = /[&<>'"\r]/g
const entityOf: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;', '\r': '&#xD;' }

/**
 * Text as both writers write it: the five characters of api/postdata/overview.md as entities; a carriage return as
 * the reference &#xD;, since a reader turns a raw one into a line feed (XML 1.0, section 2.11) and the value would
 * arrive changed (openapi/DECISIONS.md D45); and any character XML 1.0 cannot carry, not even as a reference, as
 * U+FFFD (D25).
 */
export function escapeText(text: string): string {
  const safe = xmlSafeText(text)
  return special.test(safe) ? safe.replace(specials, (character) => entityOf[character] as string) : safe
}
