/**
 * The store seam's contract (mock/state/store.ts), one suite run against every backend: the in-memory store, the
 * same with its journal, and PostgreSQL (skipped, saying why, where PostgreSQL is absent).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import type { ActivityRecordOutput, FilterList } from '../../openapi/records.ts'
import { whenToEpochMs } from '../../openapi/timestamp.ts'
import { demoDirectory } from '../../mock/directory.ts'
import type { ReadScope } from '../../mock/model.ts'
import { canonicalFilterList } from '../../mock/search/compile.ts'
import { canonicalOutputRecord } from '../../mock/state/normalize.ts'
import { openStore, type StoreSpec } from '../../mock/state/open-store.ts'
import type { RecordBatch, Store } from '../../mock/state/store.ts'
import { seedRecord, storedRecords } from '../helpers/state.ts'
import { freshDatabase, useCluster, withoutPostgres } from '../postgres/support.ts'

const contract = await loadContract()
const directory = demoDirectory()
let randomCounter = 0
const random = (n: number) => Buffer.alloc(n, ++randomCounter % 256)

interface Backend {
  name: string
  skip: boolean
  /** A fresh, empty store, and how to open another instance on the same data (none when memory only). */
  open(): Promise<{ store: Store; again?: () => Promise<Store> }>
}

const dirs: string[] = []
const opened: Store[] = []
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const openOn = async (spec: StoreSpec, dataDir?: string): Promise<Store> => {
  const { store } = await openStore({ spec, ...(dataDir !== undefined && { dataDir }), random, contract, directory })
  opened.push(store)
  return store
}

const cluster = useCluster()
const backends: Backend[] = [
  { name: 'memory', skip: false, open: async () => ({ store: await openOn({ kind: 'memory' }) }) },
  {
    name: 'memory with a journal',
    skip: false,
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nwa-store-'))
      dirs.push(dir)
      const store = await openOn({ kind: 'memory' }, dir)
      // The journal has one writer: the first store is closed before the data is opened again.
      const again = async () => {
        await store.close()
        return openOn({ kind: 'memory' }, dir)
      }
      return { store, again }
    },
  },
  {
    name: 'postgres',
    skip: withoutPostgres,
    open: async () => {
      const url = await freshDatabase(cluster())
      return { store: await openOn({ kind: 'postgres', url }), again: () => openOn({ kind: 'postgres', url }) }
    },
  },
]

let counter = 0
/** A seed record of its own number, so RIDs never repeat within a store. */
const record = (fields: Partial<ActivityRecordOutput> = {}): ActivityRecordOutput => seedRecord(++counter, { What: `object ${counter}`, ...fields })
const batch = (records: ActivityRecordOutput[]): RecordBatch => ({ records, whenMs: records.map((r) => whenToEpochMs(r.When)) })
const all: ReadScope = { kind: 'all' }
const page = async (store: Store, options: { afterSeq?: number; count?: number; scope?: ReadScope; filters?: FilterList; now?: number } = {}) =>
  store.page({
    afterSeq: options.afterSeq ?? 0,
    count: options.count ?? 100,
    scope: options.scope ?? all,
    filters: options.filters === undefined ? undefined : canonicalFilterList(options.filters, contract),
    now: options.now ?? Date.UTC(2017, 1, 14, 18),
  })
const whats = async (store: Store, options: Parameters<typeof page>[1] = {}) => (await page(store, options)).records.map((s) => s.record.What)

