/**
 * The embedded store: the Audit Database in memory (audit-database.ts) and the Long-Term Archive as the journal
 * (journal.ts, when there is a data dir), kept in step behind the store seam (store.ts).
 *
 * A write is durable before it is visible: it is journalled and fsync'ed first, then added to the Audit Database,
 * and only then acknowledged, matching "200 OK once the records are in the Audit Database and the Long-Term
 * Archive" (api/responsestatuscodes.md). Archive-only records go to the journal and the archive count, never to the
 * Audit Database (api/activityrecordreference.md).
 *
 * Ordering: each call queues its journal entries synchronously and applies them to the database through one
 * promise chain, so seq order is journal order, while concurrent writes still share fsyncs through the journal's
 * group commit. Reopening replays the journal to the same seqs.
 *
 * A read is answered at once: the query's FilterList is compiled to a predicate over the columns
 * (mock/search/compile.ts) and the page returned as a plain value, never a promise.
 */
import type { Contract } from '../../openapi/contract.ts'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import { whenToEpochMs } from '../../openapi/timestamp.ts'
import { compileSearch } from '../search/compile.ts'
import { createAuditDatabase } from './audit-database.ts'
import { openJournal, type Journal, type JournalEntry, type JournalFs } from './journal.ts'
import { loadOrCreateMarkSecret } from './marks.ts'
import type { RecordBatch, Store } from './store.ts'

export interface MemoryStoreOptions {
  /** Keeps the journal and the mark key here; memory only when absent. */
  dataDir?: string
  /** File operations for the journal; tests use this to count or fail fsyncs. */
  journalFs?: JournalFs
  random: (n: number) => Buffer
  /** The clock a journal failure is dated by (health().since); the system's when absent. */
  now?: () => number
  /** What a search's FilterList is compiled against. */
  search: { contract: Contract; isMember: (account: string, group: string) => boolean }
}

/** Seed records per journal frame, keeping each frame's JSON well below V8's string size limit. */
export const SEED_RECORDS_PER_ENTRY = 10_000

export async function openMemoryStore(options: MemoryStoreOptions): Promise<{ store: Store; recovered: { truncatedBytes: number } }> {
  const database = createAuditDatabase()
  let archived = 0
  /** Records accepted into the archive, counted when a call queues them: what a seed `ifEmpty` decides on. */
  let accepted = 0
  const apply = (entry: JournalEntry, whenMs?: readonly number[]): void => {
    if (entry.t === 'reset') {
      database.clear()
      archived = 0
      return
    }
    // A live write hands its instants on; a replayed entry has only its text, read here once.
    const instants = whenMs ?? entry.records.map((record) => whenToEpochMs(record.When))
    if (entry.records.some((record) => record.IsArchiveOnly === true)) {
      const kept = entry.records.flatMap((record, i) => (record.IsArchiveOnly === true ? [] : [i]))
      database.append(
        kept.map((i) => entry.records[i] as ActivityRecordOutput),
        kept.map((i) => instants[i] as number),
      )
    } else {
      database.append(entry.records, instants)
    }
    archived += entry.records.length
  }

  let journal: Journal | undefined
  let recovered = { truncatedBytes: 0 }
  if (options.dataDir !== undefined) {
    const opened = await openJournal(options.dataDir, {
      ...(options.journalFs !== undefined && { fs: options.journalFs }),
      ...(options.now !== undefined && { now: options.now }),
    })
    try {
      for (const entry of opened.entries) apply(entry)
    } catch (error) {
      await opened.journal.close()
      throw error
    }
    journal = opened.journal
    recovered = opened.recovered
  }
  accepted = archived
  const markKey = loadOrCreateMarkSecret(options.dataDir, options.random)

  let tail: Promise<void> = Promise.resolve()
  let closed = false

  /** Must be called synchronously from the public method, so that call order is journal order. */
  const commit = (entries: { entry: JournalEntry; whenMs?: readonly number[] }[]): Promise<void> => {
    if (closed) return Promise.reject(new Error('the store is closed'))
    const active = journal
    const durable = active ? Promise.all(entries.map(({ entry }) => active.append(entry))).then(() => undefined) : Promise.resolve()
    // Marked handled now: it is awaited only once the earlier commits are applied, possibly after it has failed.
    durable.catch(() => undefined)
    const applied = tail
      .then(() => durable)
      .then(() => {
        for (const { entry, whenMs } of entries) apply(entry, whenMs)
      })
    tail = applied.catch(() => undefined)
    return applied
  }

  const store: Store = {
    kind: 'memory',

    write(batch) {
      if (batch.records.length === 0) return Promise.resolve()
      accepted += batch.records.length
      const committed = commit([{ entry: { t: 'write', records: batch.records as ActivityRecordOutput[] }, whenMs: batch.whenMs }])
      // A write the journal refused (a full disk) was never accepted.
      committed.catch(() => {
        accepted -= batch.records.length
      })
      return committed
    },

    seed(batch, { ifEmpty = false } = {}) {
      if (ifEmpty && accepted > 0) return Promise.resolve(false)
      accepted += batch.records.length
      return commit(seedEntries(batch)).then(() => true)
    },

    reset() {
      accepted = 0
      return commit([{ entry: { t: 'reset' } }])
    },

    page(query) {
      // Enumeration hands the query itself on: the small request's path allocates nothing here.
      if (query.filters === undefined) return database.page(query)
      const compiled = compileSearch(query.filters, options.search.contract, { now: query.now, isMember: options.search.isMember })
      return database.page({ afterSeq: query.afterSeq, count: query.count, scope: query.scope, query: compiled })
    },

    counts: () => ({ records: database.size(), archive: archived }),

    markKey: () => markKey,

    health: () => journal?.health() ?? { writable: true },

    async close() {
      if (closed) return
      closed = true
      await tail
      await journal?.close()
    },
  }
  return { store, recovered }
}

/** A seed as journal entries of at most SEED_RECORDS_PER_ENTRY records, each with its instants. */
function seedEntries(batch: RecordBatch): { entry: JournalEntry; whenMs: readonly number[] }[] {
  const entries: { entry: JournalEntry; whenMs: readonly number[] }[] = []
  for (let i = 0; i < batch.records.length; i += SEED_RECORDS_PER_ENTRY) {
    entries.push({
      entry: { t: 'write', records: batch.records.slice(i, i + SEED_RECORDS_PER_ENTRY) as ActivityRecordOutput[] },
      whenMs: batch.whenMs.slice(i, i + SEED_RECORDS_PER_ENTRY),
    })
  }
  return entries
}
