/** Test support: recorded sessions built by hand, for judgments tested without a server. */
import type { GradeEvent, GradeExchange, GradeSession } from '../../openapi/grade-session.ts'

const api = '/netwrix/api/v1'

/** A read or write exchange with everything a judgment may look at, defaults filled in. */
export function exchange(overrides: Partial<GradeExchange> = {}): GradeExchange {
  return {
    seq: 0,
    launch: 1,
    phase: 'test',
    connection: 1,
    tls: true,
    atMs: 0,
    durationMs: 5,
    method: 'GET',
    target: `${api}/activity_records/enum?format=json&count=2`,
    format: 'json',
    headers: { 'user-agent': 'test-connector/1.0' },
    authScheme: 'Basic',
    account: 'ENTERPRISE\\NetwrixUser',
    scheme: 'Basic',
    operation: 'enumerateActivityRecords',
    status: 200,
    responseHeaders: {},
    responseBody: { text: '', bytes: 0, kept: 'whole' },
    ending: 'complete',
    notes: [],
    ...overrides,
  }
}

/** The first page, answered whole with `records` records and `mark`. */
export const firstPage = (records: number, mark: string, overrides: Partial<GradeExchange> = {}) => exchange({ page: { records, mark }, ...overrides })

/** A page asked for with `posted`, answered whole with `records` records and `mark`. */
export const nextPage = (posted: string, records: number, mark: string, overrides: Partial<GradeExchange> = {}) =>
  exchange({
    method: 'POST',
    operation: 'continueEnumeration',
    postedMark: posted,
    body: { text: JSON.stringify(posted), bytes: posted.length + 2, kept: 'whole' },
    page: { records, mark },
    ...overrides,
  })

/** A write of `records` (JSON unless the body is given), answered `status`. */
export function write(records: Record<string, unknown>[], overrides: Partial<GradeExchange> = {}, fingerprints?: string[]): GradeExchange {
  const text = JSON.stringify(records)
  return exchange({
    method: 'POST',
    target: `${api}/activity_records/?format=json`,
    operation: 'writeActivityRecords',
    body: { text, bytes: Buffer.byteLength(text), kept: 'whole' },
    write: { records: records.length, fingerprints: fingerprints ?? records.map((record) => String(record['What'])) },
    responseHeaders: { 'content-type': 'text/plain' },
    ...overrides,
  })
}

/** A valid input record whose fingerprint (in these tests) is its What. */
export const record = (what: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  Who: 'ENTERPRISE\\svc',
  Action: 'Added',
  What: what,
  When: '2026-01-01T12:00:00Z',
  Where: 'srv',
  ObjectType: 'rule',
  ...overrides,
})

/**
 * A session of these exchanges in this order: seq 1, 2, …, and, unless given, one every 100 ms. Each launch seen gets a
 * launch-started event, and `ended` its launch-ended events.
 */
export function session(exchanges: GradeExchange[], options: { events?: GradeEvent[]; ended?: Partial<GradeEvent>[] } = {}): GradeSession {
  const numbered = exchanges.map((item, index) => ({ ...item, seq: index + 1, atMs: item.atMs === 0 ? (index + 1) * 100 : item.atMs }))
  const launches = [...new Set(numbered.map((item) => item.launch))].filter((launch) => launch > 0)
  const events: GradeEvent[] = [
    ...launches.map((launch): GradeEvent => ({ atMs: 0, kind: 'launch-started', launch, detail: 'test' })),
    ...(options.ended ?? []).map((event): GradeEvent => ({ atMs: 1_000_000, kind: 'launch-ended', launch: 1, detail: 'ended', ...event })),
    ...(options.events ?? []),
  ]
  return {
    scenario: 'test',
    startedAt: '2026-01-01T00:00:00.000Z',
    url: 'https://127.0.0.1:9699',
    timeScale: 1,
    exchanges: numbered,
    events,
    dropped: 0,
    bytes: 0,
  }
}
