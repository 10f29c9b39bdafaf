import { createHash, timingSafeEqual } from 'node:crypto'
import type { AccountLookup, AuthInput, AuthOptions, AuthResult, Authenticator } from './types.ts'
import { credentialsFor, decodeBase64Token } from './types.ts'
import { quoteString } from '../../openapi/auth/digest.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * user-id and password from Basic credentials (RFC 7617 section 2): split at the first colon,
 * so a 'DOMAIN\user' name and a password containing colons both survive. UTF-8 first (the
 * charset RFC 7617 lets a server announce), Latin-1 for clients that send ISO-8859-1.
 */
export function decodeBasicCredentials(token68: string): { user: string; password: string } | undefined {
  const bytes = decodeBase64Token(token68)
  if (bytes === undefined) return undefined
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    text = bytes.toString('latin1')
  }
  const colon = text.indexOf(':')
  if (colon <= 0) return undefined
  return { user: text.slice(0, colon), password: text.slice(colon + 1) }
}

/** Compares digests so the time taken does not depend on where the passwords differ, nor on their lengths. */
function samePassword(a: string, b: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()
  return timingSafeEqual(digest(a), digest(b))
}

/** How many accepted credentials are remembered; the table starts over when it is full. */
const KNOWN_CREDENTIALS = 1024

export class BasicAuthenticator implements Authenticator {
  readonly scheme = 'Basic' as const
  readonly #accounts: AccountLookup
  readonly #realm: string
  /**
   * Credentials already accepted, as sent, to the account they name: a client sends the same header with every
   * request, and the directory does not change while the server runs. Only acceptances are kept, so a guess is
   * always checked in full.
   */
  readonly #known = new Map<string, string>()

  constructor(accounts: AccountLookup, options: Pick<AuthOptions, 'realm'>) {
    this.#accounts = accounts
    this.#realm = options.realm
  }

  challenge(): string {
    return `Basic realm=${quoteString(this.#realm)}`
  }

  authenticate(input: AuthInput): AuthResult {
    const credentials = credentialsFor(input.authorization, this.scheme)
    if (credentials === undefined) return { outcome: 'absent' }
    const known = this.#known.get(credentials)
    if (known !== undefined) return { outcome: 'authenticated', account: known, scheme: this.scheme }
    const decoded = decodeBasicCredentials(credentials)
    if (decoded === undefined) return { outcome: 'failed' }
    const found = this.#accounts.find(decoded.user)
    if (found === undefined || !samePassword(found.password, decoded.password)) return { outcome: 'failed' }
    if (this.#known.size >= KNOWN_CREDENTIALS) this.#known.clear()
    this.#known.set(credentials, found.account)
    return { outcome: 'authenticated', account: found.account, scheme: this.scheme }
  }
}
