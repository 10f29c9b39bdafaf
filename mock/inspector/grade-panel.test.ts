import { describe, expect, it } from 'vitest'
import { boundGrade, createGradePanel, gradeBounds, type InspectorGrade } from './grade-panel.ts'

const grade = (checks: InspectorGrade['checks']): InspectorGrade => ({ verdict: 'INCOMPLETE', summary: 'scenario steady, 2 of 9 judged', checks })

describe('the grade panel', () => {
  it('tells its subscribers of each change and shows the latest grade', () => {
    const panel = createGradePanel()
    const seen: (InspectorGrade | undefined)[] = []
    const stop = panel.subscribe(() => seen.push(panel.current()))
    panel.show(grade([{ id: 'client.pages-to-end', level: 'MUST', status: 'pass', message: 'reached the empty page' }]))
    panel.clear()
    stop()
    panel.show(grade([]))
    expect(seen.map((one) => one?.verdict)).toEqual(['INCOMPLETE', undefined])
    expect(panel.current()?.checks).toEqual([])
  })

  it('keeps what it shows bounded, failures first so none is cut', () => {
    const huge = '<script>'.repeat(100_000)
    const checks = Array.from({ length: 1000 }, (_, i) => ({
      id: `c${i}`,
      level: 'MUST',
      status: i === 999 ? ('fail' as const) : ('pass' as const),
      message: huge,
    }))
    const bounded = boundGrade({ verdict: huge, summary: huge, checks })
    expect(bounded.checks).toHaveLength(gradeBounds.checks)
    expect(bounded.checks[0]).toMatchObject({ id: 'c999', status: 'fail' })
    expect(bounded.checks[0]?.message).toHaveLength(gradeBounds.text + 1)
    expect(bounded.summary).toHaveLength(gradeBounds.text + 1)
    expect(bounded.verdict).toHaveLength(gradeBounds.id + 1)
  })
})
