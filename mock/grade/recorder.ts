/**
 * The grading session's recorder (docs/grading.md, "What is recorded"): each exchange of a connector, as the mock
 * handled it, bounded like the request journal (D67): credentials reduced to their scheme word, bodies whole up to
 * `recordingBounds.bodyBytes` and an excerpt beyond, the session within a byte budget and an exchange cap. Besides
 * the exchanges it keeps the session's events: phases, trouble made, launches of the connector.
 */
import { createHash } from 'node:crypto'
import type { Socket } from 'node:net'
import { excerpt, ownCopy } from '../../openapi/excerpt.ts'
import {
  type ExchangeEnding,
  type GradeEvent,
  type GradeEventKind,
  type GradeExchange,
  type GradeSession,
  type RecordedBody,
  type RecordingBounds,
  recordingBounds,
  textWeight,
} from '../../openapi/grade-session.ts'
import { boundNotes, entryBounds } from '../request-journal.ts'
import type { RequestContext } from '../pipeline/context.ts'
import type { MockResponse } from '../responses.ts'
import type { ExchangeObserver, ExchangeTiming } from './observer.ts'

export interface GradeRecorder extends ExchangeObserver {
  /** Starts a new session; what the previous one held, and who listened to it, are dropped. */
  begin(session: { scenario: string; url: string; timeScale: number }): void
  /** ms since the session began, on the recorder's clock: what exchange and event times are measured in. */
  elapsed(): number
  /** The session so far: a copy, so it can be judged while recording goes on. */
  session(): GradeSession
  event(kind: GradeEventKind, detail: string, extra?: Partial<Pick<GradeEvent, 'exitCode' | 'signal' | 'endedBy' | 'records' | 'launch'>>): void
  phase(): string
  setPhase(name: string): void
  launch(): number
  setLaunch(launch: number): void
  /** Called with each exchange once it is recorded (the scenario advances on them). */
  listen(listener: (exchange: GradeExchange) => void): void
}

export interface RecorderOptions {
  /** Monotonic milliseconds (performance.now). */
  now: () => number
  /** Wall clock, for the session's start time. */
  wallClock: () => number
  bounds?: Partial<RecordingBounds>
}

const EXCHANGE_OVERHEAD = 400
const FINGERPRINT_WEIGHT = 64

/** The first `bytes` bytes of a body, as text (a character cut in two is dropped). */
function headOf(body: Buffer, bytes: number): string {
  return body
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '')
}

/** JSON with object keys sorted, so a record has one fingerprint whatever order its fields came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** A record's fingerprint: 96 bits of SHA-256 over its canonical JSON, enough to tell a resent record from another. */
export function recordFingerprint(record: unknown): string {
  return createHash('sha256').update(canonical(record)).digest('base64url').slice(0, 16)
}

/**
 * A challenge list as what it offered: the scheme words, whether a Digest challenge said stale=true, and whether it is
 * the next leg of a handshake (one NTLM or Negotiate challenge with a token) rather than an offer.
 */
export function readChallenges(values: readonly string[]): { schemes: string[]; stale: boolean; continuation: boolean } {
  const schemes = [...new Set(values.map((value) => /^\s*([^\s,]+)/.exec(value)?.[1] ?? '').filter(Boolean))]
  return {
    schemes,
    stale: values.some((value) => /(?:^|[\s,])stale\s*=\s*"?true"?/i.test(value)),
    continuation: values.length === 1 && /^\s*(?:NTLM|Negotiate)\s+[A-Za-z0-9+/]+=*\s*$/i.test(values[0] ?? ''),
  }
}

/** Headers as kept, and what they weigh against the byte budget. */
interface KeptHeaders {
  headers: Record<string, string>
  weight: number
}

/** Header values as one string each; an Authorization is its scheme word, a cookie is gone, every value bounded. */
function requestHeaders(ctx: RequestContext, bounds: RecordingBounds): KeptHeaders {
  const headers: Record<string, string> = {}
  const given = ctx.req.headers
  let count = 0
  let weight = 0
  for (const name in given) {
    const raw = given[name]
    if (raw === undefined || count >= bounds.headers) continue
    count += 1
    const value = typeof raw === 'string' ? raw : raw.join(', ')
    const kept =
      name === 'authorization' || name === 'proxy-authorization'
        ? (/^\s*(\S+)/.exec(value)?.[1] ?? '')
        : name === 'cookie'
          ? '[removed]'
          : excerpt(value, bounds.headerValue)
    headers[name] = kept
    weight += textWeight(name) + textWeight(kept)
  }
  return { headers, weight }
}

