import type { OperationInfo } from '../../openapi/contract.ts'
import type { ActivityRecordInput, ActivityRecordOutput, ActivityRecordSearch, ErrorEntry, ErrorList, FilterList } from '../../openapi/records.ts'
import type { RequestContext, Stage } from '../pipeline/context.ts'
import { aroundOperations, type NamedDecorator, type PipelineServices } from '../pipeline/decorate.ts'
import { contentTypes, writeAccepted, type MockResponse } from '../responses.ts'
import type { MarkPayload } from '../state/marks.ts'

/**
 * What the defects share: the catalogue's row type, and ways to change what the clean stages do from outside
 * them (read and rewrite a page or an ErrorList, rewrite a search's filters or a posted mark, watch writes).
 */

/** The check families of the conformance suite; each defect names the one it is meant to be caught by. */
export const families = ['formats', 'pagination', 'write', 'search', 'validation', 'errors', 'auth', 'fidelity'] as const
export type Family = (typeof families)[number]

/** One seeded defect: a plausible bug of a real server, switched on in the reference mock by name. */
export interface Defect extends NamedDecorator {
  readonly family: Family
  /** The ids of openapi/requirements.yaml whose statements the defect breaks. */
  readonly requirements: readonly string[]
  /** The openapi/DECISIONS.md entry it departs from, when the pages leave the rule to a decision. */
  readonly decision?: string
}

export const readOperations = ['enumerateActivityRecords', 'continueEnumeration', 'searchActivityRecords'] as const
export const writeOperation = 'writeActivityRecords'

export function operationById(services: PipelineServices, operationId: string): OperationInfo {
  const found = services.contract.operations.find((operation) => operation.operationId === operationId)
  if (!found) throw new Error(`the contract has no operation ${operationId}`)
  return found
}

/** The caller's account as marks hold it. */
export function callerOf(ctx: RequestContext): string {
  return (ctx.account ?? '').toLowerCase()
}

/** The request with other query parameters, for the operation stage (see aroundStage on handing over copies). */
export function withQuery(ctx: RequestContext, query: Record<string, string>): RequestContext {
  return { ...ctx, query }
}

// ------------------------------------------------------------------------------------------------ pages

export interface PageContent {
  records: ActivityRecordOutput[]
  mark: string | undefined
}

/** The records and mark of a 200 page in the request's format; undefined for any other answer. */
export function readPageAnswer(services: PipelineServices, ctx: RequestContext, response: MockResponse): PageContent | undefined {
  if (response.status !== 200 || response.body === '') return undefined
  const decoded = services.codec.decode('ActivityRecordListResponse', response.body, ctx.format)
  if (!decoded.ok) return undefined
  const value = decoded.value as { ActivityRecordList: ActivityRecordOutput[]; ContinuationMark?: string }
  return { records: value.ActivityRecordList, mark: value.ContinuationMark }
}

/** The page written again, as the clean writer writes it (a page without a mark keeps none). */
export function pageAnswer(services: PipelineServices, ctx: RequestContext, page: PageContent): MockResponse {
  if (page.mark !== undefined) return services.writer.page(ctx.format, page.records, page.mark)
  const body =
    ctx.format === 'json'
      ? JSON.stringify({ ActivityRecordList: page.records })
      : services.codec.xml.encode('ActivityRecordListResponse', { ActivityRecordList: page.records })
  return { status: 200, headers: { 'content-type': contentTypes[ctx.format] }, body }
}

/** Every page the read operations answer, edited. */
export function editPages(
  stages: readonly Stage[],
  services: PipelineServices,
  edit: (page: PageContent, ctx: RequestContext) => PageContent,
  operationIds: readonly string[] = readOperations,
): Stage[] {
  return aroundOperations(stages, operationIds, async (ctx, next) => {
    const response = await next(ctx)
    const page = readPageAnswer(services, ctx, response)
    return page === undefined ? response : pageAnswer(services, ctx, edit(page, ctx))
  })
}

/** Every record of every page, edited. */
export function editRecords(stages: readonly Stage[], services: PipelineServices, edit: (record: ActivityRecordOutput) => ActivityRecordOutput): Stage[] {
  return editPages(stages, services, (page) => ({ ...page, records: page.records.map(edit) }))
}

// ------------------------------------------------------------------------------------------------ errors

/** The entries of an ErrorList answer in the request's format; undefined for any other answer. */
export function readErrors(services: PipelineServices, format: RequestContext['format'], response: MockResponse): ErrorEntry[] | undefined {
  if (response.status < 400 || response.body === '') return undefined
  const decoded = services.codec.decode('ErrorList', response.body, format)
  return decoded.ok ? (decoded.value as ErrorList).ErrorList : undefined
}

// ------------------------------------------------------------------------------------------------ writes

/**
 * The write operation as the clean handler does it, with the stored records (their RIDs assigned) handed to
 * `stored`, so a defect can remember what it will misreport later.
 */
