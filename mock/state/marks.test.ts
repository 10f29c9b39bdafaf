import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, it, expect } from 'vitest'
import { canonicalQueryHash, createMarkCodec, loadOrCreateMarkSecret, stableStringify } from './marks.ts'

const secret = Buffer.alloc(32, 7)
const codec = createMarkCodec(secret)
const BASE64 = /^[A-Za-z0-9+/]+=*$/

// The documented search example's FilterList (api/postdata/continuationmark.md).
const documentedFilters = {
  Who: 'Administrator',
  DataSource: 'Active Directory',
  Action: 'Added',
  ObjectType: { DoesNotContain: 'Group' },
  When: { From: '2016-09-16T16:30:00+11:00', To: '2017-03-16T00:00:00Z' },
}

describe('createMarkCodec', () => {
  it('[ENUM-NEXT-PAGE] round-trips an enum position', () => {
    const mark = codec.issue({ op: 'enum', user: 'ENTERPRISE\\NetwrixUser', after: 1000 })
    expect(codec.read(mark)).toEqual({ ok: true, payload: { v: 1, op: 'enum', user: 'enterprise\\netwrixuser', after: 1000 } })
  })

  it('round-trips a search with its filters and query hash', () => {
    const q = canonicalQueryHash(documentedFilters)
    const mark = codec.issue({ op: 'search', user: 'u', after: 0, filters: documentedFilters, q })
    expect(codec.read(mark)).toEqual({ ok: true, payload: { v: 1, op: 'search', user: 'u', after: 0, filters: documentedFilters, q } })
  })

  it('issues standard base64, as the documented marks are', () => {
    for (let after = 0; after < 50; after++) {
      expect(codec.issue({ op: 'enum', user: 'x'.repeat(after % 5), after })).toMatch(BASE64)
    }
  })

  it('trims the whitespace the documented XML example puts around a mark', () => {
    const mark = codec.issue({ op: 'enum', user: 'u', after: 5 })
    expect(codec.read(` \n${mark} \n`)).toMatchObject({ ok: true, payload: { after: 5 } })
  })

  it('reads any flipped bit after the version byte as tampered', () => {
    const bytes = Buffer.from(codec.issue({ op: 'enum', user: 'u', after: 42 }), 'base64')
    for (let i = 1; i < bytes.length; i++) {
      const changed = Buffer.from(bytes)
      changed[i] = (changed[i] as number) ^ (1 << (i % 8))
      expect(codec.read(changed.toString('base64')), `byte ${i}`).toEqual({ ok: false, reason: 'tampered' })
    }
  })

  it('reads a mark signed with another secret as tampered', () => {
    const other = createMarkCodec(Buffer.alloc(32, 8)).issue({ op: 'enum', user: 'u', after: 1 })
    expect(codec.read(other)).toEqual({ ok: false, reason: 'tampered' })
  })

  it('reads garbage, the elided documented example and an unknown version as malformed', () => {
    const version2 = Buffer.from(codec.issue({ op: 'enum', user: 'u', after: 1 }), 'base64')
    version2[0] = 2
    for (const garbage of [
      '',
      '   ',
      'not a mark!!',
      'abc',
      'PG5yPjxuIG49IntFNzA...PjwvYT48L24+PC9ucj4A',
      'PG5yPjxuIG49IntFNzA=',
      '"PG5yPjxu"',
      version2.toString('base64'),
    ]) {
      expect(codec.read(garbage), garbage).toEqual({ ok: false, reason: 'malformed' })
    }
  })

  it('reads a non-canonical spelling of a valid mark as malformed', () => {
    const mark = ['', 'a', 'ab'].map((user) => codec.issue({ op: 'enum', user, after: 1 })).find((m) => m.endsWith('=') && !m.endsWith('=='))
    expect(mark).toBeDefined()
    const text = mark as string
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    const last = text.length - 2
    const variant = `${text.slice(0, last) + alphabet[alphabet.indexOf(text[last] as string) ^ 1]}=`
    expect(Buffer.from(variant, 'base64')).toEqual(Buffer.from(text, 'base64'))
    expect(codec.read(variant)).toEqual({ ok: false, reason: 'malformed' })
  })

  it('gives the same mark for the same position, query and caller, and a different one for any other, each readable', () => {
    const fresh = createMarkCodec(secret)
    const first = fresh.issue({ op: 'enum', user: 'ENTERPRISE\\A', after: 10 })
    expect(fresh.issue({ op: 'enum', user: 'enterprise\\a', after: 10 })).toBe(first)
    const others = [
      fresh.issue({ op: 'enum', user: 'ENTERPRISE\\A', after: 11 }),
      fresh.issue({ op: 'enum', user: 'ENTERPRISE\\B', after: 10 }),
      fresh.issue({ op: 'search', user: 'ENTERPRISE\\A', after: 10, filters: documentedFilters, q: 'x' }),
    ]
    expect(new Set([first, ...others]).size).toBe(4)
    for (const mark of [first, ...others]) expect(fresh.read(mark).ok).toBe(true)
    // Past its memory it signs afresh, to the same bytes.
    for (let after = 0; after < 600; after++) fresh.issue({ op: 'enum', user: 'u', after })
    expect(fresh.issue({ op: 'enum', user: 'ENTERPRISE\\A', after: 10 })).toBe(first)
  })

  it('never answers one payload with the mark of another it remembers', () => {
    // Payloads whose fields could run into each other in a remembered key: q absent or empty, NULs in q and user.
    const payloads = [
      { op: 'enum' as const, user: 'a', after: 1 },
      { op: 'enum' as const, user: 'a', after: 1, q: '' },
      { op: 'enum' as const, user: '\u0000a', after: 1 },
      { op: 'enum' as const, user: 'b', after: 1, q: 'x\u0000a' },
      { op: 'enum' as const, user: 'a\u0000b', after: 1, q: 'x' },
      { op: 'enum' as const, user: 'b', after: 1, q: 'x\u0000a' },
      { op: 'search' as const, user: 'a', after: 1 },
      { op: 'enum' as const, user: 'a', after: 11 },
    ]
    const remembering = createMarkCodec(secret)
    for (const payload of [...payloads, ...payloads.toReversed()]) {
      // A fresh codec remembers nothing, so it signs this very payload.
      expect(remembering.issue(payload)).toBe(createMarkCodec(secret).issue(payload))
    }
  })

  it('refuses a short secret', () => {
    expect(() => createMarkCodec(Buffer.alloc(16))).toThrow(RangeError)
  })
})

