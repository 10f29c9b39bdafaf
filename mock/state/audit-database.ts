/**
 * The in-memory Audit Database, kept by column rather than as one object per record.
 *
 * Most fields of Activity Records repeat: a handful of data sources, actions and plans, some hundreds of people
 * and hosts. Those are kept as dictionaries (each distinct value once, the records holding its number in an
 * Int32Array), so a million records cost a few bytes each for them, and a search tests a value once per
 * distinct value rather than once per record: a Contains over Who is a test of a few hundred names and then a
 * pass over integers. What is unique almost everywhere, so it is a plain column with a 64-bit trigram signature
 * per record (signature.ts): a substring search reads and lower-cases only the records whose signature could hold
 * the needle, so no lower-cased copy of every What is kept. Output records are rebuilt from the columns only for
 * the records a page returns, in the contract's output order (openapi/DECISIONS.md D24).
 *
 * Equality indexes map each distinct value to the seqs holding it (one number while unique, a growable
 * Int32Array once it repeats), so a page starts where the previous one stopped instead of scanning from the
 * beginning; RIDs, unique per record, go into an open-addressing hash table of rows instead of a Map.
 *
 * Seqs are never reused: after clear() numbering continues, so a Continuation mark issued before a reset
 * cannot skip records written after it.
 */
import type { ActivityRecordOutput, DetailOutput, MonitoringPlanRef } from '../../openapi/records.ts'
import type { IndexedField, Page, PageRequest, RowReader, StoredRecord, TextColumn, TextField } from '../model.ts'
import { formatWhen, isFormattedWhen } from '../../openapi/timestamp.ts'
import { ownCopy } from '../../openapi/excerpt.ts'
import { lowerSignatureOf } from './signature.ts'

export interface AuditDatabase {
  /**
   * Assigns dense seqs and stores the records, `whenMs` holding each one's When as read on the way in; all or
   * nothing. Archive-only records are refused.
   */
  append(records: readonly ActivityRecordOutput[], whenMs: readonly number[]): void
  page(request: PageRequest): Page
  size(): number
  lastSeq(): number
  clear(): void
  all(): Iterable<StoredRecord>
}

/** The most value lists a page merges for a value hint; past it, a pass over the rows is the cheaper walk. */
const MERGE_LIMIT = 64

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

