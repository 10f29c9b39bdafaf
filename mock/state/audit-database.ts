/**
 * The in-memory Audit Database: records in insertion order, addressed by seq, with equality indexes
 * so that a page starts where the previous one stopped instead of scanning from the beginning.
 *
 * Memory: a million records must fit in 1.5 GB with their indexes, so an index maps a lower-cased
 * value to a single seq (a plain number) while the value is unique, and to a growable Int32Array
 * once it repeats; the RID index, unique per record, thus costs one Map entry each.
 *
 * Seqs are never reused: after clear() numbering continues, so a Continuation mark issued before a
 * reset cannot skip records written after it.
 */
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import type { IndexedField, Page, PageRequest, StoredRecord } from '../model.ts'
import { whenToEpochMs } from './normalize.ts'

export interface AuditDatabase {
  /** Assigns dense seqs and indexes the records; all or nothing. Archive-only records are refused. */
  append(records: ActivityRecordOutput[]): StoredRecord[]
  page(request: PageRequest): Page
  size(): number
  lastSeq(): number
  clear(): void
  all(): Iterable<StoredRecord>
}

export const INDEXED_FIELDS: readonly IndexedField[] = ['Who', 'Action', 'DataSource', 'ObjectType', 'MonitoringPlan', 'Where', 'RID']

/** An ascending list of seqs in a growable Int32Array. */
class SeqList {
  private data = new Int32Array(4)
  length = 0

  constructor(first: number, second: number) {
    this.data[0] = first
    this.data[1] = second
    this.length = 2
  }

  push(seq: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    this.data[this.length++] = seq
  }

  at(i: number): number {
    return this.data[i] as number
  }
}

/** One seq while the value is unique, a list once it repeats. */
type Posting = number | SeqList

function postingLength(p: Posting): number {
  return typeof p === 'number' ? 1 : p.length
}

function postingAt(p: Posting, i: number): number {
  return typeof p === 'number' ? p : p.at(i)
}

/** The first position in the posting whose seq is greater than `after`. */
function firstAfter(p: Posting, after: number): number {
  let lo = 0
  let hi = postingLength(p)
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (postingAt(p, mid) > after) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** Walks the union of disjoint ascending postings in seq order, from the first seq after `after`, until `visit` says stop. */
function walkMerged(postings: Posting[], after: number, visit: (seq: number) => boolean): void {
  const cursors = postings.map((p) => firstAfter(p, after))
  for (;;) {
    let best = -1
    let bestSeq = Number.POSITIVE_INFINITY
    for (let k = 0; k < postings.length; k++) {
      const p = postings[k] as Posting
      const i = cursors[k] as number
      if (i < postingLength(p)) {
        const seq = postingAt(p, i)
        if (seq < bestSeq) {
          bestSeq = seq
          best = k
        }
      }
    }
    if (best < 0) return
    cursors[best] = (cursors[best] as number) + 1
    if (!visit(bestSeq)) return
  }
}

function fieldValue(record: ActivityRecordOutput, field: IndexedField): string | undefined {
  return field === 'MonitoringPlan' ? record.MonitoringPlan?.Name : record[field]
}

function emptyIndexes(): Record<IndexedField, Map<string, Posting>> {
  return Object.fromEntries(INDEXED_FIELDS.map((f) => [f, new Map<string, Posting>()])) as Record<IndexedField, Map<string, Posting>>
}

export function createAuditDatabase(): AuditDatabase {
  let records: StoredRecord[] = []
  /** Seq of the record before records[0]: everything at or below it has been cleared. */
  let base = 0
  let indexes = emptyIndexes()

  const addToIndex = (field: IndexedField, key: string, seq: number): void => {
    const index = indexes[field]
    const posting = index.get(key)
    if (posting === undefined) index.set(key, seq)
    else if (typeof posting === 'number') index.set(key, new SeqList(posting, seq))
    else posting.push(seq)
  }

  const lookup = (field: IndexedField, values: Iterable<string>): Posting[] => {
    const index = indexes[field]
    const found: Posting[] = []
    for (const key of new Set(Array.from(values, (v) => v.toLowerCase()))) {
      const posting = index.get(key)
      if (posting !== undefined) found.push(posting)
    }
    return found
  }

  const remaining = (postings: Posting[], after: number): number => postings.reduce<number>((sum, p) => sum + postingLength(p) - firstAfter(p, after), 0)

  const recordAt = (seq: number): StoredRecord => records[seq - base - 1] as StoredRecord

  return {
    append(batch) {
      const whenMs = batch.map((record) => {
        if (record.IsArchiveOnly === true) {
          throw new Error(`record ${record.RID ?? '(no RID)'} is archive-only: it belongs to the Long-Term Archive, not the Audit Database`)
        }
        return whenToEpochMs(record.When)
      })
      const stored = batch.map((record, i): StoredRecord => ({ seq: base + records.length + i + 1, whenMs: whenMs[i] as number, record }))
      for (const entry of stored) {
        records.push(entry)
        for (const field of INDEXED_FIELDS) {
          const value = fieldValue(entry.record, field)
          if (value !== undefined) addToIndex(field, value.toLowerCase(), entry.seq)
        }
      }
      return stored
    },

    page({ afterSeq, limit, scope, query }) {
      const last = base + records.length
      if (limit <= 0) return { records: [], nextAfterSeq: afterSeq }
      const from = Math.max(afterSeq, base)
      const found: StoredRecord[] = []
      const take = (entry: StoredRecord): boolean => {
        if (!query || query.matches(entry)) found.push(entry)
        return found.length < limit
      }

      let candidates: { postings: Posting[]; count: number; checkScope: boolean } | undefined
      if (scope.kind === 'plans') {
        const postings = lookup('MonitoringPlan', scope.plans)
        candidates = { postings, count: remaining(postings, from), checkScope: false }
      }
      for (const hint of query?.equalityHints ?? []) {
        const postings = lookup(hint.field, hint.values)
        const count = remaining(postings, from)
        if (!candidates || count < candidates.count) candidates = { postings, count, checkScope: scope.kind === 'plans' }
      }

      if (candidates) {
        const inScope = (entry: StoredRecord): boolean => scope.kind === 'all' || scope.plans.has(entry.record.MonitoringPlan?.Name.toLowerCase() ?? '')
        const check = candidates.checkScope
        walkMerged(candidates.postings, from, (seq) => {
          const entry = recordAt(seq)
          return check && !inScope(entry) ? true : take(entry)
        })
      } else {
        for (let seq = from + 1; seq <= last; seq++) if (!take(recordAt(seq))) break
      }

      const lastFound = found[found.length - 1]
      return { records: found, nextAfterSeq: found.length === limit && lastFound ? lastFound.seq : Math.max(afterSeq, last) }
    },

    size: () => records.length,
    lastSeq: () => base + records.length,

    clear() {
      base += records.length
      records = []
      indexes = emptyIndexes()
    },

    *all() {
      yield* records
    },
  }
}
