import { timingSafeEqual } from 'node:crypto'
import type { AccountLookup, AuthInput, AuthOptions, AuthResult, Authenticator } from './types.ts'
import { credentialsFor } from './types.ts'
import {
  buildDigestChallenge,
  createNonceStore,
  digestAlgorithm,
  digestResponse,
  parseDigestAuthorization,
  type DigestAlgorithm,
  type DigestParam,
  type NonceStore,
} from '../../openapi/auth/digest.ts'

const DEFAULT_NONCE_LIFETIME_MS = 300_000

/** The distinct readings of a quoted parameter: unescaped first, then as sent. */
function readings(param: DigestParam): string[] {
  return param.value === param.raw ? [param.value] : [param.value, param.raw]
}

export class DigestAuthenticator implements Authenticator {
  readonly scheme = 'Digest' as const
  readonly #accounts: AccountLookup
  readonly #realm: string
  readonly #algorithms: readonly DigestAlgorithm[]
  readonly #nonces: NonceStore
  readonly #opaque: string

  constructor(accounts: AccountLookup, options: AuthOptions) {
    this.#accounts = accounts
    this.#realm = options.realm
    this.#algorithms = options.digestAlgorithms ?? ['SHA-256', 'MD5']
    this.#nonces = createNonceStore({
      now: options.now,
      random: options.random,
      lifetimeMs: options.nonceLifetimeMs ?? DEFAULT_NONCE_LIFETIME_MS,
    })
    this.#opaque = options.random(18).toString('base64')
  }

  /** The challenge for the most preferred algorithm. */
  challenge(options?: { stale?: boolean }): string {
    return this.challenges(options)[0] ?? ''
  }

  /** One challenge per offered algorithm, most preferred first, each with its own nonce (RFC 7616 section 3.7). */
  challenges(options?: { stale?: boolean }): string[] {
    return this.#algorithms.map((algorithm) =>
      buildDigestChallenge({
        realm: this.#realm,
        algorithm,
        nonce: this.#nonces.issue(algorithm),
        opaque: this.#opaque,
        stale: options?.stale ?? false,
      }),
    )
  }

  authenticate(input: AuthInput): AuthResult {
    if (credentialsFor(input.authorization, this.scheme) === undefined) return { outcome: 'absent' }
    const params = parseDigestAuthorization(input.authorization ?? '')
    if (params === undefined) return { outcome: 'failed' }
    const param = (name: string): DigestParam | undefined => params.get(name)
    const username = param('username')
    const realm = param('realm')
    const nonce = param('nonce')?.value
    const uri = param('uri')
    const response = param('response')?.value.toLowerCase()
    const cnonce = param('cnonce')?.value
    const nc = param('nc')?.value
    const opaque = param('opaque')?.value
    const algorithm = this.#algorithms.find((offered) => offered === digestAlgorithm(param('algorithm')?.value))

    if (!username || !realm || !nonce || !uri || !response || !cnonce || !nc || !algorithm) return { outcome: 'failed' }
    if (param('qop')?.value.toLowerCase() !== 'auth' || !/^[0-9a-fA-F]{8}$/.test(nc)) return { outcome: 'failed' }
    if (param('userhash')?.value.toLowerCase() === 'true') return { outcome: 'failed' }
    if (realm.value !== this.#realm || (opaque !== undefined && opaque !== this.#opaque)) return { outcome: 'failed' }
    // RFC 7616 section 3.4.6: the uri parameter must name the request-target of this request.
    const uriSent = readings(uri).find((reading) => reading === input.uri)
    if (uriSent === undefined) return { outcome: 'failed' }

    const status = this.#nonces.check(nonce, algorithm)
    if (status === 'unknown') return { outcome: 'failed' }

    const account = this.#verify({ username, algorithm, nonce, nc, cnonce, response, method: input.method, uri: uriSent })
    if (account === undefined) return { outcome: 'failed' }
    // stale only when the digest itself is right, so the client knows the password (RFC 7616 section 3.3, "stale").
    if (status === 'expired') return { outcome: 'failed', stale: true }
    if (!this.#nonces.acceptCount(nonce, parseInt(nc, 16))) return { outcome: 'failed' }
    return { outcome: 'authenticated', account, scheme: this.scheme }
  }

  /**
   * Tries each reading of the user name. Some clients (Python requests among them) put a
   * 'DOMAIN\user' name between the quotes without escaping the backslash, while curl escapes
   * it; the unescaped reading of the former would lose the backslash, so the name as sent is
   * tried too.
   */
  #verify(fields: {
    username: DigestParam
    algorithm: DigestAlgorithm
    nonce: string
    nc: string
    cnonce: string
    response: string
    method: string
    uri: string
  }): string | undefined {
    const sent = Buffer.from(fields.response, 'latin1')
    for (const username of readings(fields.username)) {
      const found = this.#accounts.find(username)
      if (found === undefined) continue
      const expected = digestResponse({ ...fields, username, realm: this.#realm, password: found.password })
      const expectedBytes = Buffer.from(expected, 'latin1')
      if (expectedBytes.length === sent.length && timingSafeEqual(expectedBytes, sent)) return found.account
    }
    return undefined
  }
}
