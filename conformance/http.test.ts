import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { isConformanceError } from './errors.ts'
import { compose, createBaseDispatch, createConnectionPool, redactHeaders, toExchange, withEvidence, type Dispatch, type Interceptor } from './http.ts'
import type { Exchange } from './types.ts'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  cleanups.push(() => server.closeAllConnections())
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('compose', () => {
  it('runs the first interceptor outermost', async () => {
    const order: string[] = []
    const tag =
      (name: string): Interceptor =>
      (next) =>
      async (request) => {
        order.push(`${name}>`)
        const response = await next(request)
        order.push(`<${name}`)
        return response
      }
    const base: Dispatch = async (request) => {
      order.push('base')
      return { status: 204, headers: {}, body: Buffer.alloc(0), durationMs: 0, request }
    }
    await compose(base, tag('a'), tag('b'))({ method: 'GET', url: 'http://x/', headers: {} })
    expect(order).toEqual(['a>', 'b>', 'base', '<b', '<a'])
  })
})

describe('base dispatch and pool', () => {
  it('reuses one socket per connection key and opens another for another key', async () => {
    const ports: number[] = []
    const origin = await listen((req, res) => {
      ports.push(req.socket.remotePort ?? 0)
      res.end('ok')
    })
    const pool = createConnectionPool()
    cleanups.push(() => pool.close())
    const admin = pool.dispatch('administrator', 'http:')
    const reviewer = pool.dispatch('reviewer', 'http:')
    const get = (d: Dispatch) => d({ method: 'GET', url: `${origin}/x`, headers: {} })
    await Promise.all([get(admin), get(admin), get(admin)])
    await get(reviewer)
    expect(new Set(ports.slice(0, 3)).size).toBe(1)
    expect(ports[3]).not.toBe(ports[0])
  })

  it('sends the body with its Content-Length and joins repeated response headers', async () => {
    let received = ''
    const origin = await listen((req, res) => {
      req.setEncoding('utf8')
      req.on('data', (chunk: string) => (received += chunk))
      req.on('end', () => {
        res.setHeader('WWW-Authenticate', ['Negotiate', 'Basic realm="x"'])
        res.end(`len=${req.headers['content-length']}`)
      })
    })
    const pool = createConnectionPool()
    cleanups.push(() => pool.close())
    const response = await pool.dispatch('k', 'http:')({ method: 'POST', url: `${origin}/`, headers: {}, body: 'Größe' })
    expect(received).toBe('Größe')
    expect(response.body.toString()).toBe('len=7')
    expect(response.headers['www-authenticate']).toBe('Negotiate, Basic realm="x"')
    expect(response.request.headers['Content-Length']).toBe('7')
  })

  it('gives up after the timeout with CONF_ERR_TIMEOUT', async () => {
    const origin = await listen(() => undefined)
    const dispatch = createBaseDispatch(new http.Agent(), { timeoutMs: 50 })
    const error = await dispatch({ method: 'GET', url: `${origin}/slow`, headers: {} }).catch((e: unknown) => e)
    expect(isConformanceError(error, 'CONF_ERR_TIMEOUT')).toBe(true)
  })

  it('reports a refused connection as CONF_ERR_CONNECT naming the origin', async () => {
    const origin = await listen(() => undefined)
    for (const cleanup of cleanups.splice(0)) await cleanup()
    const error = await createBaseDispatch(new http.Agent())({ method: 'GET', url: `${origin}/`, headers: {} }).catch((e: unknown) => e)
    expect(isConformanceError(error, 'CONF_ERR_CONNECT')).toBe(true)
    expect((error as Error).message).toContain(origin)
  })
})

describe('evidence', () => {
  it('redacts credentials but keeps the scheme word', () => {
    expect(redactHeaders({ Authorization: 'Basic dTpw', authorization: 'Digest username="u", response="r"', Accept: '*/*' })).toEqual({
      Authorization: 'Basic ***',
      authorization: 'Digest ***',
      Accept: '*/*',
    })
  })

  it('records every exchange that passes, redacted', async () => {
    const recorded: Exchange[] = []
    const base: Dispatch = async (request) => ({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('fine'),
      durationMs: 12,
      request,
    })
    await compose(
      base,
      withEvidence((e) => recorded.push(e)),
    )({
      method: 'POST',
      url: 'http://x/y',
      headers: { Authorization: 'Basic c2VjcmV0' },
      body: Buffer.from('payload'),
    })
    expect(recorded).toEqual([
      {
        request: { method: 'POST', url: 'http://x/y', headers: { Authorization: 'Basic ***' }, body: 'payload' },
        response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'fine' },
        durationMs: 12,
      },
    ])
    expect(JSON.stringify(recorded)).not.toContain('c2VjcmV0')
  })

  it('omits the request body field when nothing was sent', () => {
    const exchange = toExchange({ status: 200, headers: {}, body: Buffer.alloc(0), durationMs: 0, request: { method: 'GET', url: 'http://x/', headers: {} } })
    expect('body' in exchange.request).toBe(false)
  })
})

describe('createBaseDispatch bounds', () => {
  it('refuses an answer whose declared length is over the cap before reading it, and one that streams past it', async () => {
    const url = await listen((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'Content-Length': String(2 * 1024 * 1024) })
        res.write('x')
        return
      }
      res.writeHead(200)
      const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024)), 1)
      res.on('close', () => clearInterval(timer))
    })
    const dispatch = createBaseDispatch(new http.Agent(), { maxResponseBytes: 1024 * 1024, timeoutMs: 10_000 })
    for (const path of ['/declared', '/stream']) {
      const error = await dispatch({ method: 'GET', url: `${url}${path}`, headers: {} }).catch((failure: unknown) => failure)
      expect(isConformanceError(error, 'CONF_ERR_RESPONSE_TOO_LARGE'), String(error)).toBe(true)
      expect((error as Error).message).toBe(`GET ${url}${path}: the response exceeded 1048576 bytes, and the rest was not read`)
    }
  })

  it('never waits past the run deadline: none left fails at once, a little left cuts the wait', async () => {
    const url = await listen(() => undefined)
    const spent = createBaseDispatch(new http.Agent(), { remainingMs: () => 0 })
    expect(isConformanceError(await spent({ method: 'GET', url, headers: {} }).catch((error: unknown) => error), 'CONF_ERR_DEADLINE')).toBe(true)
    const soon = createBaseDispatch(new http.Agent(), { remainingMs: () => 50, timeoutMs: 30_000 })
    const error = await soon({ method: 'GET', url, headers: {} }).catch((failure: unknown) => failure)
    expect(isConformanceError(error, 'CONF_ERR_DEADLINE')).toBe(true)
  })
})
