import { describe, expect, it } from 'vitest'
import {
  boundEntry,
  createRequestJournal,
  entryBounds,
  entryBytes,
  formatJsonLine,
  formatPrettyLine,
  type RequestEntry,
  type UnnumberedEntry,
} from './request-journal.ts'

function entry(overrides: Partial<UnnumberedEntry> = {}): UnnumberedEntry {
  return {
    time: '2026-12-06T10:00:00.000Z',
    method: 'POST',
    path: '/netwrix/api/v1/activity_records/search',
    account: 'ENTERPRISE\\NetwrixUser',
    scheme: 'Basic',
    operation: 'searchActivityRecords',
    status: 400,
    notes: ['InputError: unknown filter'],
    durationMs: 3,
    ...overrides,
  }
}

describe('boundEntry: what one entry keeps of a request', () => {
  it('keeps a small entry as it is', () => {
    expect(boundEntry(entry())).toEqual(entry())
  })

  it('cuts the path, the account and each reason to an excerpt, and keeps a dozen reasons with a count of the rest', () => {
    const huge = 'x'.repeat(5_000_000)
    const bounded = boundEntry(entry({ path: `/${huge}`, account: huge, notes: Array.from({ length: 40 }, () => huge) }))
    expect(bounded.path).toHaveLength(entryBounds.path + 1)
    expect(bounded.path.endsWith('…')).toBe(true)
    expect(bounded.account).toHaveLength(entryBounds.account + 1)
    expect(bounded.notes).toHaveLength(entryBounds.notes + 1)
    expect(bounded.notes[0]).toHaveLength(entryBounds.note + 1)
    expect(bounded.notes.at(-1)).toBe(`… and ${40 - entryBounds.notes} more`)
    expect(entryBytes(bounded)).toBeLessThan(16 * 1024)
  })
})

describe('createRequestJournal: bounded in entries and in bytes', () => {
  it('keeps the newest entries within its byte budget, dropping the oldest first', () => {
    const journal = createRequestJournal({ capacity: 1000, bytes: 64 * 1024 })
    for (let i = 0; i < 500; i++) journal.record(entry({ durationMs: i, notes: ['n'.repeat(entryBounds.note * 4)] }))
    expect(journal.bytes()).toBeLessThanOrEqual(64 * 1024)
    const kept = journal.recent({ limit: 1000 })
    expect(kept.length).toBeGreaterThan(10)
    expect(kept.length).toBeLessThan(500)
    // Newest last, and none missing between the oldest kept and the newest.
    expect(kept.map((e) => e.durationMs)).toEqual(Array.from({ length: kept.length }, (_, i) => 500 - kept.length + i))
  })

  it('keeps the newest `capacity` entries when they are small', () => {
    const journal = createRequestJournal({ capacity: 5 })
    for (let i = 0; i < 12; i++) journal.record(entry({ durationMs: i }))
    expect(journal.recent().map((e) => e.durationMs)).toEqual([7, 8, 9, 10, 11])
  })

  it('holds its budget however large the requests it records, and hands the sink the same bounded entry', () => {
    const printed: RequestEntry[] = []
    const journal = createRequestJournal({ sink: (e) => printed.push(e) })
    const huge = 'y'.repeat(1_000_000)
    for (let i = 0; i < 2000; i++) journal.record(entry({ path: `/${huge}`, notes: [huge, huge, huge] }))
    expect(journal.bytes()).toBeLessThanOrEqual(4 * 1024 * 1024)
    expect(printed.at(-1)).toEqual(journal.recent({ limit: 1 })[0])
    expect(formatJsonLine(printed.at(-1) as RequestEntry).length).toBeLessThan(4096)
    expect(formatPrettyLine(printed.at(-1) as RequestEntry).length).toBeLessThan(4096)
  })

  it('filters by status, account (any case) and operation', () => {
    const journal = createRequestJournal()
    journal.record(entry({ status: 200 }))
    journal.record(entry({ status: 401, account: 'ENTERPRISE\\Contributor', operation: 'enumerateActivityRecords' }))
    expect(journal.recent({ status: 401 })).toHaveLength(1)
    expect(journal.recent({ account: 'enterprise\\contributor' })).toHaveLength(1)
    expect(journal.recent({ operation: 'searchActivityRecords' })).toHaveLength(1)
  })
})

describe('createRequestJournal: numbered entries, exchanges and readers', () => {
  const exchange = (body: string) => ({
    request: { headers: [['Host', 'x'] as [string, string]], headersOmitted: 0, body, bodyBytes: body.length, bodyRead: true },
    response: { status: 400, headers: [], headersOmitted: 0, bodyBytes: 0, bodyRead: true },
  })

  it('numbers entries from 1 and reads on from any number, the oldest kept first', () => {
    const journal = createRequestJournal({ capacity: 5 })
    for (let i = 0; i < 12; i++) journal.record(entry({ durationMs: i }))
    expect(journal.lastId()).toBe(12)
    expect(journal.recent().map((e) => e.id)).toEqual([8, 9, 10, 11, 12])
    expect(journal.after(0, 100).map((e) => e.id)).toEqual([8, 9, 10, 11, 12])
    expect(journal.after(9, 2).map((e) => e.id)).toEqual([10, 11])
    expect(journal.after(12, 10)).toEqual([])
  })

  it('keeps an exchange with its entry until the entry is dropped, and counts it in the byte budget', () => {
    const journal = createRequestJournal({ capacity: 3 })
    journal.record(entry(), exchange('[{"Who":1}]'))
    journal.record(entry())
    expect(journal.exchange(1)?.exchange?.request.body).toBe('[{"Who":1}]')
    expect(journal.exchange(2)).toEqual({ entry: expect.objectContaining({ id: 2 }) })
    const withoutExchange = createRequestJournal()
    withoutExchange.record(entry())
    const withExchange = createRequestJournal()
    withExchange.record(entry(), exchange('b'.repeat(2000)))
    expect(withExchange.bytes() - withoutExchange.bytes()).toBeGreaterThan(4000)
    for (let i = 0; i < 3; i++) journal.record(entry())
    expect(journal.exchange(1)).toBeUndefined()
    expect(journal.exchange(6)).toBeUndefined()
  })

  it('tells subscribers of each entry, numbered and bounded, until they stop', () => {
    const journal = createRequestJournal()
    const seen: RequestEntry[] = []
    const stop = journal.subscribe((e) => seen.push(e))
    journal.record(entry({ path: `/${'p'.repeat(5000)}` }))
    stop()
    journal.record(entry())
    expect(seen).toHaveLength(1)
    expect(seen[0]?.id).toBe(1)
    expect(seen[0]?.path).toHaveLength(entryBounds.path + 1)
  })
})
