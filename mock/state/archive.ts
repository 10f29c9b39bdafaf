/**
 * The state the mock server talks to: the Long-Term Archive (the journal, when there is a data dir)
 * and the Audit Database (memory), kept in step.
 *
 * A write is durable before it is visible: it is journalled and fsync'ed first, then added to the
 * Audit Database, and only then acknowledged, matching "200 OK once the records are in the Audit
 * Database and the Long-Term Archive" (api/responsestatuscodes.md). Archive-only records go to the
 * journal and the archive count, never to the Audit Database (api/activityrecordreference.md).
 *
 * Ordering: each call queues its journal entries synchronously and applies them to the database
 * through one promise chain, so seq order is journal order, while concurrent writes still share
 * fsyncs through the journal's group commit. Reopening replays the journal to the same seqs.
 */
import type { ActivityRecordInput, ActivityRecordOutput } from '../../openapi/records.ts'
import { createAuditDatabase, type AuditDatabase } from './audit-database.ts'
import { openJournal, type Journal, type JournalEntry, type JournalFs, type JournalHealth } from './journal.ts'
import { whenToEpochMs } from '../../openapi/timestamp.ts'
import { canonicalOutputRecord, normalizeInputRecord } from './normalize.ts'
import { createRidGenerator } from './rid.ts'

export interface ArchiveStateOptions {
  dataDir?: string
  now: () => number
  random: (n: number) => Buffer
  resolvePlan: (name: string) => { name: string; id: string } | undefined
  /** File operations for the journal; tests use this to count or fail fsyncs. */
  journalFs?: JournalFs
}

export interface ArchiveState {
  /**
   * Normalises all, journals and fsyncs, then adds the non-archive-only ones to the Audit Database; all or nothing.
   * `copyText`: the inputs' strings may be views into a request body (NormalizeDeps).
   */
  write(inputs: ActivityRecordInput[], options?: { copyText?: boolean }): Promise<ActivityRecordOutput[]>
  /** Already-normalised records, kept as given (their own RID and DataSource); journalled like writes. */
  loadSeed(records: ActivityRecordOutput[]): Promise<void>
  /** Empties both stores; journalled, so a restart replays it. */
  reset(): Promise<void>
  readonly database: AuditDatabase
  /** Records in the Long-Term Archive, archive-only ones included. */
  archiveCount(): number
  /** Whether the Long-Term Archive takes writes (always, in memory), and if not why: a full disk, say. */
  archiveHealth(): JournalHealth
  /** The clock RIDs are stamped with; seeds whose dates are relative to it are moved against it. */
  now(): number
  close(): Promise<void>
}

/** Seed records per journal frame, keeping each frame's JSON well below V8's string size limit. */
export const SEED_RECORDS_PER_ENTRY = 10_000

export async function openArchiveState(options: ArchiveStateOptions): Promise<{ state: ArchiveState; recovered: { truncatedBytes: number } }> {
  const database = createAuditDatabase()
  let archived = 0
  const apply = (entry: JournalEntry): void => {
    if (entry.t === 'reset') {
      database.clear()
      archived = 0
      return
    }
    database.append(entry.records.filter((record) => record.IsArchiveOnly !== true))
    archived += entry.records.length
  }

  let journal: Journal | undefined
  let recovered = { truncatedBytes: 0 }
  if (options.dataDir !== undefined) {
    const opened = await openJournal(options.dataDir, options.journalFs ? { fs: options.journalFs, now: options.now } : { now: options.now })
    try {
      for (const entry of opened.entries) apply(entry)
    } catch (error) {
      await opened.journal.close()
      throw error
    }
    journal = opened.journal
    recovered = opened.recovered
  }

  const nextRid = createRidGenerator({ now: options.now, random: options.random })
  let tail: Promise<void> = Promise.resolve()
  let closed = false

  /** Must be called synchronously from the public method, so that call order is journal order. */
  const commit = (entries: JournalEntry[]): Promise<void> => {
    if (closed) return Promise.reject(new Error('the archive state is closed'))
    const active = journal
    const durable = active ? Promise.all(entries.map((entry) => active.append(entry))).then(() => undefined) : Promise.resolve()
    // Marked handled now: it is awaited only once the earlier commits are applied, possibly after it has failed.
    durable.catch(() => undefined)
    const applied = tail.then(() => durable).then(() => entries.forEach(apply))
    tail = applied.catch(() => undefined)
    return applied
  }

  const state: ArchiveState = {
    database,

    write(inputs, { copyText = false } = {}) {
      if (inputs.length === 0) return Promise.resolve([])
      let outputs: ActivityRecordOutput[]
      try {
        const rids = nextRid.many(inputs.length)
        outputs = inputs.map((input, i) => normalizeInputRecord(input, { rid: rids[i] as string, resolvePlan: options.resolvePlan, copyText }))
      } catch (error) {
        return Promise.reject(error)
      }
      return commit([{ t: 'write', records: outputs }]).then(() => outputs)
    },

    loadSeed(given) {
      let records: ActivityRecordOutput[]
      try {
        records = given.map(canonicalOutputRecord)
        // Checked before journalling: an entry the database cannot take would also fail every replay.
        for (const record of records) whenToEpochMs(record.When)
      } catch (error) {
        return Promise.reject(error)
      }
      const entries: JournalEntry[] = []
      for (let i = 0; i < records.length; i += SEED_RECORDS_PER_ENTRY) {
        entries.push({ t: 'write', records: records.slice(i, i + SEED_RECORDS_PER_ENTRY) })
      }
      return commit(entries)
    },

    reset: () => commit([{ t: 'reset' }]),

    archiveCount: () => archived,

    archiveHealth: () => journal?.health() ?? { writable: true },

    now: () => options.now(),

    async close() {
      if (closed) return
      closed = true
      await tail
      await journal?.close()
    },
  }
  return { state, recovered }
}
