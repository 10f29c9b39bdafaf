import type { Contract, PayloadName } from '../../openapi/contract.ts'
import { describeRejection, type PayloadCodec, type PayloadResult, type WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordInput, ActivityRecordListResponse, ActivityRecordOutput, ErrorList, FilterList } from '../../openapi/records.ts'
import { fail, pass, type AccountRole, type CheckContext, type CheckVerdict, type Exchange } from '../types.ts'

/** Shared by every check family: paths, body builders, page walking, and the small pure verdict helpers. */

export const endpoints = {
  enum: '/activity_records/enum',
  search: '/activity_records/search',
  write: '/activity_records/',
} as const

export const admin: AccountRole = 'administrator'

export const contentTypes: Readonly<Record<WireFormat, string>> = {
  xml: 'application/xml; charset=UTF-8',
  json: 'application/json; charset=UTF-8',
}

export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`)
    .join('&')
  return query ? `${path}?${query}` : path
}

/** The query that selects a format: `format=json` for JSON, nothing for the XML default. */
export function formatParam(format: WireFormat): string | undefined {
  return format === 'json' ? 'json' : undefined
}

/** The format an exchange was asked for: JSON when the request carried format=json, XML otherwise. */
export function formatOf(exchange: Exchange): WireFormat {
  const query = exchange.request.url.split('?')[1] ?? ''
  return new URLSearchParams(query).get('format') === 'json' ? 'json' : 'xml'
}

export function headerOf(exchange: Exchange, name: string): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(exchange.response.headers)) if (key.toLowerCase() === wanted) return value
  return undefined
}

/** `application/xml; charset=utf-8` → `application/xml`. */
export function mediaType(value: string | undefined): string {
  return (value ?? '').split(';')[0]!.trim().toLowerCase()
}

export function snippet(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat === '') return '(empty body)'
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

export function describeResponse(exchange: Exchange): string {
  return `${exchange.request.method} ${exchange.request.url} → ${exchange.response.status} ${snippet(exchange.response.body)}`
}

export function decodeResponse(codec: PayloadCodec, exchange: Exchange, name: PayloadName): PayloadResult {
  return codec.decode(name, exchange.response.body, formatOf(exchange))
}

export function describeIssues(result: PayloadResult): string {
  return result.ok ? '' : describeRejection(result)
}

// ------------------------------------------------------------------------------------------------ pages

export interface Page {
  exchange: Exchange
  records: ActivityRecordOutput[]
  mark: string | undefined
}

export type PageOutcome = { ok: true; page: Page } | { ok: false; problem: string }

/** A read response as a page: 200, the format it was asked for, and the contract's ActivityRecordListResponse. */
export function readPage(codec: PayloadCodec, exchange: Exchange): PageOutcome {
  if (exchange.response.status !== 200) return { ok: false, problem: `expected 200, got ${describeResponse(exchange)}` }
  const decoded = decodeResponse(codec, exchange, 'ActivityRecordListResponse')
  if (!decoded.ok) {
    return {
      ok: false,
      problem: `${exchange.request.method} ${exchange.request.url}: the body is not an ActivityRecordList in ${formatOf(exchange)}: ${describeIssues(decoded)}`,
    }
  }
  const value = decoded.value as ActivityRecordListResponse
  return { ok: true, page: { exchange, records: value.ActivityRecordList, mark: value.ContinuationMark } }
}

export interface WalkOptions {
  /** The most pages with records a walk follows; one more page with records means the server does not end. */
  maxPages: number
  /** Stops early, without calling it a problem, once enough records are in (prefix comparisons on large servers). */
  stopWhen?: (recordsSoFar: number) => boolean
}

export interface Walk {
  pages: Page[]
  /** Reached a 200 page without records: the documented end of the data. */
  ended: boolean
  /** Stopped by `stopWhen` before the end. */
  stopped: boolean
  problem?: string
}

/**
 * Follows Continuation marks until an empty page. Pure apart from the two fetchers it is given, so the
 * loop rules (a page with records but no mark, a repeated mark, more than maxPages pages) are unit-tested.
 */
export async function followMarks(first: () => Promise<PageOutcome>, next: (mark: string) => Promise<PageOutcome>, options: WalkOptions): Promise<Walk> {
  const pages: Page[] = []
  const seen = new Set<string>()
  let collected = 0
  let outcome = await first()
  for (;;) {
    if (!outcome.ok) return { pages, ended: false, stopped: false, problem: `page ${pages.length + 1}: ${outcome.problem}` }
    const page = outcome.page
    pages.push(page)
    if (page.records.length === 0) return { pages, ended: true, stopped: false }
    collected += page.records.length
    if (pages.length > options.maxPages) {
      return {
        pages,
        ended: false,
        stopped: false,
        problem: `the server still returned records on page ${pages.length}, past the bound of ${options.maxPages} pages (--max-pages); it never ends, or holds more records than the bound allows`,
      }
    }
    if (options.stopWhen?.(collected)) return { pages, ended: false, stopped: true }
    if (!page.mark)
      return {
        pages,
        ended: false,
        stopped: false,
        problem: `page ${pages.length} has ${page.records.length} records but no ContinuationMark to continue from`,
      }
    if (seen.has(page.mark)) {
      return {
        pages,
        ended: false,
        stopped: false,
        problem: `page ${pages.length} repeats the ContinuationMark of an earlier page, so following marks would loop forever`,
      }
    }
    seen.add(page.mark)
    outcome = await next(page.mark)
  }
}

export function walkRecords(walk: Walk): ActivityRecordOutput[] {
  return walk.pages.flatMap((page) => page.records)
}

export interface ReadOptions {
  format: WireFormat
  count?: number
  maxPages: number
  stopWhen?: (recordsSoFar: number) => boolean
}

/** GET enum, then POST enum with each mark in the same format, until the end. */
export function enumerateAll(ctx: CheckContext, as: AccountRole, options: ReadOptions): Promise<Walk> {
  const query = { format: formatParam(options.format), count: options.count }
  return followMarks(
    async () => readPage(ctx.codec, await ctx.send({ method: 'GET', path: withQuery(endpoints.enum, query), as })),
    async (mark) => readPage(ctx.codec, await postMark(ctx, as, mark, options.format, options.count)),
    options,
  )
}

/** POST search, then the same search with each mark inside the body, until the end. */
export function searchAll(ctx: CheckContext, as: AccountRole, filters: FilterList, options: ReadOptions): Promise<Walk> {
  return followMarks(
    async () => readPage(ctx.codec, await postSearch(ctx, as, filters, options.format, { count: options.count })),
    async (mark) => readPage(ctx.codec, await postSearch(ctx, as, filters, options.format, { count: options.count, mark })),
    options,
  )
}

export async function getEnumPage(ctx: CheckContext, as: AccountRole, format: WireFormat, count?: number): Promise<PageOutcome> {
  return readPage(ctx.codec, await ctx.send({ method: 'GET', path: withQuery(endpoints.enum, { format: formatParam(format), count }), as }))
}

export async function nextEnumPage(ctx: CheckContext, as: AccountRole, mark: string, format: WireFormat, count?: number): Promise<PageOutcome> {
  return readPage(ctx.codec, await postMark(ctx, as, mark, format, count))
}

export async function searchPage(ctx: CheckContext, as: AccountRole, filters: FilterList, format: WireFormat, count?: number): Promise<PageOutcome> {
  return readPage(ctx.codec, await postSearch(ctx, as, filters, format, { count }))
}

/** A search every record matches: no account name contains this run's made-up one. */
export function matchAll(ctx: CheckContext): FilterList {
  return { Who: { DoesNotContain: `${ctx.runMarker}-no-such-account` } }
}

// ------------------------------------------------------------------------------------------------ bodies

export function markBody(codec: PayloadCodec, mark: string, format: WireFormat): string {
  return codec.encode('ContinuationMark', mark, format)
}

/** The mark goes first, as in every documented example. */
export function searchBody(codec: PayloadCodec, filters: FilterList, format: WireFormat, mark?: string): string {
  return codec.encode('ActivityRecordSearch', mark === undefined ? { FilterList: filters } : { ContinuationMark: mark, FilterList: filters }, format)
}

export function writeBody(codec: PayloadCodec, records: readonly ActivityRecordInput[], format: WireFormat): string {
  return codec.encode('ActivityRecordInputList', records, format)
}

/**
 * A write body that the contract refuses (a field missing, too long, a bad When): written through the
 * schema-driven XML writer, which does not validate, or as plain JSON.
 */
export function unvalidatedWriteBody(codec: PayloadCodec, records: readonly unknown[], format: WireFormat): string {
  return format === 'xml' ? codec.xml.encode('ActivityRecordInputList', records) : JSON.stringify(records)
}

/** The documented example's layout: declaration, the mark on its own line with spaces around it (api/postdata/continuationmark.md). */
export function paddedMarkBody(namespace: string, mark: string): string {
  return `<?xml version="1.0" standalone="yes"?>\n<ContinuationMark xmlns="${namespace}"> \n${mark} \n</ContinuationMark>`
}

export function postMark(ctx: CheckContext, as: AccountRole, mark: string, format: WireFormat, count?: number, body?: string): Promise<Exchange> {
  return ctx.send({
    method: 'POST',
    path: withQuery(endpoints.enum, { format: formatParam(format), count }),
    headers: { 'Content-Type': contentTypes[format] },
    body: body ?? markBody(ctx.codec, mark, format),
    as,
  })
}

export function postSearch(
  ctx: CheckContext,
  as: AccountRole,
  filters: FilterList,
  format: WireFormat,
  options: { count?: number; mark?: string } = {},
): Promise<Exchange> {
  return sendBody(
    ctx,
    as,
    withQuery(endpoints.search, { format: formatParam(format), count: options.count }),
    searchBody(ctx.codec, filters, format, options.mark),
    format,
  )
}

export function writeRecords(
  ctx: CheckContext,
  as: AccountRole,
  records: readonly ActivityRecordInput[],
  format: WireFormat,
  path: string = endpoints.write,
): Promise<Exchange> {
  return sendBody(ctx, as, withQuery(path, { format: formatParam(format) }), writeBody(ctx.codec, records, format), format)
}

/** A POST with a body the caller built, labelled with the Content-Type of its format. */
export function sendBody(ctx: CheckContext, as: AccountRole | null, path: string, body: string | Buffer, format: WireFormat): Promise<Exchange> {
  return ctx.send({ method: 'POST', path, headers: { 'Content-Type': contentTypes[format] }, body, as })
}

// ------------------------------------------------------------------------------------------------ test data

/** A marked record that the contract accepts; `marker` goes into What and Where so a search can find it again. */
export function sampleRecord(marker: string, overrides: Partial<ActivityRecordInput> = {}): ActivityRecordInput {
  return {
    Who: 'ENTERPRISE\\nwa-check',
    Action: 'Added',
    What: `nwa-kit conformance record ${marker}`,
    When: '2017-02-14T15:42:34Z',
    Where: `${marker}.nwa.example`,
    ObjectType: 'nwa test object',
    ...overrides,
  }
}

export { createPrng, type Prng } from '../../openapi/prng.ts'

/** FNV-1a, to seed the PRNG from the run marker. */
export function seedFrom(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0
  return hash
}

// ------------------------------------------------------------------------------------------------ verdict helpers

export function preview(items: readonly string[], max = 10): string {
  if (items.length === 0) return '[]'
  const shown = items.slice(0, max).join(', ')
  return items.length > max ? `[${shown}, … ${items.length - max} more]` : `[${shown}]`
}

export function verdict(problems: readonly string[], passMessage: string): CheckVerdict {
  return problems.length ? fail(problems.join('; ')) : pass(passMessage)
}

/** The form every documented RID has (x-nwa-form on the output RID, openapi/DECISIONS.md D37): a SHOULD, not a rule. */
export function ridForm(contract: Contract): RegExp {
  const list = contract.schema('ActivityRecordListResponse').properties?.['ActivityRecordList']
  const pattern = (list?.items?.properties?.['RID']?.['x-nwa-form'] as { pattern?: unknown } | undefined)?.pattern
  if (typeof pattern !== 'string') throw new Error('the contract gives no documented RID form')
  return new RegExp(pattern)
}

/** Records without a RID: every output record has one, however the server forms it. */
export function missingRids(records: readonly ActivityRecordOutput[]): string[] {
  return records.flatMap((record, index) => (record.RID === undefined ? [`record ${index + 1} has no RID`] : []))
}

/** RIDs that do not have the documented 17 digits + 32 hex digits. */
export function undocumentedRidForms(records: readonly ActivityRecordOutput[], form: RegExp): string[] {
  return records.flatMap((record) => (record.RID === undefined || form.test(record.RID) ? [] : [`RID "${record.RID}" is not 17 digits + 32 hex digits`]))
}

export function ridsOf(records: readonly ActivityRecordOutput[]): string[] {
  return records.map((record) => record.RID ?? '(no RID)')
}

function duplicatesOf(items: readonly string[]): string[] {
  const seen = new Set<string>()
  const repeated = new Set<string>()
  for (const item of items) (seen.has(item) ? repeated : seen).add(item)
  return [...repeated]
}

/**
 * Pages joined must equal one large page: no duplicates, no gaps, same order. `prefix` compares only as many
 * records as the single page holds, for servers with more data than one walk should fetch.
 */
export function comparePages(pages: readonly (readonly string[])[], single: readonly string[], mode: 'complete' | 'prefix'): string[] {
  const joined = pages.flat()
  const problems: string[] = []
  if (mode === 'complete' && joined.length !== single.length) problems.push(`the pages hold ${joined.length} records in all, the single page ${single.length}`)
  const duplicates = duplicatesOf(joined)
  if (duplicates.length) problems.push(`records returned on more than one page: ${preview(duplicates)}`)
  const compared = mode === 'prefix' ? joined.slice(0, single.length) : joined
  const inJoined = new Set(compared)
  const inSingle = new Set(single)
  const missing = single.filter((rid) => !inJoined.has(rid))
  const unexpected = compared.filter((rid) => !inSingle.has(rid))
  if (missing.length) problems.push(`records of the single page that no page returned (gaps): ${preview(missing)}`)
  if (unexpected.length) problems.push(`records on the pages that the single page does not hold: ${preview(unexpected)}`)
  if (!missing.length && !unexpected.length && !duplicates.length) {
    const at = compared.findIndex((rid, index) => rid !== single[index])
    if (at >= 0) problems.push(`the order differs from the single page at position ${at + 1}: ${compared[at]} instead of ${single[at]}`)
  }
  return problems
}

export interface SetComparison {
  missing: string[]
  unexpected: string[]
  duplicates: string[]
}

/** Expected against actual RIDs; `ignore` holds RIDs whose outcome cannot be judged (e.g. too close to a clock boundary). */
export function compareRidSets(expected: Iterable<string>, actual: readonly string[], ignore: ReadonlySet<string> = new Set()): SetComparison {
  const wanted = new Set([...expected].filter((rid) => !ignore.has(rid)))
  const got = new Set(actual)
  return {
    missing: [...wanted].filter((rid) => !got.has(rid)),
    unexpected: [...got].filter((rid) => !wanted.has(rid) && !ignore.has(rid)),
    duplicates: duplicatesOf(actual),
  }
}

export function describeComparison(comparison: SetComparison): string | undefined {
  const parts: string[] = []
  if (comparison.missing.length) parts.push(`missing ${comparison.missing.length} ${preview(comparison.missing)}`)
  if (comparison.unexpected.length) parts.push(`unexpected ${comparison.unexpected.length} ${preview(comparison.unexpected)}`)
  if (comparison.duplicates.length) parts.push(`duplicated ${preview(comparison.duplicates)}`)
  return parts.length ? parts.join(', ') : undefined
}

// ------------------------------------------------------------------------------------------------ error bodies

export interface ErrorExpectation {
  status: number | readonly number[]
  format: WireFormat
  category?: string
  description?: string
}

/**
 * What is wrong with an error response: its status, its Content-Type, and its body as an ErrorList in the
 * request's format (the codec checks the root element and the http://schemas.netwrix.com/api/v1/ namespace).
 */
export function errorListProblems(codec: PayloadCodec, exchange: Exchange, expected: ErrorExpectation): string[] {
  const statuses = typeof expected.status === 'number' ? [expected.status] : expected.status
  const label = `${exchange.request.method} ${exchange.request.url}`
  if (!statuses.includes(exchange.response.status))
    return [`${label}: expected ${statuses.join(' or ')}, got ${exchange.response.status} ${snippet(exchange.response.body)}`]
  const problems: string[] = []
  const wantedType = expected.format === 'json' ? 'application/json' : 'application/xml'
  const type = mediaType(headerOf(exchange, 'content-type'))
  if (type !== wantedType) problems.push(`${label}: error Content-Type is "${type || 'absent'}", expected ${wantedType}`)
  const decoded = codec.decode('ErrorList', exchange.response.body, expected.format)
  if (!decoded.ok) {
    problems.push(`${label}: the body is not an ErrorList in ${expected.format}: ${describeIssues(decoded)} (body: ${snippet(exchange.response.body)})`)
    return problems
  }
  const errors = (decoded.value as ErrorList).ErrorList
  if (expected.category !== undefined && !errors.some((error) => error.Category === expected.category)) {
    problems.push(`${label}: expected Category ${expected.category}, got ${errors.map((error) => error.Category).join(', ')}`)
  }
  if (expected.description !== undefined && !errors.some((error) => error.Description === expected.description)) {
    problems.push(`${label}: expected Description "${expected.description}", got ${errors.map((error) => `"${error.Description}"`).join(', ')}`)
  }
  return problems
}

/** The documented empty-body errors (401, 404, 405, 413, corrupted JSON's 500). */
export function emptyBodyProblems(exchange: Exchange, status: number): string[] {
  const label = `${exchange.request.method} ${exchange.request.url}`
  const problems: string[] = []
  if (exchange.response.status !== status) problems.push(`${label}: expected ${status}, got ${exchange.response.status} ${snippet(exchange.response.body)}`)
  else if (exchange.response.body.length > 0) problems.push(`${label}: ${status} should have an empty body, got ${snippet(exchange.response.body)}`)
  return problems
}
