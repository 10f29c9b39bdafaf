import type { AccountLookup, AuthInput, AuthOptions, AuthResult, Authenticator, SchemeName } from './types.ts'
import { credentialsFor, decodeBase64Token } from './types.ts'
import {
  MessageType,
  NegotiateFlag,
  buildChallengeMessage,
  challengeFlags,
  fileTime,
  ntlmMessageType,
  ntowfv2,
  parseAuthenticateMessage,
  parseNegotiateMessage,
  verifyNtlmV1Response,
  verifyNtlmV2Response,
} from '../../openapi/auth/ntlm.ts'

/**
 * What a TCP connection has reached in an NTLM handshake, whether carried by the NTLM scheme
 * or inside Negotiate.
 *
 * NTLM authenticates the connection, not the request: the type 3 message answers a challenge
 * that was issued on this very connection, and HTTP.sys (which serves the real Netwrix API)
 * then treats later requests on that connection as the authenticated account even without an
 * Authorization header. Keying the state by the connection object reproduces both halves: a
 * type 3 replayed on another connection finds no challenge, and no other connection inherits
 * the login. A WeakMap lets the state go away with the socket.
 */
export type NtlmSession =
  | { state: 'challenged'; scheme: SchemeName; serverChallenge: Buffer; flags: number }
  | { state: 'authenticated'; scheme: SchemeName; account: string }

export type ConnectionSessions = WeakMap<object, NtlmSession>

export type HandshakeStep = { step: 'challenge'; message: Buffer } | { step: 'authenticated'; account: string } | { step: 'failed' }

/** The server side of one NTLM handshake per connection, shared by the NTLM and Negotiate authenticators. */
export class NtlmHandshake {
  readonly #accounts: AccountLookup
  readonly #options: AuthOptions
  readonly #sessions: ConnectionSessions

  constructor(accounts: AccountLookup, options: AuthOptions, sessions: ConnectionSessions) {
    this.#accounts = accounts
    this.#options = options
    this.#sessions = sessions
  }

  /** The account this connection authenticated as through `scheme`, if it did. */
  authenticatedAccount(connection: object, scheme: SchemeName): string | undefined {
    const session = this.#sessions.get(connection)
    return session?.state === 'authenticated' && session.scheme === scheme ? session.account : undefined
  }

  /**
   * A request with no credentials for `scheme`: on a connection this scheme already authenticated it passes
   * as that account (HTTP.sys keeps the connection authenticated); otherwise it carries no credentials.
   */
  withoutCredentials(input: AuthInput, scheme: 'NTLM' | 'Negotiate'): AuthResult {
    if (input.authorization !== undefined) return { outcome: 'absent' }
    const account = this.authenticatedAccount(input.connection, scheme)
    return account === undefined ? { outcome: 'absent' } : { outcome: 'authenticated', account, scheme }
  }

  forget(connection: object): void {
    this.#sessions.delete(connection)
  }

  /** Takes one NTLMSSP token from the client: a type 1 (re)starts the handshake, a type 3 finishes it. */
  step(connection: object, token: Buffer, scheme: SchemeName): HandshakeStep {
    const type = ntlmMessageType(token)
    if (type === MessageType.Negotiate) return this.#challenge(connection, token, scheme)
    const session = this.#sessions.get(connection)
    this.#sessions.delete(connection)
    if (type !== MessageType.Authenticate || session?.state !== 'challenged' || session.scheme !== scheme) return { step: 'failed' }
    const account = this.#verify(token, session)
    if (account === undefined) return { step: 'failed' }
    this.#sessions.set(connection, { state: 'authenticated', scheme, account })
    return { step: 'authenticated', account }
  }

  #challenge(connection: object, token: Buffer, scheme: SchemeName): HandshakeStep {
    this.#sessions.delete(connection)
    const negotiate = parseNegotiateMessage(token)
    if (negotiate === undefined) return { step: 'failed' }
    const { domain, serverName, now, random } = this.#options
    const flags = challengeFlags(negotiate.flags)
    const serverChallenge = random(8)
    // The options carry NetBIOS names only; lower-case forms stand in for the DNS names.
    const dnsDomainName = domain.toLowerCase()
    const message = buildChallengeMessage({
      flags,
      serverChallenge,
      domain,
      serverName,
      dnsDomainName,
      dnsComputerName: `${serverName.toLowerCase()}.${dnsDomainName}`,
      timestamp: fileTime(now()),
    })
    this.#sessions.set(connection, { state: 'challenged', scheme, serverChallenge, flags })
    return { step: 'challenge', message }
  }

  #verify(token: Buffer, session: Extract<NtlmSession, { state: 'challenged' }>): string | undefined {
    const message = parseAuthenticateMessage(token, session.flags)
    if (message === undefined || message.user === '' || message.ntResponse.length === 0) return undefined
    const found = this.#accounts.find(message.user, message.domain === '' ? undefined : message.domain)
    if (found === undefined) return undefined
    if (message.ntResponse.length > 24) {
      const key = ntowfv2(found.password, message.user, message.domain)
      return verifyNtlmV2Response(key, session.serverChallenge, message.ntResponse) ? found.account : undefined
    }
    if (!this.#options.allowNtlmV1) return undefined
    const ess = (session.flags & message.flags & NegotiateFlag.ExtendedSessionSecurity) !== 0
    return verifyNtlmV1Response(found.password, session.serverChallenge, message, ess) ? found.account : undefined
  }
}

export class NtlmAuthenticator implements Authenticator {
  readonly scheme = 'NTLM' as const
  readonly #handshake: NtlmHandshake

  constructor(accounts: AccountLookup, options: AuthOptions, sessions: ConnectionSessions = new WeakMap()) {
    this.#handshake = new NtlmHandshake(accounts, options, sessions)
  }

  challenge(): string {
    return 'NTLM'
  }

  authenticate(input: AuthInput): AuthResult {
    const credentials = credentialsFor(input.authorization, this.scheme)
    if (credentials === undefined) return this.#handshake.withoutCredentials(input, this.scheme)
    const token = decodeBase64Token(credentials)
    if (token === undefined) {
      this.#handshake.forget(input.connection)
      return { outcome: 'failed' }
    }
    const step = this.#handshake.step(input.connection, token, this.scheme)
    switch (step.step) {
      case 'challenge':
        return { outcome: 'continue', wwwAuthenticate: `NTLM ${step.message.toString('base64')}` }
      case 'authenticated':
        return { outcome: 'authenticated', account: step.account, scheme: this.scheme }
      case 'failed':
        return { outcome: 'failed' }
    }
  }
}
