/**
 * Fills a mock's state with the benchmark archive through ArchiveState.loadSeed, the path the mock's own
 * seeding takes, in batches of collected (output-form) records. Each generated batch goes through a JSON
 * round trip first so that, as after a real write, every record owns its strings: shared literals from
 * the generator would make the memory figure look better than a server fed over the wire.
 */
import { performance } from 'node:perf_hooks'
import type { ArchiveState } from '../../mock/state/archive.ts'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import { generateOutputBatch } from '../data.ts'

export interface ArchiveLoadOptions {
  total: number
  batch: number
  seed: number
}

export interface ArchiveLoadFigure {
  records: number
  generateMs: number
  loadMs: number
}

export async function loadArchive(state: ArchiveState, options: ArchiveLoadOptions): Promise<ArchiveLoadFigure> {
  let generateMs = 0
  let loadMs = 0
  for (let first = 0; first < options.total; first += options.batch) {
    const t0 = performance.now()
    const batch = JSON.parse(JSON.stringify(generateOutputBatch(options.seed, first, Math.min(options.batch, options.total - first)))) as ActivityRecordOutput[]
    const t1 = performance.now()
    await state.loadSeed(batch)
    loadMs += performance.now() - t1
    generateMs += t1 - t0
  }
  const records = state.database.size()
  if (records !== options.total) throw new Error(`loaded ${records} records, expected ${options.total}`)
  return { records, generateMs, loadMs }
}
