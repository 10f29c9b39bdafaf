/**
 * Continuation marks. The documentation treats a mark as an opaque checkpoint the client hands back
 * (api/postdata/continuationmark.md); its examples are standard base64 ("PG5yPjxuIG49...PC9ucj4A").
 * The mock's marks are base64 too: a version byte, the JSON payload, and an HMAC-SHA256 over both,
 * so a client cannot forge a position, reuse another caller's mark or swap the search it belongs to.
 *
 * A mark reads as 'malformed' when it is not one of ours at all (not canonical base64, too short,
 * unknown version) and as 'tampered' when it has our shape but the signature does not match.
 */
import { createHash, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface MarkPayload {
  v: 1
  op: 'enum' | 'search'
  /** The account the mark was issued to, lower-cased. */
  user: string
  /** The seq the next page starts after. */
  after: number
  /** The canonical FilterList of a search, so that enum can continue it. */
  filters?: unknown
  /** canonicalQueryHash of the search's FilterList. */
  q?: string
}

export type MarkReadResult = { ok: true; payload: MarkPayload } | { ok: false; reason: 'malformed' | 'tampered' }

export interface MarkCodec {
  issue(payload: Omit<MarkPayload, 'v'>): string
  read(mark: string): MarkReadResult
}

const VERSION = 1
/** How many marks are remembered by their payload; the table starts over when it is full. */
const RECENT_MARKS = 256
const TAG_BYTES = 32
export const MARK_KEY_BYTES = 32
export const MARK_KEY_FILE = 'mark.key'
const BASE64 = /^[A-Za-z0-9+/]+=*$/

export function createMarkCodec(secret: Buffer): MarkCodec {
  if (secret.length < MARK_KEY_BYTES) throw new RangeError(`a mark secret needs at least ${MARK_KEY_BYTES} bytes`)
  // A key object once, rather than importing the raw secret again for every mark.
  const key = createSecretKey(secret)
  const sign = (body: Buffer): Buffer => createHmac('sha256', key).update(body).digest()
  const recent = new Map<string, string>()

  return {
    issue({ op, user, after, filters, q }) {
      // The same position, query and caller make the same mark: a connector polling the end of the data, or
      // re-reading a page, asks for it again and again, and signing it again would give the same bytes. Without
      // filters the payload is these four fields: op and after hold no NUL and q comes with its length, so the key
      // names one payload, and it costs less than the payload's JSON.
      const lowerUser = user.toLowerCase()
      const remembered = filters === undefined ? `${op}\u0000${after}\u0000${q === undefined ? '' : `${q.length}:${q}`}\u0000${lowerUser}` : undefined
      if (remembered !== undefined) {
        const cached = recent.get(remembered)
        if (cached !== undefined) return cached
      }
      // Assigned rather than spread in, for the same reason as the caller's fields (routes/read.ts).
      const payload: MarkPayload = { v: VERSION, op, user: lowerUser, after }
      if (filters !== undefined) payload.filters = filters
      if (q !== undefined) payload.q = q
      const json = JSON.stringify(payload)
      const known = remembered === undefined ? recent.get(json) : undefined
      if (known !== undefined) return known
      const body = Buffer.concat([Buffer.of(VERSION), Buffer.from(json, 'utf8')])
      const mark = Buffer.concat([body, sign(body)]).toString('base64')
      if (recent.size >= RECENT_MARKS) recent.clear()
      recent.set(remembered ?? json, mark)
      return mark
    },

    read(mark) {
      const text = mark.trim()
      if (text.length % 4 !== 0 || !BASE64.test(text)) return { ok: false, reason: 'malformed' }
      const bytes = Buffer.from(text, 'base64')
      // Node ignores stray bits in the last character; refusing non-canonical text keeps one mark per payload.
      if (bytes.toString('base64') !== text) return { ok: false, reason: 'malformed' }
      if (bytes.length < 1 + 2 + TAG_BYTES || bytes[0] !== VERSION) return { ok: false, reason: 'malformed' }
      const body = bytes.subarray(0, bytes.length - TAG_BYTES)
      if (!timingSafeEqual(sign(body), bytes.subarray(bytes.length - TAG_BYTES))) return { ok: false, reason: 'tampered' }
      const payload = parsePayload(body.subarray(1).toString('utf8'))
      return payload ? { ok: true, payload } : { ok: false, reason: 'malformed' }
    },
  }
}

function parsePayload(json: string): MarkPayload | undefined {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const p = value as Record<string, unknown>
  const valid =
    p['v'] === VERSION &&
    (p['op'] === 'enum' || p['op'] === 'search') &&
    typeof p['user'] === 'string' &&
    Number.isSafeInteger(p['after']) &&
    (p['after'] as number) >= 0 &&
    (p['q'] === undefined || typeof p['q'] === 'string')
  return valid ? (p as unknown as MarkPayload) : undefined
}

/** JSON with object keys sorted at every level; array order is kept, since it can be meaningful. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : stableStringify(item))).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** The first 22 base64url characters (132 bits) of SHA-256 over the stable JSON of a FilterList. */
export function canonicalQueryHash(filters: unknown): string {
  return createHash('sha256').update(stableStringify(filters), 'utf8').digest('base64url').slice(0, 22)
}

/**
 * The HMAC key, kept in <dir>/mark.key (mode 0600) so that marks stay valid across a restart of a
 * mock with a data dir; without one, a fresh key per process. A key file of the wrong size is
 * replaced: the marks it signed are lost, which is the same as a restart without a dir.
 */
export function loadOrCreateMarkSecret(dir: string | undefined, random: (n: number) => Buffer): Buffer {
  const fresh = (): Buffer => {
    const key = random(MARK_KEY_BYTES)
    if (key.length !== MARK_KEY_BYTES) throw new RangeError(`random source returned ${key.length} bytes, ${MARK_KEY_BYTES} needed`)
    return key
  }
  if (dir === undefined) return fresh()

  mkdirSync(dir, { recursive: true })
  const path = join(dir, MARK_KEY_FILE)
  const existing = readKeyFile(path)
  if (existing) return existing

  const key = fresh()
  // Written aside and renamed into place, so a crash never leaves a half-written key behind.
  const temporary = `${path}.${process.pid}.tmp`
  rmSync(temporary, { force: true })
  writeFileSync(temporary, key, { mode: 0o600, flag: 'wx' })
  syncPath(temporary, 'r')
  renameSync(temporary, path)
  syncDirectory(dir)
  return key
}

function readKeyFile(path: string): Buffer | undefined {
  try {
    const key = readFileSync(path)
    return key.length === MARK_KEY_BYTES ? key : undefined
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

function syncPath(path: string, flags: string): void {
  const fd = openSync(path, flags)
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function syncDirectory(dir: string): void {
  try {
    syncPath(dir, 'r')
  } catch (error) {
    // Windows cannot open a directory for fsync; there the rename is as durable as it gets.
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error
  }
}
