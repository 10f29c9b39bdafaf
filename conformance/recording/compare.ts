/**
 * Replay's judgement, pure: how a replayed answer differs from the recorded one (D51). What must differ between two
 * servers, or two runs of one, is ignored: RIDs, Continuation marks, When and every other time (the Date header), and
 * the lengths that follow from them. What should not differ is named: the status, the headers the pages name
 * (Content-Type; the schemes of WWW-Authenticate; Allow, D33), whether there is a body, the error categories and
 * descriptions, and for pages the number of records, their values, and the XML element order (D24).
 */
import type { PayloadCodec, WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordListResponse, ErrorList } from '../../openapi/records.ts'
import { parseChallenges } from '../auth/challenge.ts'
import { firstDifferingPath } from '../json-path.ts'
import { parseElements, type XmlElement } from '../xml-order.ts'

export interface Answer {
  status: number
  /** Lower-case names. */
  headers: Record<string, string>
  body: string
}

export type Aspect = 'status' | 'header' | 'body' | 'error' | 'records' | 'element-order' | 'mark'

export interface Difference {
  aspect: Aspect
  message: string
}

export interface CompareOptions {
  codec: PayloadCodec
  /** The format the request asked for. */
  format: WireFormat
  /** Rewrites recorded marks and RIDs into the replayed server's, so error texts quoting them compare. */
  translate: (text: string) => string
  /** Compare the records of pages (their number and values); default true. */
  records?: boolean
}

/** Quoted excerpts of an answer stay short whatever its size. */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat)
}

const mediaType = (value: string | undefined): string => (value ?? '').replace(/\s+/g, '').toLowerCase()
const schemes = (value: string | undefined): string =>
  parseChallenges(value)
    .map((challenge) => challenge.scheme)
    .join(', ')
const methods = (value: string | undefined): string =>
  (value ?? '')
    .split(',')
    .map((method) => method.trim().toUpperCase())
    .filter(Boolean)
    .sort()
    .join(', ')

/** Each compared header, read the way it means something: a media type, a list of schemes, a set of methods. */
const namedHeaders: readonly { name: string; read: (value: string | undefined) => string }[] = [
  { name: 'content-type', read: mediaType },
  { name: 'www-authenticate', read: schemes },
  { name: 'allow', read: methods },
]

function headerDifferences(recorded: Answer, replayed: Answer): Difference[] {
  const found: Difference[] = []
  for (const { name, read } of namedHeaders) {
    const before = recorded.headers[name]
    const after = replayed.headers[name]
    if (before === undefined && after === undefined) continue
    if (before === undefined || after === undefined) {
      found.push({
        aspect: 'header',
        message: `${name}: recorded ${before === undefined ? 'absent' : excerpt(before)}, replayed ${after === undefined ? 'absent' : excerpt(after)}`,
      })
    } else if (read(before) !== read(after)) {
      found.push({ aspect: 'header', message: `${name}: recorded ${excerpt(before)}, replayed ${excerpt(after)}` })
    }
  }
  return found
}

function decodeAs<T>(codec: PayloadCodec, name: 'ErrorList' | 'ActivityRecordListResponse', body: string, format: WireFormat): T | undefined {
  const decoded = codec.decode(name, body, format)
  return decoded.ok ? (decoded.value as T) : undefined
}

/** A record without what must differ between servers. */
function comparable(record: Record<string, unknown>): Record<string, unknown> {
  const { RID: _rid, When: _when, ...rest } = record
  return rest
}

/** Element paths of an element's subtree in document order, each at its first occurrence: `MonitoringPlan/ID`. */
function paths(element: XmlElement, prefix = ''): string[] {
  const seen = new Set<string>()
  const walk = (node: XmlElement, at: string): void => {
    for (const child of node.children) {
      const path = at === '' ? child.name : `${at}/${child.name}`
      seen.add(path)
      walk(child, path)
    }
  }
  walk(element, prefix)
  return [...seen]
}

/**
 * Where two elements put the elements both have in a different order, or undefined. Elements only one of them has
 * (a Workstation one record lacks) are data, not order, so they are left out.
 */
export function orderDifference(a: XmlElement, b: XmlElement): string | undefined {
  const [x, y] = [paths(a), paths(b)]
  const shared = new Set(x.filter((path) => y.includes(path)))
  const [p, q] = [x.filter((path) => shared.has(path)), y.filter((path) => shared.has(path))]
  const at = p.findIndex((path, index) => q[index] !== path)
  return at < 0 ? undefined : `recorded ${p.slice(Math.max(0, at - 1), at + 2).join(' < ')}, replayed ${q.slice(Math.max(0, at - 1), at + 2).join(' < ')}`
}

