/**
 * `nwa grade --selftest` (docs/grading.md, "Self-test"): who grades the grader? Each sample connector is graded in every
 * scenario and must come out CONFORMANT with no judgment failed or warned; then each seeded defect of the samples is
 * graded in its scenario and must be caught by a judgment that passed on the clean sample there. Exit 0 when all hold
 * (at least 25 defects), 1 otherwise, 2 for a usage mistake. A sample that needs Python requests is left out, with the
 * reason printed, where none is installed.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { formatRunMarker } from '../../conformance/context.ts'
import { gradeConnector, type ScenarioOutcome } from '../../conformance/grade/index.ts'
import { runMeta } from '../../conformance/meta.ts'
import { toJsonReport } from '../../conformance/reporters/json.ts'
import { scenarioByName, scenarioCatalogue } from '../../mock/grade/index.ts'
import { defaultGradeTimeoutMs, parseTimeScale } from './command.ts'
import { type GradeClock, runScenarios, startGradeServer } from './engine.ts'
import { type ConnectorDefect, connectorDefects, type SampleConnector, sampleById, sampleConnectors } from './selftest-catalogue.ts'
import {
  caughtBy,
  type CleanSample,
  computeGradeMatrix,
  type GradeOutcome,
  gradeProgressLine,
  gradeSelftestExitCode,
  gradeSummaryLine,
  judgeCleanSample,
  renderGradeMatrix,
} from './selftest-matrix.ts'

export interface GradeSelftestOptions {
  /** Defect names, `sample:ID` or `scenario:NAME`; default every defect. */
  only?: string
  list?: boolean
  markdown?: boolean
  reportDir?: string
  timeScale?: string
}

export interface GradeSelftestIo extends GradeClock {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
}

export const gradeSelftestFiles = { markdown: 'grade-selftest.md', json: 'grade-selftest.json' } as const

/** The self-test runs its scenarios twice as fast as nominal: the trouble is the same, the waits shorter (D68). */
export const selftestTimeScale = 0.5

/** A Python that can import requests and requests_ntlm (Debian installs them for /usr/bin/python3), or why there is none. */
export function findPython(candidates: readonly string[] = ['/usr/bin/python3', 'python3']): { ok: true; python: string } | { ok: false; reason: string } {
  const reasons: string[] = []
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import requests, requests_ntlm'], { stdio: 'ignore', timeout: 15_000 })
      return { ok: true, python }
    } catch (error) {
      reasons.push(`${python}: ${(error as { code?: string }).code === 'ENOENT' ? 'not installed' : 'cannot import requests and requests_ntlm'}`)
    }
  }
  return {
    ok: false,
    reason: `no Python can import requests and requests_ntlm (${reasons.join('; ')}); Debian: apt-get install python3-requests python3-requests-ntlm`,
  }
}

/** The defects `--only` names: defect names, `sample:ID` or `scenario:NAME`, in catalogue order. */
export function selectConnectorDefects(only: string | undefined): { ok: true; defects: ConnectorDefect[] } | { ok: false; unknown: string[] } {
  const entries = (only ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (entries.length === 0) return { ok: true, defects: [...connectorDefects] }
  const matches = (defect: ConnectorDefect, entry: string) =>
    entry === defect.name || entry === `sample:${defect.sample}` || entry === `scenario:${defect.scenario}`
  const unknown = entries.filter((entry) => !connectorDefects.some((defect) => matches(defect, entry)))
  if (unknown.length > 0) return { ok: false, unknown }
  return { ok: true, defects: connectorDefects.filter((defect) => entries.some((entry) => matches(defect, entry))) }
}

export function renderDefectList(defects: readonly ConnectorDefect[]): string {
  const width = Math.max(...defects.map((defect) => defect.name.length))
  return defects.map((defect) => `${defect.name.padEnd(width)}  ${defect.sample.padEnd(15)}  ${defect.scenario.padEnd(15)}  ${defect.description}`).join('\n')
}

const outcomeOf = (result: ReturnType<typeof gradeConnector>): GradeOutcome => ({
  verdict: result.verdict.verdict,
  summary: result.verdict.summary,
  checks: result.checks.map(({ id, status, message }) => ({ id, status, message })),
})

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}

