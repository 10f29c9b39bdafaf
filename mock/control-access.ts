/**
 * Who may use the /nwa/ control endpoints (docs/control.md, D71). One request to them wipes every record, moves the
 * clock or breaks the server for everyone, so beyond a developer's own machine they need a token: when the mock
 * listens on anything but loopback, a token is required (given, or generated and printed at start); on loopback it is
 * required when one is given. Web pages are kept out either way: a browser request from another site is refused, and
 * without a token the Host must name loopback, so a page that rebinds its own name to 127.0.0.1 gets nothing.
 * GET /nwa/health stays open: it changes nothing and holds no client data, and a container's health check probes it,
 * and so do the inspector page's stylesheet and script, which hold no data either. A browser, which cannot send the
 * Bearer header, signs in once with the token and then presents a cookie standing for it (inspector/session.ts, D73).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import type { IncomingHttpHeaders } from 'node:http'
import { excerpt } from '../openapi/excerpt.ts'
import { hasSession } from './inspector/session.ts'
import type { RequestContext } from './pipeline/context.ts'
import type { ControlEndpoints } from './pipeline/route.ts'
import type { MockResponse } from './responses.ts'

/** The environment variable `nwa mock` reads the token from when `--control-token` is not given. */
export const CONTROL_TOKEN_VARIABLE = 'NWA_CONTROL_TOKEN'

/** The shortest token accepted: a guessable one would protect nothing. A generated one has 43 characters. */
export const CONTROL_TOKEN_MIN_LENGTH = 16

/** Control requests anyone may send, whatever the listen address. */
const openRoutes = new Set(['GET /nwa/health', 'GET /nwa/inspector.css', 'GET /nwa/inspector.js', 'GET /nwa/inspector.svg'])

/** Requests that check the token themselves (the inspector's sign-in form), from this site only. */
const signInRoutes = new Set(['POST /nwa/login', 'POST /nwa/logout'])

/**
 * Whether a listen address keeps the server on this machine: `localhost`, 127.0.0.0/8 and ::1 (also written as an
 * IPv4-mapped address). Anything else, 0.0.0.0 and :: first, or a host name, may be reachable from elsewhere.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true
  const mapped = bare.replace(/^::ffff:/, '')
  if (isIP(mapped) === 4) return mapped.startsWith('127.')
  // The URL parser writes an IPv6 address in its shortest form, so 0:0:0:0:0:0:0:1 is ::1 too.
  return isIP(bare) === 6 && new URL(`http://[${bare}]`).hostname === '[::1]'
}

/** Why a token cannot be used, or undefined when it can. */
export function tokenProblem(token: string): string | undefined {
  if (token.length < CONTROL_TOKEN_MIN_LENGTH) return `must be at least ${CONTROL_TOKEN_MIN_LENGTH} characters`
  if (!/^[\x21-\x7e]+$/.test(token)) return 'may hold only visible ASCII characters (no spaces), to travel in a header'
  return undefined
}

/** A token of 32 random bytes, base64url: what `nwa mock` prints at start when none was given. */
export function generateControlToken(random: (bytes: number) => Buffer): string {
  return random(32).toString('base64url')
}

/** What a control request presents: the request's method and path, and the headers the decision reads. */
export interface ControlRequest {
  route: string
  headers: IncomingHttpHeaders
}

export type AccessDecision = { ok: true } | { ok: false; status: 401 | 403; reason: string }

/**
 * The decision for one control request. Pure: the token in force (or none), the request, and the time a sign-in
 * cookie is judged at (real time, not the mock's clock, which a control request may have moved).
 */
export function decideControlAccess(token: string | undefined, request: ControlRequest, nowMs: number = Date.now()): AccessDecision {
  if (openRoutes.has(request.route)) return { ok: true }
  const origin = request.headers.origin
  if (origin !== undefined && hostOf(origin) !== request.headers.host?.toLowerCase()) {
    return { ok: false, status: 403, reason: `a browser request from another site (Origin ${excerpt(origin)}) may not use the control endpoints` }
  }
  if (signInRoutes.has(request.route)) return { ok: true }
  if (token === undefined) {
    const host = request.headers.host
    if (host !== undefined && !isLoopbackHost(host.replace(/:\d+$/, ''))) {
      return { ok: false, status: 403, reason: `the control endpoints answer only to loopback names without a control token (Host ${excerpt(host)})` }
    }
    return { ok: true }
  }
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1]
  if (presented === undefined && hasSession(request.headers.cookie, token, nowMs)) return { ok: true }
  if (presented === undefined) {
    return { ok: false, status: 401, reason: 'the control endpoints need the control token: Authorization: Bearer <token>, or a browser signed in at /nwa/' }
  }
  if (!sameSecret(presented, token)) return { ok: false, status: 401, reason: 'the control token presented is not the one in force' }
  return { ok: true }
}

/** Whether anyone may send this control request (`GET /nwa/health`), token or not. */
export function isOpenControlRoute(route: string): boolean {
  return openRoutes.has(route)
}

/**
 * The control endpoints behind the decision: a refused request is answered before any handler runs, so nothing changes.
 * A browser refused the inspector page for want of the token gets the sign-in form (`signIn`) instead of JSON.
 */
export function guardControl(
  control: ControlEndpoints,
  token: string | undefined,
  options: { now?: () => number; signIn?: (reason: string) => MockResponse } = {},
): ControlEndpoints {
  const now = options.now ?? Date.now
  return {
    endpoints: control.endpoints,
    handle(ctx: RequestContext): Promise<MockResponse> {
      const route = `${ctx.method} ${ctx.target.path.replace(/\/$/, '')}`
      const decision = decideControlAccess(token, { route, headers: ctx.req.headers }, now())
      if (decision.ok) return control.handle(ctx)
      if (route === 'GET /nwa' && decision.status === 401 && options.signIn)
        return Promise.resolve({ ...options.signIn(decision.reason), notes: [decision.reason] })
      return Promise.resolve(refusal(decision.status, decision.reason))
    },
  }
}

function refusal(status: 401 | 403, reason: string): MockResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="nwa-control"'
  return { status, headers, body: JSON.stringify({ errors: [reason] }), notes: [reason] }
}

/** Compared as digests, in constant time: the time a comparison takes says nothing of the token. */
export function sameSecret(presented: string, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(presented), digest(token))
}

/** `https://host:port` to `host:port`; anything unreadable (Origin `null`) matches no host. */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase() || undefined
  } catch {
    return undefined
  }
}
