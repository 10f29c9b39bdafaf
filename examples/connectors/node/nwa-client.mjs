/**
 * A small client of the Netwrix Auditor Integration API for add-on authors, on Node's standard library alone: copy it
 * into your connector. It keeps one connection alive (NTLM authenticates a connection, not a request), answers the
 * server's 401 with NTLMv2, Digest (SHA-256 or MD5, qop=auth, a new nonce after stale=true) or Basic, whichever the
 * server offers, in that order, trusts the CA file it is given, and gives up on a request only after `timeoutMs`.
 *
 * It reads its target from the environment `nwa grade` sets: NWA_URL, NWA_USER, NWA_PASSWORD, NWA_CA_FILE.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'

export const apiPrefix = '/netwrix/api/v1'

/** The server refused our credentials (not a 401 of a handshake under way): retrying would not help. */
export class AuthenticationError extends Error {}

/** No answer, or not a whole one: a reset or cut connection, or a timeout. Worth another try. */
export class TransportError extends Error {}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits longer after each failure: base, twice base, … up to max (ms). */
export function growingDelays({ baseMs = 250, maxMs = 8000 } = {}) {
  let next = baseMs
  return () => {
    const delay = next
    next = Math.min(next * 2, maxMs)
    return delay
  }
}

/**
 * Runs `attempt` until it gives an answer that is not a 500 or a 503 (the server's trouble), pausing longer each time;
 * transport errors are retried too. Gives up after `tries`, returning the last answer or throwing the last error.
 */
export async function withRetries(what, attempt, { tries = 8, delays = growingDelays(), log = () => {}, onTrouble = () => {} } = {}) {
  for (let tryNumber = 1; ; tryNumber++) {
    let problem
    try {
      const answer = await attempt()
      if (answer.status !== 500 && answer.status !== 503) return answer
      if (tryNumber >= tries) return answer
      problem = `${answer.status}`
    } catch (error) {
      if (!(error instanceof TransportError) || tryNumber >= tries) throw error
      problem = error.message
    }
    const delay = delays()
    log(`${what}: ${problem}; trying again in ${delay} ms`)
    onTrouble(problem)
    await sleep(delay)
  }
}

// --- MD4 (RFC 1320), for NTLM's password hash: OpenSSL 3 keeps it in its legacy provider, which Node may not load.
function md4(message) {
  const length = message.length
  const padded = Buffer.alloc(((length + 8) >> 6) * 64 + 64)
  message.copy(padded)
  padded[length] = 0x80
  padded.writeUInt32LE((length * 8) >>> 0, padded.length - 8)
  padded.writeUInt32LE(Math.floor(length / 0x20000000), padded.length - 4)
  let [a, b, c, d] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
  const rotl = (x, n) => (x << n) | (x >>> (32 - n))
  for (let block = 0; block < padded.length; block += 64) {
    const x = Array.from({ length: 16 }, (_, i) => padded.readUInt32LE(block + i * 4))
    const [aa, bb, cc, dd] = [a, b, c, d]
    const rounds = [
      { f: (p, q, r) => (p & q) | (~p & r), k: 0, order: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], shifts: [3, 7, 11, 19] },
      { f: (p, q, r) => (p & q) | (p & r) | (q & r), k: 0x5a827999, order: [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15], shifts: [3, 5, 9, 13] },
      { f: (p, q, r) => p ^ q ^ r, k: 0x6ed9eba1, order: [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15], shifts: [3, 9, 11, 15] },
    ]
    for (const { f, k, order, shifts } of rounds) {
      for (let i = 0; i < 16; i++) {
        const t = (a + f(b, c, d) + x[order[i]] + k) | 0
        ;[a, b, c, d] = [d, rotl(t, shifts[i % 4]), b, c]
      }
    }
    ;[a, b, c, d] = [(a + aa) | 0, (b + bb) | 0, (c + cc) | 0, (d + dd) | 0]
  }
  const digest = Buffer.alloc(16)
  for (const [i, word] of [a, b, c, d].entries()) digest.writeInt32LE(word, i * 4)
  return digest
}

