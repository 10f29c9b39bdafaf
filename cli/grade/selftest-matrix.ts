/**
 * The grader's self-test verdict, pure: whether the clean samples graded CONFORMANT with nothing failed or warned, which
 * judgments caught each seeded defect, and the matrix as Markdown. cli/grade/selftest.ts runs the grades.
 */
import { replaceMarkedBlock } from '../../conformance/catalogue.ts'
import type { CheckStatus } from '../../conformance/types.ts'
import type { ConnectorDefect } from './selftest-catalogue.ts'

/** What the matrix reads of a grade: each result by id (`scenario/judgment`), and the verdict. */
export interface GradeOutcome {
  verdict: string
  summary: string
  checks: { id: string; status: CheckStatus; message: string }[]
}

export interface CleanSample {
  sample: string
  ok: boolean
  /** Why it is not clean: its verdict, and every judgment that failed, warned or broke. */
  problems: string[]
}

export interface GradeDefectRow extends ConnectorDefect {
  /** Judgments that failed or warned with the defect on and passed on the clean sample in the same scenario. */
  caughtBy: string[]
  caught: boolean
}

export interface GradeMatrix {
  clean: CleanSample[]
  rows: GradeDefectRow[]
  caught: number
  total: number
  /** Samples not run, and why (Python requests missing). */
  skipped: { sample: string; reason: string }[]
}

const detecting: ReadonlySet<CheckStatus> = new Set(['fail', 'warn'])

export function judgeCleanSample(sample: string, outcome: GradeOutcome): CleanSample {
  const problems = outcome.checks
    .filter((check) => check.status === 'fail' || check.status === 'warn' || check.status === 'error')
    .map((check) => `${check.id}: ${check.status}: ${check.message.split('\n')[0]}`)
  if (outcome.verdict !== 'CONFORMANT') problems.unshift(`${outcome.verdict}: ${outcome.summary}`)
  return { sample, ok: problems.length === 0, problems }
}

/** The judgments (ids without the scenario) that caught the defect: failed or warned with it, passed on the clean sample. */
export function caughtBy(defect: ConnectorDefect, clean: GradeOutcome, outcome: GradeOutcome): string[] {
  const prefix = `${defect.scenario}/`
  const passedClean = new Set(clean.checks.filter((check) => check.status === 'pass').map((check) => check.id))
  return outcome.checks
    .filter((check) => check.id.startsWith(prefix) && detecting.has(check.status) && passedClean.has(check.id))
    .map((check) => check.id.slice(prefix.length))
}

export function computeGradeMatrix(
  clean: readonly CleanSample[],
  runs: readonly { defect: ConnectorDefect; caughtBy: string[] }[],
  skipped: GradeMatrix['skipped'],
): GradeMatrix {
  const rows = runs.map(({ defect, caughtBy: judgments }) => ({ ...defect, caughtBy: judgments, caught: judgments.length > 0 }))
  return { clean: [...clean], rows, caught: rows.filter((row) => row.caught).length, total: rows.length, skipped: [...skipped] }
}

/** 0 only when every clean sample passed and every defect run was caught (at least 25 of them); 1 otherwise. */
export function gradeSelftestExitCode(matrix: GradeMatrix, minimum = 25): 0 | 1 {
  return matrix.clean.every((sample) => sample.ok) && matrix.total >= minimum && matrix.caught === matrix.total ? 0 : 1
}

export function gradeSummaryLine(matrix: GradeMatrix): string {
  const clean = matrix.clean.every((sample) => sample.ok)
    ? `the clean samples (${matrix.clean.map((sample) => sample.sample).join(', ')}) are CONFORMANT in every scenario with no judgment failed or warned`
    : `a clean sample FAILS: ${matrix.clean
        .filter((sample) => !sample.ok)
        .map((sample) => sample.sample)
        .join(', ')}`
  return `${matrix.caught} of ${matrix.total} seeded connector defects caught; ${clean}`
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|')

export const gradeMatrixHeader = ['| defect | sample | scenario | breaks | what is wrong | caught by |', '| --- | --- | --- | --- | --- | --- |'] as const

export function renderGradeMatrix(matrix: GradeMatrix): string {
  const rows = matrix.rows.map(
    (row) =>
      `| \`${row.name}\` | ${row.sample} | ${row.scenario} | ${row.breaks.join(', ')} | ${escapeCell(row.description)} | ${row.caught ? row.caughtBy.map((id) => `\`${id}\``).join(', ') : '**not caught**'} |`,
  )
  const lines = [`**${gradeSummaryLine(matrix)}.**`, '', ...gradeMatrixHeader, ...rows]
  for (const skip of matrix.skipped) lines.push('', `Not run: ${skip.sample}, because ${escapeCell(skip.reason)}.`)
  for (const sample of matrix.clean.filter((item) => !item.ok))
    lines.push('', `The clean ${sample.sample}:`, '', ...sample.problems.map((problem) => `- ${escapeCell(problem)}`))
  return lines.join('\n')
}

/** One console line per defect as its run ends. */
export function gradeProgressLine(row: GradeDefectRow, index: number, total: number): string {
  const head = `${row.caught ? '✓' : '✗'} [${index + 1}/${total}] ${row.name} (${row.sample}, ${row.scenario})`
  return row.caught ? `${head}: caught by ${row.caughtBy.join(', ')}` : `${head}: NOT CAUGHT`
}

export const gradeMatrixMarkers = { start: '<!-- grade-selftest:start -->', end: '<!-- grade-selftest:end -->' } as const

export function replaceGradeMatrix(readme: string, markdown: string): string {
  return replaceMarkedBlock(readme, gradeMatrixMarkers, 'grade-selftest', markdown)
}
