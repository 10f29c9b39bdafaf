import { XMLBuilder } from 'fast-xml-parser'
import type { Contract, PayloadName } from './contract.ts'
import { codes } from './errors.ts'
import type { JsonSchema } from './types.ts'
import { excerpt } from './excerpt.ts'
import { decodePlainXml } from './xml-plain.ts'
import { positionAt, readXml } from './xml-syntax.ts'
import { encodePlainXml, escapeText } from './xml-write.ts'
import {
  appendChild,
  appendText,
  closeElement,
  decodeEntities,
  documentScope,
  elementNameOf,
  hasNotXmlChar,
  isUnwrappedArray,
  NOT_XML_CHAR,
  noAttributes,
  normalizeLineEnds,
  openElement,
  readBoolean,
  XmlDecodeFailure as DecodeFailure,
  type XmlDecodeError,
  type XmlElement as Element,
} from './xml-tree.ts'

export type { XmlDecodeError, XmlElement } from './xml-tree.ts'

/**
 * The XML codec: reads an XML body into the very shape its JSON form has, and writes that shape back,
 * guided only by the contract's `xml` objects and `x-nwa-filter` annotations. Because both wire forms end
 * up as one JS value, one set of validators serves both.
 */
export type XmlDecodeResult = { ok: true; value: unknown } | { ok: false; error: XmlDecodeError }

export interface XmlCodec {
  decode(name: PayloadName, xml: string): XmlDecodeResult
  encode(name: PayloadName, value: unknown): string
}

export function createXmlCodec(contract: Contract): XmlCodec {
  return {
    decode: (name, xml) => decodeXml(contract.schema(name), xml),
    encode: (name, value) => encodeXml(contract.schema(name), value),
  }
}

// ---------------------------------------------------------------------------------------------- decoding

/** A node of fast-xml-parser's ordered form, which its builder writes. */
type OrderedNode = Record<string, unknown>

export function decodeXml(schema: JsonSchema, xml: string): XmlDecodeResult {
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml
  const plain = decodePlainXml(schema, text)
  return plain ? { ok: true, value: plain.value } : decodeGeneralXml(schema, text)
}

/**
 * Any well-formed document as its element tree, without a schema (a grading judgment reads what a connector sent);
 * the first fault as MSXML words it otherwise.
 */
export function readXmlDocument(xml: string): { ok: true; root: Element } | { ok: false; error: XmlDecodeError } {
  try {
    return { ok: true, root: readXmlTree(normalizeLineEnds(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml)) }
  } catch (error) {
    if (error instanceof DecodeFailure) return { ok: false, error: error.detail }
    throw error
  }
}

/**
 * The general decoder: any document, read into an element tree by the bounded reader (xml-syntax.ts) and walked
 * as the schema says. Plain documents take openapi/xml-plain.ts instead; everything else, every error included,
 * comes here.
 */
export function decodeGeneralXml(schema: JsonSchema, text: string): XmlDecodeResult {
  try {
    const root = readXmlTree(normalizeLineEnds(text))
    const expectedName = schema.xml?.name
    const expectedNamespace = schema.xml?.namespace ?? ''
    if (root.localName !== expectedName) {
      throw new DecodeFailure({
        kind: 'root',
        message: `the root element must be ${expectedName} in namespace ${expectedNamespace}, not ${excerpt(root.qualifiedName)}`,
      })
    }
    if (root.namespace !== expectedNamespace) {
      throw new DecodeFailure({
        kind: 'namespace',
        message: `${expectedName} must be in namespace ${expectedNamespace}, not ${root.namespace ? excerpt(root.namespace) : 'no namespace'}`,
      })
    }
    return { ok: true, value: decodeContent(root, schema, undefined, `/${root.localName}`) }
  } catch (error) {
    if (error instanceof DecodeFailure) return { ok: false, error: error.detail }
    throw error
  }
}

/** Any well-formed document as an element tree; the first fault of any other as MSXML words it. */
function readXmlTree(text: string): Element {
  refuseForbiddenCharacters(text)
  refuseDoctype(text)
  // One bounded pass decides well-formedness, words the first fault as MSXML does, and builds the tree as it goes.
  // fast-xml-parser read a name or a text a character at a time (seconds for a 50 MB value), and worded unclosed
  // elements by printing all of them, which for a body of them is a string larger than V8 can make.
  const open: Element[] = []
  let root: Element | undefined
  const syntaxError = readXml(text, {
    start(qualifiedName, rawAttributes) {
      const parent = open[open.length - 1]
      const element = openElement(qualifiedName, rawAttributes, parent?.inScope ?? documentScope)
      if (parent) appendChild(parent, element)
      else root = element
      open.push(element)
    },
    text(raw) {
      appendText(open[open.length - 1] as Element, decodeEntities(raw))
    },
    cdata(content) {
      appendText(open[open.length - 1] as Element, content)
    },
    end() {
      closeElement(open.pop() as Element)
    },
  })
  if (syntaxError) throw new DecodeFailure(syntaxError)
  // A document without a fault has a root: the reader refuses one without (MSXML's 0xC00CE558).
  return root as Element
}

