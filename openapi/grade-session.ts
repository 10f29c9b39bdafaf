/**
 * A grading session (docs/grading.md): what the mock recorded of a connector's traffic while a scenario ran, and what
 * the judgments read. The mock writes it (mock/grade/recorder.ts) and the judgments of `nwa grade` read it
 * (conformance/grade/), so the shape lives here, between them. Everything a client sent is kept bounded (README
 * "Bounds", D67): a body whole up to `recordingBounds.bodyBytes`, an excerpt beyond, the session within a byte budget.
 */
import type { WireFormat } from './payload.ts'

/** A body as recorded: whole, or its first `recordingBounds.excerptBytes` when it was larger or the budget was spent. */
export interface RecordedBody {
  text: string
  /** Its size on the wire, in bytes. */
  bytes: number
  kept: 'whole' | 'excerpt'
}

/** How an exchange ended: answered in full, cut mid-answer, reset before any answer, or left by the client before its answer. */
export type ExchangeEnding = 'complete' | 'cut' | 'reset' | 'abandoned'

/** One request of the connector and what it got, as the mock saw it. */
export interface GradeExchange {
  /** 1, 2, … in the order exchanges ended. */
  seq: number
  /** The connector launch it came from (1, 2, …); 0 when the grader launched nothing (passive mode). */
  launch: number
  /** What the scenario was doing when the request arrived (its phase). */
  phase: string
  /** The client connection, numbered in the order connections first sent a request. */
  connection: number
  tls: boolean
  /** When the request arrived and how long until it ended, in ms since the session started. */
  atMs: number
  durationMs: number
  method: string
  /** Path and query as sent (bounded like the request journal's). */
  target: string
  format: WireFormat
  /** Request headers, lower-case names; an Authorization value is its scheme word only. */
  headers: Record<string, string>
  /** The scheme word of the Authorization header, when there was one. */
  authScheme?: string
  /** Who the mock authenticated, and how, when it did. */
  account?: string
  scheme?: string
  operation?: string
  body?: RecordedBody
  /** The Continuation mark the request posted, as decoded (bounded). */
  postedMark?: string
  /** A write the mock could read: how many records, and a fingerprint of each (the first `recordingBounds.fingerprints`). */
  write?: { records: number; fingerprints: string[] }
  /** 0 when nothing was answered. */
  status: number
  responseHeaders: Record<string, string>
  responseBody: RecordedBody
  /** A page the answer carried: its records and its mark. */
  page?: { records: number; mark: string }
  /** A 401's challenge: the schemes it offered, whether Digest said stale=true, and whether it continues a handshake (an NTLM CHALLENGE). */
  challenge?: { schemes: string[]; stale: boolean; continuation: boolean }
  ending: ExchangeEnding
  /** Why, in the mock's words (the ErrorList descriptions, a fault), bounded as the journal's. */
  notes: string[]
}

export type GradeEventKind = 'phase' | 'trouble' | 'arrivals' | 'stop-requested' | 'launch-started' | 'launch-ended' | 'recording-full'

/** Something that happened in the session besides an exchange: a phase began, trouble was made, a launch began or ended. */
export interface GradeEvent {
  atMs: number
  kind: GradeEventKind
  /** The launch it concerns (launch events), or the launch current at the time. */
  launch: number
  detail: string
  /** launch-ended: how the connector ended, and who ended it. */
  exitCode?: number | null
  signal?: string | null
  endedBy?: 'self' | 'grader' | 'timeout'
  /** arrivals: how many records arrived. */
  records?: number
}

export interface GradeSession {
  scenario: string
  /** ISO 8601, wall clock. */
  startedAt: string
  /** The server root the connector was given (NWA_URL), without the API prefix. */
  url: string
  /** The scenario's trouble was made this much faster (0.5) or slower (2) than its nominal timing. */
  timeScale: number
  exchanges: GradeExchange[]
  events: GradeEvent[]
  /** Exchanges that ended after the recording was full and were not kept. */
  dropped: number
  /** What the kept exchanges weigh against the byte budget. */
  bytes: number
}

/**
 * What a session keeps at most (README "Bounds", D67): each body whole up to `bodyBytes` (a page of 1,000 records, a
 * write of 1,000, fit), else its first `excerptBytes`; once the kept exchanges weigh `sessionBytes`, bodies are
 * excerpts only; past `exchanges` exchanges nothing more is kept and the recording says how many it dropped. A write's
 * records are fingerprinted up to `fingerprints`.
 */
export const recordingBounds = {
  bodyBytes: 1024 * 1024,
  excerptBytes: 2048,
  sessionBytes: 64 * 1024 * 1024,
  exchanges: 20_000,
  fingerprints: 10_000,
  headerValue: 1024,
  headers: 64,
} as const

export type RecordingBounds = { [K in keyof typeof recordingBounds]: number }

/** The two bytes a character may weigh in V8, the measure every bound of the kit uses for kept text. */
export function textWeight(text: string): number {
  return 2 * text.length
}

/** The operations that read (enum, enum with a mark, search) and the one that writes, by the contract's operationId. */
export const readOperationIds: readonly string[] = ['enumerateActivityRecords', 'continueEnumeration', 'searchActivityRecords']
export const writeOperationId = 'writeActivityRecords'

export const isRead = (exchange: GradeExchange): boolean => readOperationIds.includes(exchange.operation ?? '')
export const isWrite = (exchange: GradeExchange): boolean => exchange.operation === writeOperationId
/** A request the server let through authentication and roles: what shows the connector's role. */
export const isAuthorized = (exchange: GradeExchange): boolean => exchange.account !== undefined && exchange.status !== 401
/** A page that reached the connector whole. */
export const isWholePage = (exchange: GradeExchange): boolean => exchange.ending === 'complete' && exchange.status === 200 && exchange.page !== undefined
/** When the exchange ended, in ms since the session began. */
export const endOf = (exchange: GradeExchange): number => exchange.atMs + exchange.durationMs
