/**
 * Pure HTTP Digest (RFC 7616): header parsing, response computation,
 * challenge building, and a nonce store whose clock and randomness are injected.
 */
// In openapi/ because the mock (verifying) and the conformance runner (answering challenges) both compute RFC 7616.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess'

const ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess']

/** An auth-param value: `value` with quoted-pair escapes resolved, `raw` as it stood between the quotes. */
export interface DigestParam {
  value: string
  raw: string
}

export type DigestParams = ReadonlyMap<string, DigestParam>

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y
const OWS = /[ \t]*/y

function readAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at
  return pattern.exec(text)?.[0]
}

/** A quoted-string starting at `at` (RFC 9110 section 5.6.4), or undefined when it never closes. */
function readQuoted(text: string, at: number): { param: DigestParam; end: number } | undefined {
  let value = ''
  for (let i = at + 1; i < text.length; i++) {
    const char = text[i]
    if (char === '"') return { param: { value, raw: text.slice(at + 1, i) }, end: i + 1 }
    if (char === '\\') {
      i++
      if (i >= text.length) return undefined
    }
    value += text[i]
  }
  return undefined
}

/**
 * The auth-params of an `Authorization: Digest …` header value (RFC 7616 section 3.4,
 * RFC 9110 section 11.2): names lower-cased, token or quoted-string values. undefined when
 * the scheme is not Digest, the syntax is broken or a parameter repeats.
 */
export function parseDigestAuthorization(header: string): DigestParams | undefined {
  const text = header.trim()
  const scheme = readAt(TOKEN, text, 0)
  if (scheme?.toLowerCase() !== 'digest' || !/^[ \t]/.test(text.slice(scheme.length))) return undefined
  const params = new Map<string, DigestParam>()
  let at = scheme.length
  for (;;) {
    at += readAt(OWS, text, at)?.length ?? 0
    const name = readAt(TOKEN, text, at)
    if (name === undefined) return undefined
    at += name.length
    at += readAt(OWS, text, at)?.length ?? 0
    if (text[at] !== '=') return undefined
    at += 1
    at += readAt(OWS, text, at)?.length ?? 0
    let param: DigestParam
    if (text[at] === '"') {
      const quoted = readQuoted(text, at)
      if (quoted === undefined) return undefined
      param = quoted.param
      at = quoted.end
    } else {
      const token = readAt(TOKEN, text, at)
      if (token === undefined) return undefined
      param = { value: token, raw: token }
      at += token.length
    }
    const key = name.toLowerCase()
    if (params.has(key)) return undefined
    params.set(key, param)
    at += readAt(OWS, text, at)?.length ?? 0
    if (at >= text.length) return params
    if (text[at] !== ',') return undefined
    // Empty list elements (",,") are allowed by the list rule, RFC 9110 section 5.6.1.
    while (text[at] === ',' || text[at] === ' ' || text[at] === '\t') at++
    if (at >= text.length) return params
  }
}

/** The algorithm named by a header parameter (case-insensitive); an absent parameter means MD5 (RFC 7616 section 3.3). */
export function digestAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  if (name === undefined) return 'MD5'
  return ALGORITHMS.find((algorithm) => algorithm.toLowerCase() === name.toLowerCase())
}

function hashHex(algorithm: DigestAlgorithm, text: string): string {
  return createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
    .update(text, 'utf8')
    .digest('hex')
}

export interface DigestResponseInput {
  algorithm: DigestAlgorithm
  username: string
  realm: string
  password: string
  method: string
  uri: string
  nonce: string
  /** nonce-count, 8 hex digits as sent */
  nc: string
  cnonce: string
}

/** `response` for qop=auth (RFC 7616 section 3.4.1): KD(H(A1), nonce:nc:cnonce:qop:H(A2)). */
export function digestResponse(input: DigestResponseInput): string {
  const { algorithm } = input
  let ha1 = hashHex(algorithm, `${input.username}:${input.realm}:${input.password}`)
  if (algorithm.endsWith('-sess')) ha1 = hashHex(algorithm, `${ha1}:${input.nonce}:${input.cnonce}`)
  const ha2 = hashHex(algorithm, `${input.method}:${input.uri}`)
  return hashHex(algorithm, `${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:auth:${ha2}`)
}

