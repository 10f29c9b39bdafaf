/**
 * The XML codec's plain-document decoder: one pass from the text of a plain document straight to the
 * value the general decoder (fast-xml-parser, then the schema walk in openapi/xml.ts) would produce,
 * with no element tree in between.
 *
 * Why it exists: a 1,000-record write body is ~25,000 elements. fast-xml-parser's validator and ordered
 * parse took ~60 ms of it, three times the whole per-request budget of the 50,000 records/s target
 * (bench/), and even a lean element tree made young-generation collections the largest cost of a write.
 *
 * What it takes: an optional XML declaration, then the root element with namespace declarations only,
 * then unprefixed elements without attributes that the schema names, character data with entity
 * references, and white space between elements. At the first thing outside that (a comment, CDATA, a
 * DOCTYPE, a prefix, an attribute, an element the schema does not know, a repeated field, text where
 * elements belong, a bad entity, anything not well-formed), it answers `undefined` and the general
 * decoder reads the document, so every error keeps its wording and position. A test holds the two to
 * the same value on every document this one takes (openapi/xml-plain.test.ts).
 */
import type { JsonSchema } from './types.ts'
import {
  decodeEntities,
  elementNameOf,
  hasNotXmlChar,
  isUnwrappedArray,
  normalizeLineEnds,
  planCache,
  readBoolean,
  trimXmlSpace,
  XmlDecodeFailure,
} from './xml-tree.ts'

/** How to read an element, prepared once per schema. */
type Plan = ObjectPlan | ListPlan | { kind: 'string' } | { kind: 'boolean' }

interface ObjectPlan {
  kind: 'object'
  /** Element names in schema order, matched in the text without cutting a string out of it. */
  names: string[]
  fields: Field[]
  /** Unwrapped lists: absent from the XML when empty, an empty array in the value. */
  requiredLists: string[]
}

interface Field {
  property: string
  plan: Plan
  /** An unwrapped list: every element of the name adds an item. */
  repeats: boolean
}

/** A wrapped list: every child is an `itemName` element. */
interface ListPlan {
  kind: 'list'
  itemName: string
  item: Plan
}

/** The plan for a schema, or null when it uses something this decoder leaves to the general one (filters, branches). */
const planFor = planCache(buildPlan)

function buildPlan(schema: JsonSchema): Plan | null {
  if (schema.anyOf || schema.oneOf || schema['x-nwa-filter']) return null
  if (schema.type === 'string') return { kind: 'string' }
  if (schema.type === 'boolean') return { kind: 'boolean' }
  if (schema.type === 'array') {
    const item = schema.items ? planFor(schema.items) : null
    const itemName = schema.items?.xml?.name
    return item && itemName ? { kind: 'list', itemName, item } : null
  }
  if (schema.type !== 'object') return null
  const names: string[] = []
  const fields: Field[] = []
  for (const [property, propertySchema] of Object.entries(schema.properties ?? {})) {
    const repeats = isUnwrappedArray(propertySchema)
    const plan = planFor(repeats ? (propertySchema.items ?? {}) : propertySchema)
    if (!plan) return null
    names.push(elementNameOf(property, propertySchema))
    fields.push({ property, plan, repeats })
  }
  // Two fields under one element name would be told apart by the general decoder's rules alone.
  if (new Set(names).size !== names.length) return null
  const requiredLists = (schema.required ?? []).filter((property) => {
    const propertySchema = schema.properties?.[property]
    return propertySchema !== undefined && isUnwrappedArray(propertySchema)
  })
  return { kind: 'object', names, fields, requiredLists }
}

/** Gives up on the fast path; caught in decodePlainXml. */
class NotPlain extends Error {}
const notPlain = new NotPlain()

const DECLARATION =
  /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(?:"[A-Za-z][\w.-]*"|'[A-Za-z][\w.-]*'))?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>/y
/** Namespace declarations, the only attributes the root may carry here; values without '<', '&' or line breaks. */
const NAMESPACE_DECLARATION = /[ \t\n]+xmlns(?::([A-Za-z_][\w.-]*))?[ \t\n]*=[ \t\n]*(?:"([^"<&\t\n]*)"|'([^'<&\t\n]*)')/y

const LESS_THAN = 0x3c
const GREATER_THAN = 0x3e
const SLASH = 0x2f

/** The decoded value of a plain document, or undefined when the general decoder must read it. The BOM is already gone. */
export function decodePlainXml(schema: JsonSchema, text: string): { value: unknown } | undefined {
  const rootName = schema.xml?.name
  const plan = planFor(schema)
  if (!plan || !rootName || hasNotXmlChar(text)) return undefined
  // End-of-line handling (XML 1.0, section 2.11), as the general decoder does it.
  const reader = new PlainReader(normalizeLineEnds(text))
  try {
    return { value: reader.document(rootName, schema.xml?.namespace ?? '', plan) }
  } catch (error) {
    if (error === notPlain || error instanceof XmlDecodeFailure) return undefined
    throw error
  }
}

class PlainReader {
  private at = 0

  constructor(private readonly text: string) {}

  document(rootName: string, namespace: string, plan: Plan): unknown {
    const { text } = this
    if (text.startsWith('<?xml')) {
      DECLARATION.lastIndex = 0
      if (!DECLARATION.test(text)) throw notPlain
      this.at = DECLARATION.lastIndex
    }
    this.skipSpace()
    if (text.charCodeAt(this.at) !== LESS_THAN || !text.startsWith(rootName, this.at + 1)) throw notPlain
    this.at += 1 + rootName.length
    if (this.rootNamespace() !== namespace) throw notPlain
    const value = this.content(rootName, plan)
    this.skipSpace()
    if (this.at !== text.length) throw notPlain
    return value
  }

