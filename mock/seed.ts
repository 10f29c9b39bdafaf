import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PayloadCodec, WireFormat } from '../openapi/payload.ts'
import { describeRejection } from '../openapi/payload.ts'
import type { ActivityRecordInput, ActivityRecordOutput } from '../openapi/records.ts'
import { codes } from './errors.ts'
import type { ArchiveState } from './state/archive.ts'

export const demoSeedPath = fileURLToPath(new URL('../fixtures/seed/demo-records.json', import.meta.url))

/** Seed data comes as collected records (kept as they are) or as write bodies (stored as if written). */
export type SeedBatch = { kind: 'records'; records: ActivityRecordOutput[] } | { kind: 'write'; records: ActivityRecordInput[] }

/**
 * Reads a seed: 'demo', a file, or every .json/.xml file of a directory in name order. A file is either
 * output records (a JSON array, or an enum page in XML or JSON) or a write body in XML or JSON.
 */
export function loadSeedBatches(spec: string, codec: PayloadCodec): SeedBatch[] {
  if (spec === 'none') return []
  const path = spec === 'demo' ? demoSeedPath : spec
  let files: string[]
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => ['.json', '.xml'].includes(extname(name)))
          .sort()
          .map((name) => join(path, name))
      : [path]
  } catch (error) {
    throw codes.MOCK_ERR_SEED.create(path, error instanceof Error ? error.message : String(error))
  }
  return files.map((file) => readSeedText(file, readFileSync(file, 'utf8'), extname(file) === '.xml' ? 'xml' : 'json', codec))
}

export function readSeedText(name: string, text: string, format: WireFormat, codec: PayloadCodec): SeedBatch {
  const asWrite = codec.decode('ActivityRecordInputList', text, format)
  if (asWrite.ok) return { kind: 'write', records: asWrite.value as ActivityRecordInput[] }
  const asRecords = codec.decode('ActivityRecordOutputArray', text, format)
  if (asRecords.ok) return { kind: 'records', records: asRecords.value as ActivityRecordOutput[] }
  const asPage = codec.decode('ActivityRecordListResponse', text, format)
  if (asPage.ok) return { kind: 'records', records: (asPage.value as { ActivityRecordList: ActivityRecordOutput[] }).ActivityRecordList }
  throw codes.MOCK_ERR_SEED.create(name, `neither a write body nor output records: ${describeRejection(asRecords)}`)
}

/** Stores seed batches in order: collected records as they are, write bodies as if written. Answers how many records were stored. */
export async function applySeed(state: ArchiveState, batches: SeedBatch[]): Promise<number> {
  let count = 0
  for (const batch of batches) {
    if (batch.kind === 'records') await state.loadSeed(batch.records)
    else await state.write(batch.records)
    count += batch.records.length
  }
  return count
}
