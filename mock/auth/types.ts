export type SchemeName = 'Negotiate' | 'NTLM' | 'Digest' | 'Basic'

/** Finds an account by the name a client sent: 'DOMAIN\\user', 'user@domain.tld' or a bare 'user'; compares case-insensitively as Windows does. */
export interface AccountLookup {
  find(userName: string, domain?: string): { account: string /* canonical 'DOMAIN\\User' */; password: string } | undefined
}

export interface AuthInput {
  method: string
  /** The request-target exactly as sent: Digest compares it with the `uri` parameter. */
  uri: string
  authorization: string | undefined
  /** Identity of the TCP connection; NTLM and Negotiate keep their per-connection state in a WeakMap keyed by it. */
  connection: object
}

export type AuthResult =
  /** wwwAuthenticate: e.g. the final Negotiate token to send on the success response. */
  | { outcome: 'authenticated'; account: string; scheme: SchemeName; wwwAuthenticate?: string }
  /** Answer 401 with exactly this header (NTLM type 2 / Negotiate accept-incomplete). */
  | { outcome: 'continue'; wwwAuthenticate: string }
  /** Credentials present for this scheme but wrong (stale: Digest nonce expired). */
  | { outcome: 'failed'; stale?: boolean }
  /** No credentials for this scheme in the header. */
  | { outcome: 'absent' }

export interface Authenticator {
  readonly scheme: SchemeName
  /** A WWW-Authenticate value for a fresh 401. */
  challenge(options?: { stale?: boolean }): string
  /** Synchronous: every scheme decides from the header and the connection alone, so a request never waits a turn here. */
  authenticate(input: AuthInput): AuthResult
}

export interface AuthOptions {
  /** e.g. 'Netwrix Auditor' */
  realm: string
  /** NetBIOS domain for NTLM target info, e.g. 'ENTERPRISE' */
  domain: string
  /** Computer name for NTLM target info */
  serverName: string
  /** ms since the epoch, injected */
  now: () => number
  /** Injected randomness (challenges, nonces) */
  random: (bytes: number) => Buffer
  /** Digest, default 300000 */
  nonceLifetimeMs?: number
  /** default false */
  allowNtlmV1?: boolean
  /** Offered in this order, default ['SHA-256', 'MD5'] */
  digestAlgorithms?: ('SHA-256' | 'MD5')[]
}

/**
 * The credentials that follow the scheme word of an Authorization header when that word is
 * `scheme` (scheme names are case-insensitive, RFC 9110 section 11.1), '' when the scheme
 * word stands alone, undefined when the header is missing or names another scheme. It lives
 * beside the interface because every authenticator reads AuthInput.authorization the same way.
 */
export function credentialsFor(authorization: string | undefined, scheme: SchemeName): string | undefined {
  const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+([\s\S]*?))?\s*$/.exec(authorization ?? '')
  if (match === null || match[1]?.toLowerCase() !== scheme.toLowerCase()) return undefined
  return match[2] ?? ''
}

/** The scheme word of an Authorization header, as sent. */
export function schemeWord(authorization: string | undefined): string | undefined {
  return /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/.exec(authorization ?? '')?.[1]
}

/** Strict base64 (RFC 4648 section 4, padded), as the token68 of Basic, NTLM and Negotiate; Buffer.from alone would skip garbage silently. */
export function decodeBase64Token(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined
  return Buffer.from(text, 'base64')
}
