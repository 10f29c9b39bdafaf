/**
 * plan → exchanges → results (STYLE.md "Our house"): runs the selected checks in order against one
 * target and emits events; reporters listen, the runner knows no formats.
 */
import { fileURLToPath } from 'node:url'
import { loadRequirements, requirementLevels, type Requirement, type RequirementLevel } from '../openapi/requirements.ts'
import { createCheckSession, type ContextFactoryOptions } from './context.ts'
import { computeCoverage, loadUntestable, type CoverageRow, type UntestableEntry } from './coverage.ts'
import { isConformanceError } from './errors.ts'
import { createEvidenceLog, defaultEvidenceLimits, type CheckEvidence, type EvidenceLimits } from './evidence.ts'
import type { Check, CheckStatus, CheckVerdict, RunOptions } from './types.ts'

export type FailOn = 'must' | 'warn'

export interface CheckResult {
  id: string
  title: string
  level: RequirementLevel
  category: string
  tags: string[]
  requirements: string[]
  status: CheckStatus
  message: string
  durationMs: number
  /** Listed in the baseline file: reported with its status, but not counted toward the exit code. */
  baselined: boolean
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
  durationMs: number
  options: RunOptions
  counts: StatusCounts
  byLevel: Record<RequirementLevel, StatusCounts>
  baselined: number
}

export interface RunResult {
  summary: RunSummary
  checks: CheckResult[]
  coverage: CoverageRow[]
  exitCode: 0 | 1
}

export type RunEvent =
  | { type: 'run-started'; target: string; runMarker: string; startedAt: string; total: number }
  | { type: 'check-started'; id: string; title: string; category: string; index: number; total: number }
  | { type: 'check-finished'; result: CheckResult; index: number; total: number }
  | { type: 'run-finished'; summary: RunSummary; exitCode: 0 | 1 }

export interface RunPlan {
  checks: Check[]
  context: ContextFactoryOptions
  options: RunOptions
  /** Check ids whose failures are known and accepted. */
  baseline?: Set<string>
  failOn: FailOn
  /** The whole suite, for coverage; default `checks`. Coverage describes the suite, not this selection. */
  coverageChecks?: readonly Check[]
  requirements?: readonly Requirement[]
  untestable?: readonly UntestableEntry[]
  evidenceLimits?: EvidenceLimits
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

export function exitCodeFor(results: readonly CheckResult[], failOn: FailOn): 0 | 1 {
  const failing = results.some((result) => {
    if (result.baselined) return false
    if (result.level === 'MUST' && (result.status === 'fail' || result.status === 'error')) return true
    return failOn === 'warn' && (result.status === 'warn' || result.status === 'error')
  })
  return failing ? 1 : 0
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

export async function runChecks(plan: RunPlan, events: (event: RunEvent) => void): Promise<RunResult> {
  const { now } = plan.context
  const session = createCheckSession(plan.context, plan.options)
  try {
    await session.preflight()
    const started = now()
    const total = plan.checks.length
    events({ type: 'run-started', target: plan.context.apiBase, runMarker: session.runMarker, startedAt: new Date(started).toISOString(), total })
    const results: CheckResult[] = []
    for (const [index, check] of plan.checks.entries()) {
      events({ type: 'check-started', id: check.id, title: check.title, category: check.category, index, total })
      const evidence = createEvidenceLog()
      const checkStarted = now()
      let status: CheckStatus
      let message: string
      const reason = skipReason(check, plan)
      if (reason !== undefined) {
        status = 'skip'
        message = reason
      } else {
        try {
          const verdict: unknown = await check.run(session.contextFor(evidence))
          if (isVerdict(verdict)) {
            status = statusOf(verdict, check.level)
            message = verdict.message
          } else {
            status = 'error'
            message = 'the check returned no verdict'
          }
        } catch (error) {
          if (isConformanceError(error, 'CONF_ERR_NO_ACCOUNT') || isConformanceError(error, 'CONF_ERR_AUTH_UNSUPPORTED')) {
            status = 'skip'
            message = error.message
          } else {
            status = 'error'
            message = error instanceof Error ? error.message : String(error)
            evidence.note(trimStack(error))
          }
        }
      }
      const result: CheckResult = {
        id: check.id,
        title: check.title,
        level: check.level,
        category: check.category,
        tags: [...check.tags],
        requirements: [...check.requirements],
        status,
        message,
        durationMs: Math.max(0, now() - checkStarted),
        baselined: plan.baseline?.has(check.id) ?? false,
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
    const summary: RunSummary = {
      target: plan.context.apiBase,
      runMarker: session.runMarker,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: Math.max(0, finished - started),
      options: plan.options,
      counts,
      byLevel,
      baselined: results.filter((result) => result.baselined).length,
    }
    const exitCode = exitCodeFor(results, plan.failOn)
    const coverage = computeCoverage(plan.requirements ?? loadRequirements(), plan.coverageChecks ?? plan.checks, plan.untestable ?? loadUntestable())
    events({ type: 'run-finished', summary, exitCode })
    return { summary, checks: results, coverage, exitCode }
  } finally {
    session.close()
  }
}
