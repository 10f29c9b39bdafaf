// In openapi/ because the NTLM scheme the contract declares is computed the same way by the mock (server) and the conformance runner (client).
/**
 * Pure NTLM (MS-NLMP) for HTTP authentication: the three messages parsed and built, the
 * one-way functions, computing and verifying responses. No state and no I/O; the mock's
 * handshake per connection lives in mock/auth/ntlm-authenticator.ts, the runner's in
 * conformance/auth/ntlm.ts.
 */
import { createCipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { md4 } from './md4.ts'

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1')

/** NegotiateFlags bits, MS-NLMP 2.2.2.5. */
export const NegotiateFlag = {
  Unicode: 0x00000001,
  Oem: 0x00000002,
  RequestTarget: 0x00000004,
  Sign: 0x00000010,
  Seal: 0x00000020,
  LmKey: 0x00000080,
  Ntlm: 0x00000200,
  Anonymous: 0x00000800,
  OemDomainSupplied: 0x00001000,
  OemWorkstationSupplied: 0x00002000,
  AlwaysSign: 0x00008000,
  TargetTypeDomain: 0x00010000,
  TargetTypeServer: 0x00020000,
  ExtendedSessionSecurity: 0x00080000,
  TargetInfo: 0x00800000,
  Version: 0x02000000,
  Negotiate128: 0x20000000,
  KeyExchange: 0x40000000,
  Negotiate56: 0x80000000,
} as const

/** AvId values, MS-NLMP 2.2.2.1. */
export const AvId = {
  EOL: 0,
  NbComputerName: 1,
  NbDomainName: 2,
  DnsComputerName: 3,
  DnsDomainName: 4,
  DnsTreeName: 5,
  Flags: 6,
  Timestamp: 7,
  SingleHost: 8,
  TargetName: 9,
  ChannelBindings: 10,
} as const

export const MessageType = { Negotiate: 1, Challenge: 2, Authenticate: 3 } as const

export interface AvPair {
  id: number
  value: Buffer
}

export interface NegotiateMessage {
  flags: number
  domain?: string
  workstation?: string
}

export interface ChallengeParams {
  /** Flags for the CHALLENGE message, usually challengeFlags(negotiate.flags). */
  flags: number
  serverChallenge: Buffer
  /** NetBIOS domain: the target name and MsvAvNbDomainName. */
  domain: string
  /** NetBIOS computer name: MsvAvNbComputerName. */
  serverName: string
  dnsDomainName: string
  dnsComputerName: string
  /** FILETIME (100 ns since 1601-01-01 UTC): MsvAvTimestamp. */
  timestamp: bigint
}

/** What a client needs from a CHALLENGE_MESSAGE. */
export interface ChallengeMessage {
  flags: number
  serverChallenge: Buffer
  targetName: string
  /** The AV pairs as sent, MsvAvEOL included: the NTLMv2 blob repeats them byte for byte. */
  targetInfo: Buffer
}

export interface AuthenticateMessage {
  /** The message's own NegotiateFlags, or the fallback when the message is too old to carry them. */
  flags: number
  lmResponse: Buffer
  ntResponse: Buffer
  domain: string
  user: string
  workstation: string
  encryptedRandomSessionKey: Buffer
}

// Windows 10 / Server 2019 (10.0 build 17763), NTLMSSP_REVISION_W2K3: only informative (MS-NLMP 2.2.2.10).
const SERVER_VERSION = Buffer.from([10, 0, 0x63, 0x45, 0, 0, 0, 0x0f])

const FILETIME_UNIX_EPOCH_MS = 11644473600000n

/** Milliseconds since the Unix epoch as a FILETIME. */
export function fileTime(ms: number): bigint {
  return (BigInt(Math.floor(ms)) + FILETIME_UNIX_EPOCH_MS) * 10000n
}

/** The message type of an NTLMSSP token, undefined when the token is not NTLMSSP. */
export function ntlmMessageType(token: Uint8Array): number | undefined {
  if (token.length < 12 || !Buffer.from(token.subarray(0, 8)).equals(NTLMSSP_SIGNATURE)) return undefined
  return Buffer.from(token).readUInt32LE(8)
}

export function isNtlmMessage(token: Uint8Array): boolean {
  return ntlmMessageType(token) !== undefined
}

/** A security buffer (length, max length, offset) at `at`; undefined when it points outside the message. */
function readField(message: Buffer, at: number): Buffer | undefined {
  if (at + 8 > message.length) return undefined
  const length = message.readUInt16LE(at)
  const offset = message.readUInt32LE(at + 4)
  if (length === 0) return Buffer.alloc(0)
  if (offset + length > message.length) return undefined
  return message.subarray(offset, offset + length)
}

function decodeString(bytes: Buffer, unicode: boolean): string {
  // OEM strings are in the client's code page, which the message does not name; Latin-1 keeps every byte.
  return bytes.toString(unicode ? 'utf16le' : 'latin1')
}

function encodeString(text: string, unicode: boolean): Buffer {
  return Buffer.from(text, unicode ? 'utf16le' : 'latin1')
}

export function parseNegotiateMessage(token: Uint8Array): NegotiateMessage | undefined {
  const message = Buffer.from(token)
  if (ntlmMessageType(message) !== MessageType.Negotiate || message.length < 16) return undefined
  const flags = message.readUInt32LE(12)
  const result: NegotiateMessage = { flags }
  if (flags & NegotiateFlag.OemDomainSupplied) {
    const domain = readField(message, 16)
    if (domain === undefined) return undefined
    result.domain = decodeString(domain, false)
  }
  if (flags & NegotiateFlag.OemWorkstationSupplied) {
    const workstation = readField(message, 24)
    if (workstation === undefined) return undefined
    result.workstation = decodeString(workstation, false)
  }
  return result
}

/**
 * The CHALLENGE flags answering a client's NEGOTIATE flags. Mirrors what the client asked for that an
 * HTTP server can honour. SIGN and SEAL are echoed because MS-NLMP 2.2.2.5 (flags D and E) says the server
 * MUST return them when asked, and GSSAPI clients (gss-ntlmssp behind curl --negotiate) abort otherwise;
 * KEY_EXCH stays off: HTTP carries no NTLM-protected messages, so no session key is exchanged.
 */
export function challengeFlags(clientFlags: number): number {
  let flags = NegotiateFlag.Ntlm | NegotiateFlag.RequestTarget | NegotiateFlag.TargetTypeDomain | NegotiateFlag.TargetInfo
  if (clientFlags & NegotiateFlag.Unicode || !(clientFlags & NegotiateFlag.Oem)) flags |= NegotiateFlag.Unicode
  else flags |= NegotiateFlag.Oem
  // ESS wins over LM_KEY when a client asks for both (MS-NLMP 2.2.2.5, flag P).
  if (clientFlags & NegotiateFlag.ExtendedSessionSecurity) flags |= NegotiateFlag.ExtendedSessionSecurity
  for (const mirrored of [
    NegotiateFlag.Sign,
    NegotiateFlag.Seal,
    NegotiateFlag.AlwaysSign,
    NegotiateFlag.Version,
    NegotiateFlag.Negotiate128,
    NegotiateFlag.Negotiate56,
  ]) {
    if (clientFlags & mirrored) flags |= mirrored
  }
  return flags >>> 0
}

/** AV pairs followed by MsvAvEOL. */
export function encodeAvPairs(pairs: AvPair[]): Buffer {
  const parts: Buffer[] = []
  for (const { id, value } of [...pairs, { id: AvId.EOL, value: Buffer.alloc(0) }]) {
    const header = Buffer.alloc(4)
    header.writeUInt16LE(id, 0)
    header.writeUInt16LE(value.length, 2)
    parts.push(header, value)
  }
  return Buffer.concat(parts)
}

/** AV pairs up to MsvAvEOL (excluded); undefined when the list overruns its buffer or has no EOL. */
export function parseAvPairs(bytes: Buffer): AvPair[] | undefined {
  const pairs: AvPair[] = []
  for (let at = 0; at + 4 <= bytes.length; ) {
    const id = bytes.readUInt16LE(at)
    const length = bytes.readUInt16LE(at + 2)
    if (id === AvId.EOL) return pairs
    if (at + 4 + length > bytes.length) return undefined
    pairs.push({ id, value: bytes.subarray(at + 4, at + 4 + length) })
    at += 4 + length
  }
  return undefined
}

export function buildTargetInfo(params: Pick<ChallengeParams, 'domain' | 'serverName' | 'dnsDomainName' | 'dnsComputerName' | 'timestamp'>): Buffer {
  const timestamp = Buffer.alloc(8)
  timestamp.writeBigUInt64LE(params.timestamp)
  return encodeAvPairs([
    { id: AvId.NbDomainName, value: encodeString(params.domain, true) },
    { id: AvId.NbComputerName, value: encodeString(params.serverName, true) },
    { id: AvId.DnsDomainName, value: encodeString(params.dnsDomainName, true) },
    { id: AvId.DnsComputerName, value: encodeString(params.dnsComputerName, true) },
    { id: AvId.Timestamp, value: timestamp },
  ])
}

/** CHALLENGE_MESSAGE, MS-NLMP 2.2.1.2: a 56-byte header (with Version) and the target name and info as payload. */
export function buildChallengeMessage(params: ChallengeParams): Buffer {
  const header = Buffer.alloc(56)
  const targetName = encodeString(params.domain, (params.flags & NegotiateFlag.Unicode) !== 0)
  const targetInfo = buildTargetInfo(params)
  NTLMSSP_SIGNATURE.copy(header, 0)
  header.writeUInt32LE(MessageType.Challenge, 8)
  header.writeUInt16LE(targetName.length, 12)
  header.writeUInt16LE(targetName.length, 14)
  header.writeUInt32LE(header.length, 16)
  header.writeUInt32LE(params.flags >>> 0, 20)
  params.serverChallenge.copy(header, 24, 0, 8)
  header.writeUInt16LE(targetInfo.length, 40)
  header.writeUInt16LE(targetInfo.length, 42)
  header.writeUInt32LE(header.length + targetName.length, 44)
  if (params.flags & NegotiateFlag.Version) SERVER_VERSION.copy(header, 48)
  return Buffer.concat([header, targetName, targetInfo])
}

/** NEGOTIATE_MESSAGE, MS-NLMP 2.2.1.1, without domain, workstation or version: 32 bytes. */
export function buildNegotiateMessage(flags: number): Buffer {
  const message = Buffer.alloc(32)
  NTLMSSP_SIGNATURE.copy(message, 0)
  message.writeUInt32LE(MessageType.Negotiate, 8)
  message.writeUInt32LE(flags >>> 0, 12)
  // Empty DomainNameFields and WorkstationFields still carry an offset: the end of the header.
  message.writeUInt32LE(message.length, 20)
  message.writeUInt32LE(message.length, 28)
  return message
}

/** CHALLENGE_MESSAGE, MS-NLMP 2.2.1.2; undefined when it is not one or a field points outside it. */
export function parseChallengeMessage(token: Uint8Array): ChallengeMessage | undefined {
  const message = Buffer.from(token)
  if (ntlmMessageType(message) !== MessageType.Challenge || message.length < 32) return undefined
  const flags = message.readUInt32LE(20)
  const targetName = readField(message, 12)
  // Messages older than the TargetInfo fields end after the 8 reserved bytes at 32.
  const targetInfo = message.length >= 48 ? readField(message, 40) : Buffer.alloc(0)
  if (targetName === undefined || targetInfo === undefined) return undefined
  return {
    flags,
    serverChallenge: Buffer.from(message.subarray(24, 32)),
    targetName: decodeString(targetName, (flags & NegotiateFlag.Unicode) !== 0),
    targetInfo: Buffer.from(targetInfo),
  }
}

export interface AuthenticateParams {
  /** The negotiated flags; Unicode among them decides how the strings are encoded. */
  flags: number
  lmResponse: Buffer
  ntResponse: Buffer
  domain: string
  user: string
  workstation: string
}

/**
 * AUTHENTICATE_MESSAGE, MS-NLMP 2.2.1.3: the 64-byte header up to NegotiateFlags, then the
 * payload. No Version and no MIC (both optional), and no EncryptedRandomSessionKey: without
 * KEY_EXCH there is none, and HTTP never uses the session key.
 */
export function buildAuthenticateMessage(params: AuthenticateParams): Buffer {
  const unicode = (params.flags & NegotiateFlag.Unicode) !== 0
  const header = Buffer.alloc(64)
  NTLMSSP_SIGNATURE.copy(header, 0)
  header.writeUInt32LE(MessageType.Authenticate, 8)
  const fields: [number, Buffer][] = [
    [12, params.lmResponse],
    [20, params.ntResponse],
    [28, encodeString(params.domain, unicode)],
    [36, encodeString(params.user, unicode)],
    [44, encodeString(params.workstation, unicode)],
    [52, Buffer.alloc(0)],
  ]
  let offset = header.length
  for (const [at, value] of fields) {
    header.writeUInt16LE(value.length, at)
    header.writeUInt16LE(value.length, at + 2)
    header.writeUInt32LE(offset, at + 4)
    offset += value.length
  }
  header.writeUInt32LE(params.flags >>> 0, 60)
  return Buffer.concat([header, ...fields.map(([, value]) => value)])
}

/**
 * AUTHENTICATE_MESSAGE, MS-NLMP 2.2.1.3. `fallbackFlags` (the negotiated flags) decide the
 * string encoding when the message predates the NegotiateFlags field, i.e. its payload
 * starts before offset 64.
 */
export function parseAuthenticateMessage(token: Uint8Array, fallbackFlags: number = NegotiateFlag.Unicode): AuthenticateMessage | undefined {
  const message = Buffer.from(token)
  if (ntlmMessageType(message) !== MessageType.Authenticate || message.length < 52) return undefined
  const fieldAt = { lm: 12, nt: 20, domain: 28, user: 36, workstation: 44, sessionKey: 52 }
  const payloadStart = Math.min(
    message.length,
    ...Object.values(fieldAt)
      .filter((at) => at + 8 <= message.length && message.readUInt16LE(at) > 0)
      .map((at) => message.readUInt32LE(at + 4)),
  )
  const flags = payloadStart >= 64 ? message.readUInt32LE(60) : fallbackFlags
  const unicode = (flags & NegotiateFlag.Unicode) !== 0
  const lmResponse = readField(message, fieldAt.lm)
  const ntResponse = readField(message, fieldAt.nt)
  const domain = readField(message, fieldAt.domain)
  const user = readField(message, fieldAt.user)
  const workstation = readField(message, fieldAt.workstation)
  const sessionKey = payloadStart >= 60 ? readField(message, fieldAt.sessionKey) : Buffer.alloc(0)
  if (!lmResponse || !ntResponse || !domain || !user || !workstation || !sessionKey) return undefined
  return {
    flags,
    lmResponse,
    ntResponse,
    domain: decodeString(domain, unicode),
    user: decodeString(user, unicode),
    workstation: decodeString(workstation, unicode),
    encryptedRandomSessionKey: sessionKey,
  }
}

/** NTOWFv1: MD4 of the UTF-16LE password (MS-NLMP 3.3.1). */
export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'))
}

