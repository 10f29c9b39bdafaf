import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PayloadCodec, WireFormat } from '../openapi/payload.ts'
import { describeRejection } from '../openapi/payload.ts'
import type { ActivityRecordInput, ActivityRecordOutput } from '../openapi/records.ts'
import { codes } from './errors.ts'
import type { ArchiveState } from './state/archive.ts'
import { formatWhen, whenToEpochMs } from '../openapi/timestamp.ts'
import { ridTime, timestampDigits } from './state/rid.ts'

export const demoSeedPath = fileURLToPath(new URL('../fixtures/seed/demo-records.json', import.meta.url))

/**
 * Seed data comes as collected records (kept as they are) or as write bodies (stored as if written).
 * `endsAtClock` marks records whose dates are relative: they are moved to end at the clock when stored.
 */
export type SeedBatch = { kind: 'records'; records: ActivityRecordOutput[]; endsAtClock?: boolean } | { kind: 'write'; records: ActivityRecordInput[] }

/**
 * Reads a seed: 'demo', a file, or every .json/.xml file of a directory in name order. A file is either
 * output records (a JSON array, or an enum page in XML or JSON) or a write body in XML or JSON. Only the
 * demo data set ends at the clock; a user's own seed keeps its exact dates (D26).
 */
export function loadSeedBatches(spec: string, codec: PayloadCodec): SeedBatch[] {
  if (spec === 'none') return []
  if (spec === 'demo') {
    const [batch] = loadSeedBatches(demoSeedPath, codec)
    if (batch?.kind !== 'records') throw codes.MOCK_ERR_SEED.create(demoSeedPath, 'the demo data set must hold output records')
    return [{ ...batch, endsAtClock: true }]
  }
  const path = spec
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

/**
 * Stores seed batches in order, in one seed of the store: collected records as they are (moved to end at the
 * state's clock when the batch says so), write bodies as if written. With `ifEmpty`, nothing is stored unless the
 * Long-Term Archive is empty, decided by the store at once for every batch, so instances starting together on one
 * database seed it once. Answers how many records were stored.
 */
export async function applySeed(state: ArchiveState, batches: SeedBatch[], options: { ifEmpty?: boolean } = {}): Promise<number> {
  const records = batches.flatMap((batch) => {
    if (batch.kind === 'write') return state.normalize(batch.records).records
    return batch.endsAtClock ? shiftToClock(batch.records, state.now()) : batch.records
  })
  if (records.length === 0) return 0
  return (await state.loadSeed(records, options)) ? records.length : 0
}

/**
 * Moves records by one whole-second delta so that the latest When is `nowMs` cut to the second: the
 * timeframes (Today, LastSevenDays, ...) then find records whenever the data is loaded, and the same clock
 * gives the same records. A RID's timestamp prefix moves by the same delta and keeps its 32 hex digits, so
 * it never falls before its record's When and RIDs keep their order and stay unique (D26). Pure.
 */
export function shiftToClock(records: readonly ActivityRecordOutput[], nowMs: number): ActivityRecordOutput[] {
  if (records.length === 0) return []
  const times = records.map((record) => whenToEpochMs(record.When))
  const latest = Math.max(...times)
  const delta = Math.floor((nowMs - latest) / 1000) * 1000
  return records.map((record, index) => {
    const shifted: ActivityRecordOutput = { ...record, When: formatWhen((times[index] as number) + delta) }
    const written = record.RID === undefined ? undefined : ridTime(record.RID)
    if (record.RID !== undefined && written !== undefined) shifted.RID = timestampDigits(written + delta) + record.RID.slice(17)
    return shifted
  })
}
