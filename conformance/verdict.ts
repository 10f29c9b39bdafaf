/**
 * The verdict of a run, pure. A certification engineer signs on it, so it speaks only of MUST checks and
 * never claims more than ran: CONFORMANT when every applicable MUST check of the suite ran and passed,
 * NOT CONFORMANT when one failed, INCOMPLETE when none failed but some did not run to a verdict.
 */
import type { RequirementLevel } from '../openapi/requirements.ts'
import type { CheckStatus } from './types.ts'

export type VerdictName = 'CONFORMANT' | 'NOT CONFORMANT' | 'INCOMPLETE'

/**
 * 0 CONFORMANT (or INCOMPLETE accepted with --allow-incomplete), 1 NOT CONFORMANT (or a counted warning with
 * --fail-on warn, which outranks a gap), 3 INCOMPLETE. 2 belongs to runs that checked nothing: usage, configuration, pre-flight.
 */
export type RunExitCode = 0 | 1 | 3

export type FailOn = 'must' | 'warn'

export interface VerdictPolicy {
  failOn: FailOn
  /** Accept MUST checks skipped for a stated reason (a read-only run against production); never one that broke. */
  allowIncomplete: boolean
  /** The run stopped before these checks could run (a target that stopped answering, the --deadline). */
  stopped?: { reason: string; ids: readonly string[] }
}

/** What the verdict reads of a check's result. */
export interface VerdictInput {
  id: string
  level: RequirementLevel
  status: CheckStatus
  message: string
  baselined: boolean
  /** False for a skip whose rule does not apply to the target. */
  applicable: boolean
}

/** `stopped`: the run ended before the check could run; like `broke`, --allow-incomplete never accepts it. */
export type NotRunKind = 'skipped' | 'broke' | 'not selected' | 'stopped'

export interface NotRun {
  id: string
  kind: NotRunKind
  reason: string
}

export interface Verdict {
  verdict: VerdictName
  exitCode: RunExitCode
  /** Applicable MUST checks of the whole suite, selected or not. */
  mustTotal: number
  mustPassed: number
  /** Failed MUST checks, baselined ones included: a baseline never makes a failure pass. */
  mustFailed: string[]
  mustBaselined: string[]
  mustNotRun: NotRun[]
  /** MUST checks whose rule does not apply to this target. */
  mustNotApplicable: string[]
  /** SHOULD and MAY checks that warned or broke. */
  warnings: number
  /** One line: why this verdict, with counts. */
  summary: string
  /** Why the run stopped before its last check, when it did. */
  stopped?: string
}

/** Not-run MUST checks grouped by reason, most frequent first: "9 needs --write: …; 2 no contributor account configured". */
export function groupReasons(notRun: readonly NotRun[]): { reason: string; ids: string[] }[] {
  const groups = new Map<string, string[]>()
  for (const item of notRun) {
    const reason = item.kind === 'broke' ? `broke: ${item.reason}` : item.reason
    groups.set(reason, [...(groups.get(reason) ?? []), item.id])
  }
  return [...groups.entries()].map(([reason, ids]) => ({ reason, ids })).sort((a, b) => b.ids.length - a.ids.length || (a.reason < b.reason ? -1 : 1))
}

function reasonList(notRun: readonly NotRun[]): string {
  return groupReasons(notRun)
    .map((group) => `${group.ids.length} ${group.reason}`)
    .join('; ')
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`

function firstLine(text: string): string {
  return text.split('\n')[0] ?? ''
}

/**
 * `results` are the checks that were selected and ran (or skipped); `notSelected` the MUST checks of the
 * suite that --only/--skip left out, which did not run either.
 */
function notRunKind(result: VerdictInput, stopped: ReadonlySet<string>): NotRunKind {
  if (stopped.has(result.id)) return 'stopped'
  return result.status === 'error' ? 'broke' : 'skipped'
}

export function computeVerdict(results: readonly VerdictInput[], notSelected: readonly string[], policy: VerdictPolicy): Verdict {
  const stopped = new Set(policy.stopped?.ids ?? [])
  const must = results.filter((result) => result.level === 'MUST')
  const mustNotApplicable = must.filter((result) => !result.applicable).map((result) => result.id)
  const applicable = must.filter((result) => result.applicable)
  const mustFailed = applicable.filter((result) => result.status === 'fail').map((result) => result.id)
  const mustBaselined = applicable.filter((result) => result.status === 'fail' && result.baselined).map((result) => result.id)
  const mustPassed = applicable.filter((result) => result.status === 'pass').length
  const mustNotRun: NotRun[] = [
    ...applicable
      .filter((result) => result.status === 'skip' || result.status === 'error')
      .map((result): NotRun => ({ id: result.id, kind: notRunKind(result, stopped), reason: firstLine(result.message) })),
    ...notSelected.map((id): NotRun => ({ id, kind: 'not selected', reason: 'not selected (--only/--skip)' })),
  ]
  const mustTotal = applicable.length + notSelected.length
  const counted = results.filter((result) => result.level !== 'MUST' && (result.status === 'warn' || result.status === 'error'))
  const warnings = counted.length
  const warnFails = policy.failOn === 'warn' && counted.some((result) => !result.baselined)

  let verdict: VerdictName
  let exitCode: RunExitCode
  let summary: string
  if (mustFailed.length > 0) {
    verdict = 'NOT CONFORMANT'
    exitCode = 1
    const baselined = mustBaselined.length > 0 ? ` (${mustBaselined.length} of them in the baseline)` : ''
    summary = `${mustFailed.length} of ${plural(mustTotal, 'MUST check')} failed${baselined}: ${mustFailed.join(', ')}`
  } else if (mustNotRun.length > 0) {
    verdict = 'INCOMPLETE'
    const accepted = policy.allowIncomplete && mustNotRun.every((item) => item.kind !== 'broke' && item.kind !== 'stopped')
    // A warning that --fail-on warn counts is a failure, and a failure outranks a gap, as a MUST failure does.
    exitCode = warnFails ? 1 : accepted ? 0 : 3
    summary = `no MUST check failed, but ${mustNotRun.length} of ${plural(mustTotal, 'MUST check')} did not run: ${reasonList(mustNotRun)}${accepted ? ' (accepted with --allow-incomplete)' : ''}`
  } else {
    verdict = 'CONFORMANT'
    exitCode = warnFails ? 1 : 0
    summary = `all ${plural(mustTotal, 'applicable MUST check')} ran and passed`
  }
  if (policy.stopped !== undefined) summary = `the run stopped early, ${policy.stopped.reason}; ${summary}`
  if (mustNotApplicable.length > 0) summary += `; ${mustNotApplicable.length} not applicable to this target`
  if (warnings > 0) summary += `; ${plural(warnings, 'SHOULD/MAY check')} warned or broke${warnFails ? ' (exit 1 with --fail-on warn)' : ''}`
  return {
    verdict,
    exitCode,
    mustTotal,
    mustPassed,
    mustFailed,
    mustBaselined,
    mustNotRun,
    mustNotApplicable,
    warnings,
    summary,
    ...(policy.stopped === undefined ? {} : { stopped: policy.stopped.reason }),
  }
}
