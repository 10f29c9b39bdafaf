/**
 * The store seam: the Audit Database and the Long-Term Archive behind one interface that any backend implements
 * (ARCHITECTURE.md, "The state layer"). Two do: the embedded in-memory columnar store with its journal
 * (memory-store.ts) and PostgreSQL (postgres/store.ts), which several mock instances can share.
 *
 * A read hands the store its query as data, the canonical FilterList the search already builds with the scope,
 * the position and the count, so a backend can translate it (the in-memory store compiles it to a predicate over
 * its columns, PostgreSQL to one parameterised statement). The position is a keyset: the seq of the last record
 * returned, so a Continuation mark means the same to every backend and every instance (D55).
 *
 * Every method may answer a promise; a store that has the answer at once returns it as a plain value, and callers
 * wait only on a promise, so the in-memory store's reads cost no turn of the microtask queue (docs/bench.md, "Small
 * requests").
 */
import type { ActivityRecordOutput, FilterList } from '../../openapi/records.ts'
import type { Page, ReadScope } from '../model.ts'

/** A value answered at once or later. */
export type Awaitable<T> = T | Promise<T>

export interface StoreQuery {
  /** The canonical FilterList of a search (canonicalFilterList with the contract); undefined for enumeration. */
  filters: FilterList | undefined
  scope: ReadScope
  /** Records with a seq greater than this (0: from the start). */
  afterSeq: number
  /** At most this many records. */
  count: number
  /** The moment (epoch ms) the timeframes of a search are measured from: the instance's clock when the request came. */
  now: number
}

/** Records in the output form the store keeps, each When read once on the way in and handed on as epoch ms. */
export interface RecordBatch {
  records: readonly ActivityRecordOutput[]
  /** The instant of each record's When, in the records' order. */
  whenMs: readonly number[]
}

export interface StoreCounts {
  /** Records in the Audit Database, which reads see. */
  records: number
  /** Records in the Long-Term Archive, archive-only ones included. */
  archive: number
}

/** Whether the store takes writes, and if not, why and since when (ms since the epoch): a full disk, say (D44). */
export type StoreHealth = { writable: true } | { writable: false; reason: string; since: number }

export interface Store {
  /** 'memory' or 'postgres', for the start banner and /nwa/health. */
  readonly kind: string
  /**
   * One write request: every record or none, acknowledged only once durable (journalled and fsync'ed, or committed).
   * Records with IsArchiveOnly go to the Long-Term Archive only. Seqs follow call order.
   */
  write(batch: RecordBatch): Promise<void>
  /**
   * Collected records kept as given. With `ifEmpty`, only when the Long-Term Archive holds nothing yet, decided
   * atomically, so instances starting together on one database seed it once. Answers whether it stored them.
   */
  seed(batch: RecordBatch, options?: { ifEmpty?: boolean }): Promise<boolean>
  /** Empties both; seqs are never reused, so a mark issued before cannot skip records written after. */
  reset(): Promise<void>
  page(query: StoreQuery): Awaitable<Page>
  counts(): Awaitable<StoreCounts>
  /** The HMAC key of the Continuation marks: kept where the records are, so every instance on them accepts the others' marks. */
  markKey(): Awaitable<Buffer>
  /** Whether writes can be stored now; a store that cannot says why, and writes get its documented answer (store-errors.ts). */
  health(): StoreHealth
  close(): Promise<void>
}
