/**
 * One check's evidence while it runs (exchanges as sent, notes) and the trimmed form the reports
 * keep: long bodies cut, only the last exchanges, a curl command for each kept request.
 */
import { toCurl, type CurlOptions } from './curl.ts'
import type { Exchange } from './types.ts'

export interface CheckEvidence {
  exchanges: Exchange[]
  notes: string[]
  /** A command per kept exchange that repeats its request; repeats of the previous command are dropped. */
  curl: string[]
}

export interface EvidenceRecorder {
  record(exchange: Exchange, origin: CurlOptions): void
  note(text: string): void
}

/** Where every exchange goes whole, by scope (a check id, or `preflight`): the full evidence of a bundle. */
export interface EvidenceSink {
  record(scope: string, exchange: Exchange): void
  note(scope: string, text: string): void
}

export interface EvidenceLimits {
  /** Bodies longer than this many UTF-8 bytes are cut. */
  bodyBytes: number
  /** Only the last this many exchanges are kept. */
  exchanges: number
}

export const defaultEvidenceLimits: EvidenceLimits = { bodyBytes: 4096, exchanges: 20 }

export interface EvidenceLog extends EvidenceRecorder {
  finish(limits?: EvidenceLimits): CheckEvidence
}

export function trimBody(body: string, limit: number): string {
  const bytes = Buffer.from(body, 'utf8')
  if (bytes.length <= limit) return body
  // Cutting inside a multi-byte character leaves a replacement character, which is dropped.
  const kept = bytes
    .subarray(0, limit)
    .toString('utf8')
    .replace(/\uFFFD$/, '')
  return `${kept}\n…[trimmed: ${bytes.length - Buffer.byteLength(kept)} more bytes]`
}

function trimExchange(exchange: Exchange, limit: number): Exchange {
  const request = { ...exchange.request }
  if (request.body !== undefined) request.body = trimBody(request.body, limit)
  return { ...exchange, request, response: { ...exchange.response, body: trimBody(exchange.response.body, limit) } }
}

export function createEvidenceLog(): EvidenceLog {
  const entries: { exchange: Exchange; origin: CurlOptions }[] = []
  const notes: string[] = []
  return {
    record: (exchange, origin) => void entries.push({ exchange, origin }),
    note: (text) => void notes.push(text),
    finish(limits = defaultEvidenceLimits) {
      const dropped = Math.max(0, entries.length - limits.exchanges)
      const kept = entries.slice(dropped)
      const curl: string[] = []
      for (const { exchange, origin } of kept) {
        const long = exchange.request.body !== undefined && Buffer.byteLength(exchange.request.body) > limits.bodyBytes
        const command = toCurl(exchange, long ? { ...origin, bodyFile: 'request-body.txt' } : origin)
        if (curl[curl.length - 1] !== command) curl.push(command)
      }
      const allNotes = dropped > 0 ? [`${dropped} earlier exchange(s) not kept; these are the last ${kept.length}`, ...notes] : [...notes]
      return { exchanges: kept.map((entry) => trimExchange(entry.exchange, limits.bodyBytes)), notes: allNotes, curl }
    },
  }
}
