import type { ActivityRecordOutput, DetailOutput } from '../openapi/records.ts'

/**
 * A record as a page hands it out: the output form it is returned in, rebuilt from the Audit Database's
 * columns, with the insertion sequence that gives enumeration its stable order.
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

/** The single-valued text fields of a record, as the search filters read them (MonitoringPlan and Item by their Name). */
export type TextField = 'RID' | 'Who' | 'Where' | 'ObjectType' | 'What' | 'DataSource' | 'MonitoringPlan' | 'Item' | 'Workstation' | 'Action'

/**
 * One text field's column, lower-cased, as a search reads it. A field kept as a dictionary gives each row's
 * number among its distinct values (-1: the record has none), so a test can run once per distinct value
 * instead of once per record; a plain field gives each row's value (undefined: none).
 */
export type TextColumn =
  | { kind: 'dictionary'; ids: Int32Array; lower: readonly string[] }
  | {
      kind: 'plain'
      lower: (row: number) => string | undefined
      /** Two words per row, the trigram signature of the lower-cased value (mock/state/signature.ts), when kept. */
      signatures?: Int32Array
    }

/** Reads the stored columns of one Audit Database by row (0-based position), for a compiled search. */
export interface RowReader {
  column(field: TextField): TextColumn
  /** When as epoch milliseconds, by row. */
  whenMs: Float64Array
  details(row: number): readonly DetailOutput[] | undefined
}

/** A compiled search: a predicate over rows, and equality hints the store may use to avoid a full scan. */
export interface CompiledQuery {
  /** The predicate for one read of one database; memos that belong to the read live in it. */
  bind(rows: RowReader): (row: number) => boolean
  /**
   * Each hint says: every matching record has `field` equal (case-insensitively) to one of `values`.
   * Hints are optional; a store that ignores them still returns the right records, only slower.
   */
  equalityHints: { field: IndexedField; values: string[] }[]
  /**
   * Each hint says: every matching record's `field`, lower-cased, is a value `accepts` takes. A store that keeps
   * the field as a dictionary can test its distinct values and walk only the records holding the ones taken, so a
   * Contains costs what it finds rather than what is stored. Optional like the equality hints.
   */
  valueHints: { field: TextField; accepts: (lower: string) => boolean }[]
}

/** What a caller may read: everything, or only the records of some monitoring plans (names, lower-cased). */
export type ReadScope = { kind: 'all' } | { kind: 'plans'; plans: ReadonlySet<string> }

export interface PageRequest {
  /** Return records with seq greater than this (0 = from the start). */
  afterSeq: number
  /** At most this many records. */
  count: number
  scope: ReadScope
  query?: CompiledQuery
}

export interface Page {
  records: StoredRecord[]
  /** The position to continue from: the last returned seq, or the last seq examined when the scan reached the end. */
  nextAfterSeq: number
}
