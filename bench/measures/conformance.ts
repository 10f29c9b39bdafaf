/**
 * A timed `nwa check` as a user first meets it: `nwa check` without --target, which starts the embedded mock
 * with every demo account, writes and the 413 probe allowed, and should end CONFORMANT. It runs as its own
 * process (bin/nwa.js), so the figure is the whole command, start-up included, and the verdict is read from
 * the run's JSON report rather than trusted from the exit code alone.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { reportFiles } from '../../conformance/command.ts'
import type { JsonReport } from '../../conformance/reporters/json.ts'

const binPath = fileURLToPath(new URL('../../bin/nwa.js', import.meta.url))
const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

export interface CheckRun {
  exitCode: number
  /** The whole command, from spawning it to its exit. */
  wallMs: number
  /** From the report; undefined when the run wrote none (exit 2: nothing was checked). */
  report?: Pick<JsonReport, 'verdict' | 'summary'>
  /** The end of what the command printed, for a run that went wrong. */
  output: string
}

export async function runCheckDemo(): Promise<CheckRun> {
  const reportDir = mkdtempSync(join(tmpdir(), 'nwa-bench-reports-'))
  try {
    const started = performance.now()
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-2_000)
    }
    const proc = spawn(process.execPath, [binPath, 'check', '--report-dir', reportDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    proc.stdout.on('data', keep)
    proc.stderr.on('data', keep)
    const exitCode = await new Promise<number>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))))
    const wallMs = performance.now() - started
    let report: CheckRun['report']
    try {
      report = JSON.parse(readFileSync(join(reportDir, reportFiles.json), 'utf8')) as JsonReport
    } catch {
      report = undefined
    }
    return { exitCode, wallMs, ...(report && { report: { verdict: report.verdict, summary: report.summary } }), output }
  } finally {
    rmSync(reportDir, { recursive: true, force: true })
  }
}
