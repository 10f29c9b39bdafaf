import type { PayloadCodec } from '../../openapi/payload.ts'
import { applySeed, loadSeedBatches, type SeedBatch } from '../seed.ts'
import type { ArchiveState } from '../state/archive.ts'

let demo: Extract<SeedBatch, { kind: 'records' }> | undefined

/**
 * Empties the server and loads a scenario's backlog: the latest `records` of the demo data set, moved to end at the
 * server clock (D26), so every scenario starts from the same data whatever ran before it.
 */
export async function loadBacklog(state: ArchiveState, codec: PayloadCodec, records: number): Promise<void> {
  if (demo === undefined) {
    const [batch] = loadSeedBatches('demo', codec)
    if (batch?.kind !== 'records') throw new Error('the demo data set holds no output records')
    demo = batch
  }
  await state.reset()
  await applySeed(state, [{ ...demo, records: demo.records.slice(-records) }])
}