/** NTOWFv2: HMAC-MD5(NT hash, UTF-16LE(Uppercase(user) ‖ domain)) (MS-NLMP 3.3.2). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return createHmac('md5', ntHash(password))
    .update(Buffer.from(user.toUpperCase() + domain, 'utf16le'))
    .digest()
}

/** NTProofStr: HMAC-MD5(NTOWFv2, serverChallenge ‖ blob), where blob is the NTLMv2 response after its first 16 bytes. */
export function ntProofStr(responseKeyNt: Buffer, serverChallenge: Buffer, blob: Buffer): Buffer {
  return createHmac('md5', responseKeyNt).update(serverChallenge).update(blob).digest()
}

/**
 * Checks an NTLMv2 NtChallengeResponse (NTProofStr ‖ blob). The blob must start with
 * RespType 1 and HiRespType 1 and hold at least its fixed 28 bytes (MS-NLMP 2.2.2.7).
 */
export function verifyNtlmV2Response(responseKeyNt: Buffer, serverChallenge: Buffer, ntResponse: Buffer): boolean {
  if (ntResponse.length < 16 + 28) return false
  const blob = ntResponse.subarray(16)
  if (blob[0] !== 1 || blob[1] !== 1) return false
  return timingSafeEqual(ntProofStr(responseKeyNt, serverChallenge, blob), ntResponse.subarray(0, 16))
}

