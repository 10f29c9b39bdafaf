import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, it, expect } from 'vitest'
import type { ActivityRecordInput } from '../../openapi/records.ts'
import { readFixture } from '../../test/helpers/contract.ts'
import type { StoredRecord } from '../model.ts'
import { type MemoryStateOptions, openMemoryState, seedRecord, storedRecords } from '../../test/helpers/state.ts'
import type { ArchiveState } from './archive.ts'
import { SEED_RECORDS_PER_ENTRY } from './memory-store.ts'
import { encodeFrame, nodeJournalFs, openJournal, type JournalFs } from './journal.ts'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nwa-archive-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const PLAN_ID = '{42F64379-163E-4A43-A9C5-4514C5A23798}'
function options(dataDir?: string, extra: Partial<MemoryStateOptions> = {}): MemoryStateOptions {
  let counter = 0
  return {
    ...(dataDir !== undefined && { dataDir }),
    now: () => Date.UTC(2017, 3, 8, 13, 56, 22),
    random: (n) => Buffer.alloc(n, ++counter % 256),
    resolvePlan: (name) => (name.toLowerCase() === 'integrations and custom sources' ? { name: 'Integrations and custom sources', id: PLAN_ID } : undefined),
    ...extra,
  }
}

// The JSON write example of api/writeactivityrecords.md, as the fixtures keep it.
const documented = JSON.parse(readFixture('examples/writeactivityrecords/write-request.json')) as ActivityRecordInput[]
const input = (n: number, extra: Partial<ActivityRecordInput> = {}): ActivityRecordInput => ({
  Who: `user${n}`,
  Action: 'Added',
  What: `object ${n}`,
  When: '2017-02-10T14:46:00Z',
  Where: 'srv',
  ObjectType: 'user',
  ...extra,
})

const everything = (state: ArchiveState): Promise<StoredRecord[]> => storedRecords(state)
const counts = async (state: ArchiveState) => await state.counts()
const inPlans = async (state: ArchiveState, plans: string[]) =>
  (await state.page({ filters: undefined, scope: { kind: 'plans', plans: new Set(plans) }, afterSeq: 0, count: 10, now: 0 })).records

describe('the state over the in-memory store', () => {
  it('[WRITE-AVAILABLE-TO-READ] [WRITE-RID-ASSIGNED] [WRITE-DATASOURCE-NETWRIX-API] makes written records readable, normalised', async () => {
    const { state } = await openMemoryState(options())
    const outputs = await state.write(documented)
    expect(outputs.map((o) => o.DataSource)).toEqual(['Netwrix API', 'Netwrix API'])
    expect(new Set(outputs.map((o) => o.RID)).size).toBe(2)
    expect(outputs[0]?.MonitoringPlan).toEqual({ Name: 'Integrations and custom sources', ID: PLAN_ID })
    expect((await everything(state)).map((s) => s.record)).toEqual(outputs)
    expect((await counts(state)).archive).toBe(2)
    await state.close()
  })

  it('[WRITE-ARCHIVE-ONLY] keeps archive-only records out of the Audit Database but in the archive', async () => {
    const { state } = await openMemoryState(options())
    const outputs = await state.write([input(1), input(2, { IsArchiveOnly: true }), input(3)])
    expect(outputs[1]?.IsArchiveOnly).toBe(true)
    expect((await everything(state)).map((s) => s.record.Who)).toEqual(['user1', 'user3'])
    expect((await counts(state)).archive).toBe(3)
    await state.close()
  })

  it('stores nothing of a batch with one bad record', async () => {
    const { state } = await openMemoryState(options())
    await expect(state.write([input(1), input(2, { When: '2017-02-30T00:00:00Z' })])).rejects.toThrow(RangeError)
    expect((await counts(state)).records).toBe(0)
    expect((await counts(state)).archive).toBe(0)
    await state.close()
  })

  it('keeps a record of an unknown plan visible to global readers only', async () => {
    const { state } = await openMemoryState(options())
    await state.write([input(1, { MonitoringPlan: { Name: 'No such plan' } })])
    expect(await everything(state)).toHaveLength(1)
    expect(await inPlans(state, ['no such plan', 'integrations and custom sources'])).toHaveLength(1)
    expect(await inPlans(state, ['integrations and custom sources'])).toHaveLength(0)
    await state.close()
  })

  it('loads seed records as given and resets both stores', async () => {
    const { state } = await openMemoryState(options())
    await state.loadSeed([seedRecord(1), seedRecord(2, { IsArchiveOnly: true })])
    expect((await everything(state)).map((s) => s.record)).toEqual([seedRecord(1)])
    expect((await counts(state)).archive).toBe(2)
    await state.reset()
    expect((await counts(state)).records).toBe(0)
    expect((await counts(state)).archive).toBe(0)
    await expect(state.loadSeed([seedRecord(3, { When: 'soon' })])).rejects.toThrow(RangeError)
    await state.close()
  })

  it('gives concurrent writes seqs in call order', async () => {
    const { state } = await openMemoryState(options())
    await Promise.all(Array.from({ length: 20 }, (_, i) => state.write([input(i)])))
    expect((await everything(state)).map((s) => s.record.Who)).toEqual(Array.from({ length: 20 }, (_, i) => `user${i}`))
    await state.close()
    await expect(state.write([input(99)])).rejects.toThrow(/closed/)
  })
})

