/** summary.md for a CI job summary: the verdict, who was judged, counts, one line per failed or warned check, coverage gaps. */
import { requirementLevels } from '../../openapi/requirements.ts'
import { checkStatuses, type CheckResult, type RunResult } from '../runner.ts'
import { groupReasons, type VerdictName } from '../verdict.ts'
import { scenarioLines } from '../grade/report-text.ts'
import { baselineLine, fileReporter, formatDuration, reportTitle, resultIdentityRows, type Reporter } from './reporter.ts'

/** Inline text: markdown and HTML metacharacters escaped, kept on one line. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_[\]<>|#~]/g, (char) => `\\${char}`)
}

const marks: Record<CheckResult['status'], string> = { pass: '✅', fail: '❌', warn: '⚠️', skip: '⏭️', error: '💥' }
const verdictMarks: Record<VerdictName, string> = { CONFORMANT: '✅', 'NOT CONFORMANT': '❌', INCOMPLETE: '⚠️' }

function line(check: CheckResult): string {
  const firstLine = check.message.split('\n')[0] ?? ''
  const baselined = check.baselined ? ' (baselined)' : ''
  const decision = check.decision === undefined ? '' : ` (${check.decision})`
  return `- ${marks[check.status]} \`${check.id.replace(/`/g, "'")}\` ${check.level}${decision} ${check.status}${baselined}: ${escapeMarkdown(firstLine)}`
}

export function renderMarkdown(result: RunResult): string {
  const { summary, verdict } = result
  const out: string[] = [
    `## ${escapeMarkdown(reportTitle(result))}`,
    '',
    `> **${verdictMarks[verdict.verdict]} ${verdict.verdict}**: ${escapeMarkdown(verdict.summary)} (exit ${result.exitCode})`,
    '',
    ...groupReasons(verdict.mustNotRun).map(
      (group) => `- ${group.ids.length} MUST not run, ${escapeMarkdown(group.reason)}: ${escapeMarkdown(group.ids.join(', '))}`,
    ),
    ...(verdict.mustNotRun.length > 0 ? [''] : []),
    `Run \`${summary.runMarker}\`, ${formatDuration(summary.durationMs)}${summary.baselined > 0 ? `, ${summary.baselined} baselined` : ''}.`,
    ...(baselineLine(summary) === undefined ? [] : ['', escapeMarkdown(baselineLine(summary) ?? '')]),
    '',
    '| | |',
    '| --- | --- |',
    ...resultIdentityRows(result).map(([label, value]) => `| ${label} | ${escapeMarkdown(value)} |`),
    '',
    ...(result.grade === undefined ? [] : ['### Scenarios', '', ...scenarioLines(result.grade).map((line) => `- ${escapeMarkdown(line)}`), '']),
    result.grade === undefined ? '### Pre-flight' : '### Setup',
    '',
    ...result.preflight.steps.map((step) => `- ${step.status === 'ok' ? '✅' : 'ℹ️'} ${escapeMarkdown(step.step)}: ${escapeMarkdown(step.message)}`),
    '',
    `| status | ${requirementLevels.join(' | ')} | total |`,
    `| --- | ${requirementLevels.map(() => '---:').join(' | ')} | ---: |`,
    ...checkStatuses.map(
      (status) =>
        `| ${marks[status]} ${status} | ${requirementLevels.map((level) => summary.byLevel[level][status]).join(' | ')} | ${summary.counts[status]} |`,
    ),
  ]
  const problems = result.checks.filter((c) => c.status === 'fail' || c.status === 'error' || c.status === 'warn')
  out.push('', `### Failed and warned checks (${problems.length})`, '')
  out.push(...(problems.length === 0 ? ['None.'] : problems.map(line)))
  const gaps = result.coverage.filter((row) => row.status === 'not-covered')
  out.push('', `### Coverage gaps (${gaps.length} of ${result.coverage.length} requirements not covered)`, '')
  out.push(...(gaps.length === 0 ? ['None.'] : gaps.map((row) => `- \`${row.requirement}\` ${row.level}: ${escapeMarkdown(row.text)}`)))
  return `${out.join('\n')}\n`
}

export function createMarkdownReporter(file: string): Reporter {
  return fileReporter(file, renderMarkdown)
}
