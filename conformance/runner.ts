/**
 * plan → pre-flight → exchanges → results → verdict (ARCHITECTURE.md, "The runner"): runs the selected checks in
 * order against one target and emits events; reporters listen, the runner knows no formats.
 */
import { fileURLToPath } from 'node:url'
import { requirementLevels, serverRequirements, type Requirement, type RequirementLevel } from '../openapi/requirements.ts'
import { defaultSchemes } from './auth/with-auth.ts'
import type { BundleSubject } from './bundle/bundle.ts'
import type { GradeReport, GradeRunOptions } from './grade/types.ts'
import { createCheckSession, type ContextFactoryOptions } from './context.ts'
import { markBaseline, summarizeBaseline, type BaselineEntry, type BaselineMark, type BaselineSummary } from './baseline.ts'
import { computeCoverage, loadUntestable, type CoverageRow, type UntestableEntry } from './coverage.ts'
import { isConformanceError } from './errors.ts'
import { createEvidenceLog, defaultEvidenceLimits, type CheckEvidence, type EvidenceLimits, type EvidenceLog, type EvidenceSink } from './evidence.ts'
import { runMeta, type RunMeta } from './meta.ts'
import { runPreflight, type Preflight } from './preflight.ts'
import type { Check, CheckStatus, CheckVerdict, RunOptions } from './types.ts'
import { computeVerdict, type FailOn, type RunExitCode, type Verdict } from './verdict.ts'

export type { FailOn } from './verdict.ts'

export interface CheckResult {
  id: string
  title: string
  level: RequirementLevel
  /** The openapi/DECISIONS.md entry the check reads, when it reads one. */
  decision?: string
  category: string
  tags: string[]
  requirements: string[]
  status: CheckStatus
  /** False for a skip whose rule does not apply to this target (a scheme it does not offer). */
  applicable: boolean
  message: string
  /** Whole milliseconds. */
  durationMs: number
  /**
   * Excused by an unexpired baseline entry: reported with its status; it exempts a warning from --fail-on warn, never a
   * MUST failure.
   */
  baselined: boolean
  /** The baseline entry naming this check, expired or not. */
  baseline?: BaselineMark
  evidence: CheckEvidence
}

export const checkStatuses: readonly CheckStatus[] = ['pass', 'fail', 'warn', 'skip', 'error']

export type StatusCounts = Record<CheckStatus, number>

export interface RunSummary {
  target: string
  runMarker: string
  /** ISO 8601. */
  startedAt: string
  finishedAt: string
  /** Whole milliseconds. */
  durationMs: number
  /** The check run's options, or a grade's (`kind: 'grade'`). */
  options: RunOptions | GradeRunOptions
  counts: StatusCounts
  byLevel: Record<RequirementLevel, StatusCounts>
  baselined: number
  allowIncomplete: boolean
  /** With a baseline: how many entries, which expired, which excused nothing. */
  baseline?: BaselineSummary
}

export interface RunResult {
  meta: RunMeta
  preflight: Preflight
  verdict: Verdict
  summary: RunSummary
  checks: CheckResult[]
  coverage: CoverageRow[]
  exitCode: RunExitCode
  /** What was judged when it is not the server at summary.target: a graded connector (`nwa grade`). */
  subject?: BundleSubject
  /** A grade's scenarios, launches and roles. */
  grade?: GradeReport
}

export type RunEvent =
  | { type: 'run-started'; target: string; runMarker: string; startedAt: string; total: number; meta: RunMeta; preflight: Preflight }
  | { type: 'check-started'; id: string; title: string; category: string; index: number; total: number }
  | { type: 'check-finished'; result: CheckResult; index: number; total: number }
  | { type: 'run-finished'; summary: RunSummary; verdict: Verdict; exitCode: RunExitCode }

export interface RunPlan {
  checks: Check[]
  context: ContextFactoryOptions
  options: RunOptions
  /** Known failures: an unexpired entry marks its check in the reports and exempts it from --fail-on warn. */
  baseline?: readonly BaselineEntry[]
  failOn: FailOn
  /** Accept an INCOMPLETE verdict (MUST checks skipped for a stated reason) with exit 0. */
  allowIncomplete?: boolean
  /**
   * The whole suite; default `checks`. Coverage describes the suite, not this selection, and MUST checks of
   * the suite left out of the selection make the verdict INCOMPLETE.
   */
  coverageChecks?: readonly Check[]
  requirements?: readonly Requirement[]
  untestable?: readonly UntestableEntry[]
  evidenceLimits?: EvidenceLimits
  /** Receives every exchange and note whole, pre-flight's included (a bundle's full evidence); the reports keep trimmed ones. */
  evidenceSink?: EvidenceSink
  /** Default: read from package.json and the contract file. */
  meta?: RunMeta
  /** Checks in a row that break on the target's transport before the rest are not run; default 3. */
  stopAfter?: number
  /** When the run stops (the context's clock, ms since the epoch): requests are cut there and the remaining checks are not run. */
  deadlineAt?: number
}

