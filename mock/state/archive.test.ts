import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, it, expect } from 'vitest'
import type { ActivityRecordInput, ActivityRecordOutput } from '../../openapi/records.ts'
import { readFixture } from '../../test/helpers/contract.ts'
import type { StoredRecord } from '../model.ts'
import { openArchiveState, SEED_RECORDS_PER_ENTRY, type ArchiveStateOptions } from './archive.ts'
import type { AuditDatabase } from './audit-database.ts'
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
function options(dataDir?: string, extra: Partial<ArchiveStateOptions> = {}): ArchiveStateOptions {
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
const seedRecord = (n: number, extra: Partial<ActivityRecordOutput> = {}): ActivityRecordOutput => ({
  DataSource: 'Active Directory',
  ObjectType: 'user',
  RID: `20160215110503420${n.toString(16).toUpperCase().padStart(32, '0')}`,
  What: `seed ${n}`,
  Action: 'Added',
  When: '2017-02-14T15:42:34Z',
  Where: 'EnterpriseDC1.enterprise.local',
  Who: 'ENTERPRISE\\Administrator',
  ...extra,
})

const everything = (db: AuditDatabase): StoredRecord[] => db.page({ afterSeq: 0, limit: 1_000_000, scope: { kind: 'all' } }).records

describe('openArchiveState in memory', () => {
  it('[WRITE-AVAILABLE-TO-READ] [WRITE-RID-ASSIGNED] [WRITE-DATASOURCE-NETWRIX-API] makes written records readable, normalised', async () => {
    const { state } = await openArchiveState(options())
    const outputs = await state.write(documented)
    expect(outputs.map((o) => o.DataSource)).toEqual(['Netwrix API', 'Netwrix API'])
    expect(new Set(outputs.map((o) => o.RID)).size).toBe(2)
    expect(outputs[0]?.MonitoringPlan).toEqual({ Name: 'Integrations and custom sources', ID: PLAN_ID })
    expect(everything(state.database).map((s) => s.record)).toEqual(outputs)
    expect(state.archiveCount()).toBe(2)
    await state.close()
  })

  it('[WRITE-ARCHIVE-ONLY] keeps archive-only records out of the Audit Database but in the archive', async () => {
    const { state } = await openArchiveState(options())
    const outputs = await state.write([input(1), input(2, { IsArchiveOnly: true }), input(3)])
    expect(outputs[1]?.IsArchiveOnly).toBe(true)
    expect(everything(state.database).map((s) => s.record.Who)).toEqual(['user1', 'user3'])
    expect(state.archiveCount()).toBe(3)
    await state.close()
  })

  it('stores nothing of a batch with one bad record', async () => {
    const { state } = await openArchiveState(options())
    await expect(state.write([input(1), input(2, { When: '2017-02-30T00:00:00Z' })])).rejects.toThrow(RangeError)
    expect(state.database.size()).toBe(0)
    expect(state.archiveCount()).toBe(0)
    await state.close()
  })

  it('keeps a record of an unknown plan visible to global readers only', async () => {
    const { state } = await openArchiveState(options())
    await state.write([input(1, { MonitoringPlan: { Name: 'No such plan' } })])
    expect(everything(state.database)).toHaveLength(1)
    expect(
      state.database.page({ afterSeq: 0, limit: 10, scope: { kind: 'plans', plans: new Set(['no such plan', 'integrations and custom sources']) } }).records,
    ).toHaveLength(1)
    expect(state.database.page({ afterSeq: 0, limit: 10, scope: { kind: 'plans', plans: new Set(['integrations and custom sources']) } }).records).toHaveLength(
      0,
    )
    await state.close()
  })

  it('loads seed records as given and resets both stores', async () => {
    const { state } = await openArchiveState(options())
    await state.loadSeed([seedRecord(1), seedRecord(2, { IsArchiveOnly: true })])
    expect(everything(state.database).map((s) => s.record)).toEqual([seedRecord(1)])
    expect(state.archiveCount()).toBe(2)
    await state.reset()
    expect(state.database.size()).toBe(0)
    expect(state.archiveCount()).toBe(0)
    await expect(state.loadSeed([seedRecord(3, { When: 'soon' })])).rejects.toThrow(RangeError)
    await state.close()
  })

  it('gives concurrent writes seqs in call order', async () => {
    const { state } = await openArchiveState(options())
    await Promise.all(Array.from({ length: 20 }, (_, i) => state.write([input(i)])))
    expect(everything(state.database).map((s) => s.record.Who)).toEqual(Array.from({ length: 20 }, (_, i) => `user${i}`))
    await state.close()
    await expect(state.write([input(99)])).rejects.toThrow(/closed/)
  })
})

describe('openArchiveState with a data dir', () => {
  it('rebuilds the same state after a restart: writes, seeds and resets in order', async () => {
    const dir = tempDir()
    const first = await openArchiveState(options(dir))
    await first.state.write([input(1)])
    await first.state.reset()
    await first.state.loadSeed([seedRecord(1), seedRecord(2, { IsArchiveOnly: true })])
    await first.state.write(documented)
    await first.state.write([input(2, { IsArchiveOnly: true })])
    const before = everything(first.state.database)
    const beforeCount = first.state.archiveCount()
    await first.state.close()

    const second = await openArchiveState(options(dir))
    expect(second.recovered).toEqual({ truncatedBytes: 0 })
    expect(everything(second.state.database)).toEqual(before)
    expect(before.map((s) => s.seq)).toEqual([2, 3, 4])
    expect(second.state.database.lastSeq()).toBe(4)
    expect(second.state.archiveCount()).toBe(beforeCount)
    expect(beforeCount).toBe(5)
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
    const { state } = await openArchiveState(options(dir, { journalFs }))
    let acknowledged = false
    const pending = state.write(documented).then(() => (acknowledged = true))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(held).toHaveLength(1)
    expect(acknowledged).toBe(false)
    expect(state.database.size()).toBe(0)
    for (const resolve of held.splice(0)) resolve()
    await pending
    expect(state.database.size()).toBe(2)
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
    const { state } = await openArchiveState(options(dir, { journalFs }))
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => state.write([input(i)])))
    expect(syncs).toBeLessThan(30)
    const rids = everything(state.database).map((s) => s.record.RID)
    expect(rids).toEqual(results.map(([output]) => output?.RID))
    await state.close()
    const { entries, journal } = await openJournal(dir)
    expect(entries.flatMap((e) => (e.t === 'write' ? e.records.map((r) => r.RID) : []))).toEqual(rids)
    await journal.close()
  })

  it('splits a large seed into several journal entries', async () => {
    const dir = tempDir()
    const { state } = await openArchiveState(options(dir))
    const count = SEED_RECORDS_PER_ENTRY * 2 + 5
    await state.loadSeed(Array.from({ length: count }, (_, i) => seedRecord(i)))
    await state.close()
    const { entries, journal } = await openJournal(dir)
    expect(entries.map((e) => (e.t === 'write' ? e.records.length : -1))).toEqual([SEED_RECORDS_PER_ENTRY, SEED_RECORDS_PER_ENTRY, 5])
    await journal.close()
    const reopened = await openArchiveState(options(dir))
    expect(reopened.state.database.size()).toBe(count)
    await reopened.state.close()
  })

  it('recovers from a torn last entry without losing an acknowledged write', async () => {
    const dir = tempDir()
    const first = await openArchiveState(options(dir))
    const acknowledged = await first.state.write(documented)
    await first.state.close()
    const torn = encodeFrame({ t: 'write', records: [seedRecord(9)] })
    appendFileSync(join(dir, 'archive.journal'), torn.subarray(0, torn.length - 3))

    const second = await openArchiveState(options(dir))
    expect(second.recovered.truncatedBytes).toBe(torn.length - 3)
    expect(everything(second.state.database).map((s) => s.record)).toEqual(acknowledged)
    await second.state.write([input(5)])
    expect(second.state.database.lastSeq()).toBe(3)
    await second.state.close()
  })
})
