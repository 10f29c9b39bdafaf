import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { MockResponse } from '../responses.ts'
import type { RequestContext } from './context.ts'

/** The real API runs on HTTP.sys (api/retrieveactivityrecords.md shows this header). */
export const serverHeader = 'Microsoft-HTTPAPI/2.0'

/** How much of a refused body the server still reads, and for how long, before it closes the connection anyway. */
export interface DrainLimits {
  bytes: number
  ms: number
}

/** Writes a response to the socket; resolves once the exchange is over from the server's side. */
export type Responder = (ctx: RequestContext, response: MockResponse, res: ServerResponse) => Promise<void>

export function createResponder(limits: DrainLimits): Responder {
  return async (ctx, response, res) => {
    if (response.ending === 'none' || res.headersSent || res.destroyed) return
    if (response.ending === 'reset') {
      res.socket?.destroy()
      return
    }
    // Copied name by name: spreading two objects into one builds it the slow way on every response.
    const headers: OutgoingHttpHeaders = {}
    for (const name in ctx.responseHeaders) headers[name] = ctx.responseHeaders[name]
    for (const name in response.headers) headers[name] = response.headers[name]
    headers['server'] = serverHeader
    if (response.ending === 'cut') {
      res.writeHead(response.status, headers)
      res.write(response.body)
      await new Promise<void>((resolve) => setImmediate(resolve))
      res.socket?.destroy()
      return
    }
    if (response.stream) {
      res.writeHead(response.status, headers)
      res.flushHeaders()
      await response.stream(res)
      return
    }
    // The length without a copy: the socket takes the string as it is.
    headers['content-length'] = Buffer.byteLength(response.body, 'utf8')
    // A refusal before the body was read (a 401, 404 or 405 to an upload, a 413) goes out now; the connection stays open
    // while the rest of the body is read and dropped, so the client sees the status instead of a reset, which a
    // connection closed under its upload would give it. RFC 9112 section 9.6 asks a server that closes mid-request for
    // exactly this. (On a kept-alive connection Node drops an unread body itself; on a closing one it would not.)
    if (response.ending === 'drain' || bodyStillArriving(ctx.req)) {
      res.writeHead(response.status, headers)
      // The whole answer goes out first (a fault's ErrorList has a body), then the upload is dropped.
      if (response.body) res.write(response.body, 'utf8')
      else res.flushHeaders()
      await drain(ctx.req, limits)
      res.end()
      return
    }
    res.writeHead(response.status, headers)
    res.end(response.body, 'utf8')
  }
}

/** Whether the request has a body nobody has read yet. */
function bodyStillArriving(req: IncomingMessage): boolean {
  return !req.complete && !req.readableEnded && !req.destroyed
}

/** Reads and drops what is left of a request body, until it ends, the client goes, or a limit is reached. */
function drain(req: IncomingMessage, limits: DrainLimits): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    let received = 0
    const finish = () => {
      clearTimeout(timer)
      req.off('data', onData)
      req.off('end', finish)
      req.off('close', finish)
      req.off('error', finish)
      resolve()
    }
    const onData = (chunk: Buffer) => {
      received += chunk.length
      if (received > limits.bytes) finish()
    }
    const timer = setTimeout(finish, limits.ms)
    req.on('data', onData)
    req.once('end', finish)
    req.once('close', finish)
    req.once('error', finish)
    req.resume()
  })
}