export async function runGradeSelftest(options: GradeSelftestOptions, io: GradeSelftestIo): Promise<0 | 1 | 2> {
  const selected = selectConnectorDefects(options.only)
  if (!selected.ok) {
    io.stderr.write(`nwa grade --selftest: --only ${selected.unknown.join(', ')}: no such defect, sample:ID or scenario:NAME (nwa grade --selftest --list)\n`)
    return 2
  }
  if (options.list) {
    io.stdout.write(`${renderDefectList(selected.defects)}\n`)
    return 0
  }
  let timeScale: number
  try {
    timeScale = options.timeScale === undefined ? selftestTimeScale : parseTimeScale(options.timeScale)
  } catch (error) {
    io.stderr.write(`nwa grade --selftest: ${(error as Error).message}\n`)
    return 2
  }
  const progress = options.markdown ? io.stderr : io.stdout
  const started = io.now()
  const python = findPython()
  const usable = (sample: SampleConnector) => !sample.needsPython || python.ok
  const skipped = python.ok ? [] : sampleConnectors.filter((sample) => sample.needsPython).map((sample) => ({ sample: sample.id, reason: python.reason }))
  for (const skip of skipped) progress.write(`skipped: the ${skip.sample} sample and its defects, because ${skip.reason}\n`)
  const samples = sampleConnectors.filter(usable)
  const defects = selected.defects.filter((defect) => usable(sampleById(defect.sample)))
  const server = await startGradeServer({ tls: true }, io)
  try {
    const grade = async (sample: SampleConnector, outcomes: ScenarioOutcome[], at: number) =>
      gradeConnector(
        {
          connector: sample.command(python.ok ? python.python : 'python3'),
          declaredRole: sample.role,
          mode: 'launched',
          scenarios: outcomes,
          url: server.running.url,
          timeScale,
          timeoutMs: defaultGradeTimeoutMs,
          failOn: 'must',
          startedAt: at,
          finishedAt: io.now(),
          runMarker: formatRunMarker(at, io.random),
          meta: runMeta(),
        },
        { codec: server.codec },
      )
    const run = (sample: SampleConnector, scenarios: typeof scenarioCatalogue, env?: Record<string, string>) =>
      runScenarios(
        server,
        {
          command: sample.command(python.ok ? python.python : 'python3'),
          scenarios,
          role: sample.role,
          timeScale,
          timeoutMs: defaultGradeTimeoutMs,
          ...(env === undefined ? {} : { env }),
        },
        io,
      )
    const reportDir = options.reportDir ?? 'reports'
    const runsDir = join(reportDir, 'grade-selftest')
    mkdirSync(runsDir, { recursive: true })
    /** Each grade's report, so a defect caught by a surprising judgment can be looked into. */
    const keep = (name: string, result: ReturnType<typeof gradeConnector>) => {
      writeFileSync(join(runsDir, `${name}.json`), `${JSON.stringify(toJsonReport(result), null, 2)}\n`)
      return outcomeOf(result)
    }
    progress.write(
      `nwa grade --selftest: ${samples.length} sample connectors in ${scenarioCatalogue.length} scenarios, then ${defects.length} seeded defects, against the reference mock at ${server.running.url} (time scale ${timeScale})\n`,
    )
    const clean = new Map<string, GradeOutcome>()
    const cleanSamples: CleanSample[] = []
    for (const sample of samples) {
      const at = io.now()
      const outcome = keep(`clean-${sample.id}`, await grade(sample, await run(sample, scenarioCatalogue), at))
      clean.set(sample.id, outcome)
      const judged = judgeCleanSample(sample.id, outcome)
      cleanSamples.push(judged)
      progress.write(
        judged.ok
          ? `✓ clean ${sample.id}: CONFORMANT in every scenario, no judgment failed or warned\n`
          : `✗ clean ${sample.id}:${judged.problems.map((line) => `\n    ${line}`).join('')}\n`,
      )
    }
    const runs: { defect: ConnectorDefect; caughtBy: string[] }[] = []
    for (const [index, defect] of defects.entries()) {
      const sample = sampleById(defect.sample)
      const scenario = scenarioByName(defect.scenario)
      if (scenario === undefined) throw new Error(`the defect ${defect.name} names no scenario of the catalogue: ${defect.scenario}`)
      const at = io.now()
      const outcome = keep(defect.name, await grade(sample, await run(sample, [scenario], { NWA_SAMPLE_DEFECT: defect.name }), at))
      const row = { defect, caughtBy: caughtBy(defect, clean.get(sample.id) ?? { verdict: '', summary: '', checks: [] }, outcome) }
      runs.push(row)
      progress.write(`${gradeProgressLine({ ...defect, caughtBy: row.caughtBy, caught: row.caughtBy.length > 0 }, index, defects.length)}\n`)
    }
    const matrix = computeGradeMatrix(cleanSamples, runs, skipped)
    const markdown = renderGradeMatrix(matrix)
    writeFileSync(join(reportDir, gradeSelftestFiles.markdown), `${markdown}\n`)
    writeFileSync(join(reportDir, gradeSelftestFiles.json), `${JSON.stringify({ matrix, timeScale, durationMs: io.now() - started }, null, 2)}\n`)
    if (options.markdown) io.stdout.write(`${markdown}\n`)
    const code = gradeSelftestExitCode(matrix, selected.defects.length === connectorDefects.length ? 25 : 1)
    progress.write(`\nnwa grade --selftest: ${gradeSummaryLine(matrix)}, in ${duration(io.now() - started)}\n`)
    for (const row of matrix.rows.filter((item) => !item.caught))
      progress.write(`  not caught: ${row.name} (${row.sample}, ${row.scenario}): ${row.description}\n`)
    progress.write(`reports: ${join(reportDir, gradeSelftestFiles.markdown)}, ${join(reportDir, gradeSelftestFiles.json)}\nexit ${code}\n`)
    return code
  } finally {
    await server.close()
  }
}