/** A challenge keeps its scheme word and a stale flag: nonces and NTLM tokens are the server's secrets of the moment. */
function challengeWords(values: readonly string[]): string {
  return values.map((value) => `${/^\s*(\S+)/.exec(value)?.[1] ?? ''}${/stale\s*=\s*"?true/i.test(value) ? ' stale=true' : ''}`).join(', ')
}

function addResponseHeaders(into: KeptHeaders, given: Record<string, string | string[]>, bounds: RecordingBounds): void {
  for (const key in given) {
    const raw = given[key] as string | string[]
    const name = key.toLowerCase()
    const kept =
      name === 'www-authenticate'
        ? challengeWords(typeof raw === 'string' ? [raw] : raw)
        : excerpt(typeof raw === 'string' ? raw : raw.join(', '), bounds.headerValue)
    into.headers[name] = kept
    into.weight += textWeight(name) + textWeight(kept)
  }
}

const noNotes: string[] = Object.freeze([]) as unknown as string[]

function endingOf(response: MockResponse, timing: ExchangeTiming): ExchangeEnding {
  if (response.ending === 'cut') return 'cut'
  if (response.ending === 'reset') return 'reset'
  return response.ending === 'none' || !timing.answered ? 'abandoned' : 'complete'
}

/** The mark a read posted: the body of POST enum, or the ContinuationMark of a search. */
function postedMark(ctx: RequestContext, limit: number): string | undefined {
  const value = ctx.value
  if (typeof value === 'string' && ctx.operation?.operationId === 'continueEnumeration') return excerpt(value, limit)
  const mark = (value as { ContinuationMark?: unknown } | undefined)?.ContinuationMark
  return typeof mark === 'string' ? excerpt(mark, limit) : undefined
}