/** A quoted-string for a header parameter, escaping '"' and '\'. */
export function quoteString(text: string): string {
  return `"${text.replace(/["\\]/g, (char) => `\\${char}`)}"`
}

export interface DigestChallengeInput {
  realm: string
  algorithm: DigestAlgorithm
  nonce: string
  opaque: string
  stale?: boolean
}

/** A WWW-Authenticate value offering qop="auth", parameters in the order of the RFC 7616 section 3.9.1 example. */
export function buildDigestChallenge(input: DigestChallengeInput): string {
  const parts = [
    `realm=${quoteString(input.realm)}`,
    'qop="auth"',
    `algorithm=${input.algorithm}`,
    `nonce=${quoteString(input.nonce)}`,
    `opaque=${quoteString(input.opaque)}`,
  ]
  if (input.stale) parts.push('stale=true')
  return `Digest ${parts.join(', ')}`
}

export type NonceStatus = 'valid' | 'expired' | 'unknown'

export interface NonceStore {
  /** A fresh nonce bound to `algorithm`. */
  issue(algorithm: DigestAlgorithm): string
  /** Whether `nonce` is one of ours for `algorithm`, and still within its lifetime. */
  check(nonce: string, algorithm: DigestAlgorithm): NonceStatus
  /** Records nonce-count `nc` for a valid nonce; false when it is not greater than the last one accepted (a replay). */
  acceptCount(nonce: string, nc: number): boolean
}

export interface NonceStoreOptions {
  now: () => number
  random: (bytes: number) => Buffer
  lifetimeMs: number
}

const ISSUED_BYTES = 8
const RANDOM_BYTES = 12
const MAC_BYTES = 16

/**
 * Nonces are time-stamp ‖ random ‖ MAC(secret, time-stamp ‖ random ‖ algorithm), the shape
 * RFC 7616 section 5.4 suggests: the server can tell its own expired nonces (stale=true) from
 * foreign ones without remembering every nonce it ever issued, and only the nonce-counts of
 * nonces still alive are kept.
 */
export function createNonceStore(options: NonceStoreOptions): NonceStore {
  const secret = options.random(32)
  const counts = new Map<string, { issuedAt: number; last: number }>()

  const mac = (body: Buffer, algorithm: DigestAlgorithm): Buffer => createHmac('sha256', secret).update(body).update(algorithm).digest().subarray(0, MAC_BYTES)

  const decode = (nonce: string, algorithm: DigestAlgorithm): number | undefined => {
    const bytes = Buffer.from(nonce, 'base64')
    if (bytes.length !== ISSUED_BYTES + RANDOM_BYTES + MAC_BYTES || bytes.toString('base64') !== nonce) return undefined
    const body = bytes.subarray(0, ISSUED_BYTES + RANDOM_BYTES)
    if (!timingSafeEqual(mac(body, algorithm), bytes.subarray(body.length))) return undefined
    return Number(bytes.readBigUInt64BE(0))
  }

  const prune = (now: number): void => {
    for (const [nonce, entry] of counts) if (now - entry.issuedAt > options.lifetimeMs) counts.delete(nonce)
  }

  return {
    issue(algorithm) {
      const body = Buffer.alloc(ISSUED_BYTES + RANDOM_BYTES)
      body.writeBigUInt64BE(BigInt(Math.floor(options.now())))
      options.random(RANDOM_BYTES).copy(body, ISSUED_BYTES)
      return Buffer.concat([body, mac(body, algorithm)]).toString('base64')
    },
    check(nonce, algorithm) {
      const issuedAt = decode(nonce, algorithm)
      if (issuedAt === undefined) return 'unknown'
      const age = options.now() - issuedAt
      if (age < 0) return 'unknown'
      return age > options.lifetimeMs ? 'expired' : 'valid'
    },
    acceptCount(nonce, nc) {
      const now = options.now()
      prune(now)
      const entry = counts.get(nonce)
      if (entry !== undefined && nc <= entry.last) return false
      const bytes = Buffer.from(nonce, 'base64')
      if (nc < 1 || bytes.length < ISSUED_BYTES) return false
      counts.set(nonce, { issuedAt: Number(bytes.readBigUInt64BE(0)), last: nc })
      return true
    },
  }
}
