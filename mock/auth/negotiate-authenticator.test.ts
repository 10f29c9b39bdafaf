import { describe, it, expect } from 'vitest'
import { NegotiateAuthenticator } from './negotiate-authenticator.ts'
import { ntProofStr, ntowfv2 } from '../../openapi/auth/ntlm.ts'
import { NTLMSSP_OID, decodeSpnegoToken, encodeNegTokenResp } from '../../openapi/auth/spnego.ts'
import type { AccountLookup, AuthOptions, AuthResult } from './types.ts'

/** The documented AccountLookup contract, for these tests: 'DOMAIN\\user' or 'user', case-insensitive. */
const accounts: AccountLookup = {
  find(userName, domain) {
    const [, fromName, user = userName] = /^(?:([^\\]+)\\)?(.*)$/.exec(userName) ?? []
    const dom = (domain ?? fromName ?? 'ENTERPRISE').toUpperCase()
    if (user.toLowerCase() === 'netwrixuser' && dom === 'ENTERPRISE') return { account: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool' }
    return undefined
  },
}

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex')

// NTLM client pieces. The one-way functions come from ntlm.ts, where MS-NLMP 4.2.4 vectors
// pin them down; the independent client of ntlm-authenticator.test.ts covers the handshake.
const TYPE1 = hex('4e544c4d53535000 01000000 07820800 0000000020000000 0000000020000000')

function type3For(type2: Buffer, password = 'NetwrixIsCool'): Buffer {
  const serverChallenge = type2.subarray(24, 32)
  const targetInfo = type2.subarray(type2.readUInt32LE(44), type2.readUInt32LE(44) + type2.readUInt16LE(40))
  const blob = Buffer.concat([hex('0101000000000000'), Buffer.alloc(8), Buffer.alloc(8, 0x5a), Buffer.alloc(4), targetInfo, Buffer.alloc(4)])
  const key = ntowfv2(password, 'NetwrixUser', 'ENTERPRISE')
  const nt = Buffer.concat([ntProofStr(key, serverChallenge, blob), blob])
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

/** [APPLICATION 0] { SPNEGO OID, [0] NegTokenInit { [0] mechTypes, [2] mechToken } }, DER by hand (all lengths < 128). */
function negTokenInit(mechOids: string[], mechToken: Buffer): Buffer {
  const tlv = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, body.length]), body])
  const mechs: Record<string, string> = { [NTLMSSP_OID]: '2b06010401823702020a', '1.2.840.113554.1.2.2': '2a864886f712010202' }
  const list = tlv(0x30, Buffer.concat(mechOids.map((oid) => tlv(0x06, hex(mechs[oid] ?? '')))))
  const init = tlv(0x30, Buffer.concat([tlv(0xa0, list), tlv(0xa2, tlv(0x04, mechToken))]))
  return tlv(0x60, Buffer.concat([tlv(0x06, hex('2b0601050502')), tlv(0xa0, init)]))
}

function setup(): NegotiateAuthenticator {
  let counter = 0
  const options: AuthOptions = {
    realm: 'Netwrix Auditor',
    domain: 'ENTERPRISE',
    serverName: 'NWXSRV',
    now: () => Date.UTC(2025, 5, 1),
    random: (bytes) => Buffer.alloc(bytes, ++counter),
  }
  return new NegotiateAuthenticator(accounts, options)
}

const request = (connection: object, token?: Buffer) => ({
  method: 'POST',
  uri: '/netwrix/api/v1/activity_records/search',
  authorization: token === undefined ? undefined : `Negotiate ${token.toString('base64')}`,
  connection,
})

function continued(result: AuthResult): Buffer {
  expect(result.outcome).toBe('continue')
  const header = (result as Extract<AuthResult, { outcome: 'continue' }>).wwwAuthenticate
  expect(header).toMatch(/^Negotiate [A-Za-z0-9+/]+=*$/)
  return Buffer.from(header.slice('Negotiate '.length), 'base64')
}