export function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 }
}

/** Why a check cannot run with these options and accounts, or undefined when it can. */
export function skipReason(check: Check, plan: Pick<RunPlan, 'options' | 'context'>): string | undefined {
  const needs = check.needs ?? {}
  if (needs.write && !plan.options.write) return 'needs --write: writes to an audit database are permanent'
  if (needs.destructive && !plan.options.destructive) {
    return 'needs --destructive: it loads or disturbs the target beyond ordinary writes'
  }
  const missing = (needs.accounts ?? []).find((role) => plan.context.accounts[role] === undefined)
  if (missing !== undefined) return `no ${missing} account configured`
  if (needs.groups && plan.context.groups === undefined) return 'no groups configured (groups.inGroup and groups.members in the config)'
  return undefined
}

/** A SHOULD or MAY that fails is a warning; only MUST failures fail. */
export function statusOf(verdict: CheckVerdict, level: RequirementLevel): CheckStatus {
  return verdict.status === 'fail' && level !== 'MUST' ? 'warn' : verdict.status
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url))

/** The message and the frames in our own code, paths relative to the repository. */
export function trimStack(error: unknown, root: string = repoRoot, frames = 8): string {
  if (!(error instanceof Error)) return String(error)
  const lines = (error.stack ?? `${error.name}: ${error.message}`).split('\n')
  const head = lines.filter((line) => !/^\s+at /.test(line))
  const kept = lines
    .filter((line) => /^\s+at /.test(line) && !line.includes('node:internal') && !line.includes('node_modules'))
    .slice(0, frames)
    .map((line) => line.split(`file://${root}`).join('').split(root).join(''))
  return [...head, ...kept].join('\n')
}

function isVerdict(value: unknown): value is CheckVerdict {
  const verdict = value as CheckVerdict | null
  return (
    typeof verdict === 'object' &&
    verdict !== null &&
    (verdict.status === 'pass' || verdict.status === 'fail' || verdict.status === 'skip') &&
    typeof verdict.message === 'string'
  )
}

/** A check's verdict as a result status: a SHOULD or MAY fail warns; a malformed verdict is an error. */
function outcomeOf(verdict: unknown, level: RequirementLevel): Outcome {
  if (!isVerdict(verdict)) return { status: 'error', message: 'the check returned no verdict', applicable: true }
  return { status: statusOf(verdict, level), message: verdict.message, applicable: !(verdict.status === 'skip' && verdict.notApplicable === true) }
}

/** Transport failures that say the target itself stopped answering, as opposed to a check that broke on its own. */
const targetFailures = ['CONF_ERR_TIMEOUT', 'CONF_ERR_RESPONSE_TOO_LARGE', 'CONF_ERR_CONNECT'] as const

/** Checks in a row that break on the target's transport before the rest are not run (docs/evidence.md, "Run bounds"). */
export const defaultStopAfter = 3

/** Errors a check throws that mean it was not run for a stated reason, rather than that it broke. */
const notRunCodes = ['CONF_ERR_NO_ACCOUNT', 'CONF_ERR_AUTH_UNSUPPORTED', 'CONF_ERR_UNAUTHENTICATED'] as const

type Outcome = { status: CheckStatus; message: string; applicable: boolean }

/** The check's evidence for the report, and every exchange whole for the sink (a bundle's full evidence). */
function evidenceFor(scope: string, sink: EvidenceSink | undefined): EvidenceLog {
  const log = createEvidenceLog()
  if (sink === undefined) return log
  return {
    record: (exchange, origin) => {
      sink.record(scope, exchange)
      log.record(exchange, origin)
    },
    note: (text) => {
      sink.note(scope, text)
      log.note(text)
    },
    finish: (limits) => log.finish(limits),
  }
}

