/**
 * Where a problem the validators name by path stands in the text a client wrote, so an editor can jump to it: an XML
 * path (/ActivityRecordList/ActivityRecord[2]/Who) or a JSON pointer (/1/Who) to a line and column. A place that is
 * not in the text (a field that is missing) is given as its nearest enclosing element or value. Only ever run on a
 * body that has been read without fault, once validation has refused it; each is one pass over the text.
 */
import type { TextPosition } from './body.ts'
import { positionAt, readXml } from './xml-syntax.ts'
import { normalizeLineEnds } from './xml-tree.ts'

interface PathStep {
  name: string
  /** 1-based among the siblings of the same name; the first when the path gives none. */
  index: number
}

/** Stops the reading once the answer is known. */
const found = Symbol('found')

/** The start tag of the element an XML path names, or of its deepest ancestor in the text; `/` is the root element. */
export function locateXmlPath(xml: string, path: string): TextPosition | undefined {
  return locateXmlPaths(xml, [path])[0]
}

/** One walk over an XML text for a list of paths (the ten problems of a body), each as `locateXmlPath` places it. */
export function locateXmlPaths(xml: string, paths: readonly string[]): (TextPosition | undefined)[] {
  // The text the reader measures positions in (D11's line ends, no byte order mark), as syntax errors are measured.
  const text = normalizeLineEnds(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml)
  const searches = paths.map((path) => ({
    steps: readXmlPath(path),
    matched: 0,
    done: false,
    best: undefined as number | undefined,
    // Siblings seen so far among the children of the deepest element matched (or of the document).
    seen: new Map<string, number>(),
  }))
  let depth = 0
  let open = searches.length
  const finish = (search: (typeof searches)[number]) => {
    search.done = true
    open -= 1
    if (open === 0) throw found
  }
  const noop = () => undefined
  try {
    if (open === 0) throw found
    readXml(text, {
      start(qualifiedName, _attributes, at) {
        const local = qualifiedName.slice(qualifiedName.indexOf(':') + 1)
        for (const search of searches) {
          if (search.done || depth !== search.matched) continue
          if (search.steps.length === 0) {
            search.best = at
            finish(search)
            continue
          }
          const count = (search.seen.get(local) ?? 0) + 1
          search.seen.set(local, count)
          const step = search.steps[search.matched] as PathStep
          if (step.name !== local || step.index !== count) continue
          search.matched += 1
          search.best = at
          search.seen = new Map()
          if (search.matched === search.steps.length) finish(search)
        }
        depth += 1
      },
      end() {
        depth -= 1
        // A search's deepest element has closed: nothing after it lies inside it.
        for (const search of searches) if (!search.done && depth < search.matched) finish(search)
      },
      text: noop,
      cdata: noop,
    })
  } catch (thrown) {
    if (thrown !== found) throw thrown
  }
  return searches.map((search) => (search.best === undefined ? undefined : positionAt(text, search.best)))
}

/** `/a/b[2]/c` as steps; an excerpted name (cut with `…`) can match nothing, and the walk stops above it. */
function readXmlPath(path: string): PathStep[] {
  return path
    .split('/')
    .filter(Boolean)
    .map((part) => {
      const indexed = /^(.*)\[(\d+)\]$/.exec(part)
      return indexed ? { name: indexed[1] as string, index: Number(indexed[2]) } : { name: part, index: 1 }
    })
}

/** The start of the JSON value a pointer names, or of its deepest ancestor in the text. The text must be valid JSON. */
export function locateJsonPointer(json: string, pointer: string): TextPosition | undefined {
  const text = json.charCodeAt(0) === 0xfeff ? json.slice(1) : json
  const steps = pointer
    .split('/')
    .slice(1)
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'))
  let at = skipWhitespace(text, 0)
  for (const step of steps) {
    const inside = childAt(text, at, step)
    if (inside === undefined) break
    at = inside
  }
  return at < text.length ? positionAt(text, at) : undefined
}

/** The start of the member or item `step` of the object or array starting at `at`, if it has one. */
function childAt(text: string, at: number, step: string): number | undefined {
  const open = text.charCodeAt(at)
  if (open !== 0x7b /* { */ && open !== 0x5b /* [ */) return undefined
  const isObject = open === 0x7b
  let position = skipWhitespace(text, at + 1)
  for (let index = 0; position < text.length && text.charCodeAt(position) !== (isObject ? 0x7d : 0x5d); index++) {
    let name: string | undefined
    if (isObject) {
      const nameEnd = valueEnd(text, position)
      name = JSON.parse(text.slice(position, nameEnd)) as string
      position = skipWhitespace(text, skipWhitespace(text, nameEnd) + 1)
    }
    if (isObject ? name === step : String(index) === step) return position
    position = skipWhitespace(text, valueEnd(text, position))
    if (text.charCodeAt(position) === 0x2c /* , */) position = skipWhitespace(text, position + 1)
  }
  return undefined
}

/** The offset just after the value starting at `at`: a string, a literal or number, or a whole object or array. */
function valueEnd(text: string, at: number): number {
  const first = text.charCodeAt(at)
  if (first === 0x22 /* " */) return stringEnd(text, at)
  if (first !== 0x7b && first !== 0x5b) {
    let position = at
    while (position < text.length && !/[\s,\]}]/.test(text[position] as string)) position += 1
    return position
  }
  let depth = 0
  for (let position = at; position < text.length; position++) {
    const code = text.charCodeAt(position)
    if (code === 0x22) position = stringEnd(text, position) - 1
    else if (code === 0x7b || code === 0x5b) depth += 1
    else if ((code === 0x7d || code === 0x5d) && --depth === 0) return position + 1
  }
  return text.length
}

/** The offset after the string starting at `at` (its opening quote). */
function stringEnd(text: string, at: number): number {
  for (let position = at + 1; position < text.length; position++) {
    const code = text.charCodeAt(position)
    if (code === 0x5c /* \ */) position += 1
    else if (code === 0x22) return position + 1
  }
  return text.length
}

function skipWhitespace(text: string, from: number): number {
  let position = from
  while (position < text.length && /[ \t\n\r]/.test(text[position] as string)) position += 1
  return position
}
