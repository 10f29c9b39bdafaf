import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AvId,
  MessageType,
  buildChallengeMessage,
  challengeFlags,
  encodeAvPairs,
  ntlmMessageType,
  ntowfv2,
  parseAuthenticateMessage,
  parseNegotiateMessage,
  verifyNtlmV2Response,
  type AuthenticateMessage,
} from '../../openapi/auth/ntlm.ts'
import { toCurl } from '../curl.ts'
import { compose, createBaseDispatch, toExchange, type IncomingResponse } from '../http.ts'
import type { AuthMode } from '../types.ts'
import { authenticateMessage, createNtlmScheme, splitUserName } from './ntlm.ts'
import { ConnectionState } from './scheme.ts'
import { defaultSchemes, withAuth } from './with-auth.ts'

const user = 'ENTERPRISE\\NetwrixUser'
const password = 'NetwrixIsCool'
const serverChallenge = Buffer.from('0123456789abcdef', 'hex')
// 2024-01-02T03:04:05Z as a FILETIME, written out: (ms since 1970 + ms from 1601 to 1970) × 10 000.
const serverTime = (BigInt(Date.UTC(2024, 0, 2, 3, 4, 5)) + 11644473600000n) * 10000n
const clientChallenge = Buffer.from('a1a2a3a4a5a6a7a8', 'hex')

interface Leg {
  socket: number
  authorization: string | undefined
  body: string
  authenticate?: AuthenticateMessage
}

/**
 * The server side of NTLM over HTTP, as HTTP.sys does it: the handshake and then the login belong
 * to the TCP connection. Also takes Basic when `offer` lists it.
 */
async function ntlmServer(offer: string[]) {
  const legs: Leg[] = []
  const sockets = new Map<Socket, number>()
  const sessions = new WeakMap<Socket, { flags: number } | 'authenticated'>()
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const socket = req.socket
      const leg: Leg = { socket: sockets.get(socket) ?? -1, authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() }
      legs.push(leg)
      const answer = (status: number, challenge?: string[]) => {
        if (challenge) res.setHeader('WWW-Authenticate', challenge)
        res.writeHead(status).end(status === 200 ? 'ok' : '')
      }
      const header = req.headers.authorization ?? ''
      const session = sessions.get(socket)
      if (header === '' && session === 'authenticated') return answer(200)
      if (/^Basic /.test(header) && offer.includes('Basic')) return answer(200)
      const token = /^NTLM (.+)$/.exec(header)?.[1]
      const message = token === undefined ? undefined : Buffer.from(token, 'base64')
      const type = message && ntlmMessageType(message)
      sessions.delete(socket)
      if (message && type === MessageType.Negotiate) {
        const negotiate = parseNegotiateMessage(message)
        if (negotiate === undefined) return answer(400)
        const flags = challengeFlags(negotiate.flags)
        sessions.set(socket, { flags })
        const t2 = buildChallengeMessage({
          flags,
          serverChallenge,
          domain: 'ENTERPRISE',
          serverName: 'NWA',
          dnsDomainName: 'enterprise.local',
          dnsComputerName: 'nwa.enterprise.local',
          timestamp: serverTime,
        })
        return answer(401, [`NTLM ${t2.toString('base64')}`])
      }
      if (message && type === MessageType.Authenticate && session !== undefined && session !== 'authenticated') {
        const parsed = parseAuthenticateMessage(message, session.flags)
        if (parsed !== undefined) leg.authenticate = parsed
        const key = parsed && ntowfv2(password, parsed.user, parsed.domain)
        if (parsed && key && parsed.user === 'NetwrixUser' && parsed.domain === 'ENTERPRISE' && verifyNtlmV2Response(key, serverChallenge, parsed.ntResponse)) {
          sessions.set(socket, 'authenticated')
          return answer(200)
        }
      }
      return answer(401, offer)
    })
  })
  server.on('connection', (socket: Socket) => sockets.set(socket, sockets.size + 1))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return { origin, legs, connections: () => sockets.size }
}

const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

