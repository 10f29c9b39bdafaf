import type { ActivityRecordOutput } from '../openapi/records.ts'

/**
 * A record as the mock keeps it: the output form it is returned in (so pages need no conversion), plus
 * the insertion sequence that gives enumeration its stable order, and pre-computed values for filters.
 */
export interface StoredRecord {
  /** 1-based, dense, never reused: the enumeration order and the position a Continuation mark points at. */
  seq: number
  /** When as epoch milliseconds, for range filters. */
  whenMs: number
  record: ActivityRecordOutput
}

/** Fields the Audit Database keeps an equality index on (values compared lower-cased, as SQL Server's default collation does). */
export type IndexedField = 'Who' | 'Action' | 'DataSource' | 'ObjectType' | 'MonitoringPlan' | 'Where' | 'RID'

/** A compiled search: a predicate, and equality hints the store may use to avoid a full scan. */
export interface CompiledQuery {
  matches(record: StoredRecord): boolean
  /**
   * Each hint says: every matching record has `field` equal (case-insensitively) to one of `values`.
   * Hints are optional; a store that ignores them still returns the right records, only slower.
   */
  equalityHints: { field: IndexedField; values: string[] }[]
}

/** What a caller may read: everything, or only the records of some monitoring plans (names, lower-cased). */
export type ReadScope = { kind: 'all' } | { kind: 'plans'; plans: ReadonlySet<string> }

export interface PageRequest {
  /** Return records with seq greater than this (0 = from the start). */
  afterSeq: number
  limit: number
  scope: ReadScope
  query?: CompiledQuery
}

export interface Page {
  records: StoredRecord[]
  /** The position to continue from: the last returned seq, or the last seq examined when the scan reached the end. */
  nextAfterSeq: number
}
