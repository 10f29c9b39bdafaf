import { describe, it, expect } from 'vitest'
import { createPrng } from '../../openapi/prng.ts'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import type { CompiledQuery, IndexedField, ReadScope, RowReader, StoredRecord } from '../model.ts'
import { whenToEpochMs } from '../../openapi/timestamp.ts'
import { seedRecord } from '../../test/helpers/state.ts'
import { createAuditDatabase, type AuditDatabase } from './audit-database.ts'

/** Appends as the store does: each When read once on the way in, handed on as epoch ms. */
const append = (db: AuditDatabase, records: ActivityRecordOutput[]): void =>
  db.append(
    records,
    records.map((record) => whenToEpochMs(record.When)),
  )

const PLANS = ['AD Monitoring', 'Compliance', 'File servers', undefined]
const ACTIONS = ['Added', 'Removed', 'Modified', 'Read']
const WHO = Array.from({ length: 20 }, (_, i) => `ENTERPRISE\\user${i}`)

let ridCounter = 0
function record(fields: Partial<ActivityRecordOutput> & { plan?: string | undefined } = {}): ActivityRecordOutput {
  const { plan, ...rest } = fields
  ridCounter++
  return seedRecord(ridCounter, {
    ...(plan !== undefined && { MonitoringPlan: { Name: plan } }),
    DataSource: 'Netwrix API',
    What: `object ${ridCounter}`,
    Where: 'dc1',
    ...rest,
  })
}

function randomRecord(rand: (n: number) => number): ActivityRecordOutput {
  return record({ plan: PLANS[rand(PLANS.length)], Action: ACTIONS[rand(ACTIONS.length)] as string, Who: WHO[rand(WHO.length)] as string })
}

function inScope(entry: StoredRecord, scope: ReadScope): boolean {
  return scope.kind === 'all' || scope.plans.has(entry.record.MonitoringPlan?.Name.toLowerCase() ?? '')
}

/** A query for these tests: the compiled form the database runs, and the same rule over output records as the oracle. */
interface TestQuery {
  compiled: CompiledQuery
  accepts(record: ActivityRecordOutput): boolean
}

/** A field's lower-cased value at a row, read from the columns as a search reads it. */
function lowerAt(rows: RowReader, field: 'Action' | 'Who', row: number): string | undefined {
  const column = rows.column(field)
  if (column.kind === 'plain') return column.lower(row)
  const id = column.ids[row] as number
  return id < 0 ? undefined : column.lower[id]
}

function testQuery(rule: { field: 'Action' | 'Who'; values: string[] }[], hints: { field: IndexedField; values: string[] }[]): TestQuery {
  const wanted = rule.map(({ field, values }) => ({ field, values: new Set(values.map((v) => v.toLowerCase())) }))
  return {
    compiled: {
      bind: (rows) => (row) => wanted.every(({ field, values }) => values.has(lowerAt(rows, field, row) ?? '')),
      equalityHints: hints,
      valueHints: [],
    },
    accepts: (record) => wanted.every(({ field, values }) => values.has(record[field].toLowerCase())),
  }
}

function equalsQuery(field: 'Action' | 'Who', values: string[], withHints: boolean): TestQuery {
  return testQuery([{ field, values }], withHints ? [{ field, values }] : [])
}

const everyRow: TestQuery = { compiled: { bind: () => () => true, equalityHints: [], valueHints: [] }, accepts: () => true }

/** Follows nextAfterSeq from 0 to the empty page, calling between() after every page. */
function traverse(
  db: AuditDatabase,
  scope: ReadScope,
  query: CompiledQuery | undefined,
  limitOf: () => number,
  between: () => void = () => {},
): StoredRecord[] {
  const seen: StoredRecord[] = []
  let after = 0
  for (let guard = 0; guard < 100_000; guard++) {
    const page = db.page({ afterSeq: after, count: limitOf(), scope, query })
    expect(page.nextAfterSeq).toBeGreaterThanOrEqual(after)
    if (page.records.length === 0) return seen
    seen.push(...page.records)
    after = page.nextAfterSeq
    between()
  }
  throw new Error('traversal did not end')
}

