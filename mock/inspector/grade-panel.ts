/**
 * The inspector's "grade so far" panel, fed by whatever grades the connector talking to the mock (docs/inspector.md,
 * "The grade panel"). The grader calls `show` whenever its grade changes; the page, over its event stream, draws the
 * latest. Nothing here grades: without a grader the panel stays hidden. What is shown is bounded, since a check's
 * message may quote what the connector sent.
 */
import { excerpt } from '../../openapi/excerpt.ts'

export type GradeCheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'error' | 'pending'

/** The grade as the page draws it: a verdict line and one row per check (judgment). */
export interface InspectorGrade {
  /** The verdict so far, as the reports word it (CONFORMANT, NOT CONFORMANT, INCOMPLETE), or any short word. */
  verdict: string
  /** One line: the scenario and what the verdict rests on. */
  summary: string
  checks: { id: string; level: string; status: GradeCheckStatus; message: string }[]
}

export interface GradePanel {
  /** Replaces the grade the page shows (bounded by gradeBounds). */
  show(grade: InspectorGrade): void
  /** Hides the panel. */
  clear(): void
  current(): InspectorGrade | undefined
  /** Called after each show or clear; returns the function that stops it. */
  subscribe(listener: () => void): () => void
}

export const gradeBounds = { checks: 300, text: 400, id: 100 } as const

/** A grade within gradeBounds: every text an excerpt, at most gradeBounds.checks rows (failures first, so none is cut). */
export function boundGrade(grade: InspectorGrade): InspectorGrade {
  const rank = (status: GradeCheckStatus) => (status === 'fail' || status === 'error' ? 0 : status === 'warn' ? 1 : 2)
  const ordered = [...grade.checks].sort((a, b) => rank(a.status) - rank(b.status))
  return {
    verdict: excerpt(grade.verdict, gradeBounds.id),
    summary: excerpt(grade.summary, gradeBounds.text),
    checks: ordered.slice(0, gradeBounds.checks).map((check) => ({
      id: excerpt(check.id, gradeBounds.id),
      level: excerpt(check.level, gradeBounds.id),
      status: check.status,
      message: excerpt(check.message, gradeBounds.text),
    })),
  }
}

export function createGradePanel(): GradePanel {
  let grade: InspectorGrade | undefined
  const listeners = new Set<() => void>()
  const changed = () => {
    for (const listener of listeners) listener()
  }
  return {
    show(next) {
      grade = boundGrade(next)
      changed()
    },
    clear() {
      grade = undefined
      changed()
    },
    current: () => grade,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