/** A character XML 1.0 does not allow anywhere makes the document ill-formed, wherever it stands (section 2.2). */
function refuseForbiddenCharacters(text: string): void {
  const found = hasNotXmlChar(text) ? NOT_XML_CHAR.exec(text) : null
  if (!found) return
  const code = found[0].codePointAt(0) as number
  const { line, column } = positionAt(text, found.index)
  throw new DecodeFailure({
    kind: 'syntax',
    message: `the character U+${code.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML 1.0. Line ${line}, position ${column}.`,
    line,
    column,
  })
}

/** A DTD can declare entities that expand without bound or read files; the API's XSDs need none, so any DOCTYPE is refused. */
function refuseDoctype(text: string): void {
  let index = 0
  for (;;) {
    const next = text.indexOf('<', index)
    if (next < 0) return
    const terminator = text.startsWith('<?', next) ? '?>' : text.startsWith('<!--', next) ? '-->' : undefined
    if (terminator === undefined) {
      if (!/^<!DOCTYPE/i.test(text.slice(next, next + 9))) return
      const { line, column } = positionAt(text, next)
      throw new DecodeFailure({ kind: 'doctype', message: 'a DOCTYPE or entity declaration is not allowed', line, column })
    }
    const end = text.indexOf(terminator, next + 2)
    // An unterminated declaration, instruction or comment holds no DOCTYPE; the parser reports it.
    if (end < 0) return
    index = end + terminator.length
  }
}

/** Attributes that may sit on any element without being part of the payload. */
function isIgnorableAttribute(name: string): boolean {
  return name.startsWith('xsi:') || name.startsWith('xml:')
}

/**
 * Where an element sits, for error messages such as `/ActivityRecordList/ActivityRecord[3]/When`. Kept as
 * links, made only for elements that hold elements, and spelled out only when an error is reported: a
 * write body has tens of thousands of elements.
 */
interface Path {
  up?: Path | undefined
  name: string
  /** 1-based position among its siblings of the same name. */
  index?: number | undefined
}

function pathText(path: Path): string {
  const name = excerpt(path.name)
  const own = path.index === undefined ? name : `${name}[${path.index}]`
  return path.up ? `${pathText(path.up)}/${own}` : own
}

/** `element` sits under `up` as `name` (the `index`th of that name, for lists). */
function decodeContent(element: Element, schema: JsonSchema, up: Path | undefined, name: string, index?: number, handledAttribute?: string): unknown {
  // Most elements share the empty attribute set; enumerating it would still cost an allocation each.
  if (element.attributes !== noAttributes) {
    for (const attribute in element.attributes) {
      if (attribute !== handledAttribute && !isIgnorableAttribute(attribute)) {
        throw new DecodeFailure({ kind: 'structure', message: `${pathText({ up, name, index })} has an unknown attribute '${excerpt(attribute)}'` })
      }
    }
  }
  const effective = chooseBranch(element, schema)
  switch (effective.type) {
    case 'object':
      return decodeObject(element, effective, { up, name, index })
    case 'array':
      return decodeWrappedArray(element, effective, { up, name, index })
    case 'boolean':
      return readBoolean(element.text)
    default:
      // A string-typed element that holds elements is kept as an object so the validator says "must be a string".
      return element.children.length ? decodeObject(element, {}, { up, name, index }) : element.text
  }
}

function chooseBranch(element: Element, schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf ?? schema.oneOf
  if (!branches?.length || schema.type) return schema
  const resolved = branches.map((branch) => chooseBranch(element, branch))
  if (element.children.length) {
    const names = new Set(element.children.map((child) => child.localName))
    const objects = resolved.filter((branch) => branch.type === 'object')
    return objects.find((branch) => [...names].every((name) => branch.properties?.[name] !== undefined)) ?? objects[0] ?? resolved[0] ?? schema
  }
  return resolved.find((branch) => branch.type === 'string') ?? resolved.find((branch) => branch.type === 'object') ?? schema
}

