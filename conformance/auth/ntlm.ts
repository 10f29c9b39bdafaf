/**
 * Client-side NTLM over HTTP (NTLMv2 only): NEGOTIATE on a bare `NTLM` challenge, AUTHENTICATE on
 * the CHALLENGE that answers it. NTLM authenticates the connection, so every leg must travel on
 * one keep-alive socket; the runner's pool gives each account an agent with a single socket.
 * The handshake step is read from the request just sent, so a scheme instance holds no state and
 * a refused AUTHENTICATE is never followed by a second one.
 */
import {
  MessageType,
  NegotiateFlag,
  avTimestamp,
  buildAuthenticateMessage,
  buildNegotiateMessage,
  fileTime,
  lmV2Response,
  ntlmMessageType,
  ntlmV2Response,
  ntowfv2,
  parseChallengeMessage,
  type ChallengeMessage,
} from '../../openapi/auth/ntlm.ts'
import { headerValue, type OutgoingRequest } from '../http.ts'
import type { ClientAuthScheme, Credentials } from './scheme.ts'

/** What the runner asks for: Unicode strings, NTLM, and NTLMv2 session security (MS-NLMP 2.2.2.5). */
export const clientNegotiateFlags =
  NegotiateFlag.Unicode | NegotiateFlag.RequestTarget | NegotiateFlag.Ntlm | NegotiateFlag.AlwaysSign | NegotiateFlag.ExtendedSessionSecurity

// Flags of a CHALLENGE the AUTHENTICATE may echo: those asked for, plus the ones only a server sets.
const echoedFlags = clientNegotiateFlags | NegotiateFlag.Oem | NegotiateFlag.TargetInfo | NegotiateFlag.TargetTypeDomain | NegotiateFlag.TargetTypeServer

export interface NtlmSchemeOptions {
  /** Source of the 8-byte client challenge. */
  random: (bytes: number) => Buffer
  /** ms since the epoch; the blob's time when the CHALLENGE carries no MsvAvTimestamp. */
  now: () => number
  /** Sent in the AUTHENTICATE message; default empty (MS-NLMP lets a client omit it). */
  workstation?: string
}

/** `DOMAIN\user` or `user@domain` as user and domain; a bare name has an empty domain. */
export function splitUserName(name: string): { user: string; domain: string } {
  const backslash = name.indexOf('\\')
  if (backslash >= 0) return { domain: name.slice(0, backslash), user: name.slice(backslash + 1) }
  const at = name.lastIndexOf('@')
  if (at > 0) return { user: name.slice(0, at), domain: name.slice(at + 1) }
  return { user: name, domain: '' }
}

export interface AuthenticateInput {
  challenge: ChallengeMessage
  credentials: Credentials
  clientChallenge: Buffer
  /** ms since the epoch. */
  now: number
  workstation: string
}

/**
 * The AUTHENTICATE answering `challenge` (MS-NLMP 3.1.5.1.2). With an MsvAvTimestamp the blob
 * carries the server's time and the LM response is Z(24); without one, the caller's clock and LMv2.
 */
export function authenticateMessage(input: AuthenticateInput): Buffer {
  const { challenge, credentials, clientChallenge } = input
  const { user, domain } = splitUserName(credentials.user)
  const key = ntowfv2(credentials.password, user, domain)
  const serverTime = avTimestamp(challenge.targetInfo)
  const ntResponse = ntlmV2Response(key, challenge.serverChallenge, clientChallenge, serverTime ?? fileTime(input.now), challenge.targetInfo)
  const lmResponse = serverTime === undefined ? lmV2Response(key, challenge.serverChallenge, clientChallenge) : Buffer.alloc(24)
  let flags = challenge.flags & echoedFlags
  // A server that chose neither encoding leaves it to us; Unicode is what we asked for.
  if (!(flags & (NegotiateFlag.Unicode | NegotiateFlag.Oem))) flags |= NegotiateFlag.Unicode
  if (flags & NegotiateFlag.Unicode) flags &= ~NegotiateFlag.Oem
  return buildAuthenticateMessage({ flags: flags >>> 0, lmResponse, ntResponse, domain, user, workstation: input.workstation })
}

/** The NTLM message type in the request's Authorization header, undefined when it carries none. */
function sentMessageType(request: OutgoingRequest): number | undefined {
  const match = /^\s*NTLM\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(headerValue(request.headers, 'authorization') ?? '')
  return match?.[1] === undefined ? undefined : ntlmMessageType(Buffer.from(match[1], 'base64'))
}

export function createNtlmScheme(options: NtlmSchemeOptions): ClientAuthScheme {
  const negotiate = `NTLM ${buildNegotiateMessage(clientNegotiateFlags).toString('base64')}`
  return {
    name: 'NTLM',
    respond(challenge, request, credentials) {
      const sent = sentMessageType(request)
      if (challenge.token68 === undefined) {
        // A bare NTLM after one of our messages is a refusal; starting over would only count against the account's lockout.
        return sent === undefined ? negotiate : undefined
      }
      if (sent !== MessageType.Negotiate) return undefined
      const parsed = parseChallengeMessage(Buffer.from(challenge.token68, 'base64'))
      if (parsed === undefined) return undefined
      const message = authenticateMessage({
        challenge: parsed,
        credentials,
        clientChallenge: options.random(8),
        now: options.now(),
        workstation: options.workstation ?? '',
      })
      return `NTLM ${message.toString('base64')}`
    },
  }
}