describe('NegotiateAuthenticator', () => {
  it('offers bare Negotiate in a fresh 401', () => {
    expect(setup().challenge()).toBe('Negotiate')
  })

  it('completes SPNEGO-wrapped NTLM and sends accept-completed on success', async () => {
    const server = setup()
    const connection = {}
    const first = decodeSpnegoToken(continued(await server.authenticate(request(connection, negTokenInit([NTLMSSP_OID], TYPE1)))))
    expect(first?.kind).toBe('resp')
    if (first?.kind !== 'resp') return
    expect(first.negState).toBe(1)
    expect(first.supportedMech).toBe(NTLMSSP_OID)
    const type2 = first.responseToken ?? Buffer.alloc(0)
    expect(type2.readUInt32LE(8)).toBe(2)

    const done = await server.authenticate(request(connection, encodeNegTokenResp({ responseToken: type3For(type2) })))
    expect(done).toEqual({ outcome: 'authenticated', account: 'ENTERPRISE\\NetwrixUser', scheme: 'Negotiate', wwwAuthenticate: 'Negotiate oQcwBaADCgEA' })
    expect(await server.authenticate(request(connection))).toEqual({ outcome: 'authenticated', account: 'ENTERPRISE\\NetwrixUser', scheme: 'Negotiate' })
    expect(await server.authenticate(request({}))).toEqual({ outcome: 'absent' })
  })

  it('accepts raw NTLMSSP tokens under Negotiate and answers in kind', async () => {
    const server = setup()
    const connection = {}
    const type2 = continued(await server.authenticate(request(connection, TYPE1)))
    expect(type2.subarray(0, 12).toString('hex')).toBe('4e544c4d5353500002000000')
    expect(await server.authenticate(request(connection, type3For(type2)))).toEqual({
      outcome: 'authenticated',
      account: 'ENTERPRISE\\NetwrixUser',
      scheme: 'Negotiate',
    })
  })

  it('steers a client that leads with Kerberos over to NTLM', async () => {
    const server = setup()
    const connection = {}
    const kerberosToken = hex('6e 03 02 01 05')
    const steer = decodeSpnegoToken(
      continued(await server.authenticate(request(connection, negTokenInit(['1.2.840.113554.1.2.2', NTLMSSP_OID], kerberosToken)))),
    )
    expect(steer).toEqual({ kind: 'resp', negState: 1, supportedMech: NTLMSSP_OID })
    const second = decodeSpnegoToken(continued(await server.authenticate(request(connection, encodeNegTokenResp({ responseToken: TYPE1 })))))
    const type2 = second?.kind === 'resp' ? second.responseToken : undefined
    expect(type2?.readUInt32LE(8)).toBe(2)
    const done = await server.authenticate(request(connection, encodeNegTokenResp({ responseToken: type3For(type2 ?? Buffer.alloc(0)) })))
    expect(done.outcome).toBe('authenticated')
  })

  it('fails a wrong password, a mechanism list without NTLM, a replay elsewhere and garbage', async () => {
    const server = setup()
    const connection = {}
    const type2 = decodeSpnegoToken(continued(await server.authenticate(request(connection, negTokenInit([NTLMSSP_OID], TYPE1)))))
    const challenge = type2?.kind === 'resp' ? (type2.responseToken ?? Buffer.alloc(0)) : Buffer.alloc(0)
    expect(await server.authenticate(request({}, encodeNegTokenResp({ responseToken: type3For(challenge) })))).toEqual({ outcome: 'failed' })
    expect(await server.authenticate(request(connection, encodeNegTokenResp({ responseToken: type3For(challenge, 'wrong') })))).toEqual({ outcome: 'failed' })
    expect(await server.authenticate(request(connection))).toEqual({ outcome: 'absent' })
    expect(await server.authenticate(request({}, negTokenInit(['1.2.840.113554.1.2.2'], hex('6e030201 05'))))).toEqual({ outcome: 'failed' })
    expect(await server.authenticate(request({}, hex('deadbeef')))).toEqual({ outcome: 'failed' })
    expect(await server.authenticate(request({}, encodeNegTokenResp({ negState: 1 })))).toEqual({ outcome: 'failed' })
  })

  it('ignores other schemes', async () => {
    expect(await setup().authenticate({ method: 'GET', uri: '/', authorization: 'NTLM TlRMTVNTUAA=', connection: {} })).toEqual({ outcome: 'absent' })
  })
})