describe('canonicalQueryHash', () => {
  it('hashes the sorted-key JSON with SHA-256, base64url, 22 characters', () => {
    const canonical =
      '{"Action":"Added","DataSource":"Active Directory","ObjectType":{"DoesNotContain":"Group"},' +
      '"When":{"From":"2016-09-16T16:30:00+11:00","To":"2017-03-16T00:00:00Z"},"Who":"Administrator"}'
    expect(stableStringify(documentedFilters)).toBe(canonical)
    const hash = canonicalQueryHash(documentedFilters)
    expect(hash).toBe(createHash('sha256').update(canonical).digest('base64url').slice(0, 22))
    expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it('ignores key order but not array order or values', () => {
    const reordered = {
      When: { To: '2017-03-16T00:00:00Z', From: '2016-09-16T16:30:00+11:00' },
      ObjectType: { DoesNotContain: 'Group' },
      Action: 'Added',
      DataSource: 'Active Directory',
      Who: 'Administrator',
    }
    expect(canonicalQueryHash(reordered)).toBe(canonicalQueryHash(documentedFilters))
    expect(canonicalQueryHash({ Who: ['a', 'b'] })).not.toBe(canonicalQueryHash({ Who: ['b', 'a'] }))
    expect(canonicalQueryHash({ Who: 'a' })).not.toBe(canonicalQueryHash({ Who: 'A' }))
  })
})

describe('loadOrCreateMarkSecret', () => {
  const dirs: string[] = []
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'nwa-marks-'))
    dirs.push(dir)
    return dir
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  const counter = () => {
    let n = 0
    return (size: number) => Buffer.alloc(size, ++n)
  }
  const noRandom = () => {
    throw new Error('random must not be called when the key exists')
  }

  it('keeps the key in <dir>/mark.key, owner-only, and reuses it', () => {
    const dir = join(tempDir(), 'nested')
    const key = loadOrCreateMarkSecret(dir, counter())
    expect(key).toEqual(Buffer.alloc(32, 1))
    expect(readFileSync(join(dir, 'mark.key'))).toEqual(key)
    if (process.platform !== 'win32') expect(statSync(join(dir, 'mark.key')).mode & 0o777).toBe(0o600)
    expect(loadOrCreateMarkSecret(dir, noRandom)).toEqual(key)
  })

  it('replaces a key file of the wrong size', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'mark.key'), 'short')
    expect(loadOrCreateMarkSecret(dir, counter())).toEqual(Buffer.alloc(32, 1))
    expect(readFileSync(join(dir, 'mark.key'))).toHaveLength(32)
  })

  it('draws a fresh key per call without a dir', () => {
    const random = counter()
    expect(loadOrCreateMarkSecret(undefined, random)).not.toEqual(loadOrCreateMarkSecret(undefined, random))
  })
})
