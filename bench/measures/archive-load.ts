/**
 * Fills a server with the benchmark archive in batches of collected (output-form) records, the server's own
 * way: the mock through ArchiveState.loadSeed, the path its own seeding takes; the floor by keeping them.
 * Each generated batch goes through a JSON round trip first so that, as after a real write, every record
 * owns its strings: shared literals from the generator would make the memory figures look better than a
 * server fed over the wire.
 */
import { performance } from 'node:perf_hooks'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import { generateOutputBatch } from '../data.ts'

export interface ArchiveLoadOptions {
  seed: number
  /** The archive's index of the first record to generate; the server must hold exactly this many already. */
  first: number
  count: number
  batch: number
}

export interface ArchiveLoadFigure {
  /** Records the server holds afterwards. */
  records: number
  generateMs: number
  loadMs: number
}

export interface ArchiveSink {
  store(records: ActivityRecordOutput[]): Promise<unknown>
  size(): Promise<number> | number
}

export async function loadArchive(sink: ArchiveSink, options: ArchiveLoadOptions): Promise<ArchiveLoadFigure> {
  const held = await sink.size()
  if (held !== options.first) throw new Error(`the server holds ${held} records, so the archive cannot go on from record ${options.first}`)
  let generateMs = 0
  let loadMs = 0
  const end = options.first + options.count
  for (let first = options.first; first < end; first += options.batch) {
    const t0 = performance.now()
    const batch = JSON.parse(JSON.stringify(generateOutputBatch(options.seed, first, Math.min(options.batch, end - first)))) as ActivityRecordOutput[]
    const t1 = performance.now()
    await sink.store(batch)
    loadMs += performance.now() - t1
    generateMs += t1 - t0
  }
  const records = await sink.size()
  if (records !== end) throw new Error(`loaded ${records} records, expected ${end}`)
  return { records, generateMs, loadMs }
}