for (const backend of backends) {
  describe.skipIf(backend.skip)(`the store contract: ${backend.name}`, () => {
    it('[WRITE-AVAILABLE-TO-READ] reads back what a write stored, once it resolves, in order and in the output key order', async () => {
      const { store } = await backend.open()
      const written = [
        record({ MonitoringPlan: { ID: '{42F64379-163E-4A43-A9C5-4514C5A23798}', Name: 'AD Monitoring' }, Item: { Name: 'dc (Domain)' } }),
        record({ When: '2017-02-14T15:42:34.1234567Z', Workstation: 'ws1', DetailList: [{ Before: 'a', After: 'b', PropertyName: 'p', Message: 'm' }] }),
        record({ When: '2017-02-14T15:42:34.500Z', DataSource: undefined }),
      ]
      await store.write(batch(written))
      const read = await page(store)
      expect(read.records.map((s) => s.seq)).toEqual([1, 2, 3])
      expect(JSON.stringify(read.records.map((s) => s.record))).toBe(JSON.stringify(written.map(canonicalOutputRecord)))
      expect(read.records.map((s) => s.whenMs)).toEqual(written.map((r) => whenToEpochMs(r.When)))
      expect(await store.counts()).toEqual({ records: 3, archive: 3 })
    })

    it('[WRITE-ARCHIVE-ONLY] keeps archive-only records in the archive only', async () => {
      const { store } = await backend.open()
      await store.write(batch([record({ What: 'kept' }), record({ What: 'archived', IsArchiveOnly: true })]))
      expect(await whats(store)).toEqual(['kept'])
      expect(await store.counts()).toEqual({ records: 1, archive: 2 })
    })

    it('[ENUM-COMPLETE-TRAVERSAL] pages by keyset: pages join into the whole, and the end keeps the last seq', async () => {
      const { store } = await backend.open()
      await store.write(batch(Array.from({ length: 5 }, (_, i) => record({ What: `r${i}` }))))
      const first = await page(store, { count: 2 })
      expect(first.records.map((s) => s.record.What)).toEqual(['r0', 'r1'])
      expect(first.nextAfterSeq).toBe(2)
      const second = await page(store, { afterSeq: first.nextAfterSeq, count: 2 })
      const third = await page(store, { afterSeq: second.nextAfterSeq, count: 2 })
      expect(third.records.map((s) => s.record.What)).toEqual(['r4'])
      expect(third.nextAfterSeq).toBe(5)
      expect(await page(store, { afterSeq: 5, count: 2 })).toEqual({ records: [], nextAfterSeq: 5 })
      expect(await page(store, { afterSeq: 1, count: 0 })).toEqual({ records: [], nextAfterSeq: 1 })
      // A search that matches nothing still moves the position to the end, so the next page starts after it.
      expect(await page(store, { filters: { What: 'nothing like it' } })).toEqual({ records: [], nextAfterSeq: 5 })
    })

    it('[ROLE-REVIEWER-SCOPE] reads a plans scope by lower-cased name, without the records that have no plan', async () => {
      const { store } = await backend.open()
      await store.write(
        batch([
          record({ What: 'ad', MonitoringPlan: { Name: 'AD Monitoring' } }),
          record({ What: 'none' }),
          record({ What: 'sp', MonitoringPlan: { Name: 'SharePoint' } }),
        ]),
      )
      expect(await whats(store, { scope: { kind: 'plans', plans: new Set(['ad monitoring']) } })).toEqual(['ad'])
      expect(await whats(store, { scope: { kind: 'plans', plans: new Set() } })).toEqual([])
    })

    it('[OP-CONTAINS] [OP-NOTEQUALTO] [OP-INGROUP] [FILTER-WHEN-RANGE] searches with the query as data, as the search semantics say', async () => {
      const { store } = await backend.open()
      await store.write(
        batch([
          record({ What: 'Payroll 100%', Who: 'ENTERPRISE\\Jason.Smith', Workstation: 'WS1' }),
          record({ What: 'payroll_x', Who: 'jason.smith@enterprise.local', When: '2017-02-13T10:00:00Z' }),
          record({ What: 'other', Who: 'Administrator', DetailList: [{ PropertyName: 'Title', Before: 'Old', After: 'New' }] }),
        ]),
      )
      expect(await whats(store, { filters: { What: 'PAYROLL' } })).toEqual(['Payroll 100%', 'payroll_x'])
      expect(await whats(store, { filters: { What: { Contains: '0%' } } })).toEqual(['Payroll 100%'])
      expect(await whats(store, { filters: { What: { Contains: 'l_' } } })).toEqual(['payroll_x'])
      expect(await whats(store, { filters: { Workstation: { NotEqualTo: 'ws1' } } })).toEqual(['payroll_x', 'other'])
      expect(await whats(store, { filters: { Who: { InGroup: 'ENTERPRISE\\Domain Admins' } } })).toEqual(['Payroll 100%', 'payroll_x', 'other'])
      expect(await whats(store, { filters: { Who: { NotInGroup: 'ENTERPRISE\\Tier0 Admins' } } })).toEqual(['other'])
      expect(await whats(store, { filters: { Before: { Equals: 'old' } } })).toEqual(['other'])
      expect(await whats(store, { filters: { Detail: { DoesNotContain: 'new' } } })).toEqual(['Payroll 100%', 'payroll_x'])
      expect(await whats(store, { filters: { When: { From: '2017-02-14T00:00:00+01:00' } } })).toEqual(['Payroll 100%', 'other'])
      expect(await whats(store, { filters: { When: { Yesterday: '' } } })).toEqual(['payroll_x'])
      expect(await whats(store, { filters: { WorkingHours: { From: '15:00', To: '16:00' } } })).toEqual(['Payroll 100%', 'other'])
    })

    it('takes any operand as data, quotes and wildcards included', async () => {
      const { store } = await backend.open()
      await store.write(batch([record({ What: `O'Brien"; DROP TABLE nwa_records; --` }), record({ What: 'OBrien' })]))
      expect(await whats(store, { filters: { What: { Contains: `'brien"; drop table` } } })).toEqual([`O'Brien"; DROP TABLE nwa_records; --`])
      expect(await whats(store, { filters: { What: { Contains: '%' } } })).toEqual([])
      expect(await store.counts()).toEqual({ records: 2, archive: 2 })
    })

    it('empties on reset and goes on numbering after it', async () => {
      const { store } = await backend.open()
      await store.write(batch([record(), record()]))
      await store.reset()
      expect(await store.counts()).toEqual({ records: 0, archive: 0 })
      expect(await page(store)).toEqual({ records: [], nextAfterSeq: 2 })
      await store.write(batch([record({ What: 'after' })]))
      expect((await page(store)).records.map((s) => [s.seq, s.record.What])).toEqual([[3, 'after']])
    })

    it('seeds only an empty store when asked to', async () => {
      const { store } = await backend.open()
      expect(await store.seed(batch([record({ What: 'seed' })]), { ifEmpty: true })).toBe(true)
      expect(await store.seed(batch([record({ What: 'again' })]), { ifEmpty: true })).toBe(false)
      expect(await store.seed(batch([record({ What: 'more' })]))).toBe(true)
      expect(await whats(store)).toEqual(['seed', 'more'])
    })

    it('[ENUM-COMPLETE-TRAVERSAL] numbers concurrent writes without gaps, each batch in one run of seqs', async () => {
      const { store } = await backend.open()
      await Promise.all(Array.from({ length: 12 }, (_, i) => store.write(batch([record({ What: `${i}-a` }), record({ What: `${i}-b` })]))))
      const read = (await page(store)).records
      expect(read.map((s) => s.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1))
      for (let i = 0; i < read.length; i += 2) expect(read[i + 1]?.record.What).toBe(read[i]?.record.What.replace('-a', '-b'))
    })

    it('keeps a mark key of at least 32 bytes, the same for every instance on the same data', async () => {
      const { store, again } = await backend.open()
      const key = Buffer.from(await store.markKey())
      expect(key.length).toBeGreaterThanOrEqual(32)
      if (again) expect(Buffer.from(await (await again()).markKey()).equals(key)).toBe(true)
    })

    it('[WRITE-AVAILABLE-TO-READ] keeps the records for another instance (a restart, or a second process)', async (context) => {
      const { store, again } = await backend.open()
      if (!again) return context.skip('the in-memory store without a journal keeps nothing for another instance, by design')
      await store.write(batch([record({ What: 'kept' }), record({ What: 'archive', IsArchiveOnly: true })]))
      const other = await again()
      expect((await storedRecords(other)).map((s) => s.record.What)).toEqual(['kept'])
      expect(await other.counts()).toEqual({ records: 1, archive: 2 })
      await other.write(batch([record({ What: 'next' })]))
      expect((await storedRecords(other)).map((s) => s.seq)).toEqual([1, 2])
    })
  })
}