/** The page (its own children, records as one name) and each record, as XML elements. */
function xmlParts(body: string): { page: XmlElement; records: XmlElement[] } | undefined {
  const root = parseElements(body)
  if (root === undefined) return undefined
  return {
    page: { name: root.name, children: root.children.map((child) => ({ name: child.name, children: [] })) },
    records: root.children.filter((child) => child.name === 'ActivityRecord'),
  }
}

function pageDifferences(recorded: Answer, replayed: Answer, options: CompareOptions): Difference[] | undefined {
  const before = decodeAs<ActivityRecordListResponse>(options.codec, 'ActivityRecordListResponse', recorded.body, options.format)
  const after = decodeAs<ActivityRecordListResponse>(options.codec, 'ActivityRecordListResponse', replayed.body, options.format)
  if (before === undefined || after === undefined) return undefined
  const found: Difference[] = []
  if ((before.ContinuationMark === undefined) !== (after.ContinuationMark === undefined)) {
    found.push({
      aspect: 'mark',
      message: `the recorded page ${before.ContinuationMark === undefined ? 'has no' : 'has a'} ContinuationMark, the replayed one ${after.ContinuationMark === undefined ? 'has none' : 'has one'}`,
    })
  }
  const [a, b] = options.records === false ? [[], []] : [before.ActivityRecordList, after.ActivityRecordList]
  if (a.length !== b.length) found.push({ aspect: 'records', message: `the recorded page holds ${a.length} records, the replayed one ${b.length}` })
  const differing: string[] = []
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const path = firstDifferingPath(comparable(a[i] as unknown as Record<string, unknown>), comparable(b[i] as unknown as Record<string, unknown>))
    if (path !== undefined) differing.push(`record ${i + 1} at ${path}`)
  }
  if (differing.length > 0) {
    found.push({
      aspect: 'records',
      message: `${differing.length} record(s) differ beyond RID and When: ${differing.slice(0, 3).join('; ')}${differing.length > 3 ? '; …' : ''}`,
    })
  }
  const [x, y] = options.format === 'xml' ? [xmlParts(recorded.body), xmlParts(replayed.body)] : [undefined, undefined]
  if (x !== undefined && y !== undefined) {
    const page = orderDifference(x.page, y.page)
    if (page !== undefined) found.push({ aspect: 'element-order', message: `the page: ${page}` })
    for (let i = 0; i < Math.min(x.records.length, y.records.length); i++) {
      const order = orderDifference(x.records[i]!, y.records[i]!)
      if (order === undefined) continue
      found.push({ aspect: 'element-order', message: `record ${i + 1}: ${order}` })
      break
    }
  }
  return found
}

function errorDifferences(recorded: Answer, replayed: Answer, options: CompareOptions): Difference[] | undefined {
  const before = decodeAs<ErrorList>(options.codec, 'ErrorList', recorded.body, options.format)
  const after = decodeAs<ErrorList>(options.codec, 'ErrorList', replayed.body, options.format)
  if (before === undefined || after === undefined) return undefined
  const listed = (list: ErrorList, translate: (text: string) => string) => list.ErrorList.map((error) => `${error.Category}: ${translate(error.Description)}`)
  const [a, b] = [listed(before, options.translate), listed(after, (text) => text)]
  const found: Difference[] = []
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      found.push({
        aspect: 'error',
        message: `error ${i + 1}: recorded ${a[i] === undefined ? 'none' : excerpt(a[i]!, 200)}, replayed ${b[i] === undefined ? 'none' : excerpt(b[i]!, 200)}`,
      })
  }
  return found
}

export function compareAnswers(recorded: Answer, replayed: Answer, options: CompareOptions): Difference[] {
  const found: Difference[] = []
  if (recorded.status !== replayed.status) found.push({ aspect: 'status', message: `recorded ${recorded.status}, replayed ${replayed.status}` })
  found.push(...headerDifferences(recorded, replayed))
  if ((recorded.body === '') !== (replayed.body === '')) {
    found.push({
      aspect: 'body',
      message: `recorded ${recorded.body === '' ? 'an empty body' : excerpt(recorded.body)}, replayed ${replayed.body === '' ? 'an empty body' : excerpt(replayed.body)}`,
    })
    return found
  }
  if (recorded.body === '') return found
  const structured = pageDifferences(recorded, replayed, options) ?? errorDifferences(recorded, replayed, options)
  if (structured !== undefined) return [...found, ...structured]
  const [a, b] = [options.translate(recorded.body), replayed.body]
  if (a !== b) found.push({ aspect: 'body', message: `recorded ${excerpt(a)}, replayed ${excerpt(b)}` })
  return found
}
