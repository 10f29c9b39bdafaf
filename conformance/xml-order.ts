/**
 * XML element order, pure. The documented sequence is read from the contract (the property order of the
 * output schemas, openapi/DECISIONS.md D24) and never restated here; a page's elements are compared with it
 * and with each other. Only XML is judged: JSON objects are unordered.
 */
import { XMLParser } from 'fast-xml-parser'
import type { JsonSchema } from '../openapi/types.ts'

/** An element and the elements it may hold, in their documented order; any of them may repeat or be absent. */
export interface ElementModel {
  name: string
  children: ElementModel[]
}

/** An element of a document as it came, children in document order. */
export interface XmlElement {
  name: string
  children: XmlElement[]
}

function childElements(schema: JsonSchema): ElementModel[] {
  return Object.entries(schema.properties ?? {}).map(([property, sub]): ElementModel => {
    if (sub.type === 'array' && sub.items !== undefined) {
      const item: ElementModel = { name: sub.items.xml?.name ?? property, children: childElements(sub.items) }
      return sub.xml?.wrapped ? { name: sub.xml.name ?? property, children: [item] } : item
    }
    return { name: sub.xml?.name ?? property, children: childElements(sub) }
  })
}

/** The element sequence of a payload schema as its XML form writes it. */
export function elementModel(schema: JsonSchema, rootName: string): ElementModel {
  return { name: schema.xml?.name ?? rootName, children: childElements(schema) }
}

type Ordered = Record<string, unknown>[]

function toElement(name: string, content: unknown): XmlElement {
  const children = Array.isArray(content) ? (content as Ordered).flatMap(elementsOf) : []
  return { name, children }
}

function elementsOf(node: Record<string, unknown>): XmlElement[] {
  return Object.entries(node)
    .filter(([key]) => key !== ':@' && !key.startsWith('#') && !key.startsWith('?'))
    .map(([key, content]) => toElement(key, content))
}

/** The root element of an XML text with namespace prefixes dropped, or undefined when it is not well-formed. */
export function parseElements(text: string): XmlElement | undefined {
  let ordered: Ordered
  try {
    ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: true, removeNSPrefix: true }).parse(text, true) as Ordered
  } catch {
    return undefined
  }
  return ordered.flatMap(elementsOf)[0]
}

/** Consecutive repeats (the ActivityRecord elements of a page) count once. */
function sequenceOf(element: XmlElement, known: ReadonlyMap<string, number>): string[] {
  const names: string[] = []
  for (const child of element.children) if (known.has(child.name) && names[names.length - 1] !== child.name) names.push(child.name)
  return names
}

export interface OrderFinding {
  /** An XML path: /ActivityRecordList/ActivityRecord[2]/DetailList/Detail[1]. */
  path: string
  actual: string[]
  expected: string[]
}

/**
 * Every element whose known children are out of the model's order, depth first. Elements the model does not
 * name are left to the schema checks.
 */
export function orderFindings(element: XmlElement, model: ElementModel, path = `/${element.name}`): OrderFinding[] {
  const rank = new Map(model.children.map((child, index) => [child.name, index]))
  const actual = sequenceOf(element, rank)
  const expected = [...actual].sort((a, b) => rank.get(a)! - rank.get(b)!)
  const findings: OrderFinding[] = actual.join() === expected.join() ? [] : [{ path, actual, expected }]
  const seen = new Map<string, number>()
  for (const child of element.children) {
    const index = rank.get(child.name)
    if (index === undefined) continue
    const position = (seen.get(child.name) ?? 0) + 1
    seen.set(child.name, position)
    findings.push(...orderFindings(child, model.children[index]!, `${path}/${child.name}[${position}]`))
  }
  return findings
}

export function describeFinding(finding: OrderFinding): string {
  return `${finding.path} has ${finding.actual.join(', ')}; the documented order is ${finding.expected.join(', ')}`
}

/**
 * Pairs of elements that come in one order in some of the elements and in the other order in others (records
 * seeded one way and written another), with how often each: "Who before Action in 5, Action before Who in 3".
 */
export function inconsistentPairs(sequences: readonly (readonly string[])[]): string[] {
  const before = new Map<string, number>()
  for (const sequence of sequences) {
    for (let i = 0; i < sequence.length; i++) {
      for (let j = i + 1; j < sequence.length; j++) {
        const key = `${sequence[i]}\u0000${sequence[j]}`
        before.set(key, (before.get(key) ?? 0) + 1)
      }
    }
  }
  const pairs: string[] = []
  for (const [key, count] of before) {
    const [a, b] = key.split('\u0000') as [string, string]
    const reverse = before.get(`${b}\u0000${a}`)
    if (reverse !== undefined && a < b) pairs.push(`${a} before ${b} in ${count}, ${b} before ${a} in ${reverse}`)
  }
  return pairs
}

/** The known child sequence of each element named `name` directly under `parent`: one per record of a page. */
export function childSequences(parent: XmlElement, name: string, model: ElementModel): string[][] {
  const recordModel = model.children.find((child) => child.name === name)
  if (recordModel === undefined) return []
  const rank = new Map(recordModel.children.map((child, index) => [child.name, index]))
  return parent.children.filter((child) => child.name === name).map((child) => sequenceOf(child, rank))
}