function addToPosting(p: Posting | undefined, seq: number): Posting {
  if (p === undefined) return seq
  if (typeof p === 'number') return new SeqList(p, seq)
  p.push(seq)
  return p
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

/**
 * Adds the rows `matches` accepts (every row without it) to `found`; answers whether to go on. Made here rather than
 * written in place in `page`: tsx names every closure bound to a name (esbuild's keepNames), and naming one costs
 * a defineProperty on every page.
 */
function collector(found: number[], matches: ((row: number) => boolean) | undefined, limit: number): (row: number) => boolean {
  return (row) => {
    if (!matches || matches(row)) found.push(row)
    return found.length < limit
  }
}

/** A growable typed column, doubled when full. */
class Column<T extends Int32Array | Float64Array> {
  length = 0

  constructor(
    public data: T,
    private readonly allocate: (size: number) => T,
  ) {}

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = this.allocate(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    this.data[this.length++] = value
  }
}

const intColumn = () => new Column(new Int32Array(1024), (size) => new Int32Array(size))
const floatColumn = () => new Column(new Float64Array(1024), (size) => new Float64Array(size))

/** Lower-cased, keeping the very string when lower-casing changes nothing, so most values are not stored twice. */
function lowered(value: string): string {
  const lower = value.toLowerCase()
  return lower === value ? value : lower
}

/**
 * The distinct values of one field. `key` tells values apart (a plan is its Name and ID); `text` is what the
 * filters read and `output` what a record carries (the text, or a shared frozen object for plans and items,
 * made once per distinct value by `makeOutput`).
 */
class Dictionary<T> {
  readonly ids = intColumn()
  readonly text: string[] = []
  readonly lower: string[] = []
  readonly output: T[] = []
  readonly postings: Posting[] = []
  private readonly byKey = new Map<string, number>()
  private readonly byLower = new Map<string, number[]>()
  private lastKey: string | undefined
  private lastId: number | undefined

  constructor(
    private readonly indexed: boolean,
    private readonly makeOutput: (text: string, key: string) => T,
  ) {}

  /** Adds one row's value (`key` undefined: the record has none); the column grows by one. */
  add(key: string | undefined, text: string, seq: number): void {
    if (key === undefined) {
      this.ids.push(-1)
      return
    }
    // Records of one write or one source come in runs that share a value: the last one answers without a lookup.
    let id = key === this.lastKey ? this.lastId : this.byKey.get(key)
    if (id === undefined) {
      id = this.text.length
      // Kept for good, so copied out of the request body that a written value may still be a view into.
      const ownText = ownCopy(text)
      const ownKey = key === text ? ownText : ownCopy(key)
      const lower = lowered(ownText)
      this.byKey.set(ownKey, id)
      this.text.push(ownText)
      this.lower.push(lower)
      this.output.push(this.makeOutput(ownText, ownKey))
      const same = this.byLower.get(lower)
      if (same) same.push(id)
      else this.byLower.set(lower, [id])
      if (this.indexed) this.postings.push(seq)
    } else if (this.indexed) {
      this.postings[id] = addToPosting(this.postings[id], seq)
    }
    this.lastKey = key
    this.lastId = id
    this.ids.push(id)
  }

  /**
   * The postings of the distinct values `accepts` takes, when there are at most `limit` of them (walking the
   * union is linear in the number of lists); undefined past that, or when the field keeps no postings.
   */
  postingsWhere(accepts: (lower: string) => boolean, limit: number): Posting[] | undefined {
    if (!this.indexed) return undefined
    const found: Posting[] = []
    for (let id = 0; id < this.lower.length; id++) {
      if (!accepts(this.lower[id] as string)) continue
      if (found.length === limit) return undefined
      found.push(this.postings[id] as Posting)
    }
    return found
  }

  /** What a row's record carries for this field; undefined when it has none. */
  valueAt(row: number): T | undefined {
    const id = this.ids.data[row] as number
    return id < 0 ? undefined : this.output[id]
  }

  /** The postings of every distinct value whose lower-cased text is one of these. */
  lookup(lowerValues: Iterable<string>): Posting[] {
    const found: Posting[] = []
    for (const value of lowerValues) for (const id of this.byLower.get(value) ?? []) found.push(this.postings[id] as Posting)
    return found
  }
}

/**
 * Rows by lower-cased RID: open addressing over an Int32Array of row + 1 (0 is empty), doubled at half full.
 * A million RIDs cost 8 MB here, where a Map of strings cost a hundred.
 */
class RidIndex {
  private slots = new Int32Array(1 << 10)
  private count = 0

  constructor(private readonly ridAt: (row: number) => string | undefined) {}

  add(rid: string, row: number): void {
    if ((this.count + 1) * 2 > this.slots.length) this.grow()
    this.place(hashText(rid), row)
    this.count++
  }

  /** The rows whose RID is this, ignoring case, in row order. */
  rows(lowerRid: string): number[] {
    const found: number[] = []
    const mask = this.slots.length - 1
    for (let slot = hashText(lowerRid) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number
      if (entry === 0) break
      if (this.ridAt(entry - 1)?.toLowerCase() === lowerRid) found.push(entry - 1)
    }
    return found.sort((a, b) => a - b)
  }

  private place(hash: number, row: number): void {
    const mask = this.slots.length - 1
    let slot = hash & mask
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask
    this.slots[slot] = row + 1
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Int32Array(old.length * 2)
    for (const entry of old) if (entry !== 0) this.place(hashText(this.ridAt(entry - 1) as string), entry - 1)
  }
}

/**
 * FNV-1a over the UTF-16 code units of the lower-cased text: spreads RIDs, which share their leading timestamp
 * digits, across slots. ASCII letters are folded on the way; any other character lower-cases the whole text first.
 */
function hashText(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i)
    if (code > 127) return hashFolded(text.toLowerCase())
    if (code >= 65 && code <= 90) code += 32
    hash = Math.imul(hash ^ code, 0x01000193)
  }
  return hash >>> 0
}

