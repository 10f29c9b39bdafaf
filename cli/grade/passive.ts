/**
 * `nwa mock --grade [SCENARIO]` (docs/grading.md, "Passive grading"): the mock records whatever talks to it under the
 * scenario's trouble; this side hands it the judge, `nwa grade`'s judgments and reports, so the mock imports neither.
 */
import { join } from 'node:path'
import { fileReporters, reportFiles } from '../../conformance/command.ts'
import { formatRunMarker } from '../../conformance/context.ts'
import { gradeConnector } from '../../conformance/grade/index.ts'
import { runMeta } from '../../conformance/meta.ts'
import type { RunResult } from '../../conformance/runner.ts'
import { createPassiveGrading, type ExchangeObserver, type PassiveGrading, scenarioByName, scenarioCatalogue } from '../../mock/grade/index.ts'
import type { GradePanel, InspectorGrade } from '../../mock/inspector/grade-panel.ts'
import type { GradeSession } from '../../openapi/grade-session.ts'
import type { PayloadCodec } from '../../openapi/payload.ts'
import type { GradeClock } from './engine.ts'

/** The scenario `--grade` names (true: none named, `steady`), or why it cannot be graded passively. */
export function passiveScenario(value: string | boolean): { ok: true; name: string } | { ok: false; error: string } {
  const name = value === true || value === '' ? 'steady' : String(value)
  const scenario = scenarioByName(name)
  if (scenario === undefined) return { ok: false, error: `--grade ${name}: no such scenario (${scenarioCatalogue.map((item) => item.name).join(', ')})` }
  if (scenario.needsLauncher)
    return { ok: false, error: `--grade ${name}: the grader must stop and start the connector for this scenario; use nwa grade --connector "CMD"` }
  return { ok: true, name }
}

/** The connector as the session shows it: its User-Agent, as there is no command to name it by. */
function seenAs(session: GradeSession): string {
  const agents = [...new Set(session.exchanges.map((exchange) => exchange.headers['user-agent']).filter(Boolean))]
  return agents.length === 0 ? 'a connector seen by the reference mock (no User-Agent sent)' : `the connector with User-Agent ${agents.slice(0, 3).join(', ')}`
}

export interface PassiveSetup {
  grading: PassiveGrading
  /** The grade of the session so far. */
  grade(): RunResult
  /** Writes the four reports; answers the files. */
  report(): Promise<string[]>
}

export function createPassiveSetup(options: { scenario: string; timeScale: number; reportDir: string; codec: PayloadCodec }, clock: GradeClock): PassiveSetup {
  const definition = scenarioByName(options.scenario)
  if (definition === undefined) throw new Error(`no scenario ${options.scenario}`)
  const startedAt = clock.now()
  const runMarker = formatRunMarker(startedAt, clock.random)
  const grade = (session: GradeSession): RunResult =>
    gradeConnector(
      {
        connector: seenAs(session),
        mode: 'passive',
        scenarios: [{ name: definition.name, summary: definition.summary, session, launches: [], endedBy: 'passive', durationMs: clock.now() - startedAt }],
        url: session.url,
        timeScale: options.timeScale,
        failOn: 'must',
        startedAt,
        finishedAt: clock.now(),
        runMarker,
        meta: runMeta(),
      },
      { codec: options.codec },
    )
  const report = async (session: GradeSession): Promise<string[]> => {
    const result = grade(session)
    for (const reporter of fileReporters(options.reportDir)) await reporter.finish(result)
    return Object.values(reportFiles).map((file) => join(options.reportDir, file))
  }
  const grading = createPassiveGrading({
    scenario: definition,
    timeScale: options.timeScale,
    now: clock.monotonic,
    wallClock: clock.now,
    random: clock.random,
    judge: {
      grade(session) {
        const result = grade(session)
        return {
          scenario: definition.name,
          connector: result.grade?.connector,
          verdict: result.verdict.verdict,
          exitCode: result.exitCode,
          summary: result.verdict.summary,
          roles: result.grade?.role.shown,
          exchanges: session.exchanges.length,
          judgments: judgmentRows(result),
        }
      },
      report,
    },
  })
  return { grading, grade: () => grade(grading.session()), report: () => report(grading.session()) }
}

/** Each judgment of a grade in one row, as GET /nwa/grade answers and the inspector page draws them. */
function judgmentRows(result: RunResult): InspectorGrade['checks'] {
  return result.checks.map(({ id, level, status, message }) => ({ id, level, status, message }))
}

/** The grade as the inspector page draws it (mock/inspector/grade-panel.ts). */
export function inspectorGrade(result: RunResult, scenario: string): InspectorGrade {
  return {
    verdict: result.verdict.verdict,
    summary: `scenario ${scenario}: ${result.verdict.summary}`,
    checks: judgmentRows(result),
  }
}

export interface PanelFeed {
  /** The observer to start the mock with, in place of the recorder: it records, then asks for a new grade. */
  observer: ExchangeObserver
  /** Grades the session now and shows it (at start, and when the session is reset). */
  refresh(): void
  close(): void
}

/**
 * Keeps the inspector's grade panel at the connector's grade so far (docs/inspector.md). Judging a session is work
 * that grows with it, so a burst of requests is graded once: at most once every `everyMs`, after the request that
 * asked. The panel is the started app's, hence a getter.
 */
export function feedGradePanel(
  setup: PassiveSetup,
  scenario: string,
  panel: () => GradePanel | undefined,
  options: { everyMs?: number; timers?: Pick<typeof globalThis, 'setTimeout' | 'clearTimeout'> } = {},
): PanelFeed {
  const everyMs = options.everyMs ?? 1000
  const timers = options.timers ?? globalThis
  const recorder = setup.grading.recorder
  let pending: ReturnType<typeof setTimeout> | undefined
  const refresh = () => {
    pending = undefined
    panel()?.show(inspectorGrade(setup.grade(), scenario))
  }
  return {
    observer: {
      now: () => recorder.now(),
      ended(ctx, response, timing) {
        recorder.ended(ctx, response, timing)
        if (pending !== undefined) return
        pending = timers.setTimeout(refresh, everyMs)
        pending.unref?.()
      },
    },
    refresh,
    close() {
      if (pending !== undefined) timers.clearTimeout(pending)
      pending = undefined
    },
  }
}