function decodeWrappedArray(element: Element, schema: JsonSchema, path: Path): unknown[] {
  if (element.hasText) throw new DecodeFailure({ kind: 'structure', message: `${pathText(path)} holds text where elements are expected` })
  const items = schema.items ?? {}
  const itemName = items.xml?.name
  return element.children.map((child, index) => {
    if (child.namespace !== element.namespace) throw namespaceFailure(child, element.namespace, { up: path, name: child.localName, index: index + 1 })
    if (itemName && child.localName !== itemName) {
      const where = pathText({ up: path, name: child.localName, index: index + 1 })
      throw new DecodeFailure({ kind: 'structure', message: `${where}: unknown element '${excerpt(child.localName)}', expected ${itemName}` })
    }
    return decodeContent(child, items, path, child.localName, index + 1)
  })
}

function namespaceFailure(child: Element, expected: string, path: Path): DecodeFailure {
  return new DecodeFailure({
    kind: 'namespace',
    message: `${pathText(path)} must be in namespace ${expected || 'no namespace'}, not ${child.namespace ? excerpt(child.namespace) : 'no namespace'}`,
  })
}

const elementNameIndexes = new WeakMap<JsonSchema, ReadonlyMap<string, string>>()

/** Element name to property name for an object schema; computed once per schema, as every record needs it. */
function propertiesByElementName(schema: JsonSchema): ReadonlyMap<string, string> {
  let index = elementNameIndexes.get(schema)
  if (!index) {
    const built = new Map<string, string>()
    for (const [property, propertySchema] of Object.entries(schema.properties ?? {})) {
      built.set(elementNameOf(property, propertySchema), property)
    }
    index = built
    elementNameIndexes.set(schema, index)
  }
  return index
}

function decodeObject(element: Element, schema: JsonSchema, path: Path): Record<string, unknown> {
  if (element.hasText) throw new DecodeFailure({ kind: 'structure', message: `${pathText(path)} holds text where elements are expected` })
  const byElementName = propertiesByElementName(schema)
  const groups = new Map<string, Element[]>()
  for (const child of element.children) {
    if (child.namespace !== element.namespace) throw namespaceFailure(child, element.namespace, { up: path, name: child.localName })
    const group = groups.get(child.localName)
    if (group) group.push(child)
    else groups.set(child.localName, [child])
  }
  const result: Record<string, unknown> = {}
  for (const [name, group] of groups) {
    const property = byElementName.get(name)
    const propertySchema = property === undefined ? undefined : schema.properties?.[property]
    if (property === undefined || propertySchema === undefined) {
      // Kept under its own name so that the validator reports it as an unknown field, as it does for JSON.
      result[name] = group.length === 1 ? decodeUnknown(group[0] as Element) : group.map(decodeUnknown)
    } else if (propertySchema['x-nwa-filter']) {
      result[property] = group.map((entry, index) => decodeFilterEntry(entry, propertySchema, path, name, index + 1))
    } else if (isUnwrappedArray(propertySchema)) {
      result[property] = group.map((item, index) => decodeContent(item, propertySchema.items ?? {}, path, name, index + 1))
    } else if (group.length > 1) {
      throw new DecodeFailure({ kind: 'structure', message: `${pathText({ up: path, name })} occurs more than once` })
    } else {
      result[property] = decodeContent(group[0] as Element, propertySchema, path, name)
    }
  }
  for (const property of schema.required ?? []) {
    const propertySchema = schema.properties?.[property]
    // An unwrapped list with no entries has no elements at all in XML; its JSON twin is an empty array.
    if (!(property in result) && propertySchema !== undefined && isUnwrappedArray(propertySchema)) result[property] = []
  }
  return result
}

function decodeUnknown(element: Element): unknown {
  return element.children.length ? decodeObject(element, {}, { name: element.localName }) : element.text
}

/** A filter entry: `<Who Operator="NotEqualTo">x</Who>` reads as {"NotEqualTo": "x"}, `<Who>x</Who>` as "x". */
function decodeFilterEntry(element: Element, filterSchema: JsonSchema, up: Path, name: string, index: number): unknown {
  const operand = filterSchema.anyOf?.[0] ?? {}
  const operator = element.attributes['Operator']
  const content = decodeContent(element, operand, up, name, index, 'Operator')
  return operator === undefined ? content : { [operator]: content }
}

// ---------------------------------------------------------------------------------------------- encoding

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Text and attribute values arrive escaped by escapeText, the plain writer's own rule (CR as &#xD; included).
  processEntities: false,
  suppressEmptyNode: true,
  format: false,
})

const declaration = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>'