function hashFolded(lower: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < lower.length; i++) hash = Math.imul(hash ^ lower.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

const planKey = (plan: MonitoringPlanRef | undefined) => (plan === undefined ? undefined : plan.ID === undefined ? plan.Name : `${plan.Name}\u0000${plan.ID}`)
const asText = (text: string) => text
const asPlan = (name: string, key: string): MonitoringPlanRef => {
  const separator = key.indexOf('\u0000')
  return Object.freeze(separator < 0 ? { Name: name } : { ID: key.slice(separator + 1), Name: name })
}
const asItem = (name: string) => Object.freeze({ Name: name })

/** The columns of one generation of the database (clear() starts a new one). */
class Table {
  readonly who = new Dictionary(true, asText)
  readonly action = new Dictionary(true, asText)
  readonly dataSource = new Dictionary(true, asText)
  readonly objectType = new Dictionary(true, asText)
  readonly where = new Dictionary(true, asText)
  readonly plan = new Dictionary(true, asPlan)
  readonly item = new Dictionary(true, asItem)
  readonly workstation = new Dictionary(true, asText)
  readonly what: string[] = []
  /** Two words per row: What's trigram signature, so a substring search skips most rows without reading them. */
  readonly whatSignatures = intColumn()
  readonly rid: (string | undefined)[] = []
  /** Built at the first search by RID and brought up to date at each one after: writes never pay for it. */
  private ridIndex: RidIndex | undefined
  private ridIndexed = 0
  readonly whenMs = floatColumn()
  /** When texts that formatWhen would not give back (fractions of a second beyond the millisecond, say). */
  readonly whenText = new Map<number, string>()
  readonly details: (readonly DetailOutput[] | undefined)[] = []
  length = 0

  readonly dictionaries: Partial<Record<TextField, Dictionary<unknown>>> = {
    Who: this.who,
    Action: this.action,
    DataSource: this.dataSource,
    ObjectType: this.objectType,
    Where: this.where,
    MonitoringPlan: this.plan,
    Item: this.item,
    Workstation: this.workstation,
  }

  add(record: ActivityRecordOutput, whenMs: number, seq: number): void {
    const row = this.length
    this.who.add(record.Who, record.Who, seq)
    this.action.add(record.Action, record.Action, seq)
    this.dataSource.add(record.DataSource, record.DataSource ?? '', seq)
    this.objectType.add(record.ObjectType, record.ObjectType, seq)
    this.where.add(record.Where, record.Where, seq)
    this.plan.add(planKey(record.MonitoringPlan), record.MonitoringPlan?.Name ?? '', seq)
    this.item.add(record.Item?.Name, record.Item?.Name ?? '', seq)
    this.workstation.add(record.Workstation, record.Workstation ?? '', seq)
    this.what.push(record.What)
    const [low, high] = lowerSignatureOf(record.What)
    this.whatSignatures.push(low)
    this.whatSignatures.push(high)
    this.rid.push(record.RID)
    this.whenMs.push(whenMs)
    // Only a When that formatWhen would not give back is kept as text; its shape tells, without reading it again.
    if (!isFormattedWhen(record.When)) this.whenText.set(row, ownCopy(record.When))
    this.details.push(record.DetailList)
    this.length++
  }

  /** The rows whose RID is this (lower-cased), ignoring case, in row order. */
  rowsByRid(lowerRid: string): number[] {
    this.ridIndex ??= new RidIndex((row) => this.rid[row])
    for (; this.ridIndexed < this.length; this.ridIndexed++) {
      const rid = this.rid[this.ridIndexed]
      if (rid !== undefined) this.ridIndex.add(rid, this.ridIndexed)
    }
    return this.ridIndex.rows(lowerRid)
  }

  /** The output record of a row, its keys in the contract's output order. */
  record(row: number): ActivityRecordOutput {
    const out = {} as ActivityRecordOutput
    out.Action = this.action.valueAt(row) as string
    const plan = this.plan.valueAt(row)
    if (plan !== undefined) out.MonitoringPlan = plan
    const dataSource = this.dataSource.valueAt(row)
    if (dataSource !== undefined) out.DataSource = dataSource
    const item = this.item.valueAt(row)
    if (item !== undefined) out.Item = item
    out.ObjectType = this.objectType.valueAt(row) as string
    const rid = this.rid[row]
    if (rid !== undefined) out.RID = rid
    out.What = this.what[row] as string
    out.When = this.whenText.get(row) ?? formatWhen(this.whenMs.data[row] as number)
    out.Where = this.where.valueAt(row) as string
    out.Who = this.who.valueAt(row) as string
    const workstation = this.workstation.valueAt(row)
    if (workstation !== undefined) out.Workstation = workstation
    const details = this.details[row]
    if (details !== undefined) out.DetailList = details as DetailOutput[]
    return out
  }

  /** The columns as a search reads them; valid until the next write (a read never spans one). */
  reader(): RowReader {
    return {
      column: (field): TextColumn => {
        if (field === 'What') return { kind: 'plain', lower: (row) => this.what[row]?.toLowerCase(), signatures: this.whatSignatures.data }
        if (field === 'RID') return { kind: 'plain', lower: (row) => this.rid[row]?.toLowerCase() }
        const dictionary = this.dictionaries[field] as Dictionary<unknown>
        return { kind: 'dictionary', ids: dictionary.ids.data, lower: dictionary.lower }
      },
      whenMs: this.whenMs.data,
      details: (row) => this.details[row],
    }
  }
}

export function createAuditDatabase(): AuditDatabase {
  let table = new Table()
  /** Seq of the record before the table's first row: everything at or below it has been cleared. */
  let base = 0

  const lookup = (field: IndexedField, values: Iterable<string>): Posting[] => {
    const lower = new Set(Array.from(values, (v) => v.toLowerCase()))
    if (field !== 'RID') return (table.dictionaries[field] as Dictionary<unknown>).lookup(lower)
    const seqs = [...lower].flatMap((rid) => table.rowsByRid(rid)).map((row) => base + row + 1)
    if (seqs.length === 0) return []
    seqs.sort((a, b) => a - b)
    const [first, ...rest] = seqs as [number, ...number[]]
    if (rest.length === 0) return [first]
    const list = new SeqList(first, rest[0] as number)
    for (const seq of rest.slice(1)) list.push(seq)
    return [list]
  }

  const remaining = (postings: Posting[], after: number): number => postings.reduce<number>((sum, p) => sum + postingLength(p) - firstAfter(p, after), 0)

  const stored = (row: number): StoredRecord => ({ seq: base + row + 1, whenMs: table.whenMs.data[row] as number, record: table.record(row) })

  return {
    append(batch, whenMs) {
      if (whenMs.length !== batch.length) throw new Error(`${batch.length} records came with ${whenMs.length} instants`)
      for (const record of batch) {
        if (record.IsArchiveOnly === true) {
          throw new Error(`record ${record.RID ?? '(no RID)'} is archive-only: it belongs to the Long-Term Archive, not the Audit Database`)
        }
      }
      for (const [i, record] of batch.entries()) table.add(record, whenMs[i] as number, base + table.length + 1)
    },

    page({ afterSeq, count: limit, scope, query }) {
      const last = base + table.length
      if (limit <= 0) return { records: [], nextAfterSeq: afterSeq }
      const from = Math.max(afterSeq, base)
      const matches = query?.bind(table.reader())
      const found: number[] = []
      const take = collector(found, matches, limit)

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
      for (const hint of query?.valueHints ?? []) {
        const postings = table.dictionaries[hint.field]?.postingsWhere(hint.accepts, MERGE_LIMIT)
        if (postings === undefined) continue
        const count = remaining(postings, from)
        if (!candidates || count < candidates.count) candidates = { postings, count, checkScope: scope.kind === 'plans' }
      }

      if (candidates) {
        // The plans in scope as numbers of the plan dictionary, so a candidate is checked without a string.
        const planIds = table.plan.ids.data
        const inScope = new Uint8Array(table.plan.text.length)
        if (scope.kind === 'plans') for (const [id, lower] of table.plan.lower.entries()) inScope[id] = scope.plans.has(lower) ? 1 : 0
        const check = candidates.checkScope
        walkMerged(candidates.postings, from, (seq) => {
          const row = seq - base - 1
          const plan = planIds[row] as number
          return check && (plan < 0 || inScope[plan] === 0) ? true : take(row)
        })
      } else {
        for (let row = from - base; row < table.length; row++) if (!take(row)) break
      }

      const records = found.map(stored)
      const lastFound = records[records.length - 1]
      return { records, nextAfterSeq: records.length === limit && lastFound ? lastFound.seq : Math.max(afterSeq, last) }
    },

    size: () => table.length,
    lastSeq: () => base + table.length,

    clear() {
      base += table.length
      table = new Table()
    },

    *all() {
      for (let row = 0; row < table.length; row++) yield stored(row)
    },
  }
}