// --- NTLMv2 (MS-NLMP): NEGOTIATE, then AUTHENTICATE answering the server's CHALLENGE.
const ntlmFlags = 0x00000001 | 0x00000004 | 0x00000200 | 0x00008000 | 0x00080000 // Unicode, RequestTarget, NTLM, AlwaysSign, ExtendedSessionSecurity
const signature = Buffer.from('NTLMSSP\0', 'latin1')

function ntlmNegotiate() {
  const message = Buffer.alloc(32)
  signature.copy(message)
  message.writeUInt32LE(1, 8)
  message.writeUInt32LE(ntlmFlags, 12)
  message.writeUInt32LE(32, 20)
  message.writeUInt32LE(32, 28)
  return message
}

function ntlmAuthenticate(challenge, user, password) {
  const serverChallenge = challenge.subarray(24, 32)
  const infoLength = challenge.readUInt16LE(40)
  const targetInfo = challenge.subarray(challenge.readUInt32LE(44), challenge.readUInt32LE(44) + infoLength)
  const [domain, name] = user.includes('\\') ? user.split('\\', 2) : ['', user]
  const key = createHmac('md5', md4(Buffer.from(password, 'utf16le')))
    .update(Buffer.from(name.toUpperCase() + domain, 'utf16le'))
    .digest()
  // The blob's time: the server's MsvAvTimestamp (AV pair 7) when it sent one, else ours (Windows file time).
  let time
  for (let at = 0; at + 4 <= targetInfo.length && targetInfo.readUInt16LE(at) !== 0; at += 4 + targetInfo.readUInt16LE(at + 2)) {
    if (targetInfo.readUInt16LE(at) === 7) time = targetInfo.subarray(at + 4, at + 12)
  }
  if (time === undefined) {
    time = Buffer.alloc(8)
    time.writeBigUInt64LE((BigInt(Date.now()) + 11644473600000n) * 10000n)
  }
  const clientChallenge = randomBytes(8)
  const blob = Buffer.concat([Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]), time, clientChallenge, Buffer.alloc(4), targetInfo, Buffer.alloc(4)])
  const proof = createHmac('md5', key)
    .update(Buffer.concat([serverChallenge, blob]))
    .digest()
  const fields = [
    Buffer.alloc(24), // LMv2 is zeros when the server sent a timestamp; acceptable either way for NTLMv2
    Buffer.concat([proof, blob]),
    Buffer.from(domain, 'utf16le'),
    Buffer.from(name, 'utf16le'),
    Buffer.alloc(0),
    Buffer.alloc(0),
  ]
  const header = Buffer.alloc(64)
  signature.copy(header)
  header.writeUInt32LE(3, 8)
  let offset = 64
  fields.forEach((field, i) => {
    header.writeUInt16LE(field.length, 12 + i * 8)
    header.writeUInt16LE(field.length, 14 + i * 8)
    header.writeUInt32LE(offset, 16 + i * 8)
    offset += field.length
  })
  header.writeUInt32LE((challenge.readUInt32LE(20) & ntlmFlags) | 0x00000001, 60)
  return Buffer.concat([header, ...fields])
}

// --- Challenges: one per WWW-Authenticate value, or several in one value.
const schemeWords = /^(Negotiate|NTLM|Digest|Basic)\b/i

