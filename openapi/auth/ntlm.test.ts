import { describe, it, expect } from 'vitest'
import {
  AvId,
  NegotiateFlag,
  avTimestamp,
  buildAuthenticateMessage,
  buildChallengeMessage,
  buildNegotiateMessage,
  buildTargetInfo,
  challengeFlags,
  desEncryptBlock,
  fileTime,
  isNtlmMessage,
  lmV2Response,
  ntHash,
  ntProofStr,
  ntlmV1Response,
  ntlmV2Response,
  ntowfv2,
  parseAuthenticateMessage,
  parseAvPairs,
  parseChallengeMessage,
  parseNegotiateMessage,
  verifyNtlmV1Response,
  verifyNtlmV2Response,
} from './ntlm.ts'

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex')

// MS-NLMP 4.2.1 common values.
const USER = 'User'
const DOMAIN = 'Domain'
const PASSWORD = 'Password'
const SERVER_CHALLENGE = hex('0123456789abcdef')
const CLIENT_CHALLENGE = hex('aaaaaaaaaaaaaaaa')

// MS-NLMP 4.2.4.1.3 "temp": RespType, HiRespType, Z(6), Time 0, ClientChallenge, Z(4),
// the AV pairs MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL, then Z(4).
const SPEC_TEMP = hex(`
  0101 000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000
  0200 0c00 44006f006d00610069006e00
  0100 0c00 53006500720076006500720000000000
  00000000`)

// The CHALLENGE_MESSAGE of MS-NLMP 4.2.4.3.
const SPEC_CHALLENGE_V2 = hex(`
  4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef00000000000000002400240044000000
  060070170000000f53006500720076006500720002000c0044006f006d00610069006e0001000c005300650072007600
  6500720000000000`)

// A NEGOTIATE_MESSAGE and an AUTHENTICATE_MESSAGE from a Windows Server 2008 R2 client,
// as captured in Samba's source4/torture/ndr/ntlmssp.c.
const WINDOWS_NEGOTIATE = hex('4e544c4d5353500001000000978208e2000000000000000000000000000000000601b01d0000000f')
const WINDOWS_AUTHENTICATE = hex(`
  4e544c4d5353500003000000180018008c0000000e010e01a40000000e000e00580000001a001a00660000000c000c00
  8000000010001000b2010000158288e20601b01d0000000f50e2b2a7f5833eda71a7e86e951e3a57570032004b003800
  44004f004d00410064006d0069006e006900730074007200610074006f007200570032004b0038005200320000000000
  000000000000000000000000000000000000000038cffb395ab34c588635a3e71e009843010100000000000096790277
  1e54cb013c210ae9de61c07e0000000002000a00530041004d0042004100010010004d005400480045004c0045004e00
  410004001c006200650072002e007200650064006800610074002e0063006f006d0003002e006d007400680065006c00
  65006e0061002e006200650072002e007200650064006800610074002e0063006f006d00080030003000000000000000
  00000000003000000afd3b2cad43468b49016ca5f3bcd213bb70e26596ba0d8d5d31e6479461ed280a00100000000000
  00000000000000000000000009001a0063006900660073002f006d007400680065006c0065006e006100000000000000
  0000a423d45c16528d56342d1cff8617c94f`)

