import { randomBytes } from 'node:crypto'
import { codes } from '../errors.ts'
import { headerValue, withHeader, type Interceptor, type OutgoingRequest } from '../http.ts'
import type { AuthMode } from '../types.ts'
import { basicScheme } from './basic.ts'
import { parseChallenges } from './challenge.ts'
import { createDigestScheme } from './digest.ts'
import { createNtlmScheme } from './ntlm.ts'
import { autoPreference, bestChallenge, ConnectionState, createSchemeRegistry, type ClientAuthScheme, type Credentials, type SchemeRegistry } from './scheme.ts'

/** NTLM and Negotiate need two challenge legs after an anonymous first send; nothing legitimate needs more. */
const maxSends = 4

/** Every client the runner has; `auto` tries them in autoPreference order (Negotiate has no client). */
export function defaultSchemes(random: (bytes: number) => Buffer = randomBytes, now: () => number = Date.now): SchemeRegistry {
  return createSchemeRegistry([createNtlmScheme({ random, now }), createDigestScheme({ random }), basicScheme])
}

export interface WithAuthOptions {
  /** Survives across requests of one connection: Digest nonce and count, the scheme auto settled on. */
  state?: ConnectionState
  schemes?: SchemeRegistry
}

interface AutoState {
  chosen: ClientAuthScheme | undefined
}

/** The registered scheme for a fixed mode; a mode with no client implementation is an error, not a silent downgrade. */
export function fixedScheme(mode: Exclude<AuthMode, 'auto'>, schemes: SchemeRegistry): ClientAuthScheme {
  const scheme = schemes.get(mode)
  if (scheme === undefined) throw codes.CONF_ERR_AUTH_UNSUPPORTED.create(mode.toUpperCase())
  return scheme
}

/**
 * Authenticates each request as `credentials` with one scheme (`basic`, `digest`, ...) or, with
 * `auto`, with the strongest scheme the server's 401 offers that a client implementation exists for.
 */
export function withAuth(mode: AuthMode, credentials: Credentials, options: WithAuthOptions = {}): Interceptor {
  const schemes = options.schemes ?? defaultSchemes()
  const state = options.state ?? new ConnectionState()
  const fixed = mode === 'auto' ? undefined : fixedScheme(mode, schemes)
  const auto = state.slot<AutoState>('auto', () => ({ chosen: undefined }))

  const pick = (challengeHeader: string | undefined) => {
    const challenges = parseChallenges(challengeHeader)
    if (fixed !== undefined) {
      const challenge = bestChallenge(fixed, challenges)
      return challenge && { scheme: fixed, challenge }
    }
    for (const name of autoPreference) {
      const scheme = schemes.get(name)
      const challenge = scheme && bestChallenge(scheme, challenges)
      if (scheme && challenge) return { scheme, challenge }
    }
    return undefined
  }

  return (next) => async (request) => {
    const upFront = fixed ?? auto.chosen
    const first = upFront?.authorize?.(request, credentials, state)
    let sending: OutgoingRequest = first === undefined ? request : withHeader(request, 'Authorization', first)
    let attempt = { sent: first === undefined ? 0 : 1, preemptive: first !== undefined }
    let response = await next(sending)
    for (let sends = 1; response.status === 401 && sends < maxSends; sends++) {
      const offer = pick(headerValue(response.headers, 'www-authenticate'))
      if (offer === undefined) return response
      const answer = await offer.scheme.respond(offer.challenge, sending, credentials, state, attempt)
      if (answer === undefined) return response
      if (fixed === undefined) auto.chosen = offer.scheme
      sending = withHeader(request, 'Authorization', answer)
      attempt = { sent: attempt.sent + 1, preemptive: false }
      response = await next(sending)
    }
    return response
  }
}
