import { describe, it, expect } from 'vitest'
import { buildDigestChallenge, createNonceStore, digestAlgorithm, digestResponse, parseDigestAuthorization, quoteString } from './digest.ts'

// RFC 7616 section 3.9.1.
const RFC = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
}

// The SHA-256 Authorization header of RFC 7616 section 3.9.1, joined onto one line.
const RFC_SHA256_HEADER =
  'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, ' +
  'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", ' +
  'qop=auth, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", ' +
  'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'

// Worked by hand from the section 3.4.2 definition with coreutils, one hash at a time:
// H(A1) = H(H("Mufasa:http-auth@example.org:Circle of Life") ":" nonce ":" cnonce).
const MD5_SESS_EXPECTED = 'e783283f46242139c486a698fec7211d'
const SHA256_SESS_EXPECTED = '2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7'

describe('digestResponse (RFC 7616 section 3.9.1)', () => {
  it('MD5 response of the RFC example', () => {
    expect(digestResponse({ ...RFC, algorithm: 'MD5' })).toBe('8ca523f5e9506fed4657c9700eebdbec')
  })

  it('SHA-256 response of the RFC example', () => {
    expect(digestResponse({ ...RFC, algorithm: 'SHA-256' })).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1')
  })

  it('-sess variants hash H(A1) with nonce and cnonce (RFC 7616 section 3.4.2)', () => {
    expect(digestResponse({ ...RFC, algorithm: 'MD5-sess' })).toBe(MD5_SESS_EXPECTED)
    expect(digestResponse({ ...RFC, algorithm: 'SHA-256-sess' })).toBe(SHA256_SESS_EXPECTED)
  })
})

describe('parseDigestAuthorization', () => {
  it('reads the RFC 7616 example header', () => {
    const params = parseDigestAuthorization(RFC_SHA256_HEADER)
    expect(params?.get('username')?.value).toBe('Mufasa')
    expect(params?.get('algorithm')?.value).toBe('SHA-256')
    expect(params?.get('nc')?.value).toBe('00000001')
    expect(params?.get('qop')?.value).toBe('auth')
    expect(params?.get('opaque')?.value).toBe(RFC.opaque)
    expect(params?.size).toBe(10)
  })

  it('is case-insensitive in the scheme and parameter names, and tolerates extra spaces and empty list elements', () => {
    const params = parseDigestAuthorization('dIgEsT   UserName = "a" ,, Realm="b",')
    expect(params?.get('username')?.value).toBe('a')
    expect(params?.get('realm')?.value).toBe('b')
  })

  it('resolves quoted-pairs but keeps the text as sent', () => {
    const params = parseDigestAuthorization('Digest username="ENTERPRISE\\\\NetwrixUser", realm="say \\"hi\\", ok"')
    expect(params?.get('username')).toEqual({ value: 'ENTERPRISE\\NetwrixUser', raw: 'ENTERPRISE\\\\NetwrixUser' })
    expect(params?.get('realm')?.value).toBe('say "hi", ok')
  })

  it('refuses broken syntax, repeated parameters and other schemes', () => {
    expect(parseDigestAuthorization('Digest username="unterminated')).toBeUndefined()
    expect(parseDigestAuthorization('Digest username')).toBeUndefined()
    expect(parseDigestAuthorization('Digest username="a" realm="b"')).toBeUndefined()
    expect(parseDigestAuthorization('Digest nc=1, nc=2')).toBeUndefined()
    expect(parseDigestAuthorization('Basic dXNlcjpwYXNz')).toBeUndefined()
    expect(parseDigestAuthorization('Digest')).toBeUndefined()
  })

  it('maps algorithm names case-insensitively, MD5 when absent', () => {
    expect(digestAlgorithm(undefined)).toBe('MD5')
    expect(digestAlgorithm('sha-256-SESS')).toBe('SHA-256-sess')
    expect(digestAlgorithm('SHA-512-256')).toBeUndefined()
  })
})

describe('buildDigestChallenge', () => {
  it('renders the RFC 7616 section 3.9.1 challenge shape with qop="auth"', () => {
    expect(buildDigestChallenge({ realm: RFC.realm, algorithm: 'SHA-256', nonce: RFC.nonce, opaque: RFC.opaque })).toBe(
      'Digest realm="http-auth@example.org", qop="auth", algorithm=SHA-256, ' +
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    )
  })

  it('adds stale=true when asked, and escapes quotes in the realm', () => {
    const challenge = buildDigestChallenge({ realm: 'a "b"', algorithm: 'MD5', nonce: 'n', opaque: 'o', stale: true })
    expect(challenge).toBe('Digest realm="a \\"b\\"", qop="auth", algorithm=MD5, nonce="n", opaque="o", stale=true')
    expect(quoteString('x\\y')).toBe('"x\\\\y"')
  })
})

describe('nonce store', () => {
  const make = (start = 1_000_000) => {
    let clock = start
    let counter = 0
    const store = createNonceStore({
      now: () => clock,
      random: (bytes) => Buffer.alloc(bytes, ++counter),
      lifetimeMs: 300_000,
    })
    return { store, advance: (ms: number) => (clock += ms) }
  }

  it('knows its nonces within their lifetime and calls them expired after it', () => {
    const { store, advance } = make()
    const nonce = store.issue('SHA-256')
    expect(store.check(nonce, 'SHA-256')).toBe('valid')
    advance(300_000)
    expect(store.check(nonce, 'SHA-256')).toBe('valid')
    advance(1)
    expect(store.check(nonce, 'SHA-256')).toBe('expired')
  })

  it('does not know foreign nonces, tampered ones, or its own offered for another algorithm', () => {
    const { store } = make()
    const nonce = store.issue('SHA-256')
    expect(store.check(RFC.nonce, 'SHA-256')).toBe('unknown')
    expect(store.check(nonce, 'MD5')).toBe('unknown')
    const bytes = Buffer.from(nonce, 'base64')
    bytes[10] = (bytes[10] ?? 0) ^ 1
    expect(store.check(bytes.toString('base64'), 'SHA-256')).toBe('unknown')
    expect(store.check('', 'SHA-256')).toBe('unknown')
  })

  it("does not know another store's nonces (each has its own secret)", () => {
    const first = make().store
    let counter = 100
    const second = createNonceStore({ now: () => 1_000_000, random: (n) => Buffer.alloc(n, ++counter), lifetimeMs: 300_000 })
    expect(second.check(first.issue('MD5'), 'MD5')).toBe('unknown')
  })

  it('refuses a nonce-count that is not greater than the last one accepted', () => {
    const { store } = make()
    const nonce = store.issue('MD5')
    expect(store.acceptCount(nonce, 0)).toBe(false)
    expect(store.acceptCount(nonce, 1)).toBe(true)
    expect(store.acceptCount(nonce, 1)).toBe(false)
    expect(store.acceptCount(nonce, 3)).toBe(true)
    expect(store.acceptCount(nonce, 2)).toBe(false)
    expect(store.acceptCount(store.issue('MD5'), 1)).toBe(true)
  })
})