describe('NTLM one-way functions (MS-NLMP 4.2)', () => {
  it('NTOWFv1("Password") is the NT hash of MS-NLMP 4.2.2.1.2', () => {
    expect(ntHash(PASSWORD).toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852')
  })

  it('NTOWFv2 matches MS-NLMP 4.2.4.1.1', () => {
    expect(ntowfv2(PASSWORD, USER, DOMAIN).toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f')
  })

  it('NTProofStr over the spec temp matches MS-NLMP 4.2.4.2.2', () => {
    expect(ntProofStr(ntowfv2(PASSWORD, USER, DOMAIN), SERVER_CHALLENGE, SPEC_TEMP).toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c')
  })

  it('NTOWFv2 upper-cases the user name but keeps the domain as sent', () => {
    expect(ntowfv2(PASSWORD, 'user', DOMAIN).equals(ntowfv2(PASSWORD, USER, DOMAIN))).toBe(true)
    expect(ntowfv2(PASSWORD, USER, 'DOMAIN').equals(ntowfv2(PASSWORD, USER, DOMAIN))).toBe(false)
  })
})

describe('NTLMv2 response verification', () => {
  const specResponse = Buffer.concat([hex('68cd0ab851e51c96aabc927bebef6a1c'), SPEC_TEMP])
  const key = ntowfv2(PASSWORD, USER, DOMAIN)

  it('accepts the MS-NLMP 4.2.4 NTLMv2 response', () => {
    expect(verifyNtlmV2Response(key, SERVER_CHALLENGE, specResponse)).toBe(true)
  })

  it('refuses it for another server challenge, another password, or a changed blob byte', () => {
    expect(verifyNtlmV2Response(key, hex('0123456789abcdee'), specResponse)).toBe(false)
    expect(verifyNtlmV2Response(ntowfv2('password', USER, DOMAIN), SERVER_CHALLENGE, specResponse)).toBe(false)
    const tampered = Buffer.from(specResponse)
    tampered[30] = (tampered[30] ?? 0) ^ 1
    expect(verifyNtlmV2Response(key, SERVER_CHALLENGE, tampered)).toBe(false)
  })

  it('refuses a response too short to hold a blob', () => {
    expect(verifyNtlmV2Response(key, SERVER_CHALLENGE, specResponse.subarray(0, 40))).toBe(false)
  })
})

const desMissing = desEncryptBlock(Buffer.alloc(8), Buffer.alloc(8)) === undefined
if (desMissing) console.log('DES is unavailable in this OpenSSL build: NTLMv1 vectors skipped')

describe('NTLMv1 (DES)', () => {
  it.skipIf(desMissing)('single DES through EDE matches the textbook vector (key 133457799bbcdff1)', () => {
    expect(desEncryptBlock(hex('133457799bbcdff1'), hex('0123456789abcdef'))?.toString('hex')).toBe('85e813540f0ab405')
  })

  it.skipIf(desMissing)('NTLMv1 response matches MS-NLMP 4.2.2.1.3', () => {
    expect(ntlmV1Response(ntHash(PASSWORD), SERVER_CHALLENGE)?.toString('hex')).toBe('67c43011f30298a2ad35ece64f16331c44bdbed927841f94')
  })

  it.skipIf(desMissing)('NTLMv1 with extended session security matches MS-NLMP 4.2.3.2.2', () => {
    expect(ntlmV1Response(ntHash(PASSWORD), SERVER_CHALLENGE, CLIENT_CHALLENGE)?.toString('hex')).toBe('7537f803ae367128ca458204bde7caf81e97ed2683267232')
  })

  it.skipIf(desMissing)('verifies the spec responses and refuses a wrong password', () => {
    const plain = { lmResponse: Buffer.alloc(24), ntResponse: hex('67c43011f30298a2ad35ece64f16331c44bdbed927841f94') }
    expect(verifyNtlmV1Response(PASSWORD, SERVER_CHALLENGE, plain, false)).toBe(true)
    expect(verifyNtlmV1Response('Passw0rd', SERVER_CHALLENGE, plain, false)).toBe(false)
    const ess = {
      lmResponse: Buffer.concat([CLIENT_CHALLENGE, Buffer.alloc(16)]),
      ntResponse: hex('7537f803ae367128ca458204bde7caf81e97ed2683267232'),
    }
    expect(verifyNtlmV1Response(PASSWORD, SERVER_CHALLENGE, ess, true)).toBe(true)
    expect(verifyNtlmV1Response(PASSWORD, SERVER_CHALLENGE, ess, false)).toBe(false)
  })
})

describe('NTLM messages', () => {
  it('parses a Windows NEGOTIATE_MESSAGE', () => {
    expect(isNtlmMessage(WINDOWS_NEGOTIATE)).toBe(true)
    expect(parseNegotiateMessage(WINDOWS_NEGOTIATE)).toEqual({ flags: 0xe2088297 })
  })

  it('parses OEM domain and workstation supplied in a NEGOTIATE_MESSAGE', () => {
    const flags = NegotiateFlag.Oem | NegotiateFlag.OemDomainSupplied | NegotiateFlag.OemWorkstationSupplied
    const message = hex(`4e544c4d53535000 01000000 ${Buffer.from(Uint32Array.of(flags).buffer).toString('hex')}
      0400040020000000 0300030024000000 434f5250 5753 31`)
    expect(parseNegotiateMessage(message)).toEqual({ flags, domain: 'CORP', workstation: 'WS1' })
  })

  it('refuses a NEGOTIATE_MESSAGE whose field points past its end', () => {
    const flags = NegotiateFlag.OemDomainSupplied
    const message = hex(`4e544c4d53535000 01000000 ${Buffer.from(Uint32Array.of(flags).buffer).toString('hex')} 0400040020000000 0000000000000000`)
    expect(parseNegotiateMessage(message)).toBeUndefined()
  })

  it('parses a Windows AUTHENTICATE_MESSAGE (Unicode, with MIC and NTLMv2 response)', () => {
    const message = parseAuthenticateMessage(WINDOWS_AUTHENTICATE)
    expect(message).toBeDefined()
    expect(message?.flags).toBe(0xe2888215)
    expect(message?.user).toBe('Administrator')
    expect(message?.domain).toBe('W2K8DOM')
    expect(message?.workstation).toBe('W2K8R2')
    expect(message?.lmResponse.equals(Buffer.alloc(24))).toBe(true)
    expect(message?.ntResponse.length).toBe(270)
    expect(message?.ntResponse.subarray(0, 16).toString('hex')).toBe('38cffb395ab34c588635a3e71e009843')
    expect(message?.ntResponse.subarray(16 + 16, 16 + 24).toString('hex')).toBe('3c210ae9de61c07e')
    expect(message?.encryptedRandomSessionKey.toString('hex')).toBe('a423d45c16528d56342d1cff8617c94f')
  })

  it('parses OEM strings in an AUTHENTICATE_MESSAGE', () => {
    const flags = NegotiateFlag.Oem | NegotiateFlag.Ntlm
    const header = hex(`4e544c4d53535000 03000000
      0000000040000000 1800180040000000 0400040058000000 020002005c000000 000000005e000000 000000005e000000
      ${Buffer.from(Uint32Array.of(flags).buffer).toString('hex')}`)
    const message = Buffer.concat([header, Buffer.alloc(24, 7), Buffer.from('CORPjo', 'latin1')])
    const parsed = parseAuthenticateMessage(message)
    expect(parsed?.domain).toBe('CORP')
    expect(parsed?.user).toBe('jo')
    expect(parsed?.ntResponse.equals(Buffer.alloc(24, 7))).toBe(true)
  })

  it('refuses a truncated AUTHENTICATE_MESSAGE', () => {
    expect(parseAuthenticateMessage(WINDOWS_AUTHENTICATE.subarray(0, 300))).toBeUndefined()
    expect(parseAuthenticateMessage(WINDOWS_AUTHENTICATE.subarray(0, 40))).toBeUndefined()
  })

  it('answers the Windows NEGOTIATE flags with the ones an HTTP server can honour', () => {
    // Unicode, RequestTarget, Sign (asked for: MS-NLMP 2.2.2.5 flag D), NTLM, AlwaysSign, TargetTypeDomain,
    // ESS, TargetInfo, Version, 128, 56; not LM_KEY or KeyExchange.
    expect(challengeFlags(0xe2088297)).toBe(0xa2898215)
    expect(challengeFlags(NegotiateFlag.Seal) & NegotiateFlag.Seal).toBe(NegotiateFlag.Seal)
    expect(challengeFlags(NegotiateFlag.Oem) & (NegotiateFlag.Oem | NegotiateFlag.Unicode)).toBe(NegotiateFlag.Oem)
  })

  it('builds a CHALLENGE_MESSAGE laid out like the MS-NLMP 4.2.4.3 one', () => {
    const message = buildChallengeMessage({
      flags: 0xe28a8233,
      serverChallenge: SERVER_CHALLENGE,
      domain: DOMAIN,
      serverName: 'Server',
      dnsDomainName: 'domain.test',
      dnsComputerName: 'server.domain.test',
      timestamp: fileTime(0),
    })
    // Signature, type, TargetNameFields (12 bytes at 56), flags, challenge and reserved are
    // byte-equal to the spec message, whose 12-byte target name "Server" also starts at 56.
    expect(message.subarray(0, 40).toString('hex')).toBe(SPEC_CHALLENGE_V2.subarray(0, 40).toString('hex'))
    const targetNameOffset = message.readUInt32LE(16)
    expect(message.subarray(targetNameOffset, targetNameOffset + 12).toString('utf16le')).toBe(DOMAIN)
    const infoLength = message.readUInt16LE(40)
    const infoOffset = message.readUInt32LE(44)
    expect(infoOffset + infoLength).toBe(message.length)
    const pairs = parseAvPairs(message.subarray(infoOffset, infoOffset + infoLength))
    expect(pairs?.map((pair) => pair.id)).toEqual([AvId.NbDomainName, AvId.NbComputerName, AvId.DnsDomainName, AvId.DnsComputerName, AvId.Timestamp])
    expect(pairs?.[0]?.value.toString('utf16le')).toBe(DOMAIN)
    expect(pairs?.[1]?.value.toString('utf16le')).toBe('Server')
    expect(pairs?.[2]?.value.toString('utf16le')).toBe('domain.test')
    expect(pairs?.[3]?.value.toString('utf16le')).toBe('server.domain.test')
    // FILETIME of the Unix epoch: 116444736000000000 = 0x019db1ded53e8000.
    expect(pairs?.[4]?.value.toString('hex')).toBe('00803ed5deb19d01')
  })

  it('reads the AV pairs of the MS-NLMP 4.2.4.3 CHALLENGE_MESSAGE', () => {
    const offset = SPEC_CHALLENGE_V2.readUInt32LE(44)
    const pairs = parseAvPairs(SPEC_CHALLENGE_V2.subarray(offset, offset + SPEC_CHALLENGE_V2.readUInt16LE(40)))
    expect(pairs?.map((pair) => [pair.id, pair.value.toString('utf16le')])).toEqual([
      [AvId.NbDomainName, 'Domain'],
      [AvId.NbComputerName, 'Server'],
    ])
  })
})

describe('NTLM client side (MS-NLMP 4.2.4)', () => {
  const key = ntowfv2(PASSWORD, USER, DOMAIN)

  it('reads the MS-NLMP 4.2.4.3 CHALLENGE_MESSAGE', () => {
    const challenge = parseChallengeMessage(SPEC_CHALLENGE_V2)
    expect(challenge?.flags).toBe(0xe28a8233)
    expect(challenge?.serverChallenge.equals(SERVER_CHALLENGE)).toBe(true)
    expect(challenge?.targetName).toBe('Server')
    expect(challenge?.targetInfo.length).toBe(0x24)
  })

  it('builds the MS-NLMP 4.2.4.2.2 NTLMv2 response from that challenge (time 0, client challenge aa..aa)', () => {
    const challenge = parseChallengeMessage(SPEC_CHALLENGE_V2)
    if (challenge === undefined) throw new Error('spec challenge unreadable')
    const response = ntlmV2Response(key, challenge.serverChallenge, CLIENT_CHALLENGE, 0n, challenge.targetInfo)
    expect(response.toString('hex')).toBe(`68cd0ab851e51c96aabc927bebef6a1c${SPEC_TEMP.toString('hex')}`)
    expect(verifyNtlmV2Response(key, SERVER_CHALLENGE, response)).toBe(true)
  })

  it('builds the MS-NLMP 4.2.4.2.1 LMv2 response', () => {
    expect(lmV2Response(key, SERVER_CHALLENGE, CLIENT_CHALLENGE).toString('hex')).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa')
  })

  it('refuses a CHALLENGE_MESSAGE that is another type or whose target info overruns it', () => {
    expect(parseChallengeMessage(WINDOWS_NEGOTIATE)).toBeUndefined()
    expect(parseChallengeMessage(SPEC_CHALLENGE_V2.subarray(0, SPEC_CHALLENGE_V2.length - 1))).toBeUndefined()
  })

  it('reads MsvAvTimestamp when the target info has one', () => {
    const info = buildTargetInfo({ domain: 'D', serverName: 'S', dnsDomainName: 'd', dnsComputerName: 's.d', timestamp: fileTime(0) })
    expect(avTimestamp(info)).toBe(116444736000000000n)
    const challenge = parseChallengeMessage(SPEC_CHALLENGE_V2)
    expect(challenge && avTimestamp(challenge.targetInfo)).toBeUndefined()
  })

  it('builds a NEGOTIATE_MESSAGE byte-equal to the 32-byte layout of MS-NLMP 2.2.1.1', () => {
    const flags = 0x00088207
    expect(buildNegotiateMessage(flags).toString('hex')).toBe('4e544c4d53535000' + '01000000' + '07820800' + '0000000020000000' + '0000000020000000')
    expect(parseNegotiateMessage(buildNegotiateMessage(flags))).toEqual({ flags })
  })

  it('builds an AUTHENTICATE_MESSAGE the server-side parser reads back, Unicode or OEM', () => {
    const ntResponse = Buffer.concat([hex('68cd0ab851e51c96aabc927bebef6a1c'), SPEC_TEMP])
    for (const flags of [0xe2888215, NegotiateFlag.Oem | NegotiateFlag.Ntlm]) {
      const built = buildAuthenticateMessage({ flags, lmResponse: Buffer.alloc(24), ntResponse, domain: DOMAIN, user: USER, workstation: 'COMPUTER' })
      const parsed = parseAuthenticateMessage(built)
      expect(parsed).toEqual({
        flags,
        lmResponse: Buffer.alloc(24),
        ntResponse,
        domain: DOMAIN,
        user: USER,
        workstation: 'COMPUTER',
        encryptedRandomSessionKey: Buffer.alloc(0),
      })
      expect(verifyNtlmV2Response(key, SERVER_CHALLENGE, parsed?.ntResponse ?? Buffer.alloc(0))).toBe(true)
    }
  })
})
