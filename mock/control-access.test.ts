import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { decideControlAccess, generateControlToken, guardControl, isLoopbackHost, tokenProblem } from './control-access.ts'
import type { RequestContext } from './pipeline/context.ts'
import type { ControlEndpoints } from './pipeline/route.ts'

const token = 'a-token-of-twenty-two-'
const local = { host: '127.0.0.1:9699' }

describe('isLoopbackHost: the listen address decides', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['api.localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.20', false],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['fe80::1', false],
    ['staging.example.com', false],
    ['128.0.0.1', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback)
  })
})

describe('decideControlAccess', () => {
  const decide = (route: string, headers: IncomingHttpHeaders) => decideControlAccess(token, { route, headers })
  const decideWithout = (route: string, headers: IncomingHttpHeaders) => decideControlAccess(undefined, { route, headers })

  it('refuses every control request but health without the token in force, with 401', () => {
    for (const route of [
      'POST /nwa/reset',
      'POST /nwa/fixtures',
      'POST /nwa/clock',
      'GET /nwa/clock',
      'POST /nwa/faults',
      'POST /nwa/defects',
      'GET /nwa/requests',
    ]) {
      expect(decide(route, local)).toEqual({
        ok: false,
        status: 401,
        reason: 'the control endpoints need the control token: Authorization: Bearer <token>, or a browser signed in at /nwa/',
      })
    }
    expect(decide('POST /nwa/reset', { ...local, authorization: 'Bearer a-token-of-twenty-two' })).toMatchObject({ ok: false, status: 401 })
    expect(decide('POST /nwa/reset', { ...local, authorization: `Basic ${token}` })).toMatchObject({ ok: false, status: 401 })
    expect(decide('POST /nwa/reset', { ...local, authorization: `Bearer ${token}x` })).toEqual({
      ok: false,
      status: 401,
      reason: 'the control token presented is not the one in force',
    })
  })

  it('lets the token in, whatever the Host, and health in without it', () => {
    expect(decide('POST /nwa/reset', { ...local, authorization: `Bearer ${token}` })).toEqual({ ok: true })
    expect(decide('POST /nwa/reset', { host: 'staging.example.com:9699', authorization: `bearer  ${token}` })).toEqual({ ok: true })
    expect(decide('GET /nwa/health', { host: 'staging.example.com:9699' })).toEqual({ ok: true })
  })

  it('without a token, answers requests that name a loopback host, and refuses others with 403 (a rebound name)', () => {
    expect(decideWithout('POST /nwa/reset', { host: 'localhost:9699' })).toEqual({ ok: true })
    expect(decideWithout('POST /nwa/reset', { host: '[::1]:9699' })).toEqual({ ok: true })
    expect(decideWithout('POST /nwa/reset', {})).toEqual({ ok: true })
    expect(decideWithout('POST /nwa/reset', { host: 'attacker.example:9699' })).toEqual({
      ok: false,
      status: 403,
      reason: 'the control endpoints answer only to loopback names without a control token (Host attacker.example:9699)',
    })
  })

  it("refuses a browser's request from another site, token or not, and takes one from the mock's own pages", () => {
    expect(decideWithout('POST /nwa/reset', { ...local, origin: 'https://evil.example' })).toMatchObject({ ok: false, status: 403 })
    expect(decideWithout('POST /nwa/reset', { ...local, origin: 'null' })).toMatchObject({ ok: false, status: 403 })
    expect(decideWithout('POST /nwa/reset', { ...local, origin: 'http://127.0.0.1:9698' })).toMatchObject({ ok: false, status: 403 })
    expect(decide('POST /nwa/reset', { ...local, origin: 'https://evil.example', authorization: `Bearer ${token}` })).toMatchObject({
      ok: false,
      status: 403,
    })
    expect(decideWithout('POST /nwa/reset', { ...local, origin: 'https://127.0.0.1:9699' })).toEqual({ ok: true })
  })
})

describe('tokens', () => {
  it('refuses a short token and one that cannot travel in a header', () => {
    expect(tokenProblem('x'.repeat(15))).toBe('must be at least 16 characters')
    expect(tokenProblem('sixteen chars ok')).toMatch(/visible ASCII/)
    expect(tokenProblem('sixteen-chars-ok')).toBeUndefined()
  })

  it('generates 43 base64url characters from the injected randomness', () => {
    const generated = generateControlToken((bytes) => Buffer.alloc(bytes, 0xfb))
    expect(generated).toBe(Buffer.alloc(32, 0xfb).toString('base64url'))
    expect(generated).toHaveLength(43)
    expect(tokenProblem(generated)).toBeUndefined()
  })
})

describe('guardControl', () => {
  const calls: string[] = []
  const inner: ControlEndpoints = {
    endpoints: [{ route: 'POST /nwa/reset', does: 'empty the data' }],
    handle: async (ctx) => {
      calls.push(ctx.target.path)
      return { status: 200, headers: {}, body: '{}' }
    },
  }
  const context = (path: string, headers: IncomingHttpHeaders) =>
    ({ method: 'POST', target: { path }, req: { headers } as IncomingMessage }) as unknown as RequestContext

  it('answers a refusal itself, so no handler runs and nothing changes', async () => {
    const guarded = guardControl(inner, token)
    const refused = await guarded.handle(context('/nwa/reset/', local))
    expect(refused.status).toBe(401)
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="nwa-control"')
    expect(JSON.parse(refused.body)).toEqual({
      errors: ['the control endpoints need the control token: Authorization: Bearer <token>, or a browser signed in at /nwa/'],
    })
    expect(refused.notes).toEqual(['the control endpoints need the control token: Authorization: Bearer <token>, or a browser signed in at /nwa/'])
    expect(calls).toEqual([])
    expect((await guarded.handle(context('/nwa/reset', { ...local, authorization: `Bearer ${token}` }))).status).toBe(200)
    expect(calls).toEqual(['/nwa/reset'])
    expect(guarded.endpoints).toBe(inner.endpoints)
  })
})
