/**
 * Recordings as HAR 1.2 (W3C Web Performance WG's HTTP Archive draft, version 1.2): the entries `nwa record` writes and
 * `nwa replay` reads, and the pure rules that strip credentials from them. A recording never holds a password, an
 * Authorization value, an NTLM, Negotiate or Digest token, a nonce, or a cookie: each becomes `[removed]`, keeping only
 * the scheme and, for replay, who authenticated (`_nwa.auth`): the user name an NTLM, Digest or Basic message carries,
 * and for Basic which of that user's passwords it was (1 for the first seen, 2 for a different one), never the
 * password (D53).
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { isNtlmMessage, MessageType, ntlmMessageType, parseAuthenticateMessage } from '../../openapi/auth/ntlm.ts'
import { decodeSpnegoToken } from '../../openapi/auth/spnego.ts'
import { parseChallenges } from '../auth/challenge.ts'

export interface HarNameValue {
  name: string
  value: string
}

export interface HarContent {
  size: number
  mimeType: string
  text?: string
  encoding?: 'base64'
}

export interface HarAuth {
  /** As the Authorization header named it: Basic, Digest, NTLM, Negotiate. */
  scheme: string
  /** DOMAIN\user, when the message carries one. */
  user?: string
  /** Basic only: 1 for the first password seen for this user in the recording, 2 for a second one, ... */
  credential?: number
}

export interface HarEntry {
  startedDateTime: string
  time: number
  request: {
    method: string
    url: string
    httpVersion: string
    cookies: HarNameValue[]
    headers: HarNameValue[]
    queryString: HarNameValue[]
    postData?: { mimeType: string; text: string; encoding?: 'base64' }
    headersSize: -1
    bodySize: number
  }
  response: {
    status: number
    statusText: string
    httpVersion: string
    cookies: HarNameValue[]
    headers: HarNameValue[]
    content: HarContent
    redirectURL: string
    headersSize: -1
    bodySize: number
  }
  cache: Record<string, never>
  timings: { send: number; wait: number; receive: number }
  /** The client connection it came on: replay keeps one connection per recorded one's account. */
  connection?: string
  /**
   * `continuationMark`: the mark of a page whose body the recording cut (pageMark), so that replay can still put the
   * replayed server's mark in its place in the requests that post it back.
   */
  _nwa?: { auth?: HarAuth; requestTruncated?: true; responseTruncated?: true; continuationMark?: string; error?: string }
}

export interface Har {
  log: { version: string; creator: { name: string; version: string }; entries: HarEntry[] }
}

export const removed = '[removed]'

const secretRequestHeaders = new Set(['authorization', 'proxy-authorization'])
const challengeHeaders = new Set(['www-authenticate', 'proxy-authenticate'])
const droppedValueHeaders = new Set(['cookie', 'set-cookie', 'authentication-info', 'proxy-authentication-info'])

/** The user an NTLM Authenticate message names, directly or inside SPNEGO; none for the other messages. */
function ntlmUser(token: Buffer): string | undefined {
  let ntlm: Uint8Array | undefined = token
  if (!isNtlmMessage(token)) {
    const spnego = decodeSpnegoToken(token)
    ntlm = spnego === undefined ? undefined : spnego.kind === 'init' ? spnego.mechToken : spnego.responseToken
  }
  if (ntlm === undefined || ntlmMessageType(ntlm) !== MessageType.Authenticate) return undefined
  const message = parseAuthenticateMessage(ntlm)
  if (message === undefined || message.user === '') return undefined
  return message.domain === '' ? message.user : `${message.domain}\\${message.user}`
}

/** Who an Authorization value authenticates, and its Basic password's raw text (for numbering, never kept). */
export function readAuthorization(value: string): { auth: HarAuth; basicPassword?: string } | undefined {
  const match = /^\s*([^\s]+)\s*(.*)$/s.exec(value)
  if (match === null) return undefined
  const scheme = match[1]!
  const rest = match[2]!.trim()
  const lower = scheme.toLowerCase()
  if (lower === 'basic') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) return { auth: { scheme } }
    return { auth: { scheme, user: decoded.slice(0, colon) }, basicPassword: decoded.slice(colon + 1) }
  }
  if (lower === 'digest') {
    const user = /(?:^|,)\s*username\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(rest)?.[1]?.replace(/\\(.)/g, '$1')
    return { auth: { scheme, ...(user === undefined ? {} : { user }) } }
  }
  if (lower === 'ntlm' || lower === 'negotiate') {
    const user = ntlmUser(Buffer.from(rest, 'base64'))
    return { auth: { scheme, ...(user === undefined ? {} : { user }) } }
  }
  return { auth: { scheme } }
}

