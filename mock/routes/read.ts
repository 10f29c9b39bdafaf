import type { Contract } from '../../openapi/contract.ts'
import type { ActivityRecordSearch, FilterList } from '../../openapi/records.ts'
import type { Page } from '../model.ts'
import { established, type RequestContext } from '../pipeline/context.ts'
import type { OperationHandler } from '../pipeline/operation.ts'
import type { MockResponse, ResponseWriter } from '../responses.ts'
import type { MarkCodec, MarkPayload } from '../state/marks.ts'
import { canonicalQueryHash } from '../state/marks.ts'
import type { Store, StoreQuery } from '../state/store.ts'
import { canonicalFilterList } from '../search/compile.ts'
import { storeUnavailable } from './store-errors.ts'

export interface ReadDeps {
  contract: Contract
  /** Pages are read from the store with the query as data (state/store.ts). */
  store: Pick<Store, 'page'>
  marks: MarkCodec
  writer: ResponseWriter
  maxCount: number
  /** The instance's clock: a search's timeframes are measured from the moment its request is read. */
  now: () => number
}

type ReadOperation = 'enumerateActivityRecords' | 'continueEnumeration' | 'searchActivityRecords'

/** The three read operations: enum, enum with a mark, and search. They run once every earlier stage has passed the request. */
export function createReadHandlers(deps: ReadDeps): Record<ReadOperation, OperationHandler> {
  const inputError = (ctx: RequestContext, description: string, location?: string): MockResponse =>
    deps.writer.errors(400, ctx.format, [
      location ? { Category: 'InputError', Description: description, Location: location } : { Category: 'InputError', Description: description },
    ])

  /** The contract has validated count (a whole number from 1); the server's own limit is --max-count. */
  const pageSize = (ctx: RequestContext): number | undefined => {
    const raw = ctx.query['count']
    if (raw === undefined) return deps.contract.defaultCount
    const count = Number(raw)
    return count <= deps.maxCount ? count : undefined
  }
  const caller = (ctx: RequestContext) => established(ctx.account, 'authenticate', 'the account').toLowerCase()

  /** Writes a page and its next mark; the mark carries what the page's query was. */
  const pageResponse = (ctx: RequestContext, page: Page, mark: Omit<MarkPayload, 'v' | 'after' | 'user'>): MockResponse => {
    // Named field by field: an object spread here made a dictionary-mode object that cost the mark 2 µs to read.
    const next = deps.marks.issue({ op: mark.op, filters: mark.filters, q: mark.q, user: caller(ctx), after: page.nextAfterSeq })
    return deps.writer.page(
      ctx.format,
      page.records.map((stored) => stored.record),
      next,
    )
  }

  /** Answers at once when the store does (the in-memory one always does), so only a store that waits costs a promise. */
  const respondPage = (
    ctx: RequestContext,
    count: number,
    after: number,
    filters: FilterList | undefined,
    mark: Omit<MarkPayload, 'v' | 'after' | 'user'>,
  ): MockResponse | Promise<MockResponse> => {
    const query: StoreQuery = {
      filters,
      scope: established(ctx.scope, 'authorize', 'the scope'),
      afterSeq: after,
      count,
      now: filters === undefined ? 0 : deps.now(),
    }
    const page = deps.store.page(query)
    if (!(page instanceof Promise)) return pageResponse(ctx, page, mark)
    return page.then(
      (read) => pageResponse(ctx, read, mark),
      (error: unknown) => storeUnavailable(deps.writer, ctx, error),
    )
  }

  const countError = (ctx: RequestContext) => inputError(ctx, deps.contract.invalidCountDescription)

  /** Reads a posted mark; a mark that was altered or issued to someone else is an input error. */
  const readMark = (ctx: RequestContext, mark: string): { ok: true; payload: MarkPayload } | { ok: false; response: MockResponse } => {
    const read = deps.marks.read(mark)
    if (!read.ok) return { ok: false, response: inputError(ctx, `Invalid continuation mark specified: the mark is ${read.reason}.`, '/ContinuationMark') }
    if (read.payload.user !== caller(ctx)) {
      return { ok: false, response: inputError(ctx, 'Invalid continuation mark specified: the mark was issued to another user.', '/ContinuationMark') }
    }
    return read
  }

  return {
    enumerateActivityRecords(ctx: RequestContext) {
      const count = pageSize(ctx)
      if (count === undefined) return countError(ctx)
      return respondPage(ctx, count, 0, undefined, { op: 'enum' })
    },

    continueEnumeration(ctx: RequestContext) {
      const count = pageSize(ctx)
      if (count === undefined) return countError(ctx)
      const mark = readMark(ctx, ctx.value as string)
      if (!mark.ok) return mark.response
      const { op, filters, q, after } = mark.payload
      // A mark minted by search continues that search, even when posted to enum.
      if (op === 'search' && filters) return respondPage(ctx, count, after, filters as FilterList, { op, filters, q })
      return respondPage(ctx, count, after, undefined, { op: 'enum' })
    },

    searchActivityRecords(ctx: RequestContext) {
      const count = pageSize(ctx)
      if (count === undefined) return countError(ctx)
      const search = ctx.value as ActivityRecordSearch
      const filters = canonicalFilterList(search.FilterList, deps.contract)
      const q = canonicalQueryHash(filters)
      let after = 0
      if (search.ContinuationMark !== undefined) {
        const mark = readMark(ctx, search.ContinuationMark)
        if (!mark.ok) return mark.response
        if (mark.payload.op !== 'search' || mark.payload.q !== q) {
          return inputError(ctx, 'Invalid continuation mark specified: the mark belongs to another query.', '/ActivityRecordSearch/ContinuationMark')
        }
        after = mark.payload.after
      }
      return respondPage(ctx, count, after, filters, { op: 'search', filters, q })
    },
  }
}