describe('the state over the in-memory store with a data dir', () => {
  it('rebuilds the same state after a restart: writes, seeds and resets in order', async () => {
    const dir = tempDir()
    const first = await openMemoryState(options(dir))
    await first.state.write([input(1)])
    await first.state.reset()
    await first.state.loadSeed([seedRecord(1), seedRecord(2, { IsArchiveOnly: true })])
    await first.state.write(documented)
    await first.state.write([input(2, { IsArchiveOnly: true })])
    const before = await everything(first.state)
    const beforeCount = (await counts(first.state)).archive
    await first.state.close()

    const second = await openMemoryState(options(dir))
    expect(second.recovered).toEqual({ truncatedBytes: 0 })
    expect(await everything(second.state)).toEqual(before)
    expect(before.map((s) => s.seq)).toEqual([2, 3, 4])
    expect((await counts(second.state)).archive).toBe(beforeCount)
    expect(beforeCount).toBe(5)
    await second.state.write([input(3)])
    expect((await everything(second.state)).at(-1)?.seq).toBe(5)
    await second.state.close()
  })

  it('[STATUS-200-WRITE] acknowledges a write only once it is fsynced and readable', async () => {
    const dir = tempDir()
    const held: (() => void)[] = []
    const journalFs: JournalFs = {
      syncDirectory: nodeJournalFs.syncDirectory,
      async open(path) {
        const file = await nodeJournalFs.open(path)
        return {
          ...file,
          sync: async () => {
            await new Promise<void>((resolve) => held.push(resolve))
            return file.sync()
          },
        }
      },
    }
    const { state } = await openMemoryState(options(dir, { journalFs }))
    let acknowledged = false
    const pending = state.write(documented).then(() => (acknowledged = true))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(held).toHaveLength(1)
    expect(acknowledged).toBe(false)
    expect((await counts(state)).records).toBe(0)
    for (const resolve of held.splice(0)) resolve()
    await pending
    expect((await counts(state)).records).toBe(2)
    await state.close()
    const reopened = await openJournal(dir)
    expect(reopened.entries).toHaveLength(1)
    await reopened.journal.close()
  })

  it('shares fsyncs among concurrent writes and journals them in seq order', async () => {
    const dir = tempDir()
    let syncs = 0
    const journalFs: JournalFs = {
      syncDirectory: nodeJournalFs.syncDirectory,
      async open(path) {
        const file = await nodeJournalFs.open(path)
        return {
          ...file,
          sync: () => {
            syncs++
            return file.sync()
          },
        }
      },
    }
    const { state } = await openMemoryState(options(dir, { journalFs }))
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => state.write([input(i)])))
    expect(syncs).toBeLessThan(30)
    const rids = (await everything(state)).map((s) => s.record.RID)
    expect(rids).toEqual(results.map(([output]) => output?.RID))
    await state.close()
    const { entries, journal } = await openJournal(dir)
    expect(entries.flatMap((e) => (e.t === 'write' ? e.records.map((r) => r.RID) : []))).toEqual(rids)
    await journal.close()
  })

  it('splits a large seed into several journal entries', async () => {
    const dir = tempDir()
    const { state } = await openMemoryState(options(dir))
    const count = SEED_RECORDS_PER_ENTRY * 2 + 5
    await state.loadSeed(Array.from({ length: count }, (_, i) => seedRecord(i)))
    await state.close()
    const { entries, journal } = await openJournal(dir)
    expect(entries.map((e) => (e.t === 'write' ? e.records.length : -1))).toEqual([SEED_RECORDS_PER_ENTRY, SEED_RECORDS_PER_ENTRY, 5])
    await journal.close()
    const reopened = await openMemoryState(options(dir))
    expect((await counts(reopened.state)).records).toBe(count)
    await reopened.state.close()
  })

  it('recovers from a torn last entry without losing an acknowledged write', async () => {
    const dir = tempDir()
    const first = await openMemoryState(options(dir))
    const acknowledged = await first.state.write(documented)
    await first.state.close()
    const torn = encodeFrame({ t: 'write', records: [seedRecord(9)] })
    appendFileSync(join(dir, 'archive.journal'), torn.subarray(0, torn.length - 3))

    const second = await openMemoryState(options(dir))
    expect(second.recovered.truncatedBytes).toBe(torn.length - 3)
    expect((await everything(second.state)).map((s) => s.record)).toEqual(acknowledged)
    await second.state.write([input(5)])
    expect((await everything(second.state)).at(-1)?.seq).toBe(3)
    await second.state.close()
  })
})
