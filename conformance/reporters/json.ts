import type { CoverageRow } from '../coverage.ts'
import type { CheckResult, RunResult, RunSummary } from '../runner.ts'
import { fileReporter, type Reporter } from './reporter.ts'

/** The content of conformance.json; report.schema.json describes it. */
export interface JsonReport {
  format: 'nwa-conformance-report'
  version: 1
  exitCode: 0 | 1
  summary: RunSummary
  checks: CheckResult[]
  coverage: CoverageRow[]
}

export function toJsonReport(result: RunResult): JsonReport {
  return {
    format: 'nwa-conformance-report',
    version: 1,
    exitCode: result.exitCode,
    summary: result.summary,
    checks: result.checks,
    coverage: result.coverage,
  }
}

export function createJsonReporter(file: string): Reporter {
  return fileReporter(file, (result) => `${JSON.stringify(toJsonReport(result), null, 2)}\n`)
}
