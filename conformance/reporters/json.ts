import type { BundleSubject } from '../bundle/bundle.ts'
import type { CoverageRow } from '../coverage.ts'
import type { GradeReport } from '../grade/types.ts'
import type { RunMeta } from '../meta.ts'
import type { Preflight } from '../preflight.ts'
import type { CheckResult, RunResult, RunSummary } from '../runner.ts'
import type { RunExitCode, Verdict } from '../verdict.ts'
import { fileReporter, type Reporter } from './reporter.ts'

/** The content of conformance.json; report.schema.json describes it. */
export interface JsonReport {
  format: 'nwa-conformance-report'
  version: 2
  exitCode: RunExitCode
  verdict: Verdict
  meta: RunMeta
  preflight: Preflight
  summary: RunSummary
  checks: CheckResult[]
  coverage: CoverageRow[]
  /** A grade's: the connector judged, and its scenarios. */
  subject?: BundleSubject
  grade?: GradeReport
}

export function toJsonReport(result: RunResult): JsonReport {
  return {
    format: 'nwa-conformance-report',
    version: 2,
    exitCode: result.exitCode,
    verdict: result.verdict,
    meta: result.meta,
    preflight: result.preflight,
    summary: result.summary,
    checks: result.checks,
    coverage: result.coverage,
    ...(result.subject === undefined ? {} : { subject: result.subject }),
    ...(result.grade === undefined ? {} : { grade: result.grade }),
  }
}

export function createJsonReporter(file: string): Reporter {
  return fileReporter(file, (result) => `${JSON.stringify(toJsonReport(result), null, 2)}\n`)
}
