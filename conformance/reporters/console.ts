import pc from 'picocolors'
import type { CheckStatus } from '../types.ts'
import type { PreflightStatus } from '../preflight.ts'
import { checkStatuses, emptyCounts, type RunResult, type StatusCounts } from '../runner.ts'
import { groupReasons, type VerdictName } from '../verdict.ts'
import { scenarioLines } from '../grade/report-text.ts'
import { baselineLine, byCategory, failedChecks, formatDuration, identityRows, type Reporter } from './reporter.ts'

export interface ConsoleReporterOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean }
  env: Readonly<Record<string, string | undefined>>
}

type Paint = (text: string) => string

const symbols: Record<CheckStatus, string> = { pass: '✓', fail: '✗', warn: '!', skip: '-', error: 'E' }
const preflightSymbols: Record<PreflightStatus, string> = { ok: '✓', note: 'i' }

/** Colour only on a terminal, and never when NO_COLOR is set to anything but '' (no-color.org). */
export function wantsColor(options: ConsoleReporterOptions): boolean {
  const noColor = options.env['NO_COLOR']
  return options.stream.isTTY === true && (noColor === undefined || noColor === '')
}

function painter(color: boolean) {
  const colors = pc.createColors(color)
  const byStatus: Record<CheckStatus, Paint> = {
    pass: colors.green,
    fail: colors.red,
    warn: colors.yellow,
    skip: colors.dim,
    error: colors.magenta,
  }
  const byVerdict: Record<VerdictName, Paint> = {
    CONFORMANT: (text) => colors.bold(colors.green(text)),
    'NOT CONFORMANT': (text) => colors.bold(colors.red(text)),
    INCOMPLETE: (text) => colors.bold(colors.yellow(text)),
  }
  return {
    status: (status: CheckStatus, text: string) => byStatus[status](text),
    verdict: (verdict: VerdictName, text: string) => byVerdict[verdict](text),
    dim: colors.dim,
    bold: colors.bold,
  }
}

function countsLine(counts: StatusCounts, paint: ReturnType<typeof painter>): string {
  return checkStatuses
    .filter((status) => counts[status] > 0)
    .map((status) => paint.status(status, `${counts[status]} ${status}`))
    .join(', ')
}

/**
 * Who is judged and by what first (tool, contract, target identity, pre-flight), one line per finished check as
 * the run goes, then a summary per category, the verdict banner, and last the list of failed checks.
 */
export function createConsoleReporter(options: ConsoleReporterOptions): Reporter {
  const { stream } = options
  const live = stream.isTTY === true
  const paint = painter(wantsColor(options))
  const write = (text: string) => void stream.write(text)
  return {
    onEvent(event) {
      switch (event.type) {
        case 'run-started': {
          write(`${paint.bold('nwa check')} ${event.target} (${event.total} checks, run ${event.runMarker})\n`)
          const rows = identityRows(event.meta, event.preflight.identity, event.target)
          for (const [label, value] of rows) write(`  ${paint.dim(label.padEnd(12))}${value}\n`)
          write(`${paint.bold('pre-flight')}\n`)
          for (const step of event.preflight.steps) write(`  ${preflightSymbols[step.status]} ${step.step.padEnd(24)}${step.message}\n`)
          write('\n')
          return
        }
        case 'check-started':
          // On a terminal the line is shown while the check runs and replaced when it finishes.
          if (live) write(`  … ${event.id}`)
          return
        case 'check-finished': {
          const { result } = event
          if (live) write('\r\x1b[2K')
          const position = paint.dim(`[${event.index + 1}/${event.total}]`)
          const baseline = result.baselined ? paint.dim(' (baselined)') : ''
          const level = result.decision === undefined ? result.level : `${result.level} ${result.decision}`
          const applicable = result.applicable ? '' : paint.dim(' (not applicable)')
          write(
            `${paint.status(result.status, `${symbols[result.status]} ${result.status.padEnd(5)}`)} ${position} ${result.id}  ${paint.dim(`${level} ${formatDuration(result.durationMs)}`)}${baseline}${applicable}\n`,
          )
          if (result.status !== 'pass') write(`    ${paint.dim(result.message.split('\n').join('\n    '))}\n`)
          return
        }
        case 'run-finished':
          return
      }
    },
    async finish(result: RunResult) {
      write('\n')
      if (result.grade !== undefined) {
        write(`${paint.bold('scenarios')}\n`)
        for (const line of scenarioLines(result.grade)) write(`  ${line}\n`)
        write('\n')
      }
      for (const [category, checks] of byCategory(result.checks)) {
        const counts = emptyCounts()
        for (const check of checks) counts[check.status] += 1
        write(`  ${category.padEnd(12)} ${countsLine(counts, paint)}\n`)
      }
      const gaps = result.coverage.filter((row) => row.status === 'not-covered').length
      write(`\n${paint.bold('total')}  ${countsLine(result.summary.counts, paint) || 'no checks'} in ${formatDuration(result.summary.durationMs)}`)
      if (result.summary.baselined > 0) write(paint.dim(` (${result.summary.baselined} baselined)`))
      write(
        `\ncoverage: ${result.coverage.length - gaps}/${result.coverage.length} requirements covered or explained${gaps > 0 ? `, ${paint.status('fail', `${gaps} not covered`)}` : ''}\n`,
      )
      const baseline = baselineLine(result.summary)
      if (baseline !== undefined) write(`${paint.status('warn', baseline)}\n`)
      const { verdict } = result
      write(`\n${paint.verdict(verdict.verdict, `VERDICT: ${verdict.verdict}`)}  ${verdict.summary}\n`)
      write(`exit ${result.exitCode}\n`)
      const notRun = groupReasons(verdict.mustNotRun)
      if (notRun.length > 0) {
        write(`\nMUST checks that did not run (${verdict.mustNotRun.length}):\n`)
        for (const group of notRun) write(`  ${String(group.ids.length).padStart(3)}  ${group.reason}: ${paint.dim(group.ids.join(', '))}\n`)
      }
      const failed = failedChecks(result)
      write(`\nfailed checks (${failed.length})${failed.length === 0 ? ': none' : ':'}\n`)
      for (const check of failed) {
        const baseline = check.baselined ? paint.dim(' (baselined)') : ''
        write(`  ${paint.status(check.status, symbols[check.status])} ${check.id}  ${check.level}${baseline}  ${check.message.split('\n')[0] ?? ''}\n`)
      }
    },
  }
}