/**
 * A challenge header as what a client is offered: each challenge's scheme and realm. Tokens (an NTLM challenge
 * message, a Negotiate token) and every other parameter (a Digest nonce, opaque, qop, algorithm) are dropped, so the
 * value still parses as a challenge list.
 */
export function redactChallenge(value: string): string {
  const challenges = parseChallenges(value)
  if (challenges.length === 0) return removed
  return challenges
    .map((challenge) => {
      const realm = challenge.params.get('realm')
      return realm === undefined ? challenge.scheme : `${challenge.scheme} realm="${realm.replace(/["\\]/g, '\\$&')}"`
    })
    .join(', ')
}

/** Request headers for the recording: credentials and cookies removed, the scheme word kept. */
export function redactRequestHeaders(headers: readonly HarNameValue[]): HarNameValue[] {
  return headers.map(({ name, value }) => {
    const lower = name.toLowerCase()
    if (secretRequestHeaders.has(lower)) return { name, value: `${/^\s*([^\s]+)/.exec(value)?.[1] ?? ''} ${removed}`.trim() }
    if (droppedValueHeaders.has(lower)) return { name, value: removed }
    return { name, value }
  })
}

/** Response headers for the recording: challenges without tokens or nonces, no session material, no cookies. */
export function redactResponseHeaders(headers: readonly HarNameValue[]): HarNameValue[] {
  return headers.map(({ name, value }) => {
    const lower = name.toLowerCase()
    if (challengeHeaders.has(lower)) return { name, value: redactChallenge(value) }
    if (droppedValueHeaders.has(lower)) return { name, value: removed }
    return { name, value }
  })
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** A body as HAR text: UTF-8 when it is, base64 otherwise; `keep` bytes of it at most. */
export function harBody(bytes: Buffer, keep: number): { text: string; encoding?: 'base64'; truncated: boolean } {
  const truncated = bytes.length > keep
  const kept = bytes.subarray(0, keep)
  // A cut may split the last character, which is up to 3 bytes shorter than it should be.
  for (let back = 0; back <= (truncated ? 3 : 0) && back <= kept.length; back++) {
    try {
      return { text: strictUtf8.decode(kept.subarray(0, kept.length - back)), truncated }
    } catch {
      // not text at this length; try a shorter prefix, or fall back to base64
    }
  }
  return { text: kept.toString('base64'), encoding: 'base64', truncated }
}

/**
 * The Continuation mark of a page known only by its first and last bytes: an XML page carries it first, a JSON page
 * last (D24), and a mark is a short run of base64, so the two ends of a page of any size are enough to find it.
 */
export function pageMark(head: string, tail: string): string | undefined {
  return (
    /<ContinuationMark>\s*([A-Za-z0-9+/=_-]+)\s*<\/ContinuationMark>/.exec(head)?.[1] ??
    /"ContinuationMark"\s*:\s*"([A-Za-z0-9+/=_-]+)"\s*}\s*$/.exec(tail)?.[1]
  )
}

/** How much of the end of a cut body a recording keeps to find a JSON page's mark. */
export const MARK_TAIL_BYTES = 64 * 1024

/** The body bytes a HAR entry holds. */
export function bodyBytes(content: { text?: string; encoding?: string } | undefined): Buffer {
  if (content?.text === undefined) return Buffer.alloc(0)
  return content.encoding === 'base64' ? Buffer.from(content.text, 'base64') : Buffer.from(content.text, 'utf8')
}

export interface HarWriter {
  add(entry: HarEntry): void
  close(): void
  readonly count: number
}

/** Writes a HAR file entry by entry, so a long recording never sits in memory; close() ends the JSON. */
export function createHarWriter(path: string, creator: { name: string; version: string }): HarWriter {
  const fd = openSync(path, 'w', 0o600)
  writeSync(fd, `{"log":{"version":"1.2","creator":${JSON.stringify(creator)},"entries":[\n`)
  let count = 0
  let open = true
  return {
    add(entry) {
      if (!open) return
      writeSync(fd, `${count === 0 ? '' : ',\n'}${JSON.stringify(entry)}`)
      count += 1
    },
    close() {
      if (!open) return
      open = false
      writeSync(fd, '\n]}}\n')
      closeSync(fd)
    },
    get count() {
      return count
    },
  }
}
