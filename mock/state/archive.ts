/**
 * The state the mock server talks to: written records normalised and given RIDs, then handed to the store
 * (store.ts), which holds the Audit Database and the Long-Term Archive: in memory with its journal, or in
 * PostgreSQL. What this layer does is the same whatever the backend: normalising (normalize.ts), minting RIDs
 * (rid.ts), reading each When once and handing it on as a value, and rebuilding seeds in the output order.
 */
import type { ActivityRecordInput, ActivityRecordOutput } from '../../openapi/records.ts'
import { readWhenValue, type TimestampReads, whenToEpochMs } from '../../openapi/timestamp.ts'
import type { Page } from '../model.ts'
import { canonicalOutputRecord, normalizeInputRecord } from './normalize.ts'
import { createRidGenerator } from './rid.ts'
import type { Awaitable, RecordBatch, Store, StoreCounts, StoreQuery } from './store.ts'

export interface ArchiveStateOptions {
  store: Store
  now: () => number
  random: (n: number) => Buffer
  resolvePlan: (name: string) => { name: string; id: string } | undefined
}

export interface WriteOptions {
  /** The inputs' strings may be views into a request body (NormalizeDeps). */
  copyText?: boolean
  /** The Whens validation already read (openapi/timestamp.ts readingTimestamps), so none is read twice. */
  whens?: TimestampReads
}

export interface ArchiveState {
  /** Normalises all, then stores them in one write of the store (all or nothing, acknowledged once durable). */
  write(inputs: readonly ActivityRecordInput[], options?: WriteOptions): Promise<ActivityRecordOutput[]>
  /** The output records a write of these inputs would store, with fresh RIDs; a RangeError for a When that is not one. */
  normalize(inputs: readonly ActivityRecordInput[], options?: WriteOptions): RecordBatch
  /**
   * Already-normalised records, kept as given (their own RID and DataSource). With `ifEmpty`, only when the
   * Long-Term Archive holds nothing yet; answers whether they were stored.
   */
  loadSeed(records: readonly ActivityRecordOutput[], options?: { ifEmpty?: boolean }): Promise<boolean>
  /** Empties both stores; journalled or committed, so a restart (or another instance) sees it. */
  reset(): Promise<void>
  page(query: StoreQuery): Awaitable<Page>
  counts(): Awaitable<StoreCounts>
  readonly store: Store
  /** The clock RIDs are stamped with; seeds whose dates are relative to it are moved against it. */
  now(): number
  close(): Promise<void>
}

export function createArchiveState(options: ArchiveStateOptions): ArchiveState {
  const { store } = options
  const nextRid = createRidGenerator({ now: options.now, random: options.random })

  const state: ArchiveState = {
    store,

    write(inputs, options) {
      if (inputs.length === 0) return Promise.resolve([])
      let batch: RecordBatch
      try {
        batch = state.normalize(inputs, options)
      } catch (error) {
        return Promise.reject(error)
      }
      return store.write(batch).then(() => batch.records as ActivityRecordOutput[])
    },

    normalize(inputs, { copyText = false, whens } = {}) {
      const whenMs: number[] = new Array(inputs.length)
      const rids = nextRid.many(inputs.length)
      const records = inputs.map((input, i) => {
        const when = whens?.get(input.When) ?? readWhenValue(input.When)
        whenMs[i] = when.ms
        return normalizeInputRecord(input, { rid: rids[i] as string, when, resolvePlan: options.resolvePlan, copyText })
      })
      return { records, whenMs }
    },

    loadSeed(given, { ifEmpty = false } = {}) {
      let records: ActivityRecordOutput[]
      let whenMs: number[]
      try {
        records = given.map(canonicalOutputRecord)
        // Read before storing: a record the store cannot take would also fail every replay.
        whenMs = records.map((record) => whenToEpochMs(record.When))
      } catch (error) {
        return Promise.reject(error)
      }
      return store.seed({ records, whenMs }, { ifEmpty })
    },

    reset: () => store.reset(),
    page: (query) => store.page(query),
    counts: () => store.counts(),
    now: () => options.now(),
    close: () => store.close(),
  }
  return state
}