export function parseChallenges(values) {
  return values
    .flatMap((value) => value.split(/,\s*(?=(?:Negotiate|NTLM|Digest|Basic)\b)/i))
    .map((text) => {
      const scheme = schemeWords.exec(text.trim())?.[1]
      const rest = text
        .trim()
        .slice(scheme?.length ?? 0)
        .trim()
      const params = {}
      for (const match of rest.matchAll(/([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)/g)) {
        params[match[1].toLowerCase()] = match[2].startsWith('"') ? match[2].slice(1, -1).replace(/\\(.)/g, '$1') : match[2]
      }
      return {
        scheme: scheme === undefined ? undefined : scheme[0].toUpperCase() + scheme.slice(1).toLowerCase(),
        token: /^[A-Za-z0-9+/]+=*$/.test(rest) ? rest : undefined,
        params,
      }
    })
    .filter((challenge) => challenge.scheme !== undefined)
    .map((challenge) => ({ ...challenge, scheme: challenge.scheme === 'Ntlm' ? 'NTLM' : challenge.scheme }))
}

const quote = (text) => `"${text.replace(/[\\"]/g, '\\$&')}"`

function digestHeader(state, method, uri, user, password) {
  state.nc += 1
  const hash = (text) =>
    createHash(state.algorithm === 'SHA-256' ? 'sha256' : 'md5')
      .update(text)
      .digest('hex')
  const nc = state.nc.toString(16).padStart(8, '0')
  const cnonce = randomBytes(8).toString('hex')
  const response = hash(`${hash(`${user}:${state.realm}:${password}`)}:${state.nonce}:${nc}:${cnonce}:auth:${hash(`${method}:${uri}`)}`)
  const parts = [
    `username=${quote(user)}`,
    `realm=${quote(state.realm)}`,
    `nonce=${quote(state.nonce)}`,
    `uri=${quote(uri)}`,
    `algorithm=${state.algorithm}`,
    'qop=auth',
    `nc=${nc}`,
    `cnonce=${quote(cnonce)}`,
    `response=${quote(response)}`,
  ]
  if (state.opaque !== undefined) parts.push(`opaque=${quote(state.opaque)}`)
  return `Digest ${parts.join(', ')}`
}

/**
 * A client for one account. `schemes` is the order of preference among those the server offers. `onStale` and
 * `fallback` exist for the self-test's seeded defects (defects.mjs): how a stale nonce is answered, and a scheme sent
 * when the server offers none of `schemes`; a connector of yours needs neither.
 */
export function connect(options = {}) {
  const url = new URL(options.url ?? process.env.NWA_URL)
  const user = options.user ?? process.env.NWA_USER
  const password = options.password ?? process.env.NWA_PASSWORD
  const caFile = options.caFile ?? process.env.NWA_CA_FILE
  const timeoutMs = options.timeoutMs ?? 60_000
  const schemes = options.schemes ?? ['NTLM', 'Digest', 'Basic']
  const userAgent = options.userAgent ?? 'nwa-kit-sample-connector/1.0 (node)'
  const log = options.log ?? (() => {})
  const tls = url.protocol === 'https:'
  // One socket: NTLM authenticates the connection, and every leg of its handshake must travel on it.
  const agentOptions = { keepAlive: true, maxSockets: 1, ...(tls && caFile ? { ca: readFileSync(caFile) } : {}) }
  const agent = tls ? new https.Agent(agentOptions) : new http.Agent(agentOptions)
  let digest
  let preferred

  const once = (method, path, body, authorization) =>
    new Promise((resolve, reject) => {
      const headers = { 'user-agent': userAgent, ...(authorization ? { authorization } : {}) }
      if (body !== undefined) {
        headers['content-type'] = body.trimStart().startsWith('<') ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8'
        headers['content-length'] = Buffer.byteLength(body)
      }
      const request = (tls ? https : http).request({ host: url.hostname, port: url.port, path, method, headers, agent }, (response) => {
        const chunks = []
        response.on('data', (chunk) => chunks.push(chunk))
        response.on('error', () => reject(new TransportError(`${method} ${path}: the answer broke off`)))
        response.on('close', () => {
          if (!response.complete) reject(new TransportError(`${method} ${path}: the answer was cut off`))
        })
        response.on('end', () => {
          if (!response.complete) return reject(new TransportError(`${method} ${path}: the answer was cut off`))
          const challenges = []
          for (let i = 0; i < response.rawHeaders.length; i += 2)
            if (response.rawHeaders[i].toLowerCase() === 'www-authenticate') challenges.push(response.rawHeaders[i + 1])
          resolve({
            status: response.statusCode,
            headers: response.headers,
            challenges: parseChallenges(challenges),
            body: Buffer.concat(chunks).toString('utf8'),
          })
        })
      })
      request.setTimeout(timeoutMs, () => request.destroy(new TransportError(`${method} ${path}: no answer in ${timeoutMs} ms`)))
      request.on('error', (error) => reject(error instanceof TransportError ? error : new TransportError(`${method} ${path}: ${error.message}`)))
      request.end(body)
    })

  /** One request, with as many legs as authentication takes (a 401 answered, an NTLM handshake, a stale nonce). */
  const send = async (method, path, body) => {
    let authorization = digest === undefined ? undefined : digestHeader(digest, method, path, user, password)
    let sent = digest === undefined ? undefined : 'Digest'
    for (let leg = 0; leg < 6; leg++) {
      const answer = await once(method, path, body, authorization)
      if (answer.status !== 401) return answer
      const offered = answer.challenges
      const ntlmToken = offered.find((challenge) => challenge.scheme === 'NTLM' && challenge.token)?.token
      if (sent === 'NTLM-1' && ntlmToken !== undefined) {
        authorization = `NTLM ${ntlmAuthenticate(Buffer.from(ntlmToken, 'base64'), user, password).toString('base64')}`
        sent = 'NTLM-3'
        continue
      }
      const stale = offered.find((challenge) => challenge.scheme === 'Digest' && /^true$/i.test(challenge.params.stale ?? ''))
      if (sent === 'Digest' && stale !== undefined) {
        digest = (options.onStale ?? ((fresh) => fresh))({ ...digestFrom(offered), nc: 0 }, digest)
        log(`${method} ${path}: the Digest nonce expired (stale=true); answering the new one`)
        authorization = digestHeader(digest, method, path, user, password)
        continue
      }
      if (sent !== undefined && sent !== 'NTLM-1' && preferred === (choose(offered) ?? options.fallback))
        throw new AuthenticationError(`${method} ${path}: ${user} was refused (401 to ${sent})`)
      preferred = choose(offered) ?? options.fallback
      if (preferred === undefined)
        throw new AuthenticationError(
          `${method} ${path}: the server offers ${offered.map((c) => c.scheme).join(', ') || 'nothing'}, none of ${schemes.join(', ')}`,
        )
      if (preferred === 'NTLM') {
        digest = undefined
        authorization = `NTLM ${ntlmNegotiate().toString('base64')}`
        sent = 'NTLM-1'
      } else if (preferred === 'Digest') {
        digest = { ...digestFrom(offered), nc: 0 }
        authorization = digestHeader(digest, method, path, user, password)
        sent = 'Digest'
      } else {
        digest = undefined
        authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
        sent = 'Basic'
      }
    }
    throw new AuthenticationError(`${method} ${path}: authentication did not end`)
  }

  const choose = (offered) => schemes.find((scheme) => offered.some((challenge) => challenge.scheme === scheme))

  /** The Digest challenge to answer: SHA-256 when offered, else MD5. */
  function digestFrom(offered) {
    const digests = offered.filter((challenge) => challenge.scheme === 'Digest')
    const chosen = digests.find((challenge) => /^SHA-256$/i.test(challenge.params.algorithm ?? '')) ?? digests[0]
    return {
      realm: chosen.params.realm,
      nonce: chosen.params.nonce,
      opaque: chosen.params.opaque,
      algorithm: /^SHA-256$/i.test(chosen.params.algorithm ?? '') ? 'SHA-256' : 'MD5',
    }
  }

  return {
    /** `path` below the API prefix, e.g. '/activity_records/enum?format=json'. */
    send: (method, path, body) => send(method, `${apiPrefix}${path}`, body),
    close: () => agent.destroy(),
  }
}
