import { excerpt } from '../openapi/excerpt.ts'
import { type ExchangeExcerpt, exchangeBytes } from './exchange-excerpt.ts'

/**
 * The request journal: one entry per request the mock answered, so that a connector author chasing a 400 or a
 * 401 sees on the server side what the mock decided and why. Kept in a ring buffer (GET /nwa/requests reads
 * it) and handed to a sink as each request ends (the CLI prints it). Pure apart from the sink.
 */
export interface RequestEntry {
  /** The journal's number for it, from 1 in the order requests ended: `GET /nwa/requests/ID` shows its exchange. */
  id: number
  /** ISO 8601, server clock. */
  time: string
  method: string
  /** Path and query as sent. */
  path: string
  account?: string
  scheme?: string
  operation?: string
  /** 0 when the client went away before an answer. */
  status: number
  /** The ErrorList descriptions, or why a bodiless refusal was given. */
  notes: string[]
  durationMs: number
}

export interface RequestFilter {
  /** The newest `limit` entries that match (default 100). */
  limit?: number
  status?: number
  /** Case-insensitive, as Windows compares account names. */
  account?: string
  operation?: string
}

/** An entry as the pipeline hands it over: the journal numbers it. */
export type UnnumberedEntry = Omit<RequestEntry, 'id'>

export interface RequestJournal {
  /** Keeps the entry, and the excerpt of its exchange when one is given (with --control: the inspector shows it). */
  record(entry: UnnumberedEntry, exchange?: ExchangeExcerpt): void
  /** Newest last. */
  recent(filter?: RequestFilter): RequestEntry[]
  /** Up to `limit` kept entries numbered after `id`, oldest first: what a reader that has seen up to `id` reads next. */
  after(id: number, limit: number): RequestEntry[]
  /** The kept entry numbered `id` with its exchange excerpt, or undefined once the entry is dropped. */
  exchange(id: number): { entry: RequestEntry; exchange?: ExchangeExcerpt } | undefined
  /** The newest entry's number, 0 before the first. */
  lastId(): number
  /** Called with each entry as it is kept; returns the function that stops it. */
  subscribe(listener: (entry: RequestEntry) => void): () => void
  /** What the kept entries weigh against the byte budget (entryBytes, exchangeBytes). */
  bytes(): number
}

/** What the journal keeps at most, by default: entries, and bytes of them all (docs/mock.md "The request journal"). */
export const journalDefaults = { entries: 1000, bytes: 4 * 1024 * 1024 } as const

/**
 * What one entry keeps of a request at most, however large it was: the path and query, the account name, and a
 * few reasons, each an excerpt. With these an entry is a few kilobytes, and the journal's byte budget holds hundreds.
 */
export const entryBounds = { path: 1024, account: 256, notes: 12, note: 400 } as const

/** The entry as the journal keeps it: client text cut to entryBounds, and copied, so it never keeps a request alive. */
export function boundEntry<T extends UnnumberedEntry>(entry: T): T {
  const bounded: T = { ...entry, path: excerpt(entry.path, entryBounds.path), notes: boundNotes(entry.notes) }
  if (entry.account !== undefined) bounded.account = excerpt(entry.account, entryBounds.account)
  return bounded
}

/** At most entryBounds.notes reasons, each an excerpt, and a count of the rest. */
export function boundNotes(given: readonly string[]): string[] {
  const notes = given.slice(0, entryBounds.notes).map((note) => excerpt(note, entryBounds.note))
  if (given.length > entryBounds.notes) notes.push(`… and ${given.length - entryBounds.notes} more`)
  return notes
}

/** An entry's weight against the byte budget: its text at two bytes a character (V8's widest), plus the object itself. */
export function entryBytes(entry: UnnumberedEntry): number {
  let characters = entry.time.length + entry.method.length + entry.path.length + (entry.account?.length ?? 0) + (entry.scheme?.length ?? 0)
  characters += entry.operation?.length ?? 0
  for (const note of entry.notes) characters += note.length
  return ENTRY_OVERHEAD + 2 * characters + NOTE_OVERHEAD * entry.notes.length
}

