import pc from 'picocolors'
import type { CheckStatus } from '../types.ts'
import { checkStatuses, emptyCounts, type RunResult, type StatusCounts } from '../runner.ts'
import { byCategory, type Reporter } from './reporter.ts'

export interface ConsoleReporterOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean }
  env: Readonly<Record<string, string | undefined>>
}

type Paint = (text: string) => string

const symbols: Record<CheckStatus, string> = { pass: '✓', fail: '✗', warn: '!', skip: '-', error: 'E' }

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
  return { status: (status: CheckStatus, text: string) => byStatus[status](text), dim: colors.dim, bold: colors.bold }
}

function countsLine(counts: StatusCounts, paint: ReturnType<typeof painter>): string {
  return checkStatuses
    .filter((status) => counts[status] > 0)
    .map((status) => paint.status(status, `${counts[status]} ${status}`))
    .join(', ')
}

/** One line per finished check as the run goes; a summary per category at the end. */
export function createConsoleReporter(options: ConsoleReporterOptions): Reporter {
  const { stream } = options
  const live = stream.isTTY === true
  const paint = painter(wantsColor(options))
  const write = (text: string) => void stream.write(text)
  return {
    onEvent(event) {
      switch (event.type) {
        case 'run-started':
          write(`${paint.bold('nwa check')} ${event.target} (${event.total} checks, run ${event.runMarker})\n`)
          return
        case 'check-started':
          // On a terminal the line is shown while the check runs and replaced when it finishes.
          if (live) write(`  … ${event.id}`)
          return
        case 'check-finished': {
          const { result } = event
          if (live) write('\r\x1b[2K')
          const position = paint.dim(`[${event.index + 1}/${event.total}]`)
          const baseline = result.baselined ? paint.dim(' (baselined)') : ''
          write(
            `${paint.status(result.status, `${symbols[result.status]} ${result.status.padEnd(5)}`)} ${position} ${result.id}  ${paint.dim(`${result.level} ${result.durationMs} ms`)}${baseline}\n`,
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
      for (const [category, checks] of byCategory(result.checks)) {
        const counts = emptyCounts()
        for (const check of checks) counts[check.status] += 1
        write(`  ${category.padEnd(12)} ${countsLine(counts, paint)}\n`)
      }
      const gaps = result.coverage.filter((row) => row.status === 'not-covered').length
      write(`\n${paint.bold('total')}  ${countsLine(result.summary.counts, paint) || 'no checks'} in ${result.summary.durationMs} ms`)
      if (result.summary.baselined > 0) write(paint.dim(` (${result.summary.baselined} baselined)`))
      write(
        `\ncoverage: ${result.coverage.length - gaps}/${result.coverage.length} requirements covered or explained${gaps > 0 ? `, ${paint.status('fail', `${gaps} not covered`)}` : ''}\n`,
      )
      write(`exit ${result.exitCode}\n`)
    },
  }
}
