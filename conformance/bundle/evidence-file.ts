/**
 * A bundle's full evidence: every exchange of the run, pre-flight's and each check's, in the order they happened, as
 * NDJSON (`{"scope": "<check id or preflight>", "exchange": {...}}` or `{"scope": ..., "note": "..."}`), gzipped. The
 * reports keep the last 20 exchanges of a check with bodies cut at 4 KiB; this keeps them all, each body up to
 * `bodyBytes`, until the file holds `totalBytes`, after which exchanges are kept without their bodies (a note says from
 * where). Lines go to a file as they come, so memory holds one exchange at a time (docs/evidence.md, "Bundles").
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { trimBody, type EvidenceSink } from '../evidence.ts'
import type { Exchange } from '../types.ts'

export interface FullEvidenceLimits {
  /** Each body is cut past this many UTF-8 bytes. */
  bodyBytes: number
  /** Past this many bytes of NDJSON, bodies are dropped. */
  totalBytes: number
}

export const defaultFullEvidenceLimits: FullEvidenceLimits = { bodyBytes: 1024 * 1024, totalBytes: 256 * 1024 * 1024 }

export interface FullEvidenceFile extends EvidenceSink {
  /** Closes the file and returns it gzipped; the file is removed. */
  finish(): Buffer
  /** Closes and removes the file when the run ended without a bundle; does nothing after finish. */
  discard(): void
}

function withoutBodies(exchange: Exchange): Exchange {
  const request = { ...exchange.request }
  if (request.body !== undefined) request.body = `[not kept: the full evidence reached its size limit; ${Buffer.byteLength(request.body)} bytes]`
  return {
    ...exchange,
    request,
    response: { ...exchange.response, body: `[not kept: the full evidence reached its size limit; ${Buffer.byteLength(exchange.response.body)} bytes]` },
  }
}

export function createFullEvidenceFile(path: string, limits: FullEvidenceLimits = defaultFullEvidenceLimits): FullEvidenceFile {
  const fd = openSync(path, 'w', 0o600)
  let written = 0
  let full = false
  let open = true
  const close = () => {
    if (open) closeSync(fd)
    open = false
  }
  const line = (value: object): void => {
    const text = `${JSON.stringify(value)}\n`
    written += writeSync(fd, text)
  }
  return {
    record(scope, exchange) {
      if (!full && written >= limits.totalBytes) {
        full = true
        line({ scope, note: `the full evidence reached ${limits.totalBytes} bytes: from here on exchanges are kept without their bodies` })
      }
      if (full) return line({ scope, exchange: withoutBodies(exchange) })
      const request = { ...exchange.request }
      if (request.body !== undefined) request.body = trimBody(request.body, limits.bodyBytes)
      line({ scope, exchange: { ...exchange, request, response: { ...exchange.response, body: trimBody(exchange.response.body, limits.bodyBytes) } } })
    },
    note(scope, text) {
      line({ scope, note: text })
    },
    discard() {
      close()
      rmSync(path, { force: true })
    },
    finish() {
      close()
      try {
        return gzipSync(readFileSync(path))
      } finally {
        rmSync(path, { force: true })
      }
    },
  }
}
