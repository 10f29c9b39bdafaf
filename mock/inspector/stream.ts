/**
 * The inspector's server-sent events (GET /nwa/events): each request as the journal keeps it, the server's state
 * (health, faults, clock, defects) after each, and the grade panel when it changes. Bounded however slow a reader is
 * (D74): a stream holds no queue of its own. It remembers the last entry it sent and pulls the next ones from the
 * journal only while the socket holds less than `highWater` bytes unsent; a reader that falls behind the journal is
 * told how many entries it missed (a `gap` event) instead of the mock keeping them for it. At most `maxStreams` are open.
 */
import type { ServerResponse } from 'node:http'
import type { RequestEntry, RequestJournal } from '../request-journal.ts'
import type { MockResponse } from '../responses.ts'
import type { GradePanel } from './grade-panel.ts'

export const streamBounds = {
  /** Bytes a stream may leave unsent in its socket before it stops pulling from the journal. */
  highWater: 64 * 1024,
  /** Entries a new stream starts with, the newest the journal keeps. */
  backlog: 200,
  /** Streams open at once (browser tabs). */
  maxStreams: 16,
  /** A comment line this often, so proxies and the browser keep an idle stream open and a gone reader is noticed. */
  heartbeatMs: 15_000,
  /** The newest state is sent at most this often. */
  stateMs: 1_000,
} as const

/** One event in the text/event-stream format: `data` is JSON, one line (JSON.stringify escapes every line break). */
export function sseEvent(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/** Where a new stream starts: after the Last-Event-ID a reconnecting browser sends, else `backlog` entries back. */
export function startingPoint(lastEventId: string | undefined, lastId: number, backlog: number): number {
  if (lastEventId !== undefined && /^\d{1,15}$/.test(lastEventId) && Number(lastEventId) <= lastId) return Number(lastEventId)
  return Math.max(0, lastId - backlog)
}

export interface EventStreams {
  /** The answer to GET /nwa/events: a stream, or 503 when `maxStreams` are open. */
  open(lastEventId: string | undefined): MockResponse
  /** Streams open now. */
  count(): number
}

export function createEventStreams(deps: {
  journal: RequestJournal
  grade: GradePanel
  /** The server's state as GET /nwa/health and GET /nwa/defects give it. */
  state: () => Promise<unknown>
  bounds?: Partial<Record<keyof typeof streamBounds, number>>
}): EventStreams {
  const bounds = { ...streamBounds, ...deps.bounds }
  const open = new Set<ServerResponse>()
  return {
    count: () => open.size,
    open(lastEventId): MockResponse {
      if (open.size >= bounds.maxStreams) {
        const reason = `${bounds.maxStreams} inspector streams are open already: close a page`
        return {
          status: 503,
          headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '10' },
          body: JSON.stringify({ errors: [reason] }),
          notes: [reason],
        }
      }
      return {
        status: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
        body: '',
        stream: (res) => {
          open.add(res)
          return run(res, startingPoint(lastEventId, deps.journal.lastId(), bounds.backlog)).finally(() => open.delete(res))
        },
      }
    },
  }

  function run(res: ServerResponse, start: number): Promise<void> {
    let sent = start
    let gradeDue = deps.grade.current() !== undefined
    let stateDue = true
    let stateTimer: NodeJS.Timeout | undefined
    const roomy = () => res.writableLength < bounds.highWater && !res.destroyed

    const pump = () => {
      if (gradeDue && roomy()) {
        gradeDue = false
        res.write(sseEvent('grade', deps.grade.current() ?? null))
      }
      while (roomy()) {
        const next = deps.journal.after(sent, 50)
        const first = next[0]
        if (first === undefined) break
        if (first.id > sent + 1) res.write(sseEvent('gap', { missed: first.id - sent - 1 }))
        for (const entry of next) res.write(sseEvent('request', entry, entry.id))
        sent = (next.at(-1) as RequestEntry).id
      }
      if (stateDue && stateTimer === undefined && roomy()) sendState()
    }
    // At most one state a second, however busy the server: a state costs a count of the store.
    const sendState = () => {
      stateDue = false
      stateTimer = setTimeout(() => {
        stateTimer = undefined
        if (stateDue) pump()
      }, bounds.stateMs)
      deps
        .state()
        .then((state) => {
          if (!res.destroyed) res.write(sseEvent('state', state))
        })
        .catch(() => undefined)
    }

    res.write(`retry: 2000\n\n`)
    const onEntry = () => {
      stateDue = true
      pump()
    }
    const onGrade = () => {
      gradeDue = true
      pump()
    }
    const stopEntries = deps.journal.subscribe(onEntry)
    const stopGrade = deps.grade.subscribe(onGrade)
    const heartbeat = setInterval(() => {
      if (roomy()) res.write(': ping\n\n')
    }, bounds.heartbeatMs)
    res.on('drain', pump)
    pump()
    return new Promise<void>((resolve) => {
      res.once('close', () => {
        stopEntries()
        stopGrade()
        clearInterval(heartbeat)
        clearTimeout(stateTimer)
        res.off('drain', pump)
        resolve()
      })
    })
  }
}
