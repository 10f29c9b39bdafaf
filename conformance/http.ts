/**
 * The runner's HTTP layer: one small dispatch function over node:http / node:https, and interceptors
 * that wrap it (ARCHITECTURE.md, "The runner"). Authentication lives in ./auth/, evidence recording here.
 */
import http from 'node:http'
import https from 'node:https'
import type { TLSSocket } from 'node:tls'
import { codes, isConformanceError } from './errors.ts'
import type { CertificateNames, Exchange } from './types.ts'

export interface OutgoingRequest {
  method: string
  /** Absolute URL. */
  url: string
  headers: Record<string, string>
  body?: string | Buffer
}

export interface IncomingResponse {
  status: number
  /** Lower-case names; a header sent more than once is joined with ', ' (RFC 9110 section 5.3). */
  headers: Record<string, string>
  body: Buffer
  durationMs: number
  /** The request as it went on the wire, after every interceptor (auth headers included). */
  request: OutgoingRequest
  /** Over TLS: the SHA-256 fingerprint of the server's certificate, AA:BB:… as add-ons pin it. */
  peerCertificateSha256?: string
  /** Over TLS: the names the server's certificate carries. */
  peerCertificateNames?: CertificateNames
}

export type Dispatch = (request: OutgoingRequest) => Promise<IncomingResponse>
export type Interceptor = (next: Dispatch) => Dispatch

/** The first interceptor is the outermost: compose(base, a, b)(req) runs a, then b, then base. */
export function compose(base: Dispatch, ...interceptors: Interceptor[]): Dispatch {
  return interceptors.reduceRight<Dispatch>((next, interceptor) => interceptor(next), base)
}

export interface TransportOptions {
  /** Accept any server certificate (the API's default certificate is self-signed). */
  insecure?: boolean
  /** PEM of the CA (or the self-signed certificate itself) to trust. */
  ca?: string | Buffer
  /** Per request, default 30 s. */
  timeoutMs?: number
  /** The most bytes read of one response body, default 64 MiB (docs/evidence.md, "Run bounds"). */
  maxResponseBytes?: number
  /** Milliseconds left before the run's --deadline; a request never waits past it. */
  remainingMs?: () => number
  /** Clock for durations; ms. */
  now?: () => number
}

export const defaultTimeoutMs = 30_000

/**
 * Far above the largest page the runner asks for (a few thousand records of at most a few kB each), and small
 * enough that a target streaming without end costs a bounded amount of memory before the check breaks (D52).
 */
export const defaultMaxResponseBytes = 64 * 1024 * 1024

export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value
  return undefined
}

export function withHeader(request: OutgoingRequest, name: string, value: string): OutgoingRequest {
  const headers: Record<string, string> = {}
  for (const [key, existing] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== name.toLowerCase()) headers[key] = existing
  }
  headers[name] = value
  return { ...request, headers }
}

function joinRawHeaders(raw: string[]): Record<string, string> {
  const headers: Record<string, string> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    const value = raw[i + 1]!
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  return headers
}

/**
 * The base dispatch: one request on `agent`, the body read up to `maxResponseBytes`, one timer over the whole
 * exchange (so a target that trickles a byte at a time is cut off like one that never answers), which never runs past
 * the run's deadline.
 */
export function createBaseDispatch(agent: http.Agent, options: TransportOptions = {}): Dispatch {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
  const maxBytes = options.maxResponseBytes ?? defaultMaxResponseBytes
  const now = options.now ?? (() => performance.now())
  return (request) => {
    const remaining = options.remainingMs?.() ?? Number.POSITIVE_INFINITY
    if (remaining <= 0) return Promise.reject(codes.CONF_ERR_DEADLINE.create(request.method, request.url))
    const url = new URL(request.url)
    const headers = { ...request.headers }
    if (request.body !== undefined && headerValue(headers, 'content-length') === undefined) {
      headers['Content-Length'] = String(Buffer.byteLength(request.body))
    }
    const sent: OutgoingRequest = { ...request, headers }
    const transport = url.protocol === 'https:' ? https : http
    return new Promise<IncomingResponse>((resolve, reject) => {
      const started = now()
      const outgoing = transport.request(url, { method: request.method, headers, agent }, (response) => {
        // Read now: once the body ends, a keep-alive socket goes back to the agent and leaves the response.
        const peer = peerCertificate(response.socket)
        const tooLarge = () => outgoing.destroy(codes.CONF_ERR_RESPONSE_TOO_LARGE.create(request.method, request.url, String(maxBytes)))
        if (Number(response.headers['content-length'] ?? 0) > maxBytes) return tooLarge()
        const chunks: Buffer[] = []
        let received = 0
        response.on('data', (chunk: Buffer) => {
          received += chunk.length
          if (received > maxBytes) return tooLarge()
          chunks.push(chunk)
        })
        response.on('error', fail)
        response.on('end', () => {
          clearTimeout(timer)
          resolve({
            status: response.statusCode ?? 0,
            headers: joinRawHeaders(response.rawHeaders),
            body: Buffer.concat(chunks),
            durationMs: Math.round(Math.max(0, now() - started)),
            request: sent,
            ...peer,
          })
        })
      })
      const cutByDeadline = remaining < timeoutMs
      const timer = setTimeout(
        () => {
          outgoing.destroy(
            cutByDeadline
              ? codes.CONF_ERR_DEADLINE.create(request.method, request.url)
              : codes.CONF_ERR_TIMEOUT.create(request.method, request.url, String(timeoutMs)),
          )
        },
        Math.min(timeoutMs, remaining),
      )
      function fail(error: Error): void {
        clearTimeout(timer)
        reject(isConformanceError(error) ? error : codes.CONF_ERR_CONNECT.wrap(error, url.origin, error.message))
      }
      outgoing.on('error', fail)
      outgoing.end(request.body)
    })
  }
}

