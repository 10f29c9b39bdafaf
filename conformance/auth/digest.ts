/**
 * Client-side HTTP Digest (RFC 7616), qop=auth only. The nonce of the last challenge is kept per
 * connection and reused with a growing nonce-count, so after the first exchange a request costs
 * one round trip; an expired nonce (stale=true) is refreshed with one retry.
 */
import { digestResponse, type DigestAlgorithm } from '../../openapi/auth/digest.ts'
import type { OutgoingRequest } from '../http.ts'
import { quoteString, type Challenge } from './challenge.ts'
import type { ClientAuthScheme, ConnectionState, Credentials } from './scheme.ts'

/** Preference among the challenges of one server (RFC 7616 section 3.7: the client uses the first it supports, strongest first). */
const algorithmRank: Record<DigestAlgorithm, number> = { 'SHA-256': 4, 'SHA-256-sess': 3, MD5: 2, 'MD5-sess': 1 }

export function parseAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  if (name === undefined) return 'MD5'
  return (Object.keys(algorithmRank) as DigestAlgorithm[]).find((known) => known.toLowerCase() === name.toLowerCase())
}

function offersAuthQop(challenge: Challenge): boolean {
  return (challenge.params.get('qop') ?? '').split(',').some((qop) => qop.trim().toLowerCase() === 'auth')
}

interface DigestState {
  challenge: { realm: string; nonce: string; opaque: string | undefined; algorithm: DigestAlgorithm } | undefined
  nc: number
}

/** The request-target as sent on the request line, which `uri` must repeat exactly (RFC 7616 section 3.4.6). */
export function requestTarget(url: string): string {
  const parsed = new URL(url)
  return `${parsed.pathname}${parsed.search}`
}

/** username, or username* (RFC 8187) when the name is not printable ASCII (RFC 7616 section 3.4.4). */
function usernameParam(user: string): string {
  if (/^[\x20-\x7e]*$/.test(user)) return `username=${quoteString(user)}`
  return `username*=UTF-8''${encodeURIComponent(user).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
}

export interface DigestSchemeOptions {
  /** Source of cnonce bytes. */
  random: (bytes: number) => Buffer
}

export function createDigestScheme(options: DigestSchemeOptions): ClientAuthScheme {
  const stateOf = (connection: ConnectionState): DigestState => connection.slot<DigestState>('Digest', () => ({ challenge: undefined, nc: 0 }))

  const authorization = (request: OutgoingRequest, credentials: Credentials, state: DigestState): string | undefined => {
    const challenge = state.challenge
    if (challenge === undefined) return undefined
    state.nc += 1
    const nc = state.nc.toString(16).padStart(8, '0')
    const cnonce = options.random(16).toString('hex')
    const uri = requestTarget(request.url)
    const response = digestResponse({
      algorithm: challenge.algorithm,
      username: credentials.user,
      realm: challenge.realm,
      password: credentials.password,
      method: request.method,
      uri,
      nonce: challenge.nonce,
      nc,
      cnonce,
    })
    const parts = [
      usernameParam(credentials.user),
      `realm=${quoteString(challenge.realm)}`,
      `uri=${quoteString(uri)}`,
      `algorithm=${challenge.algorithm}`,
      `nonce=${quoteString(challenge.nonce)}`,
      `nc=${nc}`,
      `cnonce=${quoteString(cnonce)}`,
      'qop=auth',
      `response=${quoteString(response)}`,
    ]
    if (challenge.opaque !== undefined) parts.push(`opaque=${quoteString(challenge.opaque)}`)
    return `Digest ${parts.join(', ')}`
  }

  return {
    name: 'Digest',
    rank(challenge) {
      const algorithm = parseAlgorithm(challenge.params.get('algorithm'))
      if (algorithm === undefined || !offersAuthQop(challenge) || challenge.params.get('nonce') === undefined) return undefined
      return algorithmRank[algorithm]
    },
    authorize: (request, credentials, connection) => authorization(request, credentials, stateOf(connection)),
    respond(challenge, request, credentials, connection, attempt) {
      const state = stateOf(connection)
      if (attempt.sent > 0) {
        // Our digest was refused. Retry once when the nonce merely expired, or when it was a cached
        // nonce the server may have forgotten; otherwise the credentials are wrong, and a second
        // try would only count against the account's lockout threshold.
        const stale = challenge.params.get('stale')?.toLowerCase() === 'true'
        if (attempt.sent > 1 || (!stale && !attempt.preemptive)) {
          state.challenge = undefined
          return undefined
        }
      }
      const algorithm = parseAlgorithm(challenge.params.get('algorithm'))
      const nonce = challenge.params.get('nonce')
      if (algorithm === undefined || nonce === undefined || !offersAuthQop(challenge)) return undefined
      state.challenge = { realm: challenge.params.get('realm') ?? '', nonce, opaque: challenge.params.get('opaque'), algorithm }
      state.nc = 0
      return authorization(request, credentials, state)
    },
  }
}
