import { IncomingMessage, type RequestListener, ServerResponse, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'

/**
 * Requests Node's HTTP server does not hand to the request listener, answered the way the API answers any other
 * request instead of with a closed socket. HTTP.sys takes any method token and routes by path, so `CONNECT` and
 * methods Node's parser does not know (`BREW`) with a path in origin form get the documented 404 or 405 with an
 * empty body (api/responsestatuscodes.md) from the same pipeline, journal entry included. The connection closes
 * after the answer: the parser cannot go on past such a request.
 */

/** A CONNECT request ('connect' event): Node gives up the socket; a response is written on it by hand. */
export function answerConnect(listener: RequestListener, req: IncomingMessage, socket: Duplex): void {
  if (!(req.url ?? '').startsWith('/')) {
    // Authority form (`CONNECT host:443`) asks for a tunnel; the API is no proxy.
    refuse(socket, 400)
    return
  }
  // Whatever follows the head of a CONNECT is not a body this server reads.
  req.push(null)
  answerOnSocket(listener, req, socket)
}

/** The request line of a request the parser refused for its method: method and origin-form target, or undefined. */
export function readUnknownMethodLine(rawPacket: Buffer | undefined): { method: string; target: string } | undefined {
  if (!rawPacket) return undefined
  const end = rawPacket.indexOf('\r\n')
  // A request line longer than this is not one a client means; the connection is refused as Node would.
  if (end < 0 || end > MAX_REQUEST_LINE) return undefined
  const line = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\/\S*) HTTP\/1\.[01]$/.exec(rawPacket.toString('latin1', 0, end))
  return line ? { method: line[1] as string, target: line[2] as string } : undefined
}

const MAX_REQUEST_LINE = 16 * 1024

/**
 * A client error event: a method the parser does not know but with a path is answered by the pipeline; everything
 * else gets what Node's own handler would have sent (431 for oversized headers, 408 when the headers took longer
 * than the header timeout, 400 otherwise), which a 'clientError' listener takes over.
 */
export function answerClientError(listener: RequestListener, error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  const line = error.code === 'HPE_INVALID_METHOD' ? readUnknownMethodLine(error.rawPacket) : undefined
  if (line && socket.writable) {
    const req = new IncomingMessage(socket as Socket)
    req.method = line.method
    req.url = line.target
    req.push(null)
    answerOnSocket(listener, req, socket)
    return
  }
  refuse(socket, error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400)
}

function answerOnSocket(listener: RequestListener, req: IncomingMessage, socket: Duplex): void {
  const res = new ServerResponse(req)
  res.shouldKeepAlive = false
  res.assignSocket(socket as Socket)
  res.once('finish', () => {
    res.detachSocket(socket as Socket)
    socket.end()
  })
  listener(req, res)
}

function refuse(socket: Duplex, status: number): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  else socket.destroy()
}