export function createGradeRecorder(options: RecorderOptions): GradeRecorder {
  const bounds: RecordingBounds = { ...recordingBounds, ...options.bounds }
  const connections = new WeakMap<Socket, number>()
  const listeners: ((exchange: GradeExchange) => void)[] = []
  let exchanges: GradeExchange[] = []
  let events: GradeEvent[] = []
  let origin = options.now()
  let startedAt = new Date(options.wallClock()).toISOString()
  let identity = { scenario: 'passive', url: '', timeScale: 1 }
  let bytes = 0
  let dropped = 0
  let nextConnection = 1
  let currentPhase = 'start'
  let currentLaunch = 0

  const since = (at: number) => Math.max(0, Math.round((at - origin) * 10) / 10)
  const record = (kind: GradeEventKind, detail: string, extra: Partial<GradeEvent> = {}) => {
    events.push({ atMs: since(options.now()), kind, launch: currentLaunch, detail: excerpt(detail, bounds.headerValue), ...extra })
  }
  /** The phase that was current at `atMs`: the last phase event at or before it. */
  const phaseAt = (atMs: number): string => {
    let phase = 'start'
    for (const event of events) {
      if (event.atMs > atMs) break
      if (event.kind === 'phase') phase = event.detail
    }
    return phase
  }
  const body = (raw: Buffer | string, roomy: boolean): RecordedBody => {
    if (typeof raw === 'string') {
      const size = Buffer.byteLength(raw)
      if (size <= bounds.excerptBytes || (roomy && size <= bounds.bodyBytes)) return { text: raw, bytes: size, kept: 'whole' }
      // A cut never splits a surrogate pair.
      const end = bounds.excerptBytes - (/[\uD800-\uDBFF]/.test(raw.charAt(bounds.excerptBytes - 1)) ? 1 : 0)
      return { text: ownCopy(raw.slice(0, end)), bytes: size, kept: 'excerpt' }
    }
    if (raw.length <= bounds.excerptBytes || (roomy && raw.length <= bounds.bodyBytes)) return { text: raw.toString('utf8'), bytes: raw.length, kept: 'whole' }
    return { text: headOf(raw, bounds.excerptBytes), bytes: raw.length, kept: 'excerpt' }
  }
  const connectionOf = (socket: Socket): number => {
    let id = connections.get(socket)
    if (id === undefined) {
      id = nextConnection++
      connections.set(socket, id)
    }
    return id
  }

  return {
    now: options.now,
    elapsed: () => since(options.now()),
    begin(session) {
      listeners.length = 0
      exchanges = []
      events = []
      bytes = 0
      dropped = 0
      origin = options.now()
      startedAt = new Date(options.wallClock()).toISOString()
      identity = { ...session }
      currentPhase = 'start'
      currentLaunch = 0
    },
    ended(ctx, response, timing) {
      // A request of the session before (a connector stopped while a slow answer was on its way) is not this session's.
      if (timing.arrived < origin) return
      if (exchanges.length >= bounds.exchanges) {
        if (dropped === 0) record('recording-full', `the recording holds ${bounds.exchanges} exchanges: later ones are not kept`)
        dropped += 1
        return
      }
      const roomy = bytes < bounds.sessionBytes
      const atMs = since(timing.arrived)
      const request = requestHeaders(ctx, bounds)
      const answer: KeptHeaders = { headers: {}, weight: 0 }
      addResponseHeaders(answer, ctx.responseHeaders, bounds)
      addResponseHeaders(answer, response.headers, bounds)
      const status = response.ending === 'reset' || response.ending === 'none' ? 0 : response.status
      const write = ctx.operation?.operationId === 'writeActivityRecords' && Array.isArray(ctx.value) ? (ctx.value as unknown[]) : undefined
      const challenge = status === 401 ? response.headers['www-authenticate'] : undefined
      const authorization = request.headers['authorization']
      // Every field set in one literal, so every exchange has one shape.
      const exchange: GradeExchange = {
        seq: exchanges.length + dropped + 1,
        launch: currentLaunch,
        phase: phaseAt(atMs),
        connection: connectionOf(ctx.req.socket),
        tls: (ctx.req.socket as Socket & { encrypted?: boolean }).encrypted === true,
        atMs,
        durationMs: Math.max(0, Math.round((timing.ended - timing.arrived) * 10) / 10),
        method: ctx.method,
        target: excerpt(ctx.req.url ?? '/', entryBounds.path),
        format: ctx.format,
        headers: request.headers,
        authScheme: authorization || undefined,
        account: ctx.account,
        scheme: ctx.scheme,
        operation: ctx.operation?.operationId,
        body: ctx.body === undefined ? undefined : body(ctx.body, roomy),
        postedMark: postedMark(ctx, bounds.headerValue),
        write: write === undefined ? undefined : { records: write.length, fingerprints: write.slice(0, bounds.fingerprints).map(recordFingerprint) },
        status,
        responseHeaders: answer.headers,
        responseBody: body(response.body, roomy),
        page:
          response.page !== undefined && status === 200 ? { records: response.page.records, mark: excerpt(response.page.mark, bounds.headerValue) } : undefined,
        challenge: challenge === undefined ? undefined : readChallenges(typeof challenge === 'string' ? [challenge] : challenge),
        ending: endingOf(response, timing),
        notes: response.notes === undefined || response.notes.length === 0 ? noNotes : boundNotes(response.notes),
      }
      bytes += weigh(exchange, request.weight + answer.weight)
      exchanges.push(exchange)
      for (const listener of listeners) listener(exchange)
    },
    session: () => ({
      scenario: identity.scenario,
      startedAt,
      url: identity.url,
      timeScale: identity.timeScale,
      exchanges: [...exchanges],
      events: [...events],
      dropped,
      bytes,
    }),
    event: (kind, detail, extra = {}) => record(kind, detail, extra),
    phase: () => currentPhase,
    setPhase(name) {
      if (name === currentPhase) return
      currentPhase = name
      record('phase', name)
    },
    launch: () => currentLaunch,
    setLaunch(launch) {
      currentLaunch = launch
    },
    listen(listener) {
      listeners.push(listener)
    },
  }
}

/**
 * An exchange's weight against the byte budget: its text at two bytes a character, its fingerprints, the object itself.
 * The headers' weight is given when it was counted as they were kept.
 */
export function weigh(exchange: GradeExchange, headerWeight?: number): number {
  let weight = EXCHANGE_OVERHEAD + textWeight(exchange.target) + textWeight(exchange.responseBody.text) + textWeight(exchange.body?.text ?? '')
  if (headerWeight !== undefined) weight += headerWeight
  else {
    for (const name in exchange.headers) weight += textWeight(name) + textWeight(exchange.headers[name] ?? '')
    for (const name in exchange.responseHeaders) weight += textWeight(name) + textWeight(exchange.responseHeaders[name] ?? '')
  }
  for (const note of exchange.notes) weight += textWeight(note)
  weight += textWeight(exchange.postedMark ?? '') + textWeight(exchange.page?.mark ?? '')
  return weight + FINGERPRINT_WEIGHT * (exchange.write?.fingerprints.length ?? 0)
}
