/**
 * `nwa replay`: the recorded requests sent again to another server (the mock, another build), in recorded order, and
 * each answer compared with the recorded one (compare.ts). The recording keeps no password, so replay authenticates
 * with the passwords it is given, per user; the recording's handshake legs (the 401s before NTLM, Negotiate or Digest
 * succeeds) are one request here, sent again through the runner's own clients, on one replayed connection per recorded
 * one. Marks and RIDs the replayed server
 * issues replace the recorded ones in the requests that follow, as a client would post what it was given (D53).
 */
import { readFileSync, statSync } from 'node:fs'
import type { PayloadCodec, WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordListResponse } from '../../openapi/records.ts'
import { defaultSchemes, withAuth } from '../auth/with-auth.ts'
import { ConnectionState, type SchemeRegistry } from '../auth/scheme.ts'
import { compose, createConnectionPool, type Dispatch, type IncomingResponse, type TransportOptions } from '../http.ts'
import type { AuthMode } from '../types.ts'
import { compareAnswers, excerpt, type Answer, type Difference } from './compare.ts'
import { bodyBytes, type Har, type HarAuth, type HarEntry, MARK_TAIL_BYTES, pageMark } from './har.ts'

/** The largest recording replay reads: it parses the HAR whole (docs/evidence.md, "Recordings"). */
export const maxRecordingBytes = 512 * 1024 * 1024

/** One request as the client meant it: the last leg of its handshake, and who sent it. */
export interface LogicalRequest {
  /** 1-based position among the recording's entries of its last leg. */
  entry: number
  request: HarEntry['request']
  response: HarEntry['response']
  auth?: HarAuth
  requestTruncated: boolean
  responseTruncated: boolean
  /** The mark of a page whose body the recording cut (HarEntry _nwa). */
  continuationMark?: string
  /** The handshake legs before it (401s) that replay does not send on their own. */
  legs: number
  /** The recorded client connection it came on. */
  connection: string
}

export type ReplayOutcome =
  | { kind: 'same' }
  | { kind: 'different'; differences: Difference[] }
  | { kind: 'not replayed'; reason: string }
  | { kind: 'failed'; reason: string }

export interface ReplayedExchange {
  entry: number
  method: string
  /** Path and query, without the recorded origin. */
  path: string
  user?: string
  recordedStatus: number
  replayedStatus?: number
  outcome: ReplayOutcome
  /** What was not compared, and why. */
  note?: string
}

export interface ReplayReport {
  recording: string
  target: string
  exchanges: ReplayedExchange[]
  counts: { same: number; different: number; notReplayed: number; failed: number; handshakeLegs: number }
}

export function readHar(file: string): Har {
  const size = statSync(file).size
  if (size > maxRecordingBytes) throw new Error(`${file} is ${size} bytes, more than the ${maxRecordingBytes} a recording may hold`)
  const har = JSON.parse(readFileSync(file, 'utf8')) as Har
  if (typeof har?.log?.version !== 'string' || !Array.isArray(har.log.entries)) throw new Error(`${file} is not a HAR file: it has no log.entries`)
  return har
}

const headerOf = (headers: readonly { name: string; value: string }[], name: string): string | undefined =>
  headers.find((header) => header.name.toLowerCase() === name)?.value

/** Groups handshake legs with the request they authenticate: same connection, method, URL and body, after a 401. */
export function logicalRequests(entries: readonly HarEntry[]): LogicalRequest[] {
  const requests: LogicalRequest[] = []
  const lastOn = new Map<string, number>()
  entries.forEach((entry, index) => {
    const connection = entry.connection ?? `entry-${index}`
    const at = lastOn.get(connection)
    const previous = at === undefined ? undefined : requests[at]
    const sameRequest =
      previous !== undefined &&
      previous.response.status === 401 &&
      headerOf(entry.request.headers, 'authorization') !== undefined &&
      previous.request.method === entry.request.method &&
      previous.request.url === entry.request.url &&
      (previous.request.postData?.text ?? '') === (entry.request.postData?.text ?? '')
    const own = entry._nwa?.auth
    const auth = own?.user === undefined && sameRequest ? (previous?.auth ?? own) : own
    const request: LogicalRequest = {
      entry: index + 1,
      request: entry.request,
      response: entry.response,
      ...(auth === undefined ? {} : { auth }),
      requestTruncated: entry._nwa?.requestTruncated === true,
      responseTruncated: entry._nwa?.responseTruncated === true,
      ...(entry._nwa?.continuationMark === undefined ? {} : { continuationMark: entry._nwa.continuationMark }),
      legs: sameRequest ? previous.legs + 1 : 0,
      connection,
    }
    if (sameRequest && at !== undefined) requests[at] = request
    else requests.push(request)
    lastOn.set(connection, sameRequest && at !== undefined ? at : requests.length - 1)
  })
  return requests
}

/** Recorded marks and RIDs and the replayed server's in their place; anything else passes unchanged. */
export class Translation {
  readonly #map = new Map<string, string>()
  /** RID pairs of equal length, for a piece of a RID a request quoted (a RID Contains filter). */
  readonly #rids: [string, string][] = []