describe('AuditDatabase.append', () => {
  it('assigns dense 1-based seqs and epoch milliseconds', () => {
    const db = createAuditDatabase()
    append(db, [record({ When: '2017-02-19T03:43:49-11:00' }), record()])
    const stored = [...db.all()]
    expect(stored.map((s) => s.seq)).toEqual([1, 2])
    expect(stored[0]?.whenMs).toBe(Date.parse('2017-02-19T14:43:49Z'))
    append(db, [record()])
    expect(db.size()).toBe(3)
    expect(db.lastSeq()).toBe(3)
    expect([...db.all()].map((s) => s.seq)).toEqual([1, 2, 3])
  })

  it('[WRITE-ARCHIVE-ONLY] refuses archive-only records and stores nothing of the batch', () => {
    const db = createAuditDatabase()
    expect(() => append(db, [record(), record({ IsArchiveOnly: true })])).toThrow(/archive-only/)
    expect(db.size()).toBe(0)
  })

  it('stores nothing of a batch whose instants do not match its records', () => {
    const db = createAuditDatabase()
    expect(() => db.append([record(), record()], [0])).toThrow(/instants/)
    expect(db.size()).toBe(0)
  })

  it('keeps numbering after clear, so an old position cannot hide new records', () => {
    const db = createAuditDatabase()
    append(db, [record(), record(), record()])
    db.clear()
    expect(db.size()).toBe(0)
    expect(db.lastSeq()).toBe(3)
    expect(db.page({ afterSeq: 0, count: 10, scope: { kind: 'all' } })).toEqual({ records: [], nextAfterSeq: 3 })
    append(db, [record({ Who: 'after reset' })])
    expect([...db.all()].map((s) => s.seq)).toEqual([4])
    expect(db.page({ afterSeq: 2, count: 10, scope: { kind: 'all' } }).records.map((r) => r.record.Who)).toEqual(['after reset'])
    expect(db.page({ afterSeq: 0, count: 10, scope: { kind: 'all' }, query: equalsQuery('Who', ['after reset'], true).compiled }).records).toHaveLength(1)
  })
})