export async function runChecks(plan: RunPlan, events: (event: RunEvent) => void): Promise<RunResult> {
  const { now } = plan.context
  const deadlineAt = plan.deadlineAt
  const context: ContextFactoryOptions =
    deadlineAt === undefined ? plan.context : { ...plan.context, transport: { ...plan.context.transport, remainingMs: () => deadlineAt - now() } }
  const session = createCheckSession(context, plan.options)
  try {
    const preflight = await runPreflight({
      apiBase: plan.context.apiBase,
      codec: plan.context.codec,
      accounts: plan.context.accounts,
      mode: plan.options.auth,
      client: plan.context.schemes ?? defaultSchemes(plan.context.random, plan.context.now),
      context: session.contextFor(evidenceFor('preflight', plan.evidenceSink)),
      identity: () => session.identity(),
    })
    if (preflight.unauthenticated !== undefined) session.refuseAccounts(preflight.unauthenticated)
    const meta = plan.meta ?? runMeta()
    const started = now()
    const total = plan.checks.length
    events({
      type: 'run-started',
      target: plan.context.apiBase,
      runMarker: session.runMarker,
      startedAt: new Date(started).toISOString(),
      total,
      meta,
      preflight,
    })
    const baselineMarks = markBaseline(plan.baseline ?? [], started)
    const stopAfter = plan.stopAfter ?? defaultStopAfter
    const deadlineReason = deadlineAt === undefined ? '' : `the run reached its --deadline (${new Date(deadlineAt).toISOString()})`
    let stopped: string | undefined
    const stoppedIds: string[] = []
    let brokeInARow = 0
    const results: CheckResult[] = []
    for (const [index, check] of plan.checks.entries()) {
      events({ type: 'check-started', id: check.id, title: check.title, category: check.category, index, total })
      const evidence = evidenceFor(check.id, plan.evidenceSink)
      const checkStarted = now()
      if (stopped === undefined && deadlineAt !== undefined && checkStarted >= deadlineAt) stopped = deadlineReason
      let outcome: Outcome
      const reason = skipReason(check, plan)
      if (stopped !== undefined) {
        outcome = { status: 'skip', message: `not run: ${stopped}`, applicable: true }
        stoppedIds.push(check.id)
      } else if (reason !== undefined) {
        outcome = { status: 'skip', message: reason, applicable: true }
      } else {
        try {
          outcome = outcomeOf(await check.run(session.contextFor(evidence)), check.level)
          brokeInARow = 0
        } catch (error) {
          if (notRunCodes.some((code) => isConformanceError(error, code))) {
            outcome = { status: 'skip', message: (error as Error).message, applicable: true }
          } else if (isConformanceError(error, 'CONF_ERR_DEADLINE')) {
            stopped = deadlineReason
            outcome = { status: 'skip', message: `not run: ${stopped} while it ran`, applicable: true }
            stoppedIds.push(check.id)
          } else {
            outcome = { status: 'error', message: error instanceof Error ? error.message : String(error), applicable: true }
            evidence.note(trimStack(error))
            brokeInARow = targetFailures.some((code) => isConformanceError(error, code)) ? brokeInARow + 1 : 0
            if (brokeInARow >= stopAfter) {
              stopped = `the target stopped answering: ${brokeInARow} checks in a row broke on it, the last with "${outcome.message}"`
            }
          }
        }
      }
      const mark = baselineMarks.get(check.id)
      const result: CheckResult = {
        id: check.id,
        title: check.title,
        level: check.level,
        ...(check.decision === undefined ? {} : { decision: check.decision }),
        category: check.category,
        tags: [...check.tags],
        requirements: [...check.requirements],
        ...outcome,
        durationMs: Math.round(Math.max(0, now() - checkStarted)),
        baselined: mark !== undefined && !mark.expired,
        ...(mark === undefined ? {} : { baseline: mark }),
        evidence: evidence.finish(plan.evidenceLimits ?? defaultEvidenceLimits),
      }
      results.push(result)
      events({ type: 'check-finished', result, index, total })
    }
    const finished = now()
    const counts = emptyCounts()
    const byLevel = Object.fromEntries(requirementLevels.map((level) => [level, emptyCounts()])) as Record<RequirementLevel, StatusCounts>
    for (const result of results) {
      counts[result.status] += 1
      byLevel[result.level][result.status] += 1
    }
    const allowIncomplete = plan.allowIncomplete ?? false
    const summary: RunSummary = {
      target: plan.context.apiBase,
      runMarker: session.runMarker,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: Math.round(Math.max(0, finished - started)),
      options: plan.options,
      counts,
      byLevel,
      baselined: results.filter((result) => result.baselined).length,
      allowIncomplete,
    }
    if (plan.baseline !== undefined) {
      const suite = new Set([...(plan.coverageChecks ?? []), ...plan.checks].map((check) => check.id))
      summary.baseline = summarizeBaseline(plan.baseline, baselineMarks, results, (id) => suite.has(id))
    }
    const selected = new Set(plan.checks.map((check) => check.id))
    const notSelected = (plan.coverageChecks ?? plan.checks).filter((check) => check.level === 'MUST' && !selected.has(check.id)).map((check) => check.id)
    const verdict = computeVerdict(results, notSelected, {
      failOn: plan.failOn,
      allowIncomplete,
      ...(stopped === undefined ? {} : { stopped: { reason: stopped, ids: stoppedIds } }),
    })
    const coverage = computeCoverage(plan.requirements ?? serverRequirements(), plan.coverageChecks ?? plan.checks, plan.untestable ?? loadUntestable())
    events({ type: 'run-finished', summary, verdict, exitCode: verdict.exitCode })
    return { meta, preflight, verdict, summary, checks: results, coverage, exitCode: verdict.exitCode }
  } finally {
    session.close()
  }
}
