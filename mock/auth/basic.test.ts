import { describe, it, expect } from 'vitest'
import { BasicAuthenticator, decodeBasicCredentials } from './basic.ts'
import type { AccountLookup } from './types.ts'

/** The documented AccountLookup contract, for these tests: 'DOMAIN\\user', 'user@domain' or 'user', case-insensitive. */
const accounts: AccountLookup = {
  find(userName, domain) {
    const [, fromName, user = userName] = /^(?:([^\\]+)\\)?(.*)$/.exec(userName) ?? []
    const [bare = user, fromUpn] = user.split('@')
    const dom = (domain ?? fromName ?? fromUpn?.split('.')[0] ?? 'ENTERPRISE').toUpperCase()
    if (bare.toLowerCase() === 'netwrixuser' && dom === 'ENTERPRISE') return { account: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool' }
    if (bare.toLowerCase() === 'jürgen' && dom === 'ENTERPRISE') return { account: 'ENTERPRISE\\Jürgen', password: 'pa:ss:wörd' }
    return undefined
  },
}

const authenticator = new BasicAuthenticator(accounts, { realm: 'Netwrix Auditor' })
const input = (authorization: string | undefined) => ({ method: 'GET', uri: '/', authorization, connection: {} })
const basic = (text: string, encoding: BufferEncoding = 'utf8') => `Basic ${Buffer.from(text, encoding).toString('base64')}`

describe('decodeBasicCredentials (RFC 7617)', () => {
  it('decodes the RFC 7617 section 2 example', () => {
    expect(decodeBasicCredentials('QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toEqual({ user: 'Aladdin', password: 'open sesame' })
  })

  it('splits at the first colon, keeping a backslash in the user and colons in the password', () => {
    expect(decodeBasicCredentials(Buffer.from('ENTERPRISE\\NetwrixUser:a:b').toString('base64'))).toEqual({
      user: 'ENTERPRISE\\NetwrixUser',
      password: 'a:b',
    })
  })

  it('reads UTF-8, and Latin-1 when the bytes are not UTF-8', () => {
    expect(decodeBasicCredentials(Buffer.from('Jürgen:x', 'utf8').toString('base64'))?.user).toBe('Jürgen')
    expect(decodeBasicCredentials(Buffer.from('Jürgen:x', 'latin1').toString('base64'))?.user).toBe('Jürgen')
  })

  it('refuses malformed base64, a missing colon and an empty user', () => {
    expect(decodeBasicCredentials('not base64!')).toBeUndefined()
    expect(decodeBasicCredentials('QWxhZGRpbjpvcGVuIHNlc2FtZQ')).toBeUndefined()
    expect(decodeBasicCredentials('QWxh=ZGRp')).toBeUndefined()
    expect(decodeBasicCredentials(Buffer.from('nocolon').toString('base64'))).toBeUndefined()
    expect(decodeBasicCredentials(Buffer.from(':password').toString('base64'))).toBeUndefined()
    expect(decodeBasicCredentials('')).toBeUndefined()
  })
})

describe('BasicAuthenticator', () => {
  it('challenges with the realm', () => {
    expect(authenticator.challenge()).toBe('Basic realm="Netwrix Auditor"')
  })

  it('authenticates the documented cURL example account, in any letter case and name form', async () => {
    for (const user of ['Enterprise\\NetwrixUser', 'ENTERPRISE\\netwrixuser', 'netwrixuser@enterprise.local', 'NetwrixUser']) {
      expect(await authenticator.authenticate(input(basic(`${user}:NetwrixIsCool`)))).toEqual({
        outcome: 'authenticated',
        account: 'ENTERPRISE\\NetwrixUser',
        scheme: 'Basic',
      })
    }
  })

  it('accepts the scheme word in any case and non-ASCII credentials', async () => {
    const header = `bAsIc ${Buffer.from('Jürgen:pa:ss:wörd').toString('base64')}`
    expect(await authenticator.authenticate(input(header))).toMatchObject({ outcome: 'authenticated', account: 'ENTERPRISE\\Jürgen' })
  })

  it('fails a wrong password (passwords are case-sensitive), an unknown user and malformed base64', async () => {
    expect(await authenticator.authenticate(input(basic('Enterprise\\NetwrixUser:netwrixiscool')))).toEqual({ outcome: 'failed' })
    expect(await authenticator.authenticate(input(basic('Enterprise\\Nobody:NetwrixIsCool')))).toEqual({ outcome: 'failed' })
    expect(await authenticator.authenticate(input('Basic %%%'))).toEqual({ outcome: 'failed' })
    expect(await authenticator.authenticate(input('Basic'))).toEqual({ outcome: 'failed' })
  })

  it('reports absent for no header or another scheme', async () => {
    expect(await authenticator.authenticate(input(undefined))).toEqual({ outcome: 'absent' })
    expect(await authenticator.authenticate(input('NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAA='))).toEqual({ outcome: 'absent' })
    expect(await authenticator.authenticate(input('Basically dXNlcjpwYXNz'))).toEqual({ outcome: 'absent' })
  })
})

describe('BasicAuthenticator: credentials it has accepted', () => {
  it('answers a repeated credential from memory without asking the directory again, and never a wrong one', async () => {
    let lookups = 0
    const counted: AccountLookup = {
      find: (name, domain) => {
        lookups++
        return accounts.find(name, domain)
      },
    }
    const remembering = new BasicAuthenticator(counted, { realm: 'r' })
    const right = basic('ENTERPRISE\\NetwrixUser:NetwrixIsCool')
    for (let i = 0; i < 3; i++)
      expect(await remembering.authenticate(input(right))).toMatchObject({ outcome: 'authenticated', account: 'ENTERPRISE\\NetwrixUser' })
    expect(lookups).toBe(1)
    // A failure is never remembered: each guess is checked in full, and does not disturb the accepted one.
    for (let i = 0; i < 2; i++) expect(await remembering.authenticate(input(basic('ENTERPRISE\\NetwrixUser:wrong')))).toEqual({ outcome: 'failed' })
    expect(lookups).toBe(3)
    expect(await remembering.authenticate(input(right))).toMatchObject({ outcome: 'authenticated' })
    expect(lookups).toBe(3)
  })
})