  learn(recorded: string | undefined, replayed: string | undefined): void {
    if (recorded && replayed && recorded !== replayed) this.#map.set(recorded, replayed)
  }

  /** Marks and RIDs are long runs of base64 or hex characters: each such run is looked up whole, or as part of a RID. */
  apply(text: string): string {
    return this.translate(text).text
  }

  /** As apply, also saying whether a piece of a RID (not a whole one) was replaced. */
  translate(text: string): { text: string; ridPiece: boolean } {
    if (this.#map.size === 0) return { text, ridPiece: false }
    let ridPiece = false
    const translated = text.replace(/[A-Za-z0-9+/=_-]{16,}/g, (token) => {
      const whole = this.#map.get(token)
      if (whole !== undefined) return whole
      const piece = this.#inRid(token)
      if (piece === undefined) return token
      ridPiece = true
      return piece
    })
    return { text: translated, ridPiece }
  }

  #inRid(token: string): string | undefined {
    for (const [recorded, replayed] of this.#rids) {
      const at = recorded.indexOf(token)
      if (at >= 0) return replayed.slice(at, at + token.length)
    }
    return undefined
  }

  /** From a recorded page and its replayed counterpart: the marks, and the RIDs record by record. */
  learnPages(recorded: ActivityRecordListResponse, replayed: ActivityRecordListResponse): void {
    this.learn(recorded.ContinuationMark, replayed.ContinuationMark)
    recorded.ActivityRecordList.forEach((record, index) => {
      const other = replayed.ActivityRecordList[index]?.RID
      if (record.RID === undefined || other === undefined || record.RID === other || this.#map.has(record.RID)) return
      this.learn(record.RID, other)
      if (record.RID.length === other.length) this.#rids.push([record.RID, other])
    })
  }
}

export interface ReplayOptions {
  /** The recording's file name, for the report. */
  recording: string
  /** scheme://host:port of the server to replay against. */
  target: string
  /** User name (any case) to password. */
  passwords: ReadonlyMap<string, string>
  /** Send the recorded writes (POST activity_records/): permanent on a real audit database. */
  write: boolean
  transport?: TransportOptions
  schemes?: SchemeRegistry
  codec: PayloadCodec
  random: (bytes: number) => Buffer
  now: () => number
  onExchange?: (exchange: ReplayedExchange) => void
}

const hopByHop = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'expect',
  'te',
  'upgrade',
])

const modes: Readonly<Record<string, AuthMode>> = { basic: 'basic', digest: 'digest', ntlm: 'ntlm', negotiate: 'auto' }

function formatOf(url: URL): WireFormat {
  return url.searchParams.get('format')?.toLowerCase() === 'json' ? 'json' : 'xml'
}

function isWrite(method: string, url: URL): boolean {
  return method.toUpperCase() === 'POST' && /\/activity_records\/?$/i.test(url.pathname)
}

function answerOf(response: IncomingResponse): Answer {
  return { status: response.status, headers: response.headers, body: response.body.toString('utf8') }
}

