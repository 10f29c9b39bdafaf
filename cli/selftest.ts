/**
 * `nwa selftest`: the whole conformance suite against one embedded reference mock, first clean, then with each
 * seeded defect of mock/defects switched on in turn through the control endpoints (the data reset to the demo
 * set before every run), and the detection matrix. Exit 0 when the clean mock passes and every defect is
 * caught, 1 otherwise, 2 for a usage mistake.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultSchemes } from '../conformance/auth/with-auth.ts'
import { allChecks } from '../conformance/checks/index.ts'
import { normalizeTarget } from '../conformance/config.ts'
import { loadUntestable } from '../conformance/coverage.ts'
import { runMeta } from '../conformance/meta.ts'
import { runChecks, type RunPlan } from '../conformance/runner.ts'
import { defectCatalogue, type Defect } from '../mock/defects/index.ts'
import { startMockServer } from '../mock/server.ts'
import { loadContract } from '../openapi/contract.ts'
import { NwaError } from '../openapi/errors.ts'
import { createPayloadCodec } from '../openapi/payload.ts'
import { serverRequirements } from '../openapi/requirements.ts'
import { demoAccounts, demoGroups } from './demo.ts'
import { computeMatrix, progressLine, renderMarkdown, type RunOutcome, selftestExitCode, summaryLine } from './selftest-matrix.ts'

export interface SelftestOptions {
  /** Defect names, or `family:NAME`; default the whole catalogue. */
  only?: string[]
  /** Print the catalogue and stop. */
  list?: boolean
  /** The matrix as Markdown on stdout, progress on stderr. */
  markdown?: boolean
  /** Where selftest.md and selftest.json go; default reports/. */
  reportDir?: string
  /** The embedded mock's store: 'memory' (default) or a postgres:// URL (docs/store.md). */
  store?: string
}

export interface SelftestIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** ms since the epoch. */
  now: () => number
  random: (bytes: number) => Buffer
}

export const selftestFiles = { markdown: 'selftest.md', json: 'selftest.json' } as const

const DAY_MS = 86_400_000

/** The defects `--only` names (defect names, or family:NAME), in catalogue order, or the unknown entries. */
export function selectDefects(
  catalogue: readonly Defect[],
  only: readonly string[] | undefined,
): { ok: true; defects: Defect[] } | { ok: false; unknown: string[] } {
  const entries = (only ?? [])
    .flatMap((entry) => entry.split(','))
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (entries.length === 0) return { ok: true, defects: [...catalogue] }
  const matches = (defect: Defect, entry: string) => defect.name === entry || entry === `family:${defect.family}`
  const unknown = entries.filter((entry) => !catalogue.some((defect) => matches(defect, entry)))
  if (unknown.length) return { ok: false, unknown }
  return { ok: true, defects: catalogue.filter((defect) => entries.some((entry) => matches(defect, entry))) }
}

export function renderCatalogueList(catalogue: readonly Defect[]): string {
  const width = Math.max(...catalogue.map((defect) => defect.name.length))
  return catalogue.map((defect) => `${defect.name.padEnd(width)}  ${defect.family.padEnd(10)}  ${defect.description}`).join('\n')
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}

