import { loadContract } from '../../openapi/contract.ts'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import type { StoredRecord } from '../../mock/model.ts'
import { createArchiveState, type ArchiveState } from '../../mock/state/archive.ts'
import type { JournalFs } from '../../mock/state/journal.ts'
import { openMemoryStore } from '../../mock/state/memory-store.ts'
import type { Store } from '../../mock/state/store.ts'

const contract = await loadContract()

export interface MemoryStateOptions {
  dataDir?: string
  journalFs?: JournalFs
  now: () => number
  random: (n: number) => Buffer
  resolvePlan: (name: string) => { name: string; id: string } | undefined
  isMember?: (account: string, group: string) => boolean
}

/** The state over the embedded in-memory store, as the mock opens it without --store. */
export async function openMemoryState(options: MemoryStateOptions): Promise<{ state: ArchiveState; recovered: { truncatedBytes: number } }> {
  const { store, recovered } = await openMemoryStore({
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
    ...(options.journalFs !== undefined && { journalFs: options.journalFs }),
    random: options.random,
    now: options.now,
    search: { contract, isMember: options.isMember ?? ((account, group) => account.toLowerCase() === group.toLowerCase()) },
  })
  return { state: createArchiveState({ store, now: options.now, random: options.random, resolvePlan: options.resolvePlan }), recovered }
}

/** Every record a store's Audit Database holds, in seq order, read through its pages as a global reader reads them. */
export async function storedRecords(store: Pick<Store, 'page'>): Promise<StoredRecord[]> {
  const found: StoredRecord[] = []
  let afterSeq = 0
  for (;;) {
    const page = await store.page({ filters: undefined, scope: { kind: 'all' }, afterSeq, count: 10_000, now: 0 })
    found.push(...page.records)
    if (page.records.length < 10_000) return found
    afterSeq = page.nextAfterSeq
  }
}

/** A collected record, as a seed holds it: record `n`, its RID made from `n`, any field replaced. */
export function seedRecord(n: number, extra: Partial<ActivityRecordOutput> = {}): ActivityRecordOutput {
  return {
    DataSource: 'Active Directory',
    ObjectType: 'user',
    RID: `20160215110503420${n.toString(16).toUpperCase().padStart(32, '0')}`,
    What: `seed ${n}`,
    Action: 'Added',
    When: '2017-02-14T15:42:34Z',
    Where: 'EnterpriseDC1.enterprise.local',
    Who: 'ENTERPRISE\\Administrator',
    ...extra,
  }
}
