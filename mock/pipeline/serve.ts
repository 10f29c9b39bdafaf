import type { IncomingMessage, ServerResponse } from 'node:http'
import { type ExchangeExcerpt, excerptRequest, excerptResponse } from '../exchange-excerpt.ts'
import type { ExchangeObserver } from '../grade/observer.ts'
import type { UnnumberedEntry } from '../request-journal.ts'
import { emptyResponse, type MockResponse } from '../responses.ts'
import { runStages } from './compose.ts'
import type { RequestContext, Stage } from './context.ts'
import { type Responder, serverHeader } from './respond.ts'
import { readTarget, type RequestTarget } from './target.ts'

export interface ServeDeps {
  /** The stages as they are now (decorators can replace them while the server runs). */
  stages: () => readonly Stage[]
  respond: Responder
  now: () => number
  record: (entry: UnnumberedEntry, exchange?: ExchangeExcerpt) => void
  /** Keep an excerpt of each exchange with its entry (with --control, for the inspector page). */
  exchanges?: boolean
  /** Requests the journal leaves out once answered: the inspector's and GET /nwa/requests' own reads, or reading the journal would fill it. */
  unjournaled?: (method: string, path: string, status: number) => boolean
  /** The answer when a stage throws: a bug in the mock, never the client's fault. */
  internalError: (ctx: RequestContext, error: unknown) => MockResponse
  /** Told of every exchange once it is over (a grading session records them); the clean mock has none. */
  observe?: ExchangeObserver | undefined
}

/** One request from socket to socket: a context, the stages, the responder, then the journal entry. */
export function createServe(deps: ServeDeps) {
  return async (req: IncomingMessage, res: ServerResponse, continueBody: (() => void) | undefined): Promise<void> => {
    const observer = deps.observe
    const arrived = observer === undefined ? 0 : observer.now()
    const target = readTarget(req.url ?? '/')
    const ctx = createContext(req, target ?? unreadable, deps.now(), continueBody)
    const response = target ? await runStages(deps.stages(), ctx).catch((error: unknown) => deps.internalError(ctx, error)) : notAPath
    await deps.respond(ctx, response, res).catch(() => res.destroy())
    // The inspector's and the journal's own reads are left out, or reading the journal would fill it.
    if (!(target && deps.unjournaled?.(ctx.method, target.path, response.status)))
      deps.record(journalEntry(ctx, response, deps.now()), deps.exchanges ? exchangeOf(ctx, response) : undefined)
    if (observer !== undefined && !target?.path.startsWith('/nwa/'))
      observer.ended(ctx, response, { arrived, ended: observer.now(), answered: res.headersSent })
  }
}

const notAPath = emptyResponse(404, {}, ['the request target is not a URL path'])
const unreadable = readTarget('/') as RequestTarget

/** The context every request starts with. */
function createContext(req: IncomingMessage, target: RequestTarget, receivedAt: number, continueBody: (() => void) | undefined): RequestContext {
  return {
    req,
    method: (req.method ?? 'GET').toUpperCase(),
    target,
    query: target.query,
    format: target.query['format'] === 'json' ? 'json' : 'xml',
    receivedAt,
    continueBody,
    responseHeaders: {},
  }
}

function journalEntry(ctx: RequestContext, response: MockResponse, now: number): UnnumberedEntry {
  const entry: UnnumberedEntry = {
    time: new Date(ctx.receivedAt).toISOString(),
    method: ctx.method,
    path: ctx.req.url ?? '/',
    status: response.ending === 'none' || response.ending === 'reset' ? 0 : response.status,
    notes: [...(response.notes ?? [])],
    durationMs: Math.max(0, now - ctx.receivedAt),
  }
  if (ctx.account !== undefined) entry.account = ctx.account
  if (ctx.scheme !== undefined) entry.scheme = ctx.scheme
  if (ctx.operation !== undefined) entry.operation = ctx.operation.operationId
  return entry
}

/** The exchange as sent: the request's headers and the body the body stage read, the headers the responder wrote. */
function exchangeOf(ctx: RequestContext, response: MockResponse): ExchangeExcerpt {
  const headers: Record<string, string | string[]> = { ...ctx.responseHeaders, ...response.headers, server: serverHeader }
  return {
    request: excerptRequest(ctx.req.rawHeaders, ctx.body),
    response: excerptResponse(response.ending === 'none' ? 0 : response.status, headers, response.stream ? '' : response.body),
  }
}