function client(origin: string, mode: AuthMode, secret = password) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  closers.push(() => agent.destroy())
  const responses: IncomingResponse[] = []
  const dispatch = compose(
    createBaseDispatch(agent),
    withAuth(
      mode,
      { user, password: secret },
      {
        state: new ConnectionState(),
        schemes: defaultSchemes(
          () => Buffer.from(clientChallenge),
          () => 0,
        ),
      },
    ),
    (next) => async (request) => {
      const response = await next(request)
      responses.push(response)
      return response
    },
  )
  return {
    responses,
    send: (method: string, path: string, body?: string) =>
      dispatch({
        method,
        url: `${origin}${path}`,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body }),
      }),
  }
}

const messageType = (leg: Leg): number | undefined => {
  const token = /^NTLM (.+)$/.exec(leg.authorization ?? '')?.[1]
  return token === undefined ? undefined : ntlmMessageType(Buffer.from(token, 'base64'))
}

describe('NTLM client against a node:http NTLM server', () => {
  it('--auth ntlm: NEGOTIATE then AUTHENTICATE on one socket, the body sent on every leg, 200 for the right password', async () => {
    const server = await ntlmServer(['NTLM'])
    const c = client(server.origin, 'ntlm')
    const body = '{"ActivityRecordList":[]}'
    const response = await c.send('POST', '/netwrix/api/v1/activity_records', body)
    expect(response.status).toBe(200)
    expect(server.connections()).toBe(1)
    expect(server.legs.map((leg) => [leg.socket, messageType(leg), leg.body])).toEqual([
      [1, undefined, body],
      [1, MessageType.Negotiate, body],
      [1, MessageType.Authenticate, body],
    ])
    // Unicode 0x1, RequestTarget 0x4, NTLM 0x200, AlwaysSign 0x8000, ExtendedSessionSecurity 0x80000.
    const negotiate = Buffer.from(server.legs[1]!.authorization!.slice(5), 'base64')
    expect(parseNegotiateMessage(negotiate)?.flags).toBe(0x00088205)
    const authenticate = server.legs[2]!.authenticate
    expect([authenticate?.domain, authenticate?.user, authenticate?.workstation]).toEqual(['ENTERPRISE', 'NetwrixUser', ''])
    // With an MsvAvTimestamp in the CHALLENGE, the blob carries that time and the LM response is Z(24) (MS-NLMP 3.1.5.1.2).
    expect(authenticate?.lmResponse.equals(Buffer.alloc(24))).toBe(true)
    expect(authenticate?.ntResponse.readBigUInt64LE(16 + 8)).toBe(serverTime)
    expect(authenticate?.ntResponse.subarray(16 + 16, 16 + 24).equals(clientChallenge)).toBe(true)
  })

  it('keeps the login on the connection: the next request needs no handshake', async () => {
    const server = await ntlmServer(['NTLM'])
    const c = client(server.origin, 'ntlm')
    expect((await c.send('GET', '/a')).status).toBe(200)
    expect((await c.send('GET', '/b')).status).toBe(200)
    expect(server.connections()).toBe(1)
    expect(server.legs.map(messageType)).toEqual([undefined, MessageType.Negotiate, MessageType.Authenticate, undefined])
  })

  it('a wrong password ends in 401 after exactly one AUTHENTICATE', async () => {
    const server = await ntlmServer(['NTLM'])
    const c = client(server.origin, 'ntlm', 'NetwrixIsWrong')
    const response = await c.send('GET', '/netwrix/api/v1/activity_records/enum')
    expect(response.status).toBe(401)
    expect(server.legs.map(messageType)).toEqual([undefined, MessageType.Negotiate, MessageType.Authenticate])
    expect(server.connections()).toBe(1)
  })

  it('auto chooses NTLM over Basic when the server offers both', async () => {
    const server = await ntlmServer(['NTLM', 'Basic realm="Netwrix Auditor"'])
    const c = client(server.origin, 'auto')
    expect((await c.send('GET', '/x')).status).toBe(200)
    expect(server.legs.map((leg) => leg.authorization?.split(' ')[0])).toEqual([undefined, 'NTLM', 'NTLM'])
    expect(server.legs[2]!.authenticate?.user).toBe('NetwrixUser')
  })

  it('--auth ntlm gives the 401 back untouched when the server does not offer NTLM', async () => {
    const server = await ntlmServer(['Basic realm="Netwrix Auditor"'])
    const response = await client(server.origin, 'ntlm').send('GET', '/x')
    expect(response.status).toBe(401)
    expect(server.legs.map((leg) => leg.authorization)).toEqual([undefined])
  })

  it('the curl reproduction of every leg says --ntlm', async () => {
    const server = await ntlmServer(['NTLM', 'Basic realm="Netwrix Auditor"'])
    for (const mode of ['ntlm', 'auto'] as const) {
      const c = client(server.origin, mode)
      await c.send('GET', '/x')
      const commands = c.responses.map((response) => toCurl(toExchange(response), { user, auth: mode }))
      // In auto the anonymous first leg says --anyauth, as curl then picks the scheme itself.
      expect(commands.map((command) => /--ntlm|--anyauth/.exec(command)?.[0])).toEqual([mode === 'ntlm' ? '--ntlm' : '--anyauth', '--ntlm', '--ntlm'])
      for (const command of commands) expect(command).not.toContain('TlRMTVNTUA')
    }
  })
})

