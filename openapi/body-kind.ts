/**
 * What a body is, told from its text when nobody says: the format from its first character, the kind from its root
 * element or its JSON shape. `nwa validate` uses it for files and standard input (docs/validate.md).
 */
import type { PayloadName } from './contract.ts'
import { parseJson } from './json.ts'
import type { WireFormat } from './payload.ts'

export interface BodyKind {
  payload: PayloadName
  /** What it is, in a sentence's words. */
  what: string
  /** Where a client sends it; absent for what a server sends (a page, an error list) or stores (records). */
  endpoint?: string
}

/** The kinds of body, the client's first: the mock reads those; the others are what a server answers or a seed holds. */
export const bodyKinds = {
  write: { payload: 'ActivityRecordInputList', what: 'write body', endpoint: 'POST /activity_records/' },
  search: { payload: 'ActivityRecordSearch', what: 'search parameters', endpoint: 'POST /activity_records/search' },
  mark: { payload: 'ContinuationMark', what: 'continuation mark', endpoint: 'POST /activity_records/enum' },
  page: { payload: 'ActivityRecordListResponse', what: 'page of records (an enum or search answer)' },
  records: { payload: 'ActivityRecordOutputArray', what: 'array of output records (a seed, /nwa/fixtures)' },
  errors: { payload: 'ErrorList', what: 'error list' },
} as const satisfies Record<string, BodyKind>

export type BodyKindName = keyof typeof bodyKinds
export const bodyKindNames = Object.keys(bodyKinds) as BodyKindName[]

/** The XML root elements that name a kind; ActivityRecordList is a write body unless told otherwise (a page shares it). */
const kindByRoot: Record<string, BodyKindName> = {
  ActivityRecordList: 'write',
  ActivityRecordSearch: 'search',
  ContinuationMark: 'mark',
  ErrorList: 'errors',
}

/** Keys that tell what a JSON object is. Any other object (a lone record, `{}`) tells nothing. */
const kindByJsonKey: Record<string, BodyKindName> = { FilterList: 'search', ContinuationMark: 'search', ActivityRecordList: 'page', ErrorList: 'errors' }

/** XML when the first character but white space (and a byte order mark) is `<`, JSON otherwise. */
export function detectFormat(text: string): WireFormat {
  const first = /\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)?.[0]
  return first === '<' ? 'xml' : 'json'
}

/**
 * The kind a body looks like, or undefined when it looks like none (then it is judged as a write body, which tells
 * what is wrong with it; `--kind` chooses another). A body that does not parse has no shape, and its syntax fault is
 * the same whatever its kind.
 */
export function detectKind(text: string, format: WireFormat): BodyKindName | undefined {
  if (format === 'xml') {
    const root = rootName(text)
    return root === undefined ? undefined : kindByRoot[root]
  }
  const first = /\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)?.[0]
  if (first === '[') return 'write'
  if (first === '"') return 'mark'
  if (first !== '{') return undefined
  const parsed = parseJson(text)
  // An object that does not parse: its syntax fault is the same whatever it is, and search parameters are the object a client sends.
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object') return 'search'
  for (const key of Object.keys(parsed.value)) {
    const kind = kindByJsonKey[key]
    if (kind) return kind
  }
  return undefined
}

/** The first element's local name, past the declaration, comments and processing instructions, read from the start only. */
function rootName(text: string): string | undefined {
  let at = text.indexOf('<')
  while (at >= 0) {
    const end = prologItemEnd(text, at)
    if (end === at) break
    if (end < 0) return undefined
    at = text.indexOf('<', end)
  }
  if (at < 0) return undefined
  // A prefix does not count: p:ActivityRecordSearch is the search, whatever p stands for.
  return /^<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(text.slice(at, at + 1100))?.[1]
}

/** Where the declaration, comment, processing instruction or DOCTYPE at `at` ends; `at` itself for an element; -1 if never. */
function prologItemEnd(text: string, at: number): number {
  const closer = text.startsWith('<?', at) ? '?>' : text.startsWith('<!--', at) ? '-->' : undefined
  if (closer !== undefined) {
    const end = text.indexOf(closer, at + 2)
    return end < 0 ? -1 : end + closer.length
  }
  if (!text.startsWith('<!', at)) return at
  // A DOCTYPE, with its internal subset in brackets when it has one (a refused document, but one whose kind can be told).
  const close = text.indexOf('>', at)
  const subset = text.indexOf('[', at)
  const end = subset >= 0 && subset < close ? text.indexOf(']', subset) : at
  const after = end < 0 ? -1 : text.indexOf('>', end)
  return after < 0 ? -1 : after + 1
}
