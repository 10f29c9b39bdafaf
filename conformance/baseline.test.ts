import { describe, expect, it } from 'vitest'
import { markBaseline, noReason, parseBaseline, renderBaseline, summarizeBaseline, updateBaseline } from './baseline.ts'

const day = (text: string) => Date.parse(`${text}T12:00:00Z`)

describe('parseBaseline', () => {
  it('reads the first form, one id per line, ignoring comments and blank lines, with no reason', () => {
    expect(parseBaseline('a.b\r\n  # note\nc.d # why\n\n', 'b.txt')).toEqual([
      { check: 'a.b', reason: noReason },
      { check: 'c.d', reason: noReason },
    ])
    expect(parseBaseline('# nothing yet\n', 'b.txt')).toEqual([])
  })

  it('reads the YAML list with reasons and expiry dates', () => {
    const text = '- check: a.b\n  reason: "ticket #12: the vendor ships the fix in 10.7"\n  expires: 2027-03-01\n- { check: c.d, reason: disabled by policy }\n'
    expect(parseBaseline(text, 'b.yaml')).toEqual([
      { check: 'a.b', reason: 'ticket #12: the vendor ships the fix in 10.7', expires: '2027-03-01' },
      { check: 'c.d', reason: 'disabled by policy' },
    ])
  })

  it.each([
    ['- { check: a.b }', /entry 1 \(a\.b\): reason must say why/],
    ['- { check: a.b, reason: x, expires: 2027-02-30 }', /expires 2027-02-30 is not a date YYYY-MM-DD/],
    ['- { check: a.b, reason: x, until: 2027-01-01 }', /unknown key "until"/],
    ['- a.b', /entry 1 must be a mapping/],
    ['a.b\na.b', /a\.b is named twice/],
  ])('refuses %j, naming the entry', (text, message) => {
    expect(() => parseBaseline(text, 'b.yaml')).toThrow(message)
  })
})

describe('markBaseline and summarizeBaseline', () => {
  const entries = [
    { check: 'x.expired', reason: 'r', expires: '2026-05-31' },
    { check: 'x.today', reason: 'r', expires: '2026-06-01' },
    { check: 'x.passes', reason: 'r' },
    { check: 'x.skipped', reason: 'r' },
    { check: 'x.gone', reason: 'r' },
    { check: 'x.unselected', reason: 'r' },
  ]
  const marks = markBaseline(entries, day('2026-06-01'))

  it('an entry excuses through its expiry day, UTC, and not after', () => {
    expect(marks.get('x.expired')).toEqual({ reason: 'r', expires: '2026-05-31', expired: true })
    expect(marks.get('x.today')).toEqual({ reason: 'r', expires: '2026-06-01', expired: false })
    expect(markBaseline(entries, day('2026-06-02')).get('x.today')?.expired).toBe(true)
  })

  it('lists expired entries, and every entry that excused nothing with why', () => {
    const results = [
      { id: 'x.expired', status: 'fail' as const },
      { id: 'x.today', status: 'warn' as const },
      { id: 'x.passes', status: 'pass' as const },
      { id: 'x.skipped', status: 'skip' as const },
    ]
    expect(summarizeBaseline(entries, marks, results, (id) => id !== 'x.gone')).toEqual({
      entries: 6,
      expired: ['x.expired'],
      unused: [
        { check: 'x.passes', why: 'passed' },
        { check: 'x.skipped', why: 'did not run (skip)' },
        { check: 'x.gone', why: 'not a check' },
        { check: 'x.unselected', why: 'not selected' },
      ],
    })
  })
})

describe('updateBaseline and renderBaseline', () => {
  it('keeps the entries of checks that still fail, adds the new failures with the date, drops the rest, and reads back', () => {
    const entries = [
      { check: 'a', reason: 'known', expires: '2020-01-01' },
      { check: 'b', reason: 'fixed now' },
      { check: 'c', reason: noReason },
    ]
    const results = [
      { id: 'a', status: 'fail' as const, message: 'still' },
      { id: 'b', status: 'pass' as const, message: '' },
      { id: 'c', status: 'warn' as const, message: 'soft\nmore' },
      { id: 'd', status: 'fail' as const, message: 'new' },
      { id: 'e', status: 'error' as const, message: 'broke' },
    ]
    const updated = updateBaseline(entries, results, day('2026-06-01'))
    expect(updated).toEqual([
      { check: 'a', reason: 'known', expires: '2020-01-01' },
      { check: 'c', reason: 'accepted by --baseline-update on 2026-06-01: soft' },
      { check: 'd', reason: 'accepted by --baseline-update on 2026-06-01: new' },
    ])
    expect(parseBaseline(renderBaseline(updated), 'b.yaml')).toEqual(updated)
    expect(parseBaseline(renderBaseline([]), 'b.yaml')).toEqual([])
  })
})
