/** summary.md for a CI job summary: counts, one line per failed or warned check, coverage gaps. */
import { requirementLevels } from '../../openapi/requirements.ts'
import { checkStatuses, type CheckResult, type RunResult } from '../runner.ts'
import { fileReporter, type Reporter } from './reporter.ts'

/** Inline text: markdown and HTML metacharacters escaped, kept on one line. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_[\]<>|#~]/g, (char) => `\\${char}`)
}

const marks: Record<CheckResult['status'], string> = { pass: '✅', fail: '❌', warn: '⚠️', skip: '⏭️', error: '💥' }

function line(check: CheckResult): string {
  const firstLine = check.message.split('\n')[0] ?? ''
  const baselined = check.baselined ? ' (baselined)' : ''
  return `- ${marks[check.status]} \`${check.id.replace(/`/g, "'")}\` ${check.level} ${check.status}${baselined}: ${escapeMarkdown(firstLine)}`
}

export function renderMarkdown(result: RunResult): string {
  const { summary } = result
  const out: string[] = [
    `## nwa check: ${escapeMarkdown(summary.target)}`,
    '',
    `Run \`${summary.runMarker}\`, ${summary.durationMs} ms, exit ${result.exitCode}${summary.baselined > 0 ? `, ${summary.baselined} baselined` : ''}.`,
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
