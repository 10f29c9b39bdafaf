/**
 * `nwa record`'s recording proxy (docs/evidence.md, "Recordings"): a connector, or `nwa check`, talks to it in plain
 * HTTP; it forwards every request to the real server and writes each exchange to a HAR file, credentials removed.
 *
 * NTLM and Negotiate authenticate a connection, not a request, so every client connection gets its own upstream
 * connection (an agent of one socket), used for nothing else; when the server closes that connection, the client's is
 * closed too, after the answer in flight, so a client never goes on over a connection the server no longer knows.
 * Bodies stream through; the recording keeps at most `maxBodyBytes` of each (the rest is counted, not kept), so memory
 * holds two such prefixes per exchange in flight, whatever the sizes.
 */
import { createHmac, randomBytes } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import {
  createHarWriter,
  harBody,
  MARK_TAIL_BYTES,
  pageMark,
  readAuthorization,
  redactRequestHeaders,
  redactResponseHeaders,
  type HarEntry,
  type HarNameValue,
} from './har.ts'

export interface RecordingProxyOptions {
  /** The real server: scheme://host:port. */
  target: string
  /** Default 127.0.0.1. */
  host?: string
  /** 0: any free port. */
  port: number
  /** The HAR file to write. */
  har: string
  insecure?: boolean
  /** PEM to trust for the target's certificate. */
  ca?: string
  /** Of each body, the recording keeps this many bytes; default 1 MiB. */
  maxBodyBytes?: number
  /** Each exchange as it is recorded: method, path, status. */
  onExchange?: (line: { method: string; path: string; status: number; user?: string }) => void
  creator: { name: string; version: string }
  /** ms since the epoch, for the entries' times. */
  now?: () => number
}

export interface RecordingProxy {
  /** http://host:port: where clients connect. */
  url: string
  /** Entries written so far. */
  entries(): number
  /** Stops listening, drops the connections and ends the HAR file. */
  close(): Promise<void>
}

export const defaultMaxRecordedBody = 1024 * 1024

/** Hop-by-hop headers (RFC 9110 section 7.6.1) and those the proxy sets itself. */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'expect'])

function pairs(raw: readonly string[]): HarNameValue[] {
  const out: HarNameValue[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) out.push({ name: raw[i]!, value: raw[i + 1]! })
  return out
}

function forwardable(raw: readonly string[]): [string, string][] {
  return pairs(raw)
    .filter(({ name }) => !hopByHop.has(name.toLowerCase()))
    .map(({ name, value }) => [name, value])
}

/** Keeps the first `limit` bytes of a stream's chunks and counts the rest. */
function prefixCollector(limit: number): { add(chunk: Buffer): void; bytes(): Buffer; size(): number; tail(): Buffer } {
  const chunks: Buffer[] = []
  let kept = 0
  let size = 0
  // The last MARK_TAIL_BYTES past the prefix, for the mark of a cut JSON page; bounded as the prefix is.
  let tail = Buffer.alloc(0)
  return {
    add(chunk) {
      size += chunk.length
      if (kept < limit) {
        const part = chunk.subarray(0, limit - kept)
        chunks.push(Buffer.from(part))
        kept += part.length
      }
      if (size > kept) tail = Buffer.concat([tail, chunk]).subarray(-MARK_TAIL_BYTES)
    },
    // One byte past the limit is enough for harBody to know the body was cut.
    bytes: () => (size > kept ? Buffer.concat([...chunks, Buffer.alloc(1)]) : Buffer.concat(chunks)),
    size: () => size,
    tail: () => Buffer.from(tail),
  }
}

interface ClientConnection {
  id: string
  agent: http.Agent
  inFlight: number
  upstreamClosed: boolean
}