  /** Reads the root's namespace declarations up to its '>' or '/>' and returns the default namespace. */
  private rootNamespace(): string {
    let namespace = ''
    const declared = new Set<string>()
    NAMESPACE_DECLARATION.lastIndex = this.at
    for (let match = NAMESPACE_DECLARATION.exec(this.text); match; match = NAMESPACE_DECLARATION.exec(this.text)) {
      const prefix = match[1] ?? ''
      if (declared.has(prefix)) throw notPlain
      declared.add(prefix)
      if (prefix === '') namespace = match[2] ?? match[3] ?? ''
      this.at = NAMESPACE_DECLARATION.lastIndex
    }
    this.skipSpace()
    return namespace
  }

  /** At the end of a start tag's name (before '>' or '/>'): reads the element's content and its end tag. */
  private content(name: string, plan: Plan): unknown {
    const { text } = this
    const selfClosing = text.charCodeAt(this.at) === SLASH
    if (selfClosing) {
      if (text.charCodeAt(this.at + 1) !== GREATER_THAN) throw notPlain
      this.at += 2
    } else {
      if (text.charCodeAt(this.at) !== GREATER_THAN) throw notPlain
      this.at += 1
    }
    switch (plan.kind) {
      case 'string':
        return selfClosing ? '' : this.leafText(name)
      case 'boolean':
        return readBoolean(selfClosing ? '' : this.leafText(name))
      case 'list':
        return this.list(name, plan, selfClosing)
      case 'object':
        return this.object(name, plan, selfClosing)
    }
  }

  /** Character data up to the element's end tag; an element inside a string is left to the general decoder. */
  private leafText(name: string): string {
    const { text } = this
    const end = text.indexOf('<', this.at)
    if (end < 0) throw notPlain
    const raw = text.slice(this.at, end)
    this.at = end
    this.endTag(name)
    if (raw.includes(']]>')) throw notPlain
    // A view into the body, like every string cut from it: whoever keeps one copies it (the mock's store does).
    return trimXmlSpace(decodeEntities(raw))
  }

  private list(name: string, plan: ListPlan, selfClosing: boolean): unknown[] {
    const items: unknown[] = []
    if (selfClosing) return items
    for (;;) {
      this.skipSpace()
      if (this.atEndTag()) {
        this.endTag(name)
        return items
      }
      this.startTag(plan.itemName)
      items.push(this.content(plan.itemName, plan.item))
    }
  }

  private object(name: string, plan: ObjectPlan, selfClosing: boolean): Record<string, unknown> {
    const result: Record<string, unknown> = {}
    if (!selfClosing) {
      // The fields given so far, one bit each (a plan has far fewer than 32), so a repeat is found without
      // reading a property back; and where the last one stood, since the next one usually follows it.
      let given = 0
      let index = -1
      for (;;) {
        this.skipSpace()
        if (this.atEndTag()) {
          this.endTag(name)
          break
        }
        index = this.childIndex(plan.names, index + 1)
        const field = plan.fields[index] as Field
        const childName = plan.names[index] as string
        this.at += 1 + childName.length
        const value = this.content(childName, field.plan)
        const bit = 1 << index
        if (!field.repeats) {
          // A field given twice is an error the general decoder words.
          if ((given & bit) !== 0) throw notPlain
          result[field.property] = value
        } else if ((given & bit) === 0) result[field.property] = [value]
        else (result[field.property] as unknown[]).push(value)
        given |= bit
      }
    }
    for (const property of plan.requiredLists) if (!(property in result)) result[property] = []
    return result
  }

  /**
   * Which of the names the start tag at the cursor opens; it must end right after the name. `expected` is tried
   * first: writers send fields in the schema's order, so the search rarely goes past it.
   */
  private childIndex(names: string[], expected: number): number {
    const { text, at } = this
    if (text.charCodeAt(at) !== LESS_THAN) throw notPlain
    if (expected < names.length && opensTag(text, at, names[expected] as string)) return expected
    for (let i = 0; i < names.length; i++) if (i !== expected && opensTag(text, at, names[i] as string)) return i
    throw notPlain
  }

  private startTag(name: string): void {
    if (this.text.charCodeAt(this.at) !== LESS_THAN || !opensTag(this.text, this.at, name)) throw notPlain
    this.at += 1 + name.length
  }

  private atEndTag(): boolean {
    return this.text.charCodeAt(this.at) === LESS_THAN && this.text.charCodeAt(this.at + 1) === SLASH
  }

  /** `</name>` exactly; white space inside an end tag, though allowed, is left to the general decoder. */
  private endTag(name: string): void {
    const { text, at } = this
    if (!this.atEndTag() || !nameAt(text, at + 2, name) || text.charCodeAt(at + 2 + name.length) !== GREATER_THAN) throw notPlain
    this.at += 3 + name.length
  }

  private skipSpace(): void {
    const { text } = this
    let at = this.at
    for (;;) {
      const code = text.charCodeAt(at)
      if (code !== 0x20 && code !== 0x09 && code !== 0x0a) break
      at++
    }
    this.at = at
  }
}

/** Whether `<` at `at` opens a `name` element: the name, then '>' or '/' ('/>'), so that `<Who>` does not match `<WhoElse>`. */
function opensTag(text: string, at: number, name: string): boolean {
  const after = text.charCodeAt(at + 1 + name.length)
  return (after === GREATER_THAN || after === SLASH) && nameAt(text, at + 1, name)
}

/**
 * Whether the text holds `name` at `at`. Element names are a few ASCII letters; comparing their code units here
 * measured faster than a call to startsWith for each of the ~25,000 tags of a 1,000-record body.
 */
function nameAt(text: string, at: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if (text.charCodeAt(at + i) !== name.charCodeAt(i)) return false
  return true
}