export function observeWrites(
  stages: readonly Stage[],
  services: PipelineServices,
  stored: (inputs: readonly ActivityRecordInput[], outputs: readonly ActivityRecordOutput[], ctx: RequestContext) => void,
): Stage[] {
  return aroundOperations(stages, [writeOperation], async (ctx) => {
    const inputs = ctx.value as ActivityRecordInput[]
    stored(inputs, await services.state.write(inputs), ctx)
    return writeAccepted()
  })
}

/** Records as the write operation stores them, edited before it runs; `ctx` tells the format they came in. */
export function editInputs(stages: readonly Stage[], edit: (record: ActivityRecordInput, ctx: RequestContext) => ActivityRecordInput): Stage[] {
  return aroundOperations(stages, [writeOperation], (ctx, next) => {
    if (Array.isArray(ctx.value)) ctx.value = (ctx.value as ActivityRecordInput[]).map((record) => edit(record, ctx))
    return next(ctx)
  })
}

/** Sets a key of a map that keeps at most `capacity` entries, dropping the oldest: a mock left running with a defect on stays bounded. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, capacity = 10_000): void {
  if (!map.has(key) && map.size >= capacity) map.delete(map.keys().next().value as K)
  map.set(key, value)
}

// ------------------------------------------------------------------------------------------------ marks

/** The mark a continuation posts: the body of POST enum, or the ContinuationMark of a search. */
export function postedMark(ctx: RequestContext): string | undefined {
  if (ctx.operation?.operationId === 'continueEnumeration') return typeof ctx.value === 'string' ? ctx.value : undefined
  if (ctx.operation?.operationId === 'searchActivityRecords') return (ctx.value as ActivityRecordSearch | undefined)?.ContinuationMark
  return undefined
}

export function replacePostedMark(ctx: RequestContext, mark: string): void {
  if (ctx.operation?.operationId === 'continueEnumeration') ctx.value = mark
  else ctx.value = { ...(ctx.value as ActivityRecordSearch), ContinuationMark: mark }
}

/** Continuations whose mark is re-issued with other contents before the handler reads it. */
export function rewriteMarks(
  stages: readonly Stage[],
  services: PipelineServices,
  operationIds: readonly string[],
  rewrite: (payload: MarkPayload, ctx: RequestContext) => MarkPayload,
): Stage[] {
  return aroundOperations(stages, operationIds, (ctx, next) => {
    const mark = postedMark(ctx)
    const read = mark === undefined ? undefined : services.marks.read(mark)
    if (read?.ok) replacePostedMark(ctx, services.marks.issue(rewrite(read.payload, ctx)))
    return next(ctx)
  })
}

// ------------------------------------------------------------------------------------------------ search filters

/** One entry of a filter: an operator and its operand, or a bare operand (the filter's default operator). */
export interface FilterEntry {
  operator?: string
  operand: unknown
}

/** A filter's value (a bare value, an operator object, or a list of them) as entries. */
export function entriesOf(value: unknown, operators: ReadonlySet<string>): FilterEntry[] {
  if (Array.isArray(value)) return value.flatMap((item) => entriesOf(item, operators))
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value)
    if (keys.length > 0 && keys.every((key) => operators.has(key))) {
      return keys.map((key) => ({ operator: key, operand: (value as Record<string, unknown>)[key] }))
    }
  }
  return [{ operand: value }]
}

/** Entries as a filter value the contract accepts: a list of bare operands and one-operator objects. */
export function filterValue(entries: readonly FilterEntry[]): unknown[] {
  return entries.map((entry) => (entry.operator === undefined ? entry.operand : { [entry.operator]: entry.operand }))
}

/**
 * The FilterList of every search (first page or continued), rewritten before the handler reads it. The same
 * rewrite of the same filters must give the same result, or the handler refuses the continuation's mark as
 * belonging to another query.
 */
export function editFilters(
  stages: readonly Stage[],
  services: PipelineServices,
  edit: (filters: FilterList, ctx: RequestContext, operators: ReadonlySet<string>) => FilterList,
): Stage[] {
  const operators = new Set(Object.keys(services.contract.operators))
  return aroundOperations(stages, ['searchActivityRecords'], (ctx, next) => {
    const search = ctx.value as ActivityRecordSearch
    ctx.value = { ...search, FilterList: edit(search.FilterList, ctx, operators) }
    return next(ctx)
  })
}

/** One filter's entries rewritten, where the FilterList has it. */
export function editFilterEntries(
  filters: FilterList,
  name: string,
  operators: ReadonlySet<string>,
  edit: (entries: FilterEntry[]) => FilterEntry[],
): FilterList {
  const value = (filters as Record<string, unknown>)[name]
  if (value === undefined) return filters
  return { ...filters, [name]: filterValue(edit(entriesOf(value, operators))) } as FilterList
}

/** An ISO 8601 instant in UTC with milliseconds. */
export function isoInstant(ms: number): string {
  return new Date(ms).toISOString()
}