function recordedAnswer(response: HarEntry['response']): Answer {
  const headers: Record<string, string> = {}
  for (const { name, value } of response.headers) {
    const lower = name.toLowerCase()
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`
  }
  return { status: response.status, headers, body: bodyBytes(response.content).toString('utf8') }
}

const ridPieceNote = "records not compared: the request filters on a piece of a RID, and which records share it depends on the server's random RIDs"

export async function replay(har: Har, options: ReplayOptions): Promise<ReplayReport> {
  const target = new URL(options.target)
  const pool = createConnectionPool(options.transport)
  const schemes = options.schemes ?? defaultSchemes(options.random, options.now)
  const states = new Map<string, ConnectionState>()
  const translation = new Translation()
  const exchanges: ReplayedExchange[] = []
  const requests = logicalRequests(har.log.entries)
  try {
    for (const logical of requests) {
      const recordedUrl = new URL(logical.request.url)
      const path = `${recordedUrl.pathname}${recordedUrl.search}`
      const base: Omit<ReplayedExchange, 'outcome'> = {
        entry: logical.entry,
        method: logical.request.method,
        path,
        ...(logical.auth?.user === undefined ? {} : { user: logical.auth.user }),
        recordedStatus: logical.response.status,
      }
      const done = (outcome: ReplayOutcome, replayedStatus?: number, note?: string) => {
        const exchange: ReplayedExchange = {
          ...base,
          ...(replayedStatus === undefined ? {} : { replayedStatus }),
          outcome,
          ...(note === undefined ? {} : { note }),
        }
        exchanges.push(exchange)
        options.onExchange?.(exchange)
      }
      const password = logical.auth?.user === undefined ? undefined : options.passwords.get(logical.auth.user.toLowerCase())
      if (logical.requestTruncated) {
        done({ kind: 'not replayed', reason: `the recording kept only part of its ${logical.request.bodySize}-byte body` })
        continue
      }
      if (isWrite(logical.request.method, recordedUrl) && !options.write) {
        done({ kind: 'not replayed', reason: 'a write: give --write to send writes (permanent on a real audit database)' })
        continue
      }
      if (logical.auth !== undefined && logical.auth.user === undefined) {
        done({ kind: 'not replayed', reason: `its ${logical.auth.scheme} credentials name no user the recording could read` })
        continue
      }
      if (logical.auth?.user !== undefined && password === undefined) {
        done({ kind: 'not replayed', reason: `no password for ${logical.auth.user} (give it in --config or --user/--password)` })
        continue
      }
      const translatedPath = translation.translate(path)
      const url = new URL(translatedPath.text, target)
      const headers: Record<string, string> = {}
      for (const { name, value } of logical.request.headers) if (!hopByHop.has(name.toLowerCase())) headers[name] = value
      const recordedBody = logical.request.postData === undefined ? undefined : bodyBytes(logical.request.postData)
      const translatedBody =
        recordedBody === undefined || logical.request.postData?.encoding === 'base64' ? undefined : translation.translate(recordedBody.toString('utf8'))
      const body = translatedBody?.text ?? recordedBody
      // Which records share a piece of a RID depends on the server's random RIDs: such a search's records must differ.
      const records = !(translatedPath.ridPiece || translatedBody?.ridPiece === true)
      // One replayed connection per recorded one: NTLM and Negotiate leave a connection authenticated, and the requests
      // that followed on it went without credentials, as they must here.
      const key = `connection ${logical.connection}`
      let dispatch: Dispatch = pool.dispatch(key, target.protocol)
      if (logical.auth?.user !== undefined && password !== undefined) {
        let state = states.get(key)
        if (state === undefined) {
          state = new ConnectionState()
          states.set(key, state)
        }
        // A second Basic password of a user in the recording was a wrong one: replay sends a wrong one too.
        const sent = (logical.auth.credential ?? 1) > 1 ? `${password}-nwa-replay-other-${logical.auth.credential}` : password
        dispatch = compose(
          dispatch,
          withAuth(modes[logical.auth.scheme.toLowerCase()] ?? 'auto', { user: logical.auth.user, password: sent }, { state, schemes }),
        )
      }
      let response: IncomingResponse
      try {
        response = await dispatch({ method: logical.request.method, url: url.href, headers, ...(body === undefined ? {} : { body }) })
      } catch (error) {
        done({ kind: 'failed', reason: error instanceof Error ? error.message : String(error) })
        continue
      }
      const recorded = recordedAnswer(logical.response)
      const replayed = answerOf(response)
      const format = formatOf(url)
      if (!logical.responseTruncated && recorded.status === 200 && replayed.status === 200) {
        const [a, b] = [
          options.codec.decode('ActivityRecordListResponse', recorded.body, format),
          options.codec.decode('ActivityRecordListResponse', replayed.body, format),
        ]
        if (a.ok && b.ok) translation.learnPages(a.value as ActivityRecordListResponse, b.value as ActivityRecordListResponse)
      }
      if (logical.responseTruncated) {
        // The recording kept the cut page's mark: the replayed page's takes its place in the requests that post it.
        if (recorded.status === 200 && replayed.status === 200) {
          translation.learn(logical.continuationMark, pageMark(replayed.body.slice(0, MARK_TAIL_BYTES), replayed.body.slice(-MARK_TAIL_BYTES)))
        }
        const differences =
          recorded.status === replayed.status ? [] : [{ aspect: 'status' as const, message: `recorded ${recorded.status}, replayed ${replayed.status}` }]
        done(differences.length === 0 ? { kind: 'same' } : { kind: 'different', differences }, replayed.status)
        continue
      }
      const differences = compareAnswers(recorded, replayed, { codec: options.codec, format, records, translate: (text) => translation.apply(text) })
      done(differences.length === 0 ? { kind: 'same' } : { kind: 'different', differences }, replayed.status, records ? undefined : ridPieceNote)
    }
  } finally {
    pool.close()
  }
  const count = (kind: ReplayOutcome['kind']) => exchanges.filter((exchange) => exchange.outcome.kind === kind).length
  return {
    recording: options.recording,
    target: target.origin,
    exchanges,
    counts: {
      same: count('same'),
      different: count('different'),
      notReplayed: count('not replayed'),
      failed: count('failed'),
      handshakeLegs: requests.reduce((sum, request) => sum + request.legs, 0),
    },
  }
}

/** One line per exchange that did not replay the same, for the console and the Markdown report. */
export function describeExchange(exchange: ReplayedExchange): string[] {
  const head = `#${exchange.entry} ${exchange.method} ${exchange.path}${exchange.user === undefined ? '' : ` as ${exchange.user}`}`
  switch (exchange.outcome.kind) {
    case 'same':
      return []
    case 'not replayed':
      return [`${head}: not replayed, ${exchange.outcome.reason}`]
    case 'failed':
      return [`${head}: the replay target did not answer: ${excerpt(exchange.outcome.reason, 200)}`]
    case 'different':
      return [`${head}:`, ...exchange.outcome.differences.map((difference) => `    ${difference.aspect}: ${difference.message}`)]
  }
}
