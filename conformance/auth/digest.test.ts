import { createHash } from 'node:crypto'
import http from 'node:http'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { compose, createBaseDispatch, type IncomingResponse } from '../http.ts'
import { digestResponse } from '../../openapi/auth/digest.ts'
import { requestTarget } from './digest.ts'
import { ConnectionState } from './scheme.ts'
import { defaultSchemes, withAuth } from './with-auth.ts'

const origin = 'http://digest.test:9699'
const user = 'ENTERPRISE\\NetwrixUser'
const password = 'NetwrixIsCool'
const realm = 'Netwrix Auditor'

beforeAll(() => {
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
})
afterEach(() => {
  nock.cleanAll()
})
afterAll(() => {
  nock.enableNetConnect()
})

/** A counter-based random source: each call returns the next byte values, so cnonces differ and are predictable. */
function countingRandom(): (n: number) => Buffer {
  let next = 0
  return (n) => Buffer.from(Array.from({ length: n }, () => next++ % 256))
}

/** The test's own RFC 7616 section 3.4.1 arithmetic, independent of digest.ts. */
function expectedResponse(fields: Record<string, string>, method: string, algorithm: string): string {
  const h = (text: string) =>
    createHash(algorithm === 'SHA-256' ? 'sha256' : 'md5')
      .update(text)
      .digest('hex')
  const ha1 = h(`${fields['username']}:${realm}:${password}`)
  const ha2 = h(`${method}:${fields['uri']}`)
  return h(`${ha1}:${fields['nonce']}:${fields['nc']}:${fields['cnonce']}:${fields['qop']}:${ha2}`)
}