export function encodeXml(schema: JsonSchema, value: unknown): string {
  const name = schema.xml?.name
  if (!name) throw codes.OAS_ERR_ENCODE.create('value', 'the schema has no XML name')
  return encodePlainXml(schema, name, declaration, value) ?? encodeGeneralXml(schema, value)
}

/**
 * The general writer: any value, through fast-xml-parser's builder, which also refuses what the contract has no
 * element for. Values of schemas without choices take openapi/xml-write.ts instead, to the same text.
 */
export function encodeGeneralXml(schema: JsonSchema, value: unknown): string {
  const name = schema.xml?.name
  if (!name) throw codes.OAS_ERR_ENCODE.create('value', 'the schema has no XML name')
  const root: OrderedNode = { [name]: encodeContent(value, schema, name) }
  if (schema.xml?.namespace) root[':@'] = { xmlns: escapeText(schema.xml.namespace) }
  return `${declaration}${builder.build([root]) as string}`
}

function element(name: string, children: OrderedNode[], attributes?: Record<string, string>): OrderedNode {
  const node: OrderedNode = { [name]: children }
  if (attributes) node[':@'] = Object.fromEntries(Object.entries(attributes).map(([key, text]) => [key, escapeText(text)]))
  return node
}

function encodeContent(value: unknown, schema: JsonSchema, path: string): OrderedNode[] {
  if (value === null || value === undefined) return []
  if (Array.isArray(value)) {
    const items = schema.items ?? firstArrayBranch(schema)?.items ?? {}
    const itemName = items.xml?.name ?? path
    return value.map((item, index) => element(itemName, encodeContent(item, items, `${path}[${index + 1}]`)))
  }
  if (typeof value === 'object') return encodeObject(value as Record<string, unknown>, objectBranchFor(value as Record<string, unknown>, schema), path)
  return [{ '#text': escapeText(String(value)) }]
}

function firstArrayBranch(schema: JsonSchema): JsonSchema | undefined {
  return (schema.anyOf ?? []).find((branch) => branch.type === 'array')
}

function objectBranchFor(value: Record<string, unknown>, schema: JsonSchema): JsonSchema {
  if (schema.type === 'object' || !(schema.anyOf ?? schema.oneOf)) return schema
  const keys = Object.keys(value)
  const candidates = (schema.anyOf ?? schema.oneOf ?? []).map((branch) => objectBranchFor(value, branch))
  return candidates.find((branch) => keys.every((key) => branch.properties?.[key] !== undefined)) ?? schema
}

/** Elements come in the order of the schema's properties, however the value's keys were ordered (openapi/DECISIONS.md D24). */
function encodeObject(value: Record<string, unknown>, schema: JsonSchema, path: string): OrderedNode[] {
  const properties = schema.properties ?? {}
  for (const property in value) {
    if (properties[property] === undefined && value[property] !== undefined) {
      throw codes.OAS_ERR_ENCODE.create(`${path}/${property}`, 'the contract has no such field')
    }
  }
  const nodes: OrderedNode[] = []
  for (const property in properties) {
    const propertyValue = value[property]
    if (propertyValue === undefined) continue
    const propertySchema = properties[property] as JsonSchema
    if (propertySchema['x-nwa-filter']) {
      nodes.push(...encodeFilter(property, propertyValue, propertySchema, `${path}/${property}`))
    } else if (isUnwrappedArray(propertySchema)) {
      const items = propertySchema.items ?? {}
      const itemName = items.xml?.name ?? property
      for (const item of asArray(propertyValue)) nodes.push(element(itemName, encodeContent(item, items, `${path}/${itemName}`)))
    } else {
      nodes.push(element(propertySchema.xml?.name ?? property, encodeContent(propertyValue, propertySchema, `${path}/${property}`)))
    }
  }
  return nodes
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value]
}

function encodeFilter(name: string, value: unknown, filterSchema: JsonSchema, path: string): OrderedNode[] {
  const operand = filterSchema.anyOf?.[0] ?? {}
  const operators = filterSchema.anyOf?.[1]?.properties ?? {}
  const nodes: OrderedNode[] = []
  for (const entry of asArray(value)) {
    const isOperatorObject =
      entry !== null &&
      typeof entry === 'object' &&
      !Array.isArray(entry) &&
      Object.keys(entry).length > 0 &&
      Object.keys(entry).every((key) => operators[key] !== undefined)
    if (isOperatorObject) {
      for (const [operator, operatorValue] of Object.entries(entry as Record<string, unknown>)) {
        nodes.push(element(name, encodeContent(operatorValue, operand, path), { Operator: operator }))
      }
    } else {
      nodes.push(element(name, encodeContent(entry, operand, path)))
    }
  }
  return nodes
}
