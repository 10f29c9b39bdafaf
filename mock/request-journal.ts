/**
 * The request journal: one entry per request the mock answered, so that a connector author chasing a 400 or a
 * 401 sees on the server side what the mock decided and why. Kept in a ring buffer (GET /nwa/requests reads
 * it) and handed to a sink as each request ends (the CLI prints it). Pure apart from the sink.
 */
export interface RequestEntry {
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

export interface RequestJournal {
  record(entry: RequestEntry): void
  /** Newest last. */
  recent(filter?: RequestFilter): RequestEntry[]
}

export function createRequestJournal(options: { capacity?: number; sink?: (entry: RequestEntry) => void } = {}): RequestJournal {
  const capacity = options.capacity ?? 1000
  const ring: RequestEntry[] = []
  let next = 0
  return {
    record(entry) {
      if (ring.length < capacity) ring.push(entry)
      else ring[next] = entry
      next = (next + 1) % capacity
      options.sink?.(entry)
    },
    recent(filter = {}) {
      const ordered = ring.length < capacity ? ring : [...ring.slice(next), ...ring.slice(0, next)]
      const account = filter.account?.toLowerCase()
      const matching = ordered.filter(
        (entry) =>
          (filter.status === undefined || entry.status === filter.status) &&
          (account === undefined || entry.account?.toLowerCase() === account) &&
          (filter.operation === undefined || entry.operation === filter.operation),
      )
      return matching.slice(-(filter.limit ?? 100))
    },
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
