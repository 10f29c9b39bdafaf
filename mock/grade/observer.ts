import type { RequestContext } from '../pipeline/context.ts'
import type { MockResponse } from '../responses.ts'

/** When an exchange began and ended on the observer's own clock, and whether any answer went out. */
export interface ExchangeTiming {
  arrived: number
  ended: number
  /** Headers were written: false when the client had gone before the answer, or the connection was reset. */
  answered: boolean
}

/**
 * Told of each exchange once it is over, with the request's context and the answer it got (pipeline/serve.ts). A
 * grading session is one (recorder.ts); it brings its own monotonic clock, since the server clock may be pinned.
 */
export interface ExchangeObserver {
  now(): number
  ended(ctx: RequestContext, response: MockResponse, timing: ExchangeTiming): void
}