describe('NTLM client pieces', () => {
  it('splits DOMAIN\\user and user@domain, and leaves a bare name without a domain', () => {
    expect(splitUserName('ENTERPRISE\\NetwrixUser')).toEqual({ domain: 'ENTERPRISE', user: 'NetwrixUser' })
    expect(splitUserName('NetwrixUser@enterprise.local')).toEqual({ domain: 'enterprise.local', user: 'NetwrixUser' })
    expect(splitUserName('NetwrixUser')).toEqual({ domain: '', user: 'NetwrixUser' })
  })

  it('without an MsvAvTimestamp, takes the time from the injected clock and sends an LMv2 response', () => {
    const now = Date.UTC(2025, 5, 6, 7, 8, 9)
    const targetInfo = encodeAvPairs([{ id: AvId.NbDomainName, value: Buffer.from('ENTERPRISE', 'utf16le') }])
    const message = authenticateMessage({
      challenge: { flags: 0x00088205, serverChallenge, targetName: 'ENTERPRISE', targetInfo },
      credentials: { user, password },
      clientChallenge,
      now,
      workstation: 'WS1',
    })
    const parsed = parseAuthenticateMessage(message)
    expect(parsed?.workstation).toBe('WS1')
    expect(parsed?.ntResponse.readBigUInt64LE(16 + 8)).toBe((BigInt(now) + 11644473600000n) * 10000n)
    expect(parsed?.ntResponse.subarray(16 + 28, 16 + 28 + targetInfo.length).equals(targetInfo)).toBe(true)
    expect(verifyNtlmV2Response(ntowfv2(password, 'NetwrixUser', 'ENTERPRISE'), serverChallenge, parsed?.ntResponse ?? Buffer.alloc(0))).toBe(true)
    expect(parsed?.lmResponse.length).toBe(24)
    expect(parsed?.lmResponse.subarray(16).equals(clientChallenge)).toBe(true)
  })

  it('answers a CHALLENGE only after its own NEGOTIATE', async () => {
    const scheme = createNtlmScheme({ random: () => Buffer.from(clientChallenge), now: () => 0 })
    const t2 = buildChallengeMessage({
      flags: challengeFlags(0x00088205),
      serverChallenge,
      domain: 'ENTERPRISE',
      serverName: 'NWA',
      dnsDomainName: 'enterprise.local',
      dnsComputerName: 'nwa.enterprise.local',
      timestamp: serverTime,
    }).toString('base64')
    const challenge = { scheme: 'NTLM', token68: t2, params: new Map<string, string>() }
    const anonymous = { method: 'GET', url: 'http://127.0.0.1/x', headers: {} }
    const attempt = { sent: 0, preemptive: false }
    expect(await scheme.respond(challenge, anonymous, { user, password }, new ConnectionState(), attempt)).toBeUndefined()
    const negotiate = await scheme.respond({ ...challenge, token68: undefined }, anonymous, { user, password }, new ConnectionState(), attempt)
    expect(negotiate).toMatch(/^NTLM /)
    const afterNegotiate = { ...anonymous, headers: { Authorization: negotiate! } }
    const answer = await scheme.respond(challenge, afterNegotiate, { user, password }, new ConnectionState(), { sent: 1, preemptive: false })
    expect(ntlmMessageType(Buffer.from(answer!.slice(5), 'base64'))).toBe(MessageType.Authenticate)
  })
})
