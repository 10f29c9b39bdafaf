import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { ServerIdentity } from '../context.ts'
import { launchLabel } from '../grade/report-text.ts'
import type { GradeReport } from '../grade/types.ts'
import type { RunMeta } from '../meta.ts'
import type { CheckResult, RunEvent, RunResult, RunSummary } from '../runner.ts'

/** An event sink (ARCHITECTURE.md, "The runner"): listens while the run goes, writes its output once it is over. */
export interface Reporter {
  onEvent(event: RunEvent): void
  finish(result: RunResult): Promise<void>
}

/** A reporter that only needs the finished result: renders it and writes one file. */
export function fileReporter(file: string, render: (result: RunResult) => string): Reporter {
  return {
    onEvent: () => undefined,
    async finish(result) {
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, render(result), 'utf8')
    },
  }
}

/** Checks grouped by category, in the order categories first appear. */
export function byCategory<T extends { category: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(item.category, [...(groups.get(item.category) ?? []), item])
  return groups
}

/** 840 ms, 2.5 s, 3 min 05 s: whole milliseconds are noise in a report. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`
}

/** Who produced the report and what it judged, as label and value pairs every reporter prints. */
export function identityRows(meta: RunMeta, identity: ServerIdentity, target: string): [string, string][] {
  const https = new URL(target).protocol === 'https:'
  return [
    ['tool', `${meta.tool} ${meta.version}`],
    ['node', meta.node],
    ['contract', `${meta.contract.file}, SHA-256 of its bytes ${meta.contract.sha256}`],
    ['target', target],
    ['server', identity.server ?? '(no Server header)'],
    ['certificate', https ? `SHA-256 ${identity.certificateSha256 ?? '(not seen)'}` : 'none (plain HTTP)'],
  ]
}

/** Who produced a grade and what it judged: the connector, how it showed itself, its role, the scenarios, the server it met. */
export function gradeIdentityRows(meta: RunMeta, grade: GradeReport, server: string): [string, string][] {
  return [
    ['tool', `${meta.tool} ${meta.version}`],
    ['node', meta.node],
    ['contract', `${meta.contract.file}, SHA-256 of its bytes ${meta.contract.sha256}`],
    ['connector', grade.connector],
    ['user agent', grade.userAgents.join('; ') || '(none sent)'],
    [
      'role',
      `${grade.role.judged.join(' and ') || 'none'} (${grade.role.declared === undefined ? 'as shown' : `declared ${grade.role.declared}`}; shown: ${grade.role.shown.join(', ') || 'none'})`,
    ],
    [
      'scenarios',
      grade.scenarios.map((scenario) => `${scenario.name} (${scenario.endedBy}, ${scenario.launches.map(launchLabel).join(', ') || 'passive'})`).join('; '),
    ],
    ['server', `${server} (the nwa-kit reference mock)`],
  ]
}

export function resultIdentityRows(result: RunResult): [string, string][] {
  if (result.grade !== undefined) return gradeIdentityRows(result.meta, result.grade, result.summary.target)
  return identityRows(result.meta, result.preflight.identity, result.summary.target)
}

/** What a report is of, for its titles: a connector is graded (`nwa grade`), a server checked (`nwa check`). */
export function reportSubject(result: RunResult): { command: 'nwa check' | 'nwa grade'; what: string } {
  return result.grade === undefined ? { command: 'nwa check', what: result.summary.target } : { command: 'nwa grade', what: result.grade.connector }
}

export function reportTitle(result: RunResult): string {
  const { command, what } = reportSubject(result)
  return `${command}: ${what}`
}

/** The baseline's expired and unused entries as one line, or undefined when there is nothing to say. */
export function baselineLine(summary: RunSummary): string | undefined {
  const baseline = summary.baseline
  if (baseline === undefined) return undefined
  const parts: string[] = []
  const entries = (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'}`
  if (baseline.expired.length > 0) parts.push(`${entries(baseline.expired.length)} expired (${baseline.expired.join(', ')})`)
  if (baseline.unused.length > 0) {
    parts.push(`${baseline.unused.length} excused nothing (${baseline.unused.map((entry) => `${entry.check}: ${entry.why}`).join(', ')})`)
  }
  return parts.length === 0 ? undefined : `baseline: ${parts.join('; ')}`
}

/** Checks that failed or broke, at any level: what a reader has to look at first. */
export function failedChecks(result: RunResult): CheckResult[] {
  return result.checks.filter((check) => check.status === 'fail' || check.status === 'error')
}
