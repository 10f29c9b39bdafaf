/**
 * Write throughput: 1,000-record bodies (the size api/writeactivityrecords.md recommends per request)
 * posted over plain HTTP with a few requests in flight, records per second over the timed requests.
 * The bodies are built once, so only the server's decoding, validation, normalisation and storing,
 * plus the loopback, are timed. The same bodies go to the mock and to the floor.
 */
import { performance } from 'node:perf_hooks'
import type { PayloadCodec, WireFormat } from '../../openapi/payload.ts'
import { generateInputRecords } from '../data.ts'
import { type BenchClient, expectStatus } from '../http.ts'

export const RECORDS_PER_REQUEST = 1_000

export type WriteBodies = Record<WireFormat, { data: Buffer; contentType: string }>

export function writeBodies(codec: PayloadCodec, seed: number): WriteBodies {
  const records = generateInputRecords(seed, RECORDS_PER_REQUEST)
  return {
    xml: { data: Buffer.from(codec.encode('ActivityRecordInputList', records, 'xml')), contentType: 'application/xml' },
    json: { data: Buffer.from(codec.encode('ActivityRecordInputList', records, 'json')), contentType: 'application/json' },
  }
}

export interface WriteThroughputOptions {
  requests: number
  warmup: number
  concurrency: number
  /** No new request starts after this long; the figure then covers the requests that ran. */
  budgetMs: number
}

export interface WriteFigure {
  format: WireFormat
  requests: number
  elapsedMs: number
  recordsPerSecond: number
  /** Records acknowledged, warm-up included: what the server must hold afterwards. */
  acknowledged: number
}

/** Warms up, then times `requests` writes of one format; every answer must be the 200 of a stored write. */
export async function measureWriteThroughput(
  client: BenchClient,
  bodies: WriteBodies,
  format: WireFormat,
  options: WriteThroughputOptions,
): Promise<WriteFigure> {
  const path = `/netwrix/api/v1/activity_records/${format === 'json' ? '?format=json' : ''}`
  const write = async () => {
    expectStatus(await client.send('POST', path, bodies[format]), 200, `write (${format})`)
  }
  await inFlight(options.warmup, options.concurrency, Number.POSITIVE_INFINITY, write)
  const started = performance.now()
  const done = await inFlight(options.requests, options.concurrency, started + options.budgetMs, write)
  const elapsedMs = performance.now() - started
  return {
    format,
    requests: done,
    elapsedMs,
    recordsPerSecond: (done * RECORDS_PER_REQUEST * 1000) / elapsedMs,
    acknowledged: (options.warmup + done) * RECORDS_PER_REQUEST,
  }
}

/** Runs `task` up to `total` times with `concurrency` in flight, starting none after `deadline`; resolves to the count run. */
async function inFlight(total: number, concurrency: number, deadline: number, task: () => Promise<void>): Promise<number> {
  let started = 0
  const worker = async () => {
    while (started < total && performance.now() < deadline) {
      started++
      await task()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker))
  return started
}
