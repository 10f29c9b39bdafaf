/**
 * Passive grading (`nwa mock --grade [SCENARIO]`, docs/grading.md): for a connector the grader cannot launch (a
 * Windows service, a SIEM job), the mock records whatever talks to it under the scenario's trouble, and judges on
 * request. The judgments are `nwa grade`'s, which the CLI hands over (`PassiveJudge`), so the mock imports none.
 */
import type { GradeSession, RecordingBounds } from '../../openapi/grade-session.ts'
import type { ControlRoutes } from '../control.ts'
import type { PipelineDecorator } from '../pipeline/decorate.ts'
import type { MockResponse } from '../responses.ts'
import { createGradeRecorder, type GradeRecorder } from './recorder.ts'
import type { ScenarioDefinition, ScenarioRun } from './scenarios.ts'

export interface PassiveJudge {
  /** The grade of the session so far, as GET /nwa/grade answers it. */
  grade(session: GradeSession): unknown
  /** Writes the reports of the session so far; answers the files written. */
  report(session: GradeSession): Promise<string[]>
}

export interface PassiveGrading {
  /** The exchange observer to start the mock with. */
  recorder: GradeRecorder
  /** The /nwa/grade endpoints, served without --control. */
  routes: ControlRoutes
  /** Begins the session once the server listens at `url`; `decorate` is the app's, to apply the scenario's behaviour. */
  start(url: string, decorate: (decorators: readonly PipelineDecorator[]) => void): void
  /** The session so far. */
  session(): GradeSession
  /** Stops the scenario's clock and lets go of anything it holds. */
  close(): void
}

const json = (status: number, value: unknown): MockResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: `${JSON.stringify(value, null, 2)}\n`,
})

/** How often the scenario looks at the time (its quiet periods), in ms. */
const TICK_MS = 100

export function createPassiveGrading(options: {
  scenario: ScenarioDefinition
  timeScale: number
  judge: PassiveJudge
  now: () => number
  wallClock: () => number
  random: (bytes: number) => Buffer
  /** The recording's bounds, when not the defaults (the bench records every exchange whole). */
  bounds?: Partial<RecordingBounds>
}): PassiveGrading {
  const recorder = createGradeRecorder({ now: options.now, wallClock: options.wallClock, ...(options.bounds === undefined ? {} : { bounds: options.bounds }) })
  let run: ScenarioRun | undefined
  let ticker: NodeJS.Timeout | undefined
  let url = ''
  let decorate: (decorators: readonly PipelineDecorator[]) => void = () => undefined
  const begin = () => {
    run?.close()
    recorder.begin({ scenario: options.scenario.name, url, timeScale: options.timeScale })
    run = options.scenario.start({ recorder, timeScale: options.timeScale, random: options.random, launched: false })
    decorate(run.decorators)
  }
  return {
    recorder,
    routes: {
      'GET /nwa/grade': {
        does: `the grade so far (scenario ${options.scenario.name})`,
        handle: async () => json(200, options.judge.grade(recorder.session())),
      },
      'POST /nwa/grade/report': {
        does: 'write the grade reports now',
        handle: async () => json(200, { written: await options.judge.report(recorder.session()) }),
      },
      'POST /nwa/grade/reset': {
        does: 'drop the session and start the scenario again',
        handle: async () => {
          begin()
          return json(200, { scenario: options.scenario.name, reset: true })
        },
      },
    },
    start(given, decorator) {
      url = given
      decorate = decorator
      begin()
      ticker = setInterval(() => run?.tick(), TICK_MS)
      ticker.unref()
    },
    session: () => recorder.session(),
    close() {
      if (ticker !== undefined) clearInterval(ticker)
      run?.close()
    },
  }
}
