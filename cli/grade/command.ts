/**
 * `nwa grade --connector "CMD"` (docs/grading.md): the reference mock plays the server, runs the connector through each
 * scenario, judges what it did, and writes the four reports of `nwa check` (and a bundle). Exit 0 CONFORMANT, 1 NOT
 * CONFORMANT, 3 INCOMPLETE, 2 for a usage mistake.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFullEvidenceFile } from '../../conformance/bundle/index.ts'
import { fileReporters, finishRun, knownErrorExit, parseDuration, readSigningKey } from '../../conformance/command.ts'
import { codes } from '../../conformance/errors.ts'
import { gradeConnector, type ScenarioOutcome, toEvidenceExchange } from '../../conformance/grade/index.ts'
import { runMeta } from '../../conformance/meta.ts'
import { createConsoleReporter } from '../../conformance/reporters/console.ts'
import { formatRunMarker } from '../../conformance/context.ts'
import type { FailOn } from '../../conformance/verdict.ts'
import { scenarioByName, scenarioCatalogue, type ScenarioDefinition } from '../../mock/grade/index.ts'
import { accountFor, type DeclaredRole, type GradeClock, runScenarios, startGradeServer } from './engine.ts'

export interface GradeCommandOptions {
  connector?: string
  scenario?: string
  role?: string
  /** Per scenario: seconds, or a duration (90s, 2m); default 60 s. */
  timeout?: string
  timeScale?: string
  reportDir?: string
  bundle?: string
  signKey?: string
  failOn?: string
  /** false with --no-tls: plain HTTP. */
  tls?: boolean
}

export interface GradeIo extends GradeClock {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream
  env: Readonly<Record<string, string | undefined>>
}

export const defaultGradeTimeoutMs = 60_000

const roles: readonly DeclaredRole[] = ['reader', 'writer', 'both']

/** The scenarios `--scenario` names (comma-separated), in catalogue order; all when none is named. */
export function chooseScenarios(names: string | undefined): ScenarioDefinition[] {
  const wanted = (names ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  const unknown = wanted.filter((name) => scenarioByName(name) === undefined)
  if (unknown.length > 0)
    throw codes.CONF_ERR_USAGE.create(`--scenario ${unknown.join(',')}: no such scenario (${scenarioCatalogue.map((scenario) => scenario.name).join(', ')})`)
  return wanted.length === 0 ? [...scenarioCatalogue] : scenarioCatalogue.filter((scenario) => wanted.includes(scenario.name))
}

/** A positive number, as --time-scale takes it. */
export function parseTimeScale(text: string | undefined): number {
  if (text === undefined) return 1
  const value = Number(text)
  if (!(Number.isFinite(value) && value > 0 && value <= 100))
    throw codes.CONF_ERR_USAGE.create(`--time-scale ${text}: expected a number above 0, at most 100 (0.5 is twice as fast)`)
  return value
}

function parseRole(text: string | undefined): DeclaredRole | undefined {
  if (text === undefined) return undefined
  if (!roles.includes(text as DeclaredRole)) throw codes.CONF_ERR_USAGE.create(`--role ${text}: expected reader, writer or both`)
  return text as DeclaredRole
}

function parseFailOn(text: string | undefined): FailOn {
  if (text === undefined || text === 'must' || text === 'warn') return (text ?? 'must') as FailOn
  throw codes.CONF_ERR_USAGE.create(`--fail-on ${text}: expected must or warn`)
}

/** Every recorded exchange and each run's output, for a bundle's full evidence, by scenario. */
function recordEvidence(outcomes: readonly ScenarioOutcome[], sink: ReturnType<typeof createFullEvidenceFile>): void {
  for (const outcome of outcomes) {
    for (const exchange of outcome.session.exchanges) sink.record(outcome.name, toEvidenceExchange(outcome.session, exchange))
    for (const event of outcome.session.events) sink.note(outcome.name, `${Math.round(event.atMs)} ms, run ${event.launch}: ${event.kind}: ${event.detail}`)
    for (const launch of outcome.launches)
      sink.note(outcome.name, `run ${launch.launch} output:\n${launch.stdout}${launch.stderr === '' ? '' : `\nstderr:\n${launch.stderr}`}`)
  }
}

export async function runGradeCommand(options: GradeCommandOptions, io: GradeIo): Promise<0 | 1 | 2 | 3> {
  let scratch: string | undefined
  try {
    const command = options.connector?.trim()
    if (!command) throw codes.CONF_ERR_USAGE.create('--connector "CMD" is required: the command that runs the connector (or --selftest)')
    const scenarios = chooseScenarios(options.scenario)
    const role = parseRole(options.role)
    const timeoutMs = options.timeout === undefined ? defaultGradeTimeoutMs : parseDuration(options.timeout, '--timeout')
    const timeScale = parseTimeScale(options.timeScale)
    const failOn = parseFailOn(options.failOn)
    if (options.signKey !== undefined && options.bundle === undefined) throw codes.CONF_ERR_USAGE.create('--sign-key signs a bundle: give --bundle FILE too')
    const signingKey = options.signKey === undefined ? undefined : readSigningKey(options.signKey, io.env)
    const reportDir = options.reportDir ?? 'reports'

    const startedAt = io.now()
    const server = await startGradeServer({ tls: options.tls !== false }, io)
    let outcomes: ScenarioOutcome[]
    try {
      io.stdout.write(
        `nwa grade: ${command}\n  against the reference mock at ${server.running.url} as ${accountFor(role).user}, in ${scenarios.length} scenarios: ${scenarios.map((scenario) => scenario.name).join(', ')}\n`,
      )
      outcomes = await runScenarios(
        server,
        { command, scenarios, ...(role === undefined ? {} : { role }), timeScale, timeoutMs, progress: (line) => io.stdout.write(`${line}\n`) },
        io,
      )
    } finally {
      await server.close()
    }
    const result = gradeConnector(
      {
        connector: command,
        ...(role === undefined ? {} : { declaredRole: role }),
        mode: 'launched',
        scenarios: outcomes,
        url: server.running.url,
        timeScale,
        timeoutMs,
        failOn,
        startedAt,
        finishedAt: io.now(),
        runMarker: formatRunMarker(startedAt, io.random),
        meta: runMeta(),
      },
      { codec: server.codec },
    )
    const reporters = [createConsoleReporter({ stream: io.stdout, env: io.env }), ...fileReporters(reportDir)]
    for (const reporter of reporters) await reporter.finish(result)
    let bundle: Parameters<typeof finishRun>[2]
    if (options.bundle !== undefined) {
      scratch = mkdtempSync(join(tmpdir(), 'nwa-grade-bundle-'))
      const evidence = createFullEvidenceFile(join(scratch, 'evidence.ndjson'))
      recordEvidence(outcomes, evidence)
      const config = {
        command: 'nwa grade',
        connector: command,
        scenarios: scenarios.map((scenario) => scenario.name),
        role: role ?? 'as shown',
        account: accountFor(role).user,
        timeScale,
        timeoutMs,
        failOn,
      }
      bundle = { file: options.bundle, evidence: evidence.finish(), config, signingKey }
    }
    finishRun(io, reportDir, bundle)
    return result.exitCode
  } catch (error) {
    return knownErrorExit(error, 'nwa grade', io.stderr)
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true })
  }
}