/** The fingerprint and names of a TLS socket's peer certificate; nothing on plain HTTP (and on the sockets nock fakes). */
function peerCertificate(socket: unknown): Pick<IncomingResponse, 'peerCertificateSha256' | 'peerCertificateNames'> {
  const tls = socket as Partial<TLSSocket> | null
  if (typeof tls?.getPeerCertificate !== 'function') return {}
  const certificate = tls.getPeerCertificate()
  if (typeof certificate?.fingerprint256 !== 'string' || certificate.fingerprint256 === '') return {}
  const names: CertificateNames = {}
  // Node gives a repeated CN as an array; the last one is the most specific, as RFC 6125 section 6.4.4 reads it.
  const commonName = certificate.subject?.CN as string | string[] | undefined
  const cn = Array.isArray(commonName) ? commonName[commonName.length - 1] : commonName
  if (cn) names.commonName = cn
  if (certificate.subjectaltname) names.subjectAltName = certificate.subjectaltname
  return { peerCertificateSha256: certificate.fingerprint256, peerCertificateNames: names }
}

/**
 * One keep-alive agent per connection key with a single socket: NTLM and Negotiate bind their
 * handshake to the TCP connection, so every request of one account must travel on the same socket.
 */
export interface ConnectionPool {
  dispatch(key: string, protocol: string): Dispatch
  close(): void
}

export function createConnectionPool(options: TransportOptions = {}): ConnectionPool {
  const agents = new Map<string, http.Agent>()
  const agentFor = (key: string, protocol: string): http.Agent => {
    const name = `${protocol}|${key}`
    let agent = agents.get(name)
    if (agent === undefined) {
      agent =
        protocol === 'https:'
          ? new https.Agent({
              keepAlive: true,
              maxSockets: 1,
              rejectUnauthorized: !options.insecure,
              ...(options.ca === undefined ? {} : { ca: options.ca }),
            })
          : new http.Agent({ keepAlive: true, maxSockets: 1 })
      agents.set(name, agent)
    }
    return agent
  }
  return {
    dispatch: (key, protocol) => createBaseDispatch(agentFor(key, protocol), options),
    close() {
      for (const agent of agents.values()) agent.destroy()
      agents.clear()
    },
  }
}

const secretHeaders: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization'])

/** Keeps the scheme word so a reader (and toCurl) can tell Basic from Digest, never the credentials. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!secretHeaders.has(name.toLowerCase())) {
      out[name] = value
      continue
    }
    const scheme = /^\s*([^\s]+)/.exec(value)?.[1]
    out[name] = scheme === undefined ? '***' : `${scheme} ***`
  }
  return out
}

/** An exchange as evidence: headers redacted, bodies as UTF-8 text. */
export function toExchange(response: IncomingResponse): Exchange {
  const { request } = response
  const recorded: Exchange['request'] = {
    method: request.method,
    url: request.url,
    headers: redactHeaders(request.headers),
  }
  if (request.body !== undefined) recorded.body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : request.body
  return {
    request: recorded,
    response: {
      status: response.status,
      headers: response.headers,
      body: response.body.toString('utf8'),
      ...(response.peerCertificateNames === undefined ? {} : { certificate: response.peerCertificateNames }),
    },
    durationMs: response.durationMs,
  }
}

/** Records every exchange that passes (inside withAuth, so each handshake leg is evidence too). */
export function withEvidence(recorder: (exchange: Exchange) => void): Interceptor {
  return (next) => async (request) => {
    const response = await next(request)
    recorder(toExchange(response))
    return response
  }
}