describe('AuditDatabase.page', () => {
  const all: ReadScope = { kind: 'all' }

  it('[ENUM-NEXT-PAGE] [ENUM-END-OF-DATA] continues after the last record of a page and ends with an empty page', () => {
    const db = createAuditDatabase()
    append(
      db,
      Array.from({ length: 5 }, () => record()),
    )
    const first = db.page({ afterSeq: 0, count: 2, scope: all })
    expect(first.records.map((r) => r.seq)).toEqual([1, 2])
    expect(first.nextAfterSeq).toBe(2)
    const second = db.page({ afterSeq: first.nextAfterSeq, count: 2, scope: all })
    expect(second.records.map((r) => r.seq)).toEqual([3, 4])
    const third = db.page({ afterSeq: second.nextAfterSeq, count: 2, scope: all })
    expect(third.records.map((r) => r.seq)).toEqual([5])
    expect(third.nextAfterSeq).toBe(5)
    expect(db.page({ afterSeq: third.nextAfterSeq, count: 2, scope: all })).toEqual({ records: [], nextAfterSeq: 5 })
  })

  it('reports the last seq examined when a filtered page comes up short, so the next call does not rescan', () => {
    const db = createAuditDatabase()
    append(db, [record({ Action: 'Added' }), record({ Action: 'Removed' }), record({ Action: 'Removed' })])
    for (const withHints of [true, false]) {
      const page = db.page({ afterSeq: 0, count: 10, scope: all, query: equalsQuery('Action', ['added'], withHints).compiled })
      expect(page.records.map((r) => r.seq)).toEqual([1])
      expect(page.nextAfterSeq).toBe(3)
    }
  })

  it('finds records by RID through its hash table, ignoring case, non-ASCII RIDs and repeated ones included', () => {
    const db = createAuditDatabase()
    const rids = ['20170214154234000ABCDEF0123456789ABCDEF0123456789', 'Ärger-RID-İ', '20170214154234000ABCDEF0123456789ABCDEF0123456789', 'other']
    append(db, [...Array.from({ length: 3000 }, () => record()), ...rids.map((RID) => record({ RID }))])
    const byRid = (values: string[]) =>
      db
        .page({ afterSeq: 0, count: 10, scope: all, query: { bind: () => () => true, equalityHints: [{ field: 'RID', values }], valueHints: [] } })
        .records.map((r) => r.seq)
    expect(byRid(['20170214154234000abcdef0123456789abcdef0123456789'])).toEqual([3001, 3003])
    expect(byRid(['ärger-rid-i̇'])).toEqual([3002])
    expect(byRid(['Ärger-RID-İ'.toLowerCase(), 'OTHER'])).toEqual([3002, 3004])
    expect(byRid(['absent'])).toEqual([])
    // The table is built at the first search by RID; records written after it are found too.
    append(db, [record({ RID: 'late-rid' }), record({ RID: 'OTHER' })])
    expect(byRid(['late-rid', 'other'])).toEqual([3004, 3005, 3006])
  })

  it('never moves a position backwards', () => {
    const db = createAuditDatabase()
    append(db, [record()])
    expect(db.page({ afterSeq: 7, count: 10, scope: all }).nextAfterSeq).toBe(7)
    expect(db.page({ afterSeq: 0, count: 0, scope: all })).toEqual({ records: [], nextAfterSeq: 0 })
  })

  it('limits a plans scope to those plans, matched case-insensitively, and hides records without a plan', () => {
    const db = createAuditDatabase()
    append(db, [record({ plan: 'AD Monitoring' }), record(), record({ plan: 'Compliance' }), record({ plan: 'ad monitoring' })])
    const page = db.page({ afterSeq: 0, count: 10, scope: { kind: 'plans', plans: new Set(['ad monitoring']) } })
    expect(page.records.map((r) => r.seq)).toEqual([1, 4])
    expect(db.page({ afterSeq: 0, count: 10, scope: { kind: 'plans', plans: new Set() } }).records).toEqual([])
  })

  describe('cost does not grow with depth', () => {
    const db = createAuditDatabase()
    const rand = createPrng(7).int
    append(
      db,
      Array.from({ length: 20_000 }, () => randomRecord(rand)),
    )
    const counting = (inner: TestQuery) => {
      let calls = 0
      const query: CompiledQuery = {
        bind: (rows) => {
          const test = inner.compiled.bind(rows)
          return (row) => {
            calls++
            return test(row)
          }
        },
        equalityHints: inner.compiled.equalityHints,
        valueHints: inner.compiled.valueHints,
      }
      return { query, calls: () => calls }
    }

    it('a forward scan examines only records after the position', () => {
      const c = counting(everyRow)
      const page = db.page({ afterSeq: 19_990, count: 5, scope: all, query: c.query })
      expect(page.records.map((r) => r.seq)).toEqual([19_991, 19_992, 19_993, 19_994, 19_995])
      expect(c.calls()).toBe(5)
    })

    it('an equality hint walks only its candidates, from the position', () => {
      const c = counting(equalsQuery('Who', [WHO[3] as string], true))
      const page = db.page({ afterSeq: 15_000, count: 1000, scope: all, query: c.query })
      const expected = [...db.all()].filter((e) => e.seq > 15_000 && e.record.Who === WHO[3])
      expect(page.records).toEqual(expected)
      expect(c.calls()).toBe(expected.length)
    })

    it('a plans scope walks only those plans, and a smaller hint list is preferred to it', () => {
      const scope: ReadScope = { kind: 'plans', plans: new Set(['compliance']) }
      const scoped = counting(everyRow)
      const page = db.page({ afterSeq: 18_000, count: 5000, scope, query: scoped.query })
      expect(page.records).toEqual([...db.all()].filter((e) => e.seq > 18_000 && e.record.MonitoringPlan?.Name === 'Compliance'))
      expect(scoped.calls()).toBe(page.records.length)

      const hinted = counting(equalsQuery('Who', [WHO[5] as string], true))
      const narrowed = db.page({ afterSeq: 18_000, count: 5000, scope, query: hinted.query })
      expect(narrowed.records).toEqual(page.records.filter((e) => e.record.Who === WHO[5]))
      // The Who list (about 1/20 of the records) is walked instead of the plan's (about 1/4); out-of-scope candidates are skipped before matches().
      expect(hinted.calls()).toBe(narrowed.records.length)
    })

    it('a value hint walks only the records holding a value it takes', () => {
      const contains3 = (lower: string) => lower.endsWith('user3') || lower.endsWith('user13')
      const inner: TestQuery = {
        compiled: {
          bind: (rows) => (row) => contains3(lowerAt(rows, 'Who', row) ?? ''),
          equalityHints: [],
          valueHints: [{ field: 'Who', accepts: contains3 }],
        },
        accepts: (record) => contains3(record.Who.toLowerCase()),
      }
      const c = counting(inner)
      const page = db.page({ afterSeq: 10_000, count: 5000, scope: all, query: c.query })
      const expected = [...db.all()].filter((e) => e.seq > 10_000 && inner.accepts(e.record))
      expect(page.records).toEqual(expected.slice(0, 5000))
      expect(c.calls()).toBe(expected.length)
    })

    it('a hint value nobody has ends the search at once', () => {
      const c = counting(equalsQuery('Who', ['nobody'], true))
      expect(db.page({ afterSeq: 0, count: 10, scope: all, query: c.query })).toEqual({ records: [], nextAfterSeq: 20_000 })
      expect(c.calls()).toBe(0)
    })
  })

  it('agrees with a plain filter for random scopes, queries, positions and limits', () => {
    const rand = createPrng(99).int
    const db = createAuditDatabase()
    append(
      db,
      Array.from({ length: 3000 }, () => randomRecord(rand)),
    )
    const everything = [...db.all()]
    for (let round = 0; round < 300; round++) {
      const scope = randomScope(rand)
      const query = randomQuery(rand)
      const afterSeq = rand(3100)
      const limit = 1 + rand(200)
      const expected = everything.filter((e) => e.seq > afterSeq && inScope(e, scope) && (!query || query.accepts(e.record)))
      const page = db.page({ afterSeq, count: limit, scope, query: query?.compiled })
      expect(page.records).toEqual(expected.slice(0, limit))
      expect(page.nextAfterSeq).toBe(expected.length >= limit ? expected[limit - 1]?.seq : Math.max(afterSeq, 3000))
    }
  })

  it('[ENUM-COMPLETE-TRAVERSAL] [SEARCH-PAGING] pages cover every matching record exactly once, in order, while writes keep arriving', () => {
    let appendedAndSeen = 0
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const rand = createPrng(seed).int
      const db = createAuditDatabase()
      append(
        db,
        Array.from({ length: 2000 + rand(2000) }, () => randomRecord(rand)),
      )
      const scope = randomScope(rand)
      const query = randomQuery(rand)
      const matching = (e: StoredRecord) => inScope(e, scope) && (!query || query.accepts(e.record))
      const startLast = db.lastSeq()
      const atStart = [...db.all()].filter(matching).map((e) => e.seq)

      const seen = traverse(
        db,
        scope,
        query?.compiled,
        () => 1 + rand(50),
        () => {
          // Occasional writes, so that the reader can catch up and meet an empty page.
          if (rand(3) === 0)
            append(
              db,
              Array.from({ length: 1 + rand(5) }, () => randomRecord(rand)),
            )
        },
      )
      const seqs = seen.map((e) => e.seq)
      appendedAndSeen += seqs.filter((s) => s > startLast).length
      for (let i = 1; i < seqs.length; i++) expect(seqs[i] as number, `seed ${seed}: ascending, no duplicates`).toBeGreaterThan(seqs[i - 1] as number)
      expect(
        seqs.filter((s) => s <= startLast),
        `seed ${seed}: the records present at the start`,
      ).toEqual(atStart)
      for (const e of seen) expect(matching(e), `seed ${seed}: seq ${e.seq} matches`).toBe(true)
      // The traversal ends on an empty page with nothing written after it, so it has seen every matching record that now exists.
      expect(seqs, `seed ${seed}: every matching record`).toEqual([...db.all()].filter(matching).map((e) => e.seq))
    }
    expect(appendedAndSeen, 'the traversals met records written while they ran').toBeGreaterThan(0)
  })
})