/** The MsvAvTimestamp of a target info, undefined when it has none (or the list is malformed). */
export function avTimestamp(targetInfo: Buffer): bigint | undefined {
  const pair = parseAvPairs(targetInfo)?.find(({ id }) => id === AvId.Timestamp)
  return pair !== undefined && pair.value.length === 8 ? pair.value.readBigUInt64LE(0) : undefined
}

/**
 * The NTLMv2 NtChallengeResponse (MS-NLMP 3.3.2): NTProofStr ‖ temp, where temp is RespType 1,
 * HiRespType 1, Z(6), the FILETIME, the client challenge, Z(4), the server's target info and Z(4).
 */
export function ntlmV2Response(responseKeyNt: Buffer, serverChallenge: Buffer, clientChallenge: Buffer, timestamp: bigint, targetInfo: Buffer): Buffer {
  const fixed = Buffer.alloc(28)
  fixed[0] = 1
  fixed[1] = 1
  fixed.writeBigUInt64LE(timestamp, 8)
  clientChallenge.copy(fixed, 16, 0, 8)
  const temp = Buffer.concat([fixed, targetInfo, Buffer.alloc(4)])
  return Buffer.concat([ntProofStr(responseKeyNt, serverChallenge, temp), temp])
}

/** The LMv2 LmChallengeResponse (MS-NLMP 3.3.2): HMAC-MD5(ResponseKeyLM, serverChallenge ‖ clientChallenge) ‖ clientChallenge. */
export function lmV2Response(responseKeyLm: Buffer, serverChallenge: Buffer, clientChallenge: Buffer): Buffer {
  const proof = createHmac('md5', responseKeyLm).update(serverChallenge).update(clientChallenge.subarray(0, 8)).digest()
  return Buffer.concat([proof, clientChallenge.subarray(0, 8)])
}

