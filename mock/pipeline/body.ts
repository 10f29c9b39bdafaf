import { readBody } from '../http/body.ts'
import { emptyResponse, type MockResponse } from '../responses.ts'
import { established, type RequestContext, type Stage } from './context.ts'

/**
 * Reads the body of an operation that takes one, refusing it with 413 as soon as it passes the limit: a
 * declared Content-Length over the limit before reading (and before `100 Continue`, so a client that waits
 * for it never uploads), a streamed body at the chunk that crosses it. The refusal asks the responder to
 * drain what is still in flight, so the client reads the 413 rather than a reset (RFC 9112 section 9.6).
 */
export function createBodyStage(deps: { maxBody: number }): Stage {
  const note = [`the body exceeds ${deps.maxBody} bytes`]

  const read = async (ctx: RequestContext): Promise<MockResponse | undefined> => {
    const declared = Number(ctx.req.headers['content-length'])
    if (Number.isFinite(declared) && declared > deps.maxBody) {
      // Without 100 Continue a waiting client sends nothing more; one that did not wait is already sending.
      const inFlight = ctx.continueBody === undefined
      return { ...emptyResponse(413, { connection: 'close' }, note), ...(inFlight ? { ending: 'drain' as const } : {}) }
    }
    ctx.continueBody?.()
    ctx.continueBody = undefined
    const body = await readBody(ctx.req, deps.maxBody)
    if (body.ok) {
      ctx.body = body.body
      return undefined
    }
    if (body.reason === 'aborted') return { ...emptyResponse(0, {}, ['the client closed the connection before the body ended']), ending: 'none' }
    return { ...emptyResponse(413, { connection: 'close' }, note), ending: 'drain' }
  }

  return {
    name: 'body',
    run(ctx) {
      const operation = established(ctx.operation, 'route', 'the operation')
      // A bodiless operation passes at once, without a promise (compose.ts awaits only promises).
      return operation.requestPayload ? read(ctx) : undefined
    },
  }
}