function randomScope(rand: (n: number) => number): ReadScope {
  if (rand(2) === 0) return { kind: 'all' }
  const plans = new Set<string>()
  for (const plan of PLANS) if (plan && rand(2) === 0) plans.add(plan.toLowerCase())
  if (plans.size === 0) plans.add('compliance')
  return { kind: 'plans', plans }
}

function randomQuery(rand: (n: number) => number): TestQuery | undefined {
  switch (rand(4)) {
    case 0:
      return undefined
    case 1:
      return equalsQuery('Action', [ACTIONS[rand(ACTIONS.length)] as string], rand(2) === 0)
    case 2:
      return equalsQuery('Who', [WHO[rand(WHO.length)] as string, (WHO[rand(WHO.length)] as string).toUpperCase()], rand(2) === 0)
    default: {
      // Two hints on different fields: the store may walk either list, matches() still decides.
      const action = ACTIONS[rand(ACTIONS.length)] as string
      const who = WHO[rand(WHO.length)] as string
      const hints: { field: IndexedField; values: string[] }[] = [
        { field: 'Action', values: [action] },
        { field: 'Who', values: [who] },
      ]
      return testQuery(
        [
          { field: 'Action', values: [action] },
          { field: 'Who', values: [who] },
        ],
        hints,
      )
    }
  }
}