/** A POST to a control endpoint of the mock; anything but 200 is a broken self-test, not a finding. */
async function control(base: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${base}/nwa/${path}`, { method: 'POST', body: JSON.stringify(body) })
  if (response.status !== 200) throw new Error(`POST /nwa/${path} answered ${response.status}: ${await response.text()}`)
}

export async function runSelftest(options: SelftestOptions, io: SelftestIo): Promise<0 | 1 | 2> {
  const selected = selectDefects(defectCatalogue, options.only)
  if (!selected.ok) {
    io.stderr.write(`nwa selftest: --only ${selected.unknown.join(', ')}: unknown defect (nwa selftest --list names them)\n`)
    return 2
  }
  if (options.list) {
    io.stdout.write(`${renderCatalogueList(selected.defects)}\n`)
    return 0
  }
  const progress = options.markdown ? io.stderr : io.stdout
  const started = io.now()
  const contract = await loadContract()
  const codec = createPayloadCodec(contract)
  const shared = { requirements: serverRequirements(), untestable: loadUntestable(), meta: runMeta() }
  const running = await startMockServer({
    host: '127.0.0.1',
    port: 0,
    tls: false,
    seed: 'demo',
    control: true,
    defects: defectCatalogue,
    ...(options.store !== undefined && { store: options.store }),
  })
  try {
    // The timeframe checks leave unjudged what lies within their clock margin of a UTC midnight, since a server's
    // day is not known to the minute; so the mock's clock and the runner's are both moved to noon of the day, and a
    // self-test at 00:05 finds what one at 15:00 does.
    const real = io.now()
    const shift = Math.floor(real / DAY_MS) * DAY_MS + DAY_MS / 2 - real
    const now = () => io.now() + shift
    await control(running.url, 'clock', { offsetMs: shift })
    const apiBase = normalizeTarget(running.url)
    const plan: RunPlan = {
      checks: [...allChecks],
      coverageChecks: allChecks,
      context: {
        apiBase,
        contract,
        codec,
        accounts: demoAccounts,
        groups: demoGroups,
        now,
        random: io.random,
        schemes: defaultSchemes(io.random, now),
      },
      // What `nwa check` does against its embedded mock: writes and the 413 probe allowed.
      options: { write: true, destructive: true, auth: 'auto', maxPages: 50 },
      failOn: 'must',
      ...shared,
    }
    const run = async (on: readonly string[]): Promise<RunOutcome> => {
      await control(running.url, 'defects', { on })
      await control(running.url, 'reset?seed=demo', {})
      try {
        const result = await runChecks(plan, () => undefined)
        return {
          kind: 'ran',
          verdict: result.verdict.verdict,
          summary: result.verdict.summary,
          checks: result.checks.map(({ id, status, message }) => ({ id, status, message })),
        }
      } catch (error) {
        if (error instanceof NwaError) return { kind: 'stopped', reason: error.message }
        throw error
      }
    }

    progress.write(
      `nwa selftest: the suite (${allChecks.length} checks) against the reference mock at ${running.url} (store: ${running.app.store}), clean and with ${selected.defects.length} defects\n`,
    )
    const clean = await run([])
    const cleanRow = computeMatrix(clean, []).clean
    progress.write(
      cleanRow.ok ? '✓ clean mock: CONFORMANT, no check failed or warned\n' : `✗ clean mock: ${cleanRow.problems.map((line) => `\n    ${line}`).join('')}\n`,
    )
    const runs: { defect: Defect; outcome: RunOutcome }[] = []
    for (const [index, defect] of selected.defects.entries()) {
      const outcome = await run([defect.name])
      runs.push({ defect, outcome })
      const row = computeMatrix(clean, [{ defect, outcome }]).rows[0]!
      progress.write(`${progressLine(row, index, selected.defects.length)}\n`)
    }
    await control(running.url, 'defects', { on: [] })

    const matrix = computeMatrix(clean, runs)
    const markdown = renderMarkdown(matrix)
    const reportDir = options.reportDir ?? 'reports'
    mkdirSync(reportDir, { recursive: true })
    writeFileSync(join(reportDir, selftestFiles.markdown), `${markdown}\n`)
    writeFileSync(join(reportDir, selftestFiles.json), `${JSON.stringify({ matrix, durationMs: io.now() - started }, null, 2)}\n`)
    if (options.markdown) io.stdout.write(`${markdown}\n`)
    const code = selftestExitCode(matrix)
    progress.write(`\nnwa selftest: ${summaryLine(matrix)}, in ${duration(io.now() - started)}\n`)
    for (const row of matrix.rows.filter((item) => !item.caught)) progress.write(`  not caught: ${row.name} (${row.family}): ${row.description}\n`)
    progress.write(`reports: ${join(reportDir, selftestFiles.markdown)}, ${join(reportDir, selftestFiles.json)}\nexit ${code}\n`)
    return code
  } finally {
    await running.close()
  }
}
