/**
 * How far a connector has come in a scenario, read off the exchanges as they are recorded: whether it reads or writes,
 * whether its reading reached the end of the data, whether it is busy or has been quiet. The scenarios move on it
 * (scenarios.ts), and the grader decides from it when a scenario has done its work.
 */
import { endOf, type GradeExchange, isAuthorized, isRead, isWholePage, isWrite } from '../../openapi/grade-session.ts'
import { type PipelineDecorator, wrapStage } from '../pipeline/decorate.ts'

export interface Progress {
  /** An authorized read, or write, was answered. */
  reader: boolean
  writer: boolean
  /** Writes answered 200. */
  writesAcked: number
  /** Whole pages with records. */
  pages: number
  /** When the last whole empty page was answered (ms since the session began), if one was. */
  lastEndAt: number | undefined
  /** When the last authorized write was answered 200. */
  lastAckAt: number | undefined
  /** When the last exchange ended. */
  lastExchangeAt: number
  /** Requests that arrived and have not ended. */
  inFlight: number
}

export interface ProgressTracker {
  readonly progress: Progress
  /** Counts requests as they arrive, so the tracker knows when none is in flight. */
  decorator: PipelineDecorator
  observe(exchange: GradeExchange): void
  /** ms without any exchange and nothing in flight; 0 while a request is in flight. */
  idleFor(nowMs: number): number
  /** Whether a whole empty page was answered after `atMs`. */
  endedAfter(atMs: number): boolean
}

export function createProgressTracker(): ProgressTracker {
  const progress: Progress = {
    reader: false,
    writer: false,
    writesAcked: 0,
    pages: 0,
    lastEndAt: undefined,
    lastAckAt: undefined,
    lastExchangeAt: 0,
    inFlight: 0,
  }
  return {
    progress,
    // Synchronous, as the route stage is: a wrapper that awaited would cost every request a turn of the microtask queue.
    decorator: (stages) =>
      wrapStage(stages, 'route', (stage) => ({
        name: 'route',
        run(ctx) {
          if (!ctx.target.path.startsWith('/nwa/')) progress.inFlight += 1
          return stage.run(ctx)
        },
      })),
    observe(exchange) {
      progress.inFlight = Math.max(0, progress.inFlight - 1)
      progress.lastExchangeAt = endOf(exchange)
      if (!isAuthorized(exchange)) return
      if (isRead(exchange)) {
        progress.reader = true
        if (isWholePage(exchange) && exchange.page !== undefined) {
          if (exchange.page.records === 0) progress.lastEndAt = progress.lastExchangeAt
          else progress.pages += 1
        }
      }
      if (isWrite(exchange)) {
        progress.writer = true
        if (exchange.status === 200 && exchange.ending === 'complete') {
          progress.writesAcked += 1
          progress.lastAckAt = progress.lastExchangeAt
        }
      }
    },
    idleFor: (nowMs) => (progress.inFlight > 0 ? 0 : Math.max(0, nowMs - progress.lastExchangeAt)),
    endedAfter: (atMs) => progress.lastEndAt !== undefined && progress.lastEndAt >= atMs,
  }
}
