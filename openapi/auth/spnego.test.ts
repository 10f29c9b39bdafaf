import { describe, it, expect } from 'vitest'
import { NTLMSSP_OID, NegState, decodeSpnegoToken, encodeNegTokenResp, isRawNtlmToken } from './spnego.ts'

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex')

// A 32-byte NTLM NEGOTIATE_MESSAGE (flags 0x00088207, empty domain and workstation).
const NTLM_NEGOTIATE = hex('4e544c4d53535000 01000000 07820800 0000000020000000 0000000020000000')
const KRB5_OID = '1.2.840.113554.1.2.2'

// GSS-API InitialContextToken carrying a NegTokenInit, DER written out by hand (RFC 2743 3.1, RFC 4178 4.2.1).
const INIT_TOKEN = hex(
  `
  60 4b                                   -- [APPLICATION 0], 75 bytes
    06 06 2b0601050502                    -- thisMech 1.3.6.1.5.5.2
    a0 41                                 -- [0] NegTokenInit
      30 3f
        a0 19                             -- [0] mechTypes
          30 17
            06 0a 2b06010401823702020a    -- 1.3.6.1.4.1.311.2.2.10 (NTLMSSP)
            06 09 2a864886f712010202      -- 1.2.840.113554.1.2.2 (Kerberos 5)
        a2 22                             -- [2] mechToken
          04 20 ${NTLM_NEGOTIATE.toString('hex')}
`.replace(/--[^\n]*/g, ''),
)

describe('decodeSpnegoToken', () => {
  it('reads mechTypes and mechToken from a hand-written InitialContextToken', () => {
    expect(INIT_TOKEN.length).toBe(77)
    const token = decodeSpnegoToken(INIT_TOKEN)
    expect(token?.kind).toBe('init')
    if (token?.kind !== 'init') return
    expect(token.mechTypes).toEqual([NTLMSSP_OID, KRB5_OID])
    expect(token.mechToken?.equals(NTLM_NEGOTIATE)).toBe(true)
  })

  it('reads a NegTokenInit without mechToken but with reqFlags', () => {
    const bare = hex(`60 1c 06 06 2b0601050502 a0 12 30 10 a0 0e 30 0c 06 0a 2b06010401823702020a`)
    expect(decodeSpnegoToken(bare)).toEqual({ kind: 'init', mechTypes: [NTLMSSP_OID] })
    const withFlags = hex(`60 22 06 06 2b0601050502 a0 18 30 16 a0 0e 30 0c 06 0a 2b06010401823702020a a1 04 03 02 01 06`)
    expect(decodeSpnegoToken(withFlags)).toEqual({ kind: 'init', mechTypes: [NTLMSSP_OID] })
  })

  it('reads a bare NegTokenResp carrying a responseToken', () => {
    const token = decodeSpnegoToken(hex('a1 12 30 10 a2 0e 04 0c 4e544c4d53535000 03000000'))
    expect(token?.kind).toBe('resp')
    if (token?.kind !== 'resp') return
    expect(token.negState).toBeUndefined()
    expect(token.responseToken?.toString('hex')).toBe('4e544c4d5353500003000000')
  })

  it('reads negState and supportedMech of a NegTokenResp', () => {
    expect(decodeSpnegoToken(hex('a1 15 30 13 a0 03 0a 01 01 a1 0c 06 0a 2b06010401823702020a'))).toEqual({
      kind: 'resp',
      negState: NegState.AcceptIncomplete,
      supportedMech: NTLMSSP_OID,
    })
  })

  it('refuses truncated DER, trailing bytes, another outer mechanism and an untagged token', () => {
    expect(decodeSpnegoToken(INIT_TOKEN.subarray(0, 50))).toBeUndefined()
    expect(decodeSpnegoToken(Buffer.concat([INIT_TOKEN, hex('00')]))).toBeUndefined()
    const kerberosOuter = hex(`60 1f 06 09 2a864886f712010202 a0 12 30 10 a0 0e 30 0c 06 0a 2b06010401823702020a`)
    expect(decodeSpnegoToken(kerberosOuter)).toBeUndefined()
    expect(decodeSpnegoToken(hex('30 03 02 01 05'))).toBeUndefined()
    expect(decodeSpnegoToken(NTLM_NEGOTIATE)).toBeUndefined()
  })
})

describe('encodeNegTokenResp', () => {
  it('encodes accept-incomplete with NTLMSSP and a response token as hand-written DER', () => {
    const encoded = encodeNegTokenResp({
      negState: NegState.AcceptIncomplete,
      supportedMech: NTLMSSP_OID,
      responseToken: hex('4e544c4d53535000 02000000'),
    })
    expect(encoded.toString('hex')).toBe(
      hex(`a1 25 30 23
             a0 03 0a 01 01
             a1 0c 06 0a 2b06010401823702020a
             a2 0e 04 0c 4e544c4d53535000 02000000`).toString('hex'),
    )
  })

  it('encodes the bare accept-completed token IIS sends on success ("oQcwBaADCgEA")', () => {
    expect(encodeNegTokenResp({ negState: NegState.AcceptCompleted }).toString('base64')).toBe('oQcwBaADCgEA')
  })

  it('encodes reject', () => {
    expect(encodeNegTokenResp({ negState: NegState.Reject }).toString('hex')).toBe('a1073005a0030a0102')
  })
})

describe('isRawNtlmToken', () => {
  it('recognises the NTLMSSP signature and nothing else', () => {
    expect(isRawNtlmToken(NTLM_NEGOTIATE)).toBe(true)
    expect(isRawNtlmToken(INIT_TOKEN)).toBe(false)
    expect(isRawNtlmToken(hex('4e544c4d535350'))).toBe(false)
  })
})
