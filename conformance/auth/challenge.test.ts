import { describe, expect, it } from 'vitest'
import { parseChallenges, quoteString } from './challenge.ts'

const asObject = (header: string) => parseChallenges(header).map((c) => ({ scheme: c.scheme, token68: c.token68, params: Object.fromEntries(c.params) }))

describe('parseChallenges', () => {
  it('reads the RFC 7616 section 3.9.1 pair of Digest challenges joined on one line', () => {
    const header =
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, ' +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", ' +
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, ' +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
    const parsed = asObject(header)
    expect(parsed.map((c) => [c.scheme, c.params['algorithm']])).toEqual([
      ['Digest', 'SHA-256'],
      ['Digest', 'MD5'],
    ])
    expect(parsed[0]!.params['qop']).toBe('auth, auth-int')
    expect(parsed[1]!.params['nonce']).toBe('7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v')
  })

  it('tells bare schemes, token68 and parameters apart in a mixed list', () => {
    expect(asObject('Negotiate, NTLM, Digest realm="r", nonce="n", Basic realm="Netwrix Auditor"')).toEqual([
      { scheme: 'Negotiate', token68: undefined, params: {} },
      { scheme: 'NTLM', token68: undefined, params: {} },
      { scheme: 'Digest', token68: undefined, params: { realm: 'r', nonce: 'n' } },
      { scheme: 'Basic', token68: undefined, params: { realm: 'Netwrix Auditor' } },
    ])
    expect(asObject('NTLM TlRMTVNTUAACAAAADAAMADgAAAAFgoqi+/ab==, Basic realm=x')).toEqual([
      { scheme: 'NTLM', token68: 'TlRMTVNTUAACAAAADAAMADgAAAAFgoqi+/ab==', params: {} },
      { scheme: 'Basic', token68: undefined, params: { realm: 'x' } },
    ])
  })

  it('unescapes quoted-pairs, lower-cases parameter names and tolerates spaces around "="', () => {
    expect(asObject('Digest Realm = "a \\"b\\" \\\\c", STALE=TRUE')[0]!.params).toEqual({ realm: 'a "b" \\c', stale: 'TRUE' })
  })

  it('returns nothing for an empty or missing header', () => {
    expect(parseChallenges(undefined)).toEqual([])
    expect(parseChallenges(' , ')).toEqual([])
  })

  it('quotes what it unquotes', () => {
    const value = 'ENTERPRISE\\Netwrix "User"'
    expect(asObject(`X v=${quoteString(value)}`)[0]!.params['v']).toBe(value)
  })
})
