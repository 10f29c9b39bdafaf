import { describe, it, expect } from 'vitest'
import { createHash } from 'node:crypto'
import { authenticate, createAuthenticators } from './index.ts'
import { ntProofStr, ntowfv2 } from '../../openapi/auth/ntlm.ts'
import type { AccountLookup, AuthOptions, AuthResult, SchemeName } from './types.ts'

/** The documented AccountLookup contract, for these tests: 'DOMAIN\\user' or 'user', case-insensitive. */
const accounts: AccountLookup = {
  find(userName, domain) {
    const [, fromName, user = userName] = /^(?:([^\\]+)\\)?(.*)$/.exec(userName) ?? []
    const dom = (domain ?? fromName ?? 'ENTERPRISE').toUpperCase()
    if (user.toLowerCase() === 'netwrixuser' && dom === 'ENTERPRISE') return { account: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool' }
    return undefined
  },
}

const ALL: SchemeName[] = ['Negotiate', 'NTLM', 'Digest', 'Basic']
const TYPE1 = Buffer.from('4e544c4d53535000' + '01000000' + '07820800' + '0000000020000000' + '0000000020000000', 'hex')

function setup(schemes: SchemeName[] = ALL, overrides: Partial<AuthOptions> = {}) {
  let clock = Date.UTC(2025, 5, 1)
  let counter = 0
  const options: AuthOptions = {
    realm: 'Netwrix Auditor',
    domain: 'ENTERPRISE',
    serverName: 'NWXSRV',
    now: () => clock,
    random: (bytes) => Buffer.alloc(bytes, ++counter),
    ...overrides,
  }
  return { authenticators: createAuthenticators(schemes, accounts, options), advance: (ms: number) => (clock += ms) }
}

const request = (authorization: string | undefined, connection: object = {}) => ({
  method: 'GET',
  uri: '/netwrix/api/v1/activity_records/enum',
  authorization,
  connection,
})

/** NTLMv2 type 3 for a type 2, from the ntlm.ts one-way functions that MS-NLMP 4.2.4 vectors pin down. */
function type3For(type2: Buffer): Buffer {
  const targetInfo = type2.subarray(type2.readUInt32LE(44), type2.readUInt32LE(44) + type2.readUInt16LE(40))
  const blob = Buffer.concat([Buffer.from('0101000000000000', 'hex'), Buffer.alloc(16, 7), Buffer.alloc(4), targetInfo, Buffer.alloc(4)])
  const nt = Buffer.concat([ntProofStr(ntowfv2('NetwrixIsCool', 'NetwrixUser', 'ENTERPRISE'), type2.subarray(24, 32), blob), blob])
  const payloads = [Buffer.alloc(24), nt, Buffer.from('ENTERPRISE', 'utf16le'), Buffer.from('NetwrixUser', 'utf16le'), Buffer.alloc(0), Buffer.alloc(0)]
  const header = Buffer.alloc(64)
  header.write('NTLMSSP\0', 0, 'latin1')
  header.writeUInt32LE(3, 8)
  let offset = 64
  payloads.forEach((payload, i) => {
    header.writeUInt16LE(payload.length, 12 + i * 8)
    header.writeUInt16LE(payload.length, 14 + i * 8)
    header.writeUInt32LE(offset, 16 + i * 8)
    offset += payload.length
  })
  header.writeUInt32LE(type2.readUInt32LE(20), 60)
  return Buffer.concat([header, ...payloads])
}

function continued(result: AuthResult, scheme: string): Buffer {
  expect(result.outcome).toBe('continue')
  return Buffer.from((result as Extract<AuthResult, { outcome: 'continue' }>).wwwAuthenticate.slice(scheme.length + 1), 'base64')
}

describe('createAuthenticators', () => {
  it('creates one authenticator per scheme in the order given, once each', () => {
    expect(setup(['Basic', 'NTLM', 'Basic', 'Digest']).authenticators.map((a) => a.scheme)).toEqual(['Basic', 'NTLM', 'Digest'])
  })
})

describe('authenticate', () => {
  it('lists every enabled challenge in order, Digest once per algorithm', async () => {
    const { authenticators } = setup()
    const authenticated = authenticate(authenticators, request(undefined))
    expect(authenticated.result).toEqual({ outcome: 'absent' })
    const challenges = authenticated.challenges()
    expect(challenges).toHaveLength(5)
    expect(challenges[0]).toBe('Negotiate')
    expect(challenges[1]).toBe('NTLM')
    expect(challenges[2]).toMatch(/^Digest realm="Netwrix Auditor", qop="auth", algorithm=SHA-256, /)
    expect(challenges[3]).toMatch(/^Digest realm="Netwrix Auditor", qop="auth", algorithm=MD5, /)
    expect(challenges[4]).toBe('Basic realm="Netwrix Auditor"')
  })

  it('dispatches on the scheme word, case-insensitively', async () => {
    const { authenticators } = setup()
    const basic = Buffer.from('ENTERPRISE\\NetwrixUser:NetwrixIsCool').toString('base64')
    expect((await authenticate(authenticators, request(`bASIC ${basic}`))).result).toEqual({
      outcome: 'authenticated',
      account: 'ENTERPRISE\\NetwrixUser',
      scheme: 'Basic',
    })
    expect((await authenticate(authenticators, request(`ntlm ${TYPE1.toString('base64')}`))).result.outcome).toBe('continue')
  })

  it('treats an unknown or disabled scheme as no credentials', async () => {
    const { authenticators } = setup(['Basic'])
    expect((await authenticate(authenticators, request('Bearer abc.def'))).result).toEqual({ outcome: 'absent' })
    expect((await authenticate(authenticators, request(`NTLM ${TYPE1.toString('base64')}`))).result).toEqual({ outcome: 'absent' })
  })

  it('marks only the Digest challenges stale after a right answer on an expired nonce', async () => {
    const { authenticators, advance } = setup(['Digest', 'Basic'], { digestAlgorithms: ['MD5'] })
    const first = await authenticate(authenticators, request(undefined))
    const challenge = first.challenges()[0] ?? ''
    const nonce = /nonce="([^"]*)"/.exec(challenge)?.[1] ?? ''
    const opaque = /opaque="([^"]*)"/.exec(challenge)?.[1] ?? ''
    const md5 = (text: string) => createHash('md5').update(text).digest('hex')
    const uri = '/netwrix/api/v1/activity_records/enum'
    const response = md5(`${md5('NetwrixUser:Netwrix Auditor:NetwrixIsCool')}:${nonce}:00000001:abc:auth:${md5(`GET:${uri}`)}`)
    const header = `Digest username="NetwrixUser", realm="Netwrix Auditor", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, nc=00000001, cnonce="abc", opaque="${opaque}"`
    advance(300_001)
    const stale = await authenticate(authenticators, request(header))
    expect(stale.result).toEqual({ outcome: 'failed', stale: true })
    expect(stale.challenges()[0]).toMatch(/, stale=true$/)
    expect(stale.challenges()[1]).toBe('Basic realm="Netwrix Auditor"')
    const fresh = await authenticate(authenticators, request(header.replace(/nonce="[^"]*"/, `nonce="${nonce}x"`)))
    expect(fresh.result).toEqual({ outcome: 'failed' })
    expect(fresh.challenges()[0]).not.toMatch(/stale/)
  })

  it('accepts later requests without a header on an NTLM-authenticated connection, and only there', async () => {
    const { authenticators } = setup()
    const connection = {}
    const type2 = continued((await authenticate(authenticators, request(`NTLM ${TYPE1.toString('base64')}`, connection))).result, 'NTLM')
    const done = await authenticate(authenticators, request(`NTLM ${type3For(type2).toString('base64')}`, connection))
    expect(done.result).toEqual({ outcome: 'authenticated', account: 'ENTERPRISE\\NetwrixUser', scheme: 'NTLM' })
    expect((await authenticate(authenticators, request(undefined, connection))).result).toEqual(done.result)
    expect((await authenticate(authenticators, request(undefined, {}))).result).toEqual({ outcome: 'absent' })
  })

  it('shares one session per connection between NTLM and Negotiate: a new handshake under either replaces the old', async () => {
    const { authenticators } = setup()
    const connection = {}
    const type2 = continued((await authenticate(authenticators, request(`NTLM ${TYPE1.toString('base64')}`, connection))).result, 'NTLM')
    await authenticate(authenticators, request(`NTLM ${type3For(type2).toString('base64')}`, connection))
    const negotiateType2 = continued((await authenticate(authenticators, request(`Negotiate ${TYPE1.toString('base64')}`, connection))).result, 'Negotiate')
    expect((await authenticate(authenticators, request(undefined, connection))).result).toEqual({ outcome: 'absent' })
    // A challenge issued under Negotiate is not answered under NTLM.
    expect((await authenticate(authenticators, request(`NTLM ${type3For(negotiateType2).toString('base64')}`, connection))).result).toEqual({
      outcome: 'failed',
    })
  })
})
