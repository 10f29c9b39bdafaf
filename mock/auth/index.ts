import type { AccountLookup, AuthInput, AuthOptions, AuthResult, Authenticator, SchemeName } from './types.ts'
import { schemeWord } from './types.ts'
import { BasicAuthenticator } from './basic.ts'
import { DigestAuthenticator } from './digest-authenticator.ts'
import { NegotiateAuthenticator } from './negotiate-authenticator.ts'
import { NtlmAuthenticator, type ConnectionSessions } from './ntlm-authenticator.ts'

export type { AccountLookup, AuthInput, AuthOptions, AuthResult, Authenticator, SchemeName } from './types.ts'

/**
 * One authenticator per scheme, in the order given (the order the 401 lists them). NTLM and
 * Negotiate share one table of connection sessions, so a connection is authenticated through
 * at most one handshake at a time and a new handshake under either scheme replaces the old.
 */
export function createAuthenticators(schemes: SchemeName[], accounts: AccountLookup, options: AuthOptions): Authenticator[] {
  const sessions: ConnectionSessions = new WeakMap()
  const build: Record<SchemeName, () => Authenticator> = {
    Negotiate: () => new NegotiateAuthenticator(accounts, options, sessions),
    NTLM: () => new NtlmAuthenticator(accounts, options, sessions),
    Digest: () => new DigestAuthenticator(accounts, options),
    Basic: () => new BasicAuthenticator(accounts, options),
  }
  return [...new Set(schemes)].map((scheme) => build[scheme]())
}

/**
 * Hands the request to the authenticator whose scheme the Authorization header names
 * (case-insensitively). Without a header each authenticator is asked in turn, because an
 * NTLM or Negotiate connection may already be authenticated. A scheme that is not enabled
 * counts as no credentials. `challenges` are the WWW-Authenticate values a 401 lists, in
 * order; Digest contributes one per offered algorithm, with stale=true after a stale nonce.
 */
export function authenticate(authenticators: Authenticator[], input: AuthInput): { result: AuthResult; challenges: () => string[] } {
  const result = dispatch(authenticators, input)
  const stale = result.outcome === 'failed' && result.stale === true
  // Made on first call: a Digest challenge draws a fresh nonce, wasted on the requests that pass.
  const challenges = onFirstCall(() =>
    authenticators.flatMap((authenticator) =>
      authenticator instanceof DigestAuthenticator ? authenticator.challenges({ stale }) : [authenticator.challenge({ stale })],
    ),
  )
  return { result, challenges }
}

/**
 * `make`'s answer, made on the first call and kept. A helper rather than a closure written in place: tsx names
 * every closure bound to a name (esbuild's keepNames), and naming one costs a defineProperty on every request.
 */
function onFirstCall<T>(make: () => T): () => T {
  let made: { value: T } | undefined
  return () => {
    made ??= { value: make() }
    return made.value
  }
}

function dispatch(authenticators: Authenticator[], input: AuthInput): AuthResult {
  const word = schemeWord(input.authorization)?.toLowerCase()
  if (word === undefined) {
    for (const authenticator of authenticators) {
      const result = authenticator.authenticate(input)
      if (result.outcome !== 'absent') return result
    }
    return { outcome: 'absent' }
  }
  const chosen = authenticators.find((authenticator) => authenticator.scheme.toLowerCase() === word)
  return chosen === undefined ? { outcome: 'absent' } : chosen.authenticate(input)
}