/** A 56-bit key spread over 8 bytes, 7 bits each, parity bit position left clear (DES ignores it). */
function desKey(sevenBytes: Buffer): Buffer {
  const bits = BigInt(`0x${sevenBytes.toString('hex')}`)
  const key = Buffer.alloc(8)
  for (let i = 0; i < 8; i++) key[i] = Number((bits >> BigInt(49 - 7 * i)) & 0x7fn) << 1
  return key
}

/**
 * Single DES on one block. OpenSSL 3 moved des-ecb to the legacy provider, but two-key
 * triple DES stays in the default one, and EDE with K1 = K2 is E(K)·D(K)·E(K) = E(K).
 * undefined when even that cipher is unavailable (e.g. a FIPS build), which turns NTLMv1 off.
 */
export function desEncryptBlock(key8: Buffer, block: Buffer): Buffer | undefined {
  try {
    const cipher = createCipheriv('des-ede-ecb', Buffer.concat([key8, key8]), null)
    cipher.setAutoPadding(false)
    return Buffer.concat([cipher.update(block), cipher.final()])
  } catch {
    return undefined
  }
}

/** DESL (MS-NLMP 6): the 16-byte key padded to 21 bytes, three DES encryptions of `data`. */
function desl(key16: Buffer, data: Buffer): Buffer | undefined {
  const key = Buffer.concat([key16, Buffer.alloc(5)])
  const parts = [0, 7, 14].map((at) => desEncryptBlock(desKey(key.subarray(at, at + 7)), data))
  return parts.every((part): part is Buffer => part !== undefined) ? Buffer.concat(parts) : undefined
}

