import { describe, expect, it } from 'vitest'
import { diffReports, renderDiffMarkdown, type DiffableCheck, type DiffableReport } from './diff.ts'

const check = (id: string, status: DiffableCheck['status'], fields: Partial<DiffableCheck> = {}): DiffableCheck => ({
  id,
  title: `title of ${id}`,
  level: 'MUST',
  status,
  message: `${id} ${status}\nsecond line`,
  ...fields,
})

function report(verdict: string, checks: DiffableCheck[], target = 'https://a:9699/netwrix/api/v1', server = 'Microsoft-HTTPAPI/2.0'): DiffableReport {
  return { verdict: { verdict, exitCode: verdict === 'CONFORMANT' ? 0 : 1, summary: '' }, summary: { target }, preflight: { identity: { server } }, checks }
}

describe('diffReports', () => {
  const older = report('CONFORMANT', [
    check('a.passes', 'pass'),
    check('b.breaks', 'pass'),
    check('c.fixed', 'fail'),
    check('d.gone', 'pass'),
    check('e.skips', 'pass'),
    check('f.level', 'pass', { level: 'SHOULD', decision: 'D1' }),
    check('g.warns', 'pass', { level: 'SHOULD' }),
    check('h.known', 'pass'),
  ])
  const newer = report(
    'NOT CONFORMANT',
    [
      check('a.passes', 'pass'),
      check('b.breaks', 'fail'),
      check('c.fixed', 'pass'),
      check('e.skips', 'skip'),
      check('f.level', 'pass', { level: 'MUST', decision: 'D2' }),
      check('g.warns', 'warn', { level: 'SHOULD' }),
      check('h.known', 'fail', { baselined: true }),
      check('i.new', 'fail'),
      check('j.new', 'pass'),
    ],
    'https://b:9699/netwrix/api/v1',
  )
  const diff = diffReports(older, newer, { old: 'old.json', new: 'new.tar' })

  it('sorts every change into its kind', () => {
    expect(diff.newlyFailing.map((item) => [item.id, item.from ?? 'new', item.to])).toEqual([
      ['b.breaks', 'pass', 'fail'],
      ['g.warns', 'pass', 'warn'],
      ['h.known', 'pass', 'fail'],
      ['i.new', 'new', 'fail'],
    ])
    expect(diff.fixed.map((item) => item.id)).toEqual(['c.fixed'])
    expect(diff.added.map((item) => item.id)).toEqual(['i.new', 'j.new'])
    expect(diff.removed.map((item) => item.id)).toEqual(['d.gone'])
    expect(diff.levels).toEqual([{ id: 'f.level', from: 'SHOULD', to: 'MUST' }])
    expect(diff.decisions).toEqual([{ id: 'f.level', from: 'D1', to: 'D2' }])
    expect(diff.otherStatus.map((item) => [item.id, item.from, item.to])).toEqual([['e.skips', 'pass', 'skip']])
    expect(diff.identity).toEqual([{ field: 'target', from: 'https://a:9699/netwrix/api/v1', to: 'https://b:9699/netwrix/api/v1' }])
    expect(diff).toMatchObject({ verdictChanged: true, verdictWorse: true, regression: true })
    expect(diff.newlyFailing[0]?.message).toBe('b.breaks fail')
  })

  it('is a regression only for an unexcused new failure or a worse verdict', () => {
    const base = report('NOT CONFORMANT', [check('x', 'pass'), check('y', 'fail')])
    expect(diffReports(base, report('NOT CONFORMANT', [check('x', 'pass'), check('y', 'fail')]), { old: 'o', new: 'n' }).regression).toBe(false)
    expect(diffReports(base, report('NOT CONFORMANT', [check('x', 'fail', { baselined: true }), check('y', 'fail')]), { old: 'o', new: 'n' }).regression).toBe(
      false,
    )
    expect(diffReports(base, report('NOT CONFORMANT', [check('x', 'warn'), check('y', 'fail')]), { old: 'o', new: 'n' }).regression).toBe(true)
    expect(diffReports(report('CONFORMANT', [check('x', 'pass')]), report('INCOMPLETE', [check('x', 'skip')]), { old: 'o', new: 'n' }).regression).toBe(true)
    expect(diffReports(report('NOT CONFORMANT', [check('x', 'fail')]), report('CONFORMANT', [check('x', 'pass')]), { old: 'o', new: 'n' }).regression).toBe(
      false,
    )
  })

  it('renders Markdown for a pull-request comment: verdicts, identity, one section per kind of change', () => {
    const markdown = renderDiffMarkdown(diff)
    expect(markdown.split('\n').slice(0, 7)).toEqual([
      '## nwa diff: ❌ regression',
      '',
      '| | old | new |',
      '| --- | --- | --- |',
      '| report | old.json | new.tar |',
      '| verdict | CONFORMANT (exit 0) | NOT CONFORMANT (exit 1) |',
      '| target | https://a:9699/netwrix/api/v1 | https://b:9699/netwrix/api/v1 |',
    ])
    expect(markdown).toContain('⚠️ The two reports judged different targets (target).')
    expect(markdown).toContain('### Newly failing (4)\n\n- `b.breaks` MUST pass → fail: b.breaks fail\n')
    expect(markdown).toContain('- `h.known` MUST pass → fail (baselined): h.known fail')
    expect(markdown).toContain('### Fixed (1)\n\n- `c.fixed` MUST fail → pass: c.fixed pass')
    expect(markdown).toContain('### Removed checks (1)\n\n- `d.gone` MUST pass → removed')
    expect(markdown).toContain('### Level changes (1)\n\n- `f.level` SHOULD → MUST')
    expect(markdown).toContain('### Decision changes (1)\n\n- `f.level` D1 → D2')
    expect(markdown).toContain('### Other status changes (1)\n\n- `e.skips` MUST pass → skip')
    expect(renderDiffMarkdown(diffReports(older, older, { old: 'a', new: 'a' }))).toMatch(/✅ no regression[\s\S]*No check changed\.\n$/)
  })
})
