/**
 * The self-test's verdict, pure: which checks caught each seeded defect, whether the clean mock passed, and
 * the detection matrix as text. `cli/selftest.ts` runs the suite and hands the outcomes here.
 */
import { replaceMarkedBlock } from '../conformance/catalogue.ts'
import type { CheckStatus } from '../conformance/types.ts'
import type { VerdictName } from '../conformance/verdict.ts'
import type { Defect } from '../mock/defects/index.ts'

export interface CheckOutcome {
  id: string
  status: CheckStatus
  message: string
}

/** One run of the suite: its verdict and checks, or why it stopped before any check (a pre-flight refusal). */
export type RunOutcome = { kind: 'ran'; verdict: VerdictName; summary: string; checks: CheckOutcome[] } | { kind: 'stopped'; reason: string }

export type DefectInfo = Pick<Defect, 'name' | 'family' | 'requirements' | 'decision' | 'description'>

export interface DefectRow extends DefectInfo {
  /** Checks that failed or warned with the defect on and passed on the clean mock, in suite order. */
  caughtBy: string[]
  /** The run with the defect on stopped before any check: `nwa check` refused the server (exit 2) with this reason. */
  stoppedAt?: string
  caught: boolean
}

export interface CleanJudgement {
  ok: boolean
  /** Why the clean mock does not pass: its verdict, and every check that failed, warned or broke. */
  problems: string[]
}

export interface Matrix {
  clean: CleanJudgement
  rows: DefectRow[]
  caught: number
  total: number
}

const detecting: ReadonlySet<CheckStatus> = new Set(['fail', 'warn'])

/** The clean mock passes when the run is CONFORMANT and no check failed, warned or broke: a detection must stand out against it. */
export function judgeClean(outcome: RunOutcome): CleanJudgement {
  if (outcome.kind === 'stopped') return { ok: false, problems: [`the run stopped before any check: ${outcome.reason}`] }
  const problems = outcome.checks
    .filter((check) => check.status === 'fail' || check.status === 'warn' || check.status === 'error')
    .map((check) => `${check.id}: ${check.status}: ${check.message.split('\n')[0]}`)
  if (outcome.verdict !== 'CONFORMANT') problems.unshift(`${outcome.verdict}: ${outcome.summary}`)
  return { ok: problems.length === 0, problems }
}

/**
 * A check caught the defect when it failed or warned with the defect on and passed on the clean mock. A run
 * that stopped at pre-flight caught it too: `nwa check` refuses such a server outright.
 */
export function detectionRow(defect: DefectInfo, clean: RunOutcome, outcome: RunOutcome): DefectRow {
  const info: DefectInfo = {
    name: defect.name,
    family: defect.family,
    requirements: defect.requirements,
    description: defect.description,
    ...(defect.decision === undefined ? {} : { decision: defect.decision }),
  }
  if (outcome.kind === 'stopped') return { ...info, caughtBy: [], stoppedAt: outcome.reason, caught: true }
  const passedClean = new Set(clean.kind === 'ran' ? clean.checks.filter((check) => check.status === 'pass').map((check) => check.id) : [])
  const caughtBy = outcome.checks.filter((check) => detecting.has(check.status) && passedClean.has(check.id)).map((check) => check.id)
  return { ...info, caughtBy, caught: caughtBy.length > 0 }
}

export function computeMatrix(clean: RunOutcome, runs: readonly { defect: DefectInfo; outcome: RunOutcome }[]): Matrix {
  const rows = runs.map(({ defect, outcome }) => detectionRow(defect, clean, outcome))
  return { clean: judgeClean(clean), rows, caught: rows.filter((row) => row.caught).length, total: rows.length }
}

/** 0 only when the clean mock passed and every defect of a non-empty catalogue was caught; 1 otherwise. */
export function selftestExitCode(matrix: Matrix): 0 | 1 {
  return matrix.clean.ok && matrix.total > 0 && matrix.caught === matrix.total ? 0 : 1
}

export function summaryLine(matrix: Matrix): string {
  const clean = matrix.clean.ok ? 'the clean mock is CONFORMANT with no check failed or warned' : 'the clean mock FAILS the suite'
  return `${matrix.caught} of ${matrix.total} defects caught; ${clean}`
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|')

function breaks(row: DefectInfo): string {
  return [...row.requirements, ...(row.decision === undefined ? [] : [row.decision])].join(', ')
}

function caughtCell(row: DefectRow): string {
  if (row.stoppedAt !== undefined) return `pre-flight: ${escapeCell(row.stoppedAt)}`
  return row.caught ? row.caughtBy.map((id) => `\`${id}\``).join(', ') : '**not caught**'
}

export const matrixHeader = ['| defect | family | breaks | what is wrong | caught by |', '| --- | --- | --- | --- | --- |'] as const

/** The matrix as Markdown: the summary, then one row per defect in catalogue order. No timings, so runs can be compared. */
export function renderMarkdown(matrix: Matrix): string {
  const rows = matrix.rows.map((row) => `| \`${row.name}\` | ${row.family} | ${breaks(row)} | ${escapeCell(row.description)} | ${caughtCell(row)} |`)
  const lines = [`**${summaryLine(matrix)}.**`, '', ...matrixHeader, ...rows]
  if (!matrix.clean.ok) lines.push('', 'The clean mock:', '', ...matrix.clean.problems.map((problem) => `- ${problem}`))
  return lines.join('\n')
}

/** One console line per defect as its run ends. */
export function progressLine(row: DefectRow, index: number, total: number): string {
  const head = `${row.caught ? '✓' : '✗'} [${index + 1}/${total}] ${row.name} (${row.family})`
  if (row.stoppedAt !== undefined) return `${head}: refused at pre-flight: ${row.stoppedAt}`
  return row.caught ? `${head}: caught by ${row.caughtBy.join(', ')}` : `${head}: NOT CAUGHT`
}

export const markdownMarkers = { start: '<!-- selftest:start -->', end: '<!-- selftest:end -->' } as const

/** Replaces the block between the markers of a docs page (docs/selftest.md) with the matrix. */
export function replaceMatrix(readme: string, markdown: string): string {
  return replaceMarkedBlock(readme, markdownMarkers, 'selftest', markdown)
}