/**
 * The NTLMv1 NtChallengeResponse (MS-NLMP 3.3.1): DESL(NT hash, serverChallenge), or with
 * extended session security DESL(NT hash, MD5(serverChallenge ‖ clientChallenge)[0..8]).
 */
export function ntlmV1Response(ntHashValue: Buffer, serverChallenge: Buffer, clientChallenge?: Buffer): Buffer | undefined {
  const data = clientChallenge === undefined ? serverChallenge : createHash('md5').update(serverChallenge).update(clientChallenge).digest().subarray(0, 8)
  return desl(ntHashValue, data)
}

/** Checks a 24-byte NTLMv1 NtChallengeResponse; with ESS the client challenge is the first 8 bytes of the LM response. */
export function verifyNtlmV1Response(
  password: string,
  serverChallenge: Buffer,
  message: Pick<AuthenticateMessage, 'lmResponse' | 'ntResponse'>,
  extendedSessionSecurity: boolean,
): boolean {
  if (message.ntResponse.length !== 24) return false
  if (extendedSessionSecurity && message.lmResponse.length < 8) return false
  const clientChallenge = extendedSessionSecurity ? message.lmResponse.subarray(0, 8) : undefined
  const expected = ntlmV1Response(ntHash(password), serverChallenge, clientChallenge)
  return expected !== undefined && timingSafeEqual(expected, message.ntResponse)
}
