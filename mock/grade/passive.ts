/**
 * Passive grading (`nwa mock --grade [SCENARIO]`, docs/grading.md): for a connector the grader cannot launch (a
 * Windows service, a SIEM job), the mock records whatever talks to it under the scenario's trouble, and judges on
 * request. The judgments are `nwa grade`'s, which the CLI hands over (`PassiveJudge`), so the mock imports none.
 */
import type { GradeSession } from '../../openapi/grade-session.ts'
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
  recorder: GradeRecorder
  /** The /nwa/grade endpoints, served without --control. */
  routes: ControlRoutes
  /** The scenario's server behaviour, for the app to apply (app.decorate) once it runs, and again on a reset. */
  decorators(): readonly PipelineDecorator[]
  /** Stops the scenario's clock. */
  close(): void
}

const json = (status: number, value: unknown): MockResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value, null, 2),
})

/** How often the scenario looks at the time (its quiet periods), in ms. */
const TICK_MS = 100

export function createPassiveGrading(options: {
  scenario: ScenarioDefinition
  url: string
  timeScale: number
  judge: PassiveJudge
  now: () => number
  wallClock: () => number
  random: (bytes: number) => Buffer
  /** Rebuilds the pipeline with these decorators (app.decorate), on a reset. */
  redecorate: (decorators: readonly PipelineDecorator[]) => void
}): PassiveGrading {
  const recorder = createGradeRecorder({ now: options.now, wallClock: options.wallClock })
  let current: ScenarioRun
  const begin = () => {
    recorder.begin({ scenario: options.scenario.name, url: options.url, timeScale: options.timeScale })
    current = options.scenario.start({ recorder, timeScale: options.timeScale, random: options.random, launched: false })
  }
  begin()
  const ticker = setInterval(() => current.tick(), TICK_MS)
  ticker.unref()
  return {
    recorder,
    decorators: () => current.decorators,
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
          options.redecorate(current.decorators)
          return json(200, { scenario: options.scenario.name, reset: true })
        },
      },
    },
    close: () => clearInterval(ticker),
  }
}
