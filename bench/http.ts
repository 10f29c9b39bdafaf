/**
 * The benchmark's HTTP client: node:http with a keep-alive agent and a fixed Basic credential, so that
 * what is timed is the server's work and the loopback, not connection set-up or an auth handshake.
 */
import { Agent, request } from 'node:http'
import { performance } from 'node:perf_hooks'

export interface BenchResponse {
  status: number
  body: Buffer
  /** From the request being issued to the last byte of the response. */
  ms: number
}

export interface BenchClient {
  send(method: 'GET' | 'POST', path: string, body?: { data: Buffer; contentType: string }): Promise<BenchResponse>
  close(): void
}

export interface BenchClientOptions {
  /** http://127.0.0.1:port */
  baseUrl: string
  user: string
  password: string
  /** Sockets kept open to the server; one per request in flight. */
  maxSockets: number
}

export function createBenchClient(options: BenchClientOptions): BenchClient {
  const base = new URL(options.baseUrl)
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets })
  const authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`
  return {
    send(method, path, body) {
      return new Promise((resolve, reject) => {
        const started = performance.now()
        const headers: Record<string, string | number> = { authorization }
        if (body) {
          headers['content-type'] = body.contentType
          headers['content-length'] = body.data.length
        }
        const req = request({ host: base.hostname, port: base.port, method, path, agent, headers }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - started }))
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end(body?.data)
      })
    },
    close: () => agent.destroy(),
  }
}

/** Throws with the start of the body when a response is not the expected one: a figure over failures would be meaningless. */
export function expectStatus(response: BenchResponse, status: number, what: string): BenchResponse {
  if (response.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${response.body.toString('utf8', 0, 300)}`)
  }
  return response
}
