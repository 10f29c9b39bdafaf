import { describe, expect, it } from 'vitest'
import { computeVerdict, groupReasons, type VerdictInput, type VerdictPolicy } from './verdict.ts'

const strict: VerdictPolicy = { failOn: 'must', allowIncomplete: false }

function result(id: string, level: VerdictInput['level'], status: VerdictInput['status'], fields: Partial<VerdictInput> = {}): VerdictInput {
  return { id, level, status, message: `${id} ${status}`, baselined: false, applicable: true, ...fields }
}

describe('computeVerdict', () => {
  it('is CONFORMANT, exit 0, only when every applicable MUST check ran and passed', () => {
    const verdict = computeVerdict([result('a', 'MUST', 'pass'), result('b', 'MUST', 'pass'), result('c', 'SHOULD', 'pass')], [], strict)
    expect(verdict).toMatchObject({ verdict: 'CONFORMANT', exitCode: 0, mustTotal: 2, mustPassed: 2, mustFailed: [], mustNotRun: [] })
    expect(verdict.summary).toBe('all 2 applicable MUST checks ran and passed')
  })

  it('is NOT CONFORMANT, exit 1, when a MUST check failed, even when others did not run', () => {
    const verdict = computeVerdict([result('a', 'MUST', 'fail'), result('b', 'MUST', 'skip')], ['c'], { failOn: 'must', allowIncomplete: true })
    expect(verdict).toMatchObject({ verdict: 'NOT CONFORMANT', exitCode: 1, mustFailed: ['a'], mustTotal: 3 })
    expect(verdict.summary).toBe('1 of 3 MUST checks failed: a')
  })

  it('names checks a stopped run never reached as stopped, says why the run stopped, and never accepts them with --allow-incomplete', () => {
    const stopped = { reason: 'the target stopped answering: 3 checks in a row broke on it', ids: ['b', 'c'] }
    const verdict = computeVerdict(
      [result('a', 'MUST', 'pass'), result('b', 'MUST', 'skip', { message: 'not run: the target stopped answering' }), result('c', 'SHOULD', 'skip')],
      [],
      { failOn: 'must', allowIncomplete: true, stopped },
    )
    expect(verdict).toMatchObject({ verdict: 'INCOMPLETE', exitCode: 3, stopped: stopped.reason })
    expect(verdict.mustNotRun).toEqual([{ id: 'b', kind: 'stopped', reason: 'not run: the target stopped answering' }])
    expect(verdict.summary).toMatch(/^the run stopped early, the target stopped answering: 3 checks in a row broke on it; no MUST check failed, but 1 of 2/)
  })

  it('is INCOMPLETE, exit 3, when no MUST failed but some were skipped, broke or were not selected, and says how many and why', () => {
    const verdict = computeVerdict(
      [
        result('a', 'MUST', 'pass'),
        result('w1', 'MUST', 'skip', { message: 'needs --write: writes are permanent' }),
        result('w2', 'MUST', 'skip', { message: 'needs --write: writes are permanent' }),
        result('c', 'MUST', 'skip', { message: 'no contributor account configured' }),
        result('e', 'MUST', 'error', { message: 'socket hang up\nstack' }),
      ],
      ['x'],
      strict,
    )
    expect(verdict).toMatchObject({ verdict: 'INCOMPLETE', exitCode: 3, mustTotal: 6, mustPassed: 1 })
    expect(verdict.mustNotRun.map((item) => [item.id, item.kind])).toEqual([
      ['w1', 'skipped'],
      ['w2', 'skipped'],
      ['c', 'skipped'],
      ['e', 'broke'],
      ['x', 'not selected'],
    ])
    expect(verdict.summary).toBe(
      'no MUST check failed, but 5 of 6 MUST checks did not run: 2 needs --write: writes are permanent; 1 broke: socket hang up; 1 no contributor account configured; 1 not selected (--only/--skip)',
    )
  })

  it('exits 0 on INCOMPLETE with --allow-incomplete, but never when a MUST check broke', () => {
    const skipped = [result('a', 'MUST', 'pass'), result('w', 'MUST', 'skip', { message: 'needs --write' })]
    const allowed = computeVerdict(skipped, [], { failOn: 'must', allowIncomplete: true })
    expect(allowed).toMatchObject({ verdict: 'INCOMPLETE', exitCode: 0 })
    expect(allowed.summary).toMatch(/\(accepted with --allow-incomplete\)$/)
    expect(computeVerdict([...skipped, result('e', 'MUST', 'error')], [], { failOn: 'must', allowIncomplete: true })).toMatchObject({ exitCode: 3 })
  })

  it('never lets a baseline make a failed MUST pass, and names the baselined ones', () => {
    const verdict = computeVerdict([result('a', 'MUST', 'fail', { baselined: true }), result('b', 'MUST', 'pass')], [], strict)
    expect(verdict).toMatchObject({ verdict: 'NOT CONFORMANT', exitCode: 1, mustBaselined: ['a'] })
    expect(verdict.summary).toBe('1 of 2 MUST checks failed (1 of them in the baseline): a')
  })

  it('leaves a not-applicable MUST out of the count and says so', () => {
    const verdict = computeVerdict([result('a', 'MUST', 'pass'), result('digest', 'MUST', 'skip', { applicable: false })], [], strict)
    expect(verdict).toMatchObject({ verdict: 'CONFORMANT', exitCode: 0, mustTotal: 1, mustNotApplicable: ['digest'] })
    expect(verdict.summary).toBe('all 1 applicable MUST check ran and passed; 1 not applicable to this target')
  })

  it('counts SHOULD and MAY warnings and errors; with --fail-on warn they exit 1 unless baselined', () => {
    const results = [result('a', 'MUST', 'pass'), result('s', 'SHOULD', 'warn'), result('m', 'MAY', 'error')]
    expect(computeVerdict(results, [], strict)).toMatchObject({ verdict: 'CONFORMANT', exitCode: 0, warnings: 2 })
    const warn = computeVerdict(results, [], { failOn: 'warn', allowIncomplete: false })
    expect(warn).toMatchObject({ verdict: 'CONFORMANT', exitCode: 1 })
    expect(warn.summary).toMatch(/2 SHOULD\/MAY checks warned or broke \(exit 1 with --fail-on warn\)$/)
    const incomplete = [...results, result('w', 'MUST', 'skip')]
    expect(computeVerdict(incomplete, [], { failOn: 'warn', allowIncomplete: false })).toMatchObject({ verdict: 'INCOMPLETE', exitCode: 1 })
    const baselined = results.map((item) => (item.level === 'MUST' ? item : { ...item, baselined: true }))
    expect(computeVerdict(baselined, [], { failOn: 'warn', allowIncomplete: false })).toMatchObject({ exitCode: 0 })
  })

  it('is INCOMPLETE for a run that selected no MUST check of a suite that has some', () => {
    expect(computeVerdict([result('s', 'SHOULD', 'pass')], ['a', 'b'], strict)).toMatchObject({ verdict: 'INCOMPLETE', exitCode: 3, mustTotal: 2 })
  })
})

describe('groupReasons', () => {
  it('groups not-run checks by reason, most frequent first, marking those that broke', () => {
    expect(
      groupReasons([
        { id: 'a', kind: 'skipped', reason: 'r1' },
        { id: 'b', kind: 'broke', reason: 'boom' },
        { id: 'c', kind: 'skipped', reason: 'r1' },
      ]),
    ).toEqual([
      { reason: 'r1', ids: ['a', 'c'] },
      { reason: 'broke: boom', ids: ['b'] },
    ])
  })
})
