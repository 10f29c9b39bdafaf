/**
 * One scenario of `nwa grade` (docs/grading.md, "How a scenario runs"): the server is given the scenario's data and
 * behaviour, the connector is launched, launched again when it ended by itself while the scenario still had work (a
 * scheduled add-on runs again), stopped and restarted when the scenario asks, and stopped once the scenario is
 * finished and the connector has been quiet, or at the timeout, or when it runs away.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { LaunchRecord, ScenarioOutcome } from '../../conformance/grade/index.ts'
import type { MockApp } from '../../mock/app.ts'
import { type GradeRecorder, loadBacklog, type ScenarioDefinition } from '../../mock/grade/index.ts'
import { type GradeExchange, isWholePage } from '../../openapi/grade-session.ts'
import type { PayloadCodec } from '../../openapi/payload.ts'
import type { ConnectorTarget, RunningConnector } from './launch.ts'

export interface ScenarioJob {
  definition: ScenarioDefinition
  app: MockApp
  codec: PayloadCodec
  recorder: GradeRecorder
  /** The server root given to the connector. */
  url: string
  command: string
  /** The environment for a launch, its state directory given. */
  target: (stateDir: string) => ConnectorTarget
  /** Where the scenario's state directory is made. */
  workDir: string
  timeScale: number
  timeoutMs: number
  random: (bytes: number) => Buffer
  /** More environment for the connector (the self-test's NWA_SAMPLE_DEFECT). */
  env?: Readonly<Record<string, string>>
  launch: (command: string, target: ConnectorTarget, env: Readonly<Record<string, string>>) => RunningConnector
  /** ms, monotonic. */
  now: () => number
  sleep: (ms: number) => Promise<void>
  progress?: (line: string) => void
}

/** How often the grader looks at the scenario and the connector, in ms. */
const TICK_MS = 25
/** How long a stopped connector has to end after SIGTERM before SIGKILL. */
const GRACE_MS = 2000
/**
 * A connector that sends more requests than this in one scenario, or is answered the same whole page this many times
 * in one run, is stopped as a runaway: a loop that would otherwise last until the timeout (D68).
 */
export const runawayLimits = { exchanges: 2000, samePage: 5 } as const

/** Watches the exchanges for a loop: too many requests, or the same page received whole again and again. */
function runawayWatch(recorder: GradeRecorder): () => string | undefined {
  const pages = new Map<string, number>()
  let count = 0
  let reason: string | undefined
  recorder.listen((exchange: GradeExchange) => {
    count += 1
    if (count > runawayLimits.exchanges) reason ??= `it sent more than ${runawayLimits.exchanges} requests`
    if (exchange.postedMark !== undefined && isWholePage(exchange) && (exchange.page?.records ?? 0) > 0) {
      const key = `${exchange.launch} ${exchange.postedMark}`
      const seen = (pages.get(key) ?? 0) + 1
      pages.set(key, seen)
      if (seen >= runawayLimits.samePage) reason ??= `it was answered the same page ${seen} times in one run`
    }
  })
  return () => reason
}

export async function runScenario(job: ScenarioJob): Promise<ScenarioOutcome> {
  const { definition, recorder } = job
  const started = job.now()
  recorder.begin({ scenario: definition.name, url: job.url, timeScale: job.timeScale })
  await loadBacklog(job.app.state, job.codec, definition.backlog)
  const run = definition.start({ recorder, timeScale: job.timeScale, random: job.random, launched: true })
  job.app.decorate(run.decorators)
  const runaway = runawayWatch(recorder)
  const stateDir = join(job.workDir, definition.name)
  mkdirSync(stateDir, { recursive: true })
  const launches: LaunchRecord[] = []
  let connector: RunningConnector | undefined
  let launchedAt = 0
  let number = 0

  const launch = () => {
    number += 1
    recorder.setLaunch(number)
    recorder.event('launch-started', job.command, { launch: number })
    launchedAt = job.now()
    connector = job.launch(job.command, job.target(stateDir), job.env ?? {})
    job.progress?.(`  ${definition.name}: run ${number} started`)
  }
  const ended = (running: RunningConnector, exit: { exitCode: number | null; signal: string | null }, endedBy: LaunchRecord['endedBy']) => {
    recorder.event('launch-ended', `run ${number} ${endedBy === 'self' ? 'ended' : 'was stopped'}`, {
      launch: number,
      exitCode: exit.exitCode,
      signal: exit.signal,
      endedBy,
    })
    launches.push({ launch: number, durationMs: Math.round(job.now() - launchedAt), ...exit, endedBy, ...running.output() })
    connector = undefined
  }
  const stop = async (endedBy: 'grader' | 'timeout', why: string) => {
    const running = connector
    if (running === undefined) return
    recorder.event('stop-requested', why, { launch: number })
    ended(running, await running.stop(GRACE_MS), endedBy)
  }

  let endedBy: ScenarioOutcome['endedBy'] = 'finished'
  let endNote: string | undefined
  try {
    launch()
    for (;;) {
      await job.sleep(TICK_MS)
      run.tick()
      const running = connector
      if (running?.ended()) {
        ended(running, await running.exited, 'self')
        run.connectorEnded()
        if (run.finished()) break
        if (number >= definition.maxLaunches) {
          endedBy = 'launches-spent'
          endNote = `the connector ended ${number} times before the scenario was done`
          break
        }
        // A pause before the next run, as between two runs of a scheduled task; the scenario's trouble settles meanwhile.
        await job.sleep(run.settleMs)
        run.tick()
        launch()
        continue
      }
      if (run.wantsStop()) {
        await stop('grader', 'the scenario restarts the connector')
        run.stopped()
        launch()
        continue
      }
      if (run.finished() && run.idleFor() >= run.settleMs) {
        await stop('grader', 'the scenario is over')
        break
      }
      const loop = runaway()
      if (loop !== undefined) {
        endedBy = 'runaway'
        endNote = `stopped as a runaway: ${loop}`
        await stop('grader', endNote)
        break
      }
      if (job.now() - started > job.timeoutMs) {
        endedBy = 'timeout'
        endNote = `not done within ${Math.round(job.timeoutMs / 1000)} s`
        await stop('timeout', endNote)
        break
      }
    }
  } finally {
    if (connector !== undefined) await stop('grader', 'the grader stops')
    // Whatever a stop held goes, and the next scenario starts on the clean pipeline.
    run.close()
    job.app.decorate([])
  }
  job.progress?.(`  ${definition.name}: ${endedBy}${endNote === undefined ? '' : ` (${endNote})`}, ${recorder.session().exchanges.length} exchanges`)
  return {
    name: definition.name,
    summary: definition.summary,
    session: recorder.session(),
    launches,
    endedBy,
    ...(endNote === undefined ? {} : { endNote }),
    durationMs: Math.round(job.now() - started),
  }
}