export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const target = new URL(options.target)
  const secure = target.protocol === 'https:'
  const transport = secure ? https : http
  const maxBody = options.maxBodyBytes ?? defaultMaxRecordedBody
  const now = options.now ?? Date.now
  const writer = createHarWriter(options.har, options.creator)
  // Basic passwords are numbered per user through a keyed hash whose key lives only in this process.
  const secret = randomBytes(32)
  const passwords = new Map<string, string[]>()
  const credentialNumber = (user: string, password: string): number => {
    const print = createHmac('sha256', secret).update(`${user.toLowerCase()}\0${password}`).digest('hex')
    const seen = passwords.get(user.toLowerCase()) ?? []
    if (!seen.includes(print)) seen.push(print)
    passwords.set(user.toLowerCase(), seen)
    return seen.indexOf(print) + 1
  }
  const connections = new WeakMap<Socket, ClientConnection>()
  const sockets = new Set<Socket>()
  /** Upstream sockets whose closing already closes their client's connection. */
  const watched = new WeakSet<Socket>()
  let nextId = 0

  const server = http.createServer((req, res) => {
    const client = connections.get(req.socket)
    if (client === undefined) {
      res.writeHead(500).end()
      return
    }
    client.inFlight += 1
    const started = now()
    const requestBody = prefixCollector(maxBody)
    const responseBody = prefixCollector(maxBody)
    const url = new URL(req.url ?? '/', target)
    const headers = forwardable(req.rawHeaders)
    const upstream = transport.request(url, {
      method: req.method,
      // Node takes a flat [name, value, ...] list here, which keeps repeated headers and their order as the client sent
      // them; its typings name only the object form.
      headers: [...headers.flat(), 'Host', target.host] as unknown as http.OutgoingHttpHeaders,
      agent: client.agent,
    })
    let headersAt = started
    let status = 0
    let responseHeaders: HarNameValue[] = []
    let error: string | undefined
    let finished = false
    const finish = () => {
      if (finished) return
      finished = true
      client.inFlight -= 1
      record()
      if (client.upstreamClosed && client.inFlight === 0) req.socket.end()
    }
    const record = () => {
      const authorization = pairs(req.rawHeaders).find(({ name }) => name.toLowerCase() === 'authorization')?.value
      const read = authorization === undefined ? undefined : readAuthorization(authorization)
      const auth =
        read === undefined
          ? undefined
          : read.basicPassword !== undefined && read.auth.user !== undefined
            ? { ...read.auth, credential: credentialNumber(read.auth.user, read.basicPassword) }
            : read.auth
      const request = harBody(requestBody.bytes(), maxBody)
      const response = harBody(responseBody.bytes(), maxBody)
      const contentType = (list: HarNameValue[]) => list.find(({ name }) => name.toLowerCase() === 'content-type')?.value ?? ''
      const requestHeaders = pairs(req.rawHeaders)
      const ended = now()
      const entry: HarEntry = {
        startedDateTime: new Date(started).toISOString(),
        time: Math.max(0, ended - started),
        request: {
          method: req.method ?? 'GET',
          url: url.href,
          httpVersion: `HTTP/${req.httpVersion}`,
          cookies: [],
          headers: redactRequestHeaders(requestHeaders),
          queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
          ...(requestBody.size() === 0
            ? {}
            : { postData: { mimeType: contentType(requestHeaders), text: request.text, ...(request.encoding ? { encoding: request.encoding } : {}) } }),
          headersSize: -1,
          bodySize: requestBody.size(),
        },
        response: {
          status,
          statusText: http.STATUS_CODES[status] ?? '',
          httpVersion: 'HTTP/1.1',
          cookies: [],
          headers: redactResponseHeaders(responseHeaders),
          content: {
            size: responseBody.size(),
            mimeType: contentType(responseHeaders),
            text: response.text,
            ...(response.encoding ? { encoding: response.encoding } : {}),
          },
          redirectURL: '',
          headersSize: -1,
          bodySize: responseBody.size(),
        },
        cache: {},
        timings: { send: 0, wait: Math.max(0, headersAt - started), receive: Math.max(0, ended - headersAt) },
        connection: client.id,
      }
      const extra: NonNullable<HarEntry['_nwa']> = {}
      if (auth !== undefined) extra.auth = auth
      if (request.truncated) extra.requestTruncated = true
      if (response.truncated) {
        extra.responseTruncated = true
        const mark = pageMark(response.text, responseBody.tail().toString('latin1'))
        if (mark !== undefined) extra.continuationMark = mark
      }
      if (error !== undefined) extra.error = error
      if (Object.keys(extra).length > 0) entry._nwa = extra
      writer.add(entry)
      options.onExchange?.({
        method: entry.request.method,
        path: `${url.pathname}${url.search}`,
        status,
        ...(auth?.user === undefined ? {} : { user: auth.user }),
      })
    }
    upstream.on('socket', (socket: Socket) => {
      if (watched.has(socket)) return
      watched.add(socket)
      socket.once('close', () => {
        client.upstreamClosed = true
        if (client.inFlight === 0) req.socket.end()
      })
    })
    upstream.on('response', (answer) => {
      headersAt = now()
      status = answer.statusCode ?? 502
      responseHeaders = pairs(answer.rawHeaders)
      // A server that announces it closes the connection has the client's closed with it, announced the same way.
      const closing = /\bclose\b/i.test(answer.headers.connection ?? '')
      const forwarded = [...forwardable(answer.rawHeaders).flat(), ...(closing ? ['Connection', 'close'] : [])]
      res.writeHead(status, forwarded as unknown as http.OutgoingHttpHeaders) // the flat form again, as for the request
      answer.on('data', (chunk: Buffer) => responseBody.add(chunk))
      answer.pipe(res)
      res.once('finish', finish)
      answer.once('error', () => res.destroy())
    })
    upstream.on('error', (failure) => {
      error = failure.message
      if (!res.headersSent) {
        status = 502
        res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' })
        res.end(`nwa record: the target did not answer: ${failure.message}\n`)
        res.once('finish', finish)
      } else {
        res.destroy()
        finish()
      }
    })
    req.on('data', (chunk: Buffer) => requestBody.add(chunk))
    req.pipe(upstream)
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    const agentOptions = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1 }
    const agent = secure
      ? new https.Agent({ ...agentOptions, rejectUnauthorized: !options.insecure, ...(options.ca === undefined ? {} : { ca: options.ca }) })
      : new http.Agent(agentOptions)
    connections.set(socket, { id: `c${++nextId}`, agent, inFlight: 0, upstreamClosed: false })
    socket.once('close', () => {
      sockets.delete(socket)
      agent.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    entries: () => writer.count,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          writer.close()
          resolve()
        })
        for (const socket of sockets) socket.destroy()
      }),
  }
}