function parseAuthorization(header: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const match of header.replace(/^Digest\s+/i, '').matchAll(/([a-z*]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/gi)) {
    fields[match[1]!.toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!
  }
  return fields
}

interface FakeServer {
  seen: Record<string, string>[]
  nonces: string[]
}

/**
 * A nock target that demands Digest: a challenge per offered algorithm, the response checked with
 * the math above, nonces from `nonces` (an entry in `expired` draws stale=true instead).
 */
function digestTarget(options: { offer: string[]; algorithms?: string[]; expired?: Set<string> }): FakeServer {
  const server: FakeServer = { seen: [], nonces: [] }
  let issued = 0
  const challenge = (stale: boolean) =>
    (options.algorithms ?? ['MD5']).map((algorithm) => {
      const nonce = `nonce-${++issued}`
      server.nonces.push(nonce)
      return `Digest realm="${realm}", qop="auth", algorithm=${algorithm}, nonce="${nonce}", opaque="op"${stale ? ', stale=true' : ''}`
    })
  nock(origin)
    .persist()
    .get(/.*/)
    .reply(function (uri) {
      const header = this.req.headers['authorization']
      const offered = () => [...options.offer.filter((s) => s !== 'Digest'), ...challenge(false)]
      if (typeof header !== 'string' || !/^Digest /.test(header)) {
        return [401, '', { 'WWW-Authenticate': options.offer.includes('Digest') ? offered() : options.offer }]
      }
      const fields = parseAuthorization(header)
      server.seen.push(fields)
      const algorithm = fields['algorithm'] ?? 'MD5'
      const ok =
        fields['username'] === user &&
        fields['realm'] === realm &&
        fields['uri'] === uri &&
        fields['opaque'] === 'op' &&
        server.nonces.includes(fields['nonce'] ?? '') &&
        fields['response'] === expectedResponse(fields, 'GET', algorithm)
      if (!ok) return [401, '', { 'WWW-Authenticate': offered() }]
      if (options.expired?.has(fields['nonce']!)) return [401, '', { 'WWW-Authenticate': challenge(true) }]
      return [200, `hello ${fields['username']}`]
    })
  return server
}

function client(mode: 'digest' | 'auto' | 'basic', secret = password) {
  const state = new ConnectionState()
  const base = createBaseDispatch(new http.Agent({ keepAlive: true, maxSockets: 1 }))
  const legs: IncomingResponse[] = []
  const dispatch = compose(
    base,
    withAuth(mode, { user, password: secret }, { state, schemes: defaultSchemes(countingRandom()) }),
    (next) => async (request) => {
      const response = await next(request)
      legs.push(response)
      return response
    },
  )
  return { send: (path: string) => dispatch({ method: 'GET', url: `${origin}${path}`, headers: {} }), legs }
}

describe('digestResponse', () => {
  // RFC 7616 section 3.9.1: the same request answered with MD5 and with SHA-256.
  const vector = {
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  }

  it('matches the RFC 7616 MD5 example', () => {
    expect(digestResponse({ ...vector, algorithm: 'MD5' })).toBe('8ca523f5e9506fed4657c9700eebdbec')
  })

  it('matches the RFC 7616 SHA-256 example', () => {
    expect(digestResponse({ ...vector, algorithm: 'SHA-256' })).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1')
  })

  it('repeats the request-target with its query string', () => {
    expect(requestTarget('https://h:9699/netwrix/api/v1/activity_records/enum?format=json&count=5')).toBe(
      '/netwrix/api/v1/activity_records/enum?format=json&count=5',
    )
  })
})

describe('Digest client against a target that demands it', () => {
  it('answers the challenge with a response the server can verify, then reuses the nonce with nc counting', async () => {
    const server = digestTarget({ offer: ['Digest'] })
    const c = client('digest')
    const first = await c.send('/netwrix/api/v1/activity_records/enum?format=json')
    expect(first.status).toBe(200)
    expect(first.body.toString()).toBe(`hello ${user}`)
    const second = await c.send('/netwrix/api/v1/activity_records/enum')
    expect(second.status).toBe(200)
    expect(c.legs.map((leg) => leg.status)).toEqual([401, 200, 200])
    expect(server.seen.map((f) => [f['nonce'], f['nc'], f['qop']])).toEqual([
      ['nonce-1', '00000001', 'auth'],
      ['nonce-1', '00000002', 'auth'],
    ])
    expect(server.seen[0]!['cnonce']).not.toBe(server.seen[1]!['cnonce'])
  })

  it('prefers SHA-256 when the server offers SHA-256 and MD5', async () => {
    const server = digestTarget({ offer: ['Digest'], algorithms: ['MD5', 'SHA-256'] })
    const response = await client('digest').send('/x')
    expect(response.status).toBe(200)
    expect(server.seen.map((f) => f['algorithm'])).toEqual(['SHA-256'])
  })

  it('retries once with the fresh nonce when the server says stale=true', async () => {
    const server = digestTarget({ offer: ['Digest'], expired: new Set(['nonce-1']) })
    const c = client('digest')
    const response = await c.send('/x')
    expect(response.status).toBe(200)
    expect(c.legs.map((leg) => leg.status)).toEqual([401, 401, 200])
    expect(server.seen.map((f) => [f['nonce'], f['nc']])).toEqual([
      ['nonce-1', '00000001'],
      ['nonce-2', '00000001'],
    ])
  })

  it('does not retry forever when every nonce comes back stale', async () => {
    digestTarget({ offer: ['Digest'], expired: new Set(['nonce-1', 'nonce-2', 'nonce-3', 'nonce-4']) })
    const c = client('digest')
    const response = await c.send('/x')
    expect(response.status).toBe(401)
    expect(c.legs).toHaveLength(3)
  })

  it('sends a wrong password once and hands back the 401', async () => {
    const server = digestTarget({ offer: ['Digest'] })
    const c = client('digest', 'wrong')
    const response = await c.send('/x')
    expect(response.status).toBe(401)
    expect(server.seen).toHaveLength(1)
  })

  it('auto picks Digest when the server offers Digest and Basic, and stays with it', async () => {
    const server = digestTarget({ offer: ['Digest', 'Basic realm="Netwrix Auditor"'] })
    const c = client('auto')
    expect((await c.send('/a')).status).toBe(200)
    expect((await c.send('/b')).status).toBe(200)
    expect(c.legs.map((leg) => leg.request.headers['Authorization']?.split(' ')[0] ?? 'none')).toEqual(['none', 'Digest', 'Digest'])
    expect(server.seen).toHaveLength(2)
  })

  it('auto skips a scheme it has no client for (Negotiate) and falls to Basic', async () => {
    let basic: string | undefined
    nock(origin)
      .persist()
      .get('/x')
      .reply(function () {
        const header = this.req.headers['authorization']
        if (typeof header === 'string') {
          basic = header
          return [200, 'ok']
        }
        return [401, '', { 'WWW-Authenticate': ['Negotiate', 'Basic realm="Netwrix Auditor"'] }]
      })
    const response = await client('auto').send('/x')
    expect(response.status).toBe(200)
    expect(basic).toBe(`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`)
  })

  it('auto gives the 401 back when nothing offered is implemented', async () => {
    nock(origin).get('/x').reply(401, '', { 'WWW-Authenticate': 'Negotiate' })
    const response = await client('auto').send('/x')
    expect(response.status).toBe(401)
    expect(response.request.headers['Authorization']).toBeUndefined()
  })
})
