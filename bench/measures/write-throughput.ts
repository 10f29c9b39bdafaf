/**
 * Write throughput: 1,000-record bodies (the size api/writeactivityrecords.md recommends per request)
 * posted over plain HTTP with a few requests in flight, records per second over the timed requests.
 * The bodies are built once, so only the server's decoding, validation, normalisation and storing,
 * plus the loopback, are timed.
 */
import { performance } from 'node:perf_hooks'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec, type WireFormat } from '../../openapi/payload.ts'
import { startMockServer } from '../../mock/server.ts'
import { generateInputRecords } from '../data.ts'
import { createBenchClient, expectStatus } from '../http.ts'
import { admin } from './accounts.ts'

export const RECORDS_PER_REQUEST = 1_000

export interface WriteThroughputOptions {
  /** Journal (and fsync) every write here; memory only when absent. */
  dataDir?: string
  requests: number
  warmup: number
  concurrency: number
  /** No new request starts after this long; the figure then covers the requests that ran. */
  budgetMs: number
  seed: number
}

export interface WriteFigure {
  format: WireFormat
  requests: number
  records: number
  elapsedMs: number
  recordsPerSecond: number
  bodyBytes: number
}

export async function measureWriteThroughput(options: WriteThroughputOptions): Promise<WriteFigure[]> {
  const codec = createPayloadCodec(await loadContract())
  const records = generateInputRecords(options.seed, RECORDS_PER_REQUEST)
  const bodies: Record<WireFormat, { data: Buffer; contentType: string }> = {
    xml: { data: Buffer.from(codec.encode('ActivityRecordInputList', records, 'xml')), contentType: 'application/xml' },
    json: { data: Buffer.from(codec.encode('ActivityRecordInputList', records, 'json')), contentType: 'application/json' },
  }
  const mock = await startMockServer({
    host: '127.0.0.1',
    port: 0,
    tls: false,
    seed: 'none',
    authSchemes: ['Basic'],
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
  })
  const client = createBenchClient({ baseUrl: mock.url, ...admin, maxSockets: options.concurrency })
  try {
    const figures: WriteFigure[] = []
    for (const format of ['xml', 'json'] as const) {
      const path = `/netwrix/api/v1/activity_records/${format === 'json' ? '?format=json' : ''}`
      const write = async () => {
        expectStatus(await client.send('POST', path, bodies[format]), 200, `write (${format})`)
      }
      await inFlight(options.warmup, options.concurrency, Number.POSITIVE_INFINITY, write)
      const started = performance.now()
      const done = await inFlight(options.requests, options.concurrency, started + options.budgetMs, write)
      const elapsedMs = performance.now() - started
      figures.push({
        format,
        requests: done,
        records: done * RECORDS_PER_REQUEST,
        elapsedMs,
        recordsPerSecond: (done * RECORDS_PER_REQUEST * 1000) / elapsedMs,
        bodyBytes: bodies[format].data.length,
      })
    }
    const stored = mock.app.state.database.size()
    const sent = (options.warmup * 2 + figures.reduce((sum, figure) => sum + figure.requests, 0)) * RECORDS_PER_REQUEST
    if (stored !== sent) throw new Error(`the mock holds ${stored} records after ${sent} were acknowledged`)
    return figures
  } finally {
    client.close()
    await mock.close()
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
