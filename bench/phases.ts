/**
 * The benchmark's phases, each run in a fresh process by run.ts so that one phase's heap (a million
 * records, say) never weighs on another's figures. A phase turns its measures into table rows.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadContract } from '../openapi/contract.ts'
import { createPayloadCodec } from '../openapi/payload.ts'
import { startMockServer } from '../mock/server.ts'
import { benchUsers, needle } from './data.ts'
import { createBenchClient } from './http.ts'
import { admin } from './measures/accounts.ts'
import { loadArchive } from './measures/archive-load.ts'
import { measureConformanceRun } from './measures/conformance.ts'
import { measureEnumLatency } from './measures/enum-latency.ts'
import { residentMemory } from './measures/memory.ts'
import { measureSearchLatency } from './measures/search-latency.ts'
import { measureWriteThroughput, RECORDS_PER_REQUEST, type WriteFigure } from './measures/write-throughput.ts'
import type { Row } from './report.ts'
import { grouped, megabytes, ms } from './stats.ts'

export const phaseNames = ['write-memory', 'write-journal', 'archive', 'conformance'] as const
export type PhaseName = (typeof phaseNames)[number]

/** Upper bounds on a phase's wall time; run.ts stops a phase that overruns. */
export const phaseTimeoutMs: Record<PhaseName, number> = {
  'write-memory': 75_000,
  'write-journal': 75_000,
  archive: 150_000,
  conformance: 60_000,
}

const SEED = 0x4e574231 // "NWB1"
const ARCHIVE_RECORDS = 1_000_000
const WRITE_TARGET = 50_000
const MEMORY_TARGET_BYTES = 1.5 * 1024 ** 3
const RATIO_TARGET = 1.5
const CONTAINS_TARGET_MS = 300
const CONFORMANCE_TARGET_MS = 30_000

const write = { requests: 100, warmup: 5, concurrency: 4, budgetMs: 25_000, seed: SEED }

export type Log = (line: string) => void

export function runPhase(name: PhaseName, log: Log): Promise<Row[]> {
  switch (name) {
    case 'write-memory':
      return writePhase(undefined, log)
    case 'write-journal':
      return writePhase(mkdtempSync(join(tmpdir(), 'nwa-bench-data-')), log)
    case 'archive':
      return archivePhase(log)
    case 'conformance':
      return conformancePhase(log)
  }
}

async function writePhase(dataDir: string | undefined, log: Log): Promise<Row[]> {
  try {
    const figures = await measureWriteThroughput({ ...write, ...(dataDir !== undefined && { dataDir }) })
    return figures.map((figure) => {
      log(
        `${figure.format}: ${figure.requests} requests of ${RECORDS_PER_REQUEST} records (${grouped(figure.bodyBytes)} bytes each) in ${ms(figure.elapsedMs)}`,
      )
      return writeRow(figure, dataDir !== undefined)
    })
  } finally {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
  }
}

function writeRow(figure: WriteFigure, journalled: boolean): Row {
  const figureText = `${grouped(figure.recordsPerSecond)} records/s (${figure.requests} × ${grouped(RECORDS_PER_REQUEST)} in ${(figure.elapsedMs / 1000).toFixed(1)} s)`
  const format = figure.format.toUpperCase()
  if (journalled) return { measure: `write throughput, ${format}, journal + fsync (dataDir)`, figure: figureText, target: '' }
  return {
    measure: `write throughput, ${format}, memory only`,
    figure: figureText,
    target: `≥ ${grouped(WRITE_TARGET)} records/s`,
    met: figure.recordsPerSecond >= WRITE_TARGET,
  }
}

async function archivePhase(log: Log): Promise<Row[]> {
  const mock = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'none', authSchemes: ['Basic'] })
  const client = createBenchClient({ baseUrl: mock.url, ...admin, maxSockets: 1 })
  try {
    const empty = residentMemory()
    const load = await loadArchive(mock.app.state, { total: ARCHIVE_RECORDS, batch: 10_000, seed: SEED })
    log(`loaded ${grouped(load.records)} records: generating ${ms(load.generateMs)}, loadSeed ${ms(load.loadMs)}`)
    const memory = residentMemory()
    log(`rss ${megabytes(memory.rss)}, heap used ${megabytes(memory.heapUsed)}${memory.collected ? '' : ' (without a gc first)'}`)

    const codec = createPayloadCodec(await loadContract())
    const enumFigure = await measureEnumLatency(client, codec, { pageSize: 1_000, page: 500, samples: 20, walkPageSize: 10_000 })
    log(`enum: reached page 500 in ${enumFigure.walkRequests} requests, ${ms(enumFigure.walkMs)}`)

    const who = benchUsers[0] as string
    const contains = await measureSearchLatency(client, {
      filters: { What: { Contains: needle } },
      count: 1_000,
      samples: 10,
      expect: (record) => record.What.toLowerCase().includes(needle.toLowerCase()),
    })
    const equals = await measureSearchLatency(client, {
      filters: { Who: { Equals: who } },
      count: 1_000,
      samples: 10,
      expect: (record) => record.Who.toLowerCase() === who.toLowerCase(),
    })
    const peak = process.resourceUsage().maxRSS * 1024

    return [
      {
        measure: `load ${grouped(ARCHIVE_RECORDS)} records (state.loadSeed, batches of 10 000)`,
        figure: `${(load.loadMs / 1000).toFixed(1)} s (+ ${(load.generateMs / 1000).toFixed(1)} s generating)`,
        target: '',
      },
      {
        measure: `resident memory with ${grouped(ARCHIVE_RECORDS)} records`,
        figure: `${megabytes(memory.rss)} RSS (heap ${megabytes(memory.heapUsed)}; empty mock ${megabytes(empty.rss)})${memory.collected ? '' : ', no gc'}`,
        target: '≤ 1 536 MB (1.5 GB)',
        met: memory.rss <= MEMORY_TARGET_BYTES,
      },
      { measure: 'peak RSS of the archive phase', figure: megabytes(peak), target: '' },
      { measure: 'enum page 1, count=1000, XML (median of 20)', figure: ms(enumFigure.firstMedianMs), target: '' },
      { measure: 'enum page 500, count=1000, XML (median of 20)', figure: ms(enumFigure.deepMedianMs), target: '' },
      {
        measure: 'enum latency ratio, page 500 / page 1',
        figure: enumFigure.ratio.toFixed(2),
        target: `≤ ${RATIO_TARGET}`,
        met: enumFigure.ratio <= RATIO_TARGET,
      },
      {
        measure: `search What Contains "${needle}", count=1000, JSON (median of 10)`,
        figure: ms(contains.medianMs),
        target: `≤ ${CONTAINS_TARGET_MS} ms`,
        met: contains.medianMs <= CONTAINS_TARGET_MS,
      },
      { measure: 'search Who Equals one user, count=1000, JSON (median of 10)', figure: ms(equals.medianMs), target: '' },
    ]
  } finally {
    client.close()
    await mock.close()
  }
}

async function conformancePhase(log: Log): Promise<Row[]> {
  const figure = await measureConformanceRun()
  const measure = 'full nwa check (write) against the embedded mock'
  if (!figure.available) {
    log(`conformance: not available (${figure.reason})`)
    return [{ measure, figure: `not available: ${figure.reason}`, target: '< 30 s', notice: 'conformance: not available' }]
  }
  return [
    { measure, figure: `${(figure.elapsedMs / 1000).toFixed(1)} s (exit ${figure.exitCode})`, target: '< 30 s', met: figure.elapsedMs < CONFORMANCE_TARGET_MS },
  ]
}