const ENTRY_OVERHEAD = 160
const NOTE_OVERHEAD = 32

/**
 * The last `entries` requests, oldest dropped first, within `bytes` (entryBytes of them all). Every entry is bounded
 * (boundEntry) before it is kept or handed to the sink, so the log and GET /nwa/requests show the same entries.
 */
export function createRequestJournal(options: { capacity?: number; bytes?: number; sink?: (entry: RequestEntry) => void } = {}): RequestJournal {
  const capacity = options.capacity ?? journalDefaults.entries
  const budget = options.bytes ?? journalDefaults.bytes
  // Entry `id` sits at kept[id - firstId]: ids are numbered without gaps, so a reader's position is an index.
  const kept: { entry: RequestEntry; exchange?: ExchangeExcerpt; weight: number }[] = []
  const listeners = new Set<(entry: RequestEntry) => void>()
  let head = 0
  let total = 0
  let nextId = 1
  const firstKeptId = () => nextId - (kept.length - head)
  const live = () => kept.slice(head).map((slot) => slot.entry)
  return {
    record(raw, exchange) {
      const entry: RequestEntry = { id: nextId, ...boundEntry(raw) }
      nextId += 1
      const weight = entryBytes(entry) + (exchange === undefined ? 0 : exchangeBytes(exchange))
      kept.push(exchange === undefined ? { entry, weight } : { entry, exchange, weight })
      total += weight
      while (kept.length - head > capacity || (total > budget && kept.length - head > 1)) {
        total -= (kept[head] as { weight: number }).weight
        head += 1
      }
      // The dropped prefix is cut away once it is as long as what is kept, so each entry is moved at most once on average.
      if (head > 0 && head >= kept.length - head) {
        kept.splice(0, head)
        head = 0
      }
      options.sink?.(entry)
      for (const listener of listeners) listener(entry)
    },
    recent(filter = {}) {
      const account = filter.account?.toLowerCase()
      const matching = live().filter(
        (entry) =>
          (filter.status === undefined || entry.status === filter.status) &&
          (account === undefined || entry.account?.toLowerCase() === account) &&
          (filter.operation === undefined || entry.operation === filter.operation),
      )
      return matching.slice(-(filter.limit ?? 100))
    },
    after(id, limit) {
      const start = head + Math.max(0, id + 1 - firstKeptId())
      return kept.slice(start, start + limit).map((slot) => slot.entry)
    },
    exchange(id) {
      const slot = id >= firstKeptId() && id < nextId ? kept[head + id - firstKeptId()] : undefined
      if (slot === undefined) return undefined
      return slot.exchange === undefined ? { entry: slot.entry } : { entry: slot.entry, exchange: slot.exchange }
    },
    lastId: () => nextId - 1,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    bytes: () => total,
  }
}

/** One line of NDJSON (`nwa mock --log json`). */
export function formatJsonLine(entry: RequestEntry): string {
  return JSON.stringify(entry)
}

export interface LineColours {
  dim(text: string): string
  red(text: string): string
  yellow(text: string): string
  green(text: string): string
}

const plain: LineColours = { dim: (t) => t, red: (t) => t, yellow: (t) => t, green: (t) => t }

/** One line for a person: time, status, method and path, who, which operation, how long, and why when it failed. */
export function formatPrettyLine(entry: RequestEntry, colours: LineColours = plain): string {
  const status = entry.status === 0 ? 'ABRT' : String(entry.status)
  const paint = entry.status >= 500 || entry.status === 0 ? colours.red : entry.status >= 400 ? colours.yellow : colours.green
  const who = entry.account ? `${entry.account} (${entry.scheme ?? '?'})` : 'anonymous'
  const head = `${colours.dim(entry.time.slice(11, 23))} ${paint(status)} ${entry.method} ${entry.path} ${colours.dim(`${who} ${entry.operation ?? '-'} ${Math.round(entry.durationMs)} ms`)}`
  return entry.notes.length ? `${head}\n${entry.notes.map((note) => `    ${paint(note)}`).join('\n')}` : head
}
