/**
 * The grading scenarios (docs/grading.md, "Scenarios"; D68): each a named script of server behaviour over a session,
 * data and small functions. A scenario makes its trouble through pipeline decorators (troubles.ts), moves through its
 * phases as the connector's exchanges are recorded, and says when it has seen the connector through its trouble
 * (`finished`). The grader (cli/grade.ts) launches the connector, relaunches one that ended by itself while the
 * scenario still has work (as a scheduled task would run it again), stops and restarts it when the scenario asks, and
 * ends the scenario once it is finished and the connector has been quiet for `settleMs`.
 */
import type { ActivityRecordInput } from '../../openapi/records.ts'
import type { PipelineDecorator, PipelineServices } from '../pipeline/decorate.ts'
import { createProgressTracker, type Progress } from './progress.ts'
import type { GradeRecorder } from './recorder.ts'
import {
  busyArchive,
  cutPage,
  holdWhile,
  internalError,
  readOperations,
  refuse,
  resetWrite,
  slowAnswers,
  slowNetwork,
  switchingAuth,
  writeOperations,
  type AuthPhase,
} from './troubles.ts'

export const scenarioNames = ['steady', 'busy-archive', 'server-errors', 'cut-connections', 'restart', 'auth', 'slow'] as const
export type ScenarioName = (typeof scenarioNames)[number]

export interface ScenarioContext {
  recorder: GradeRecorder
  /** Nominal timings (latency, nonce lifetime, quiet periods) are multiplied by it. */
  timeScale: number
  random: (bytes: number) => Buffer
  /** The grader launches the connector and can stop and restart it; false in passive mode (`nwa mock --grade`). */
  launched: boolean
}

export interface ScenarioRun {
  decorators: PipelineDecorator[]
  /** Moves the scenario on time alone (quiet periods); called every few tens of milliseconds. */
  tick(): void
  /** The connector ended by itself: a run of a scheduled add-on is over. */
  connectorEnded(): void
  /** The grader is to stop the connector now and launch it again. */
  wantsStop(): boolean
  /** The grader has stopped the connector: the requests held meanwhile go. */
  stopped(): void
  /** The scenario is over: nothing it holds may wait any longer. */
  close(): void
  /** The trouble was made, and the connector was seen through it in each role it showed. */
  finished(): boolean
  /** ms of quiet, once finished, before the scenario is over. */
  readonly settleMs: number
  readonly progress: Progress
  /** ms since the last exchange, 0 while one is in flight. */
  idleFor(): number
}

export interface ScenarioDefinition {
  name: ScenarioName
  /** One line: the trouble, and what the connector must do. */
  summary: string
  /** Records the scenario starts with when the grader launches the connector (passive mode keeps the server's data). */
  backlog: number
  /** Needs `nwa grade --connector`: the grader must stop and start the connector. */
  needsLauncher: boolean
  /** How many times the grader may launch the connector in this scenario. */
  maxLaunches: number
  start(context: ScenarioContext): ScenarioRun
}

/** Nominal timings, in ms before the time scale: short, so a scenario takes seconds (D68). */
export const timings = {
  settle: 600,
  slowAnswer: 2000,
  digestLatency: 150,
  nonceLifetime: 400,
} as const

/** What most scenarios start with: a backlog of a few pages, no need to stop the connector, three runs at most. */
const usual = { backlog: 2500, needsLauncher: false, maxLaunches: 3 } as const

/** Trouble counts (not scaled): enough refusals that a growing delay shows, few enough that a scenario stays short (D68). */
export const troubleCounts = { busyWrites: 4, failedCalls: 3, arrivals: 40, digestArrivals: 2500, pagesBeforeRestart: 2, acksBeforeRestart: 1 } as const

/** What every scenario shares: the progress tracker, phases, trouble reports, the services once the pipeline is built. */
interface Parts {
  context: ScenarioContext
  progress: Progress
  idleFor(): number
  endedAfter(atMs: number): boolean
  now(): number
  settleMs: number
  made(kind: string): (detail: string) => void
  /** How often each kind of trouble was made. */
  count(kind: string): number
  /** When trouble of a kind was last made (ms since the session began). */
  lastMadeAt(kind: string): number
  services(): PipelineServices | undefined
  servicesDecorator: PipelineDecorator
  trackerDecorator: PipelineDecorator
}

function parts(context: ScenarioContext): Parts {
  const tracker = createProgressTracker()
  const counts = new Map<string, number>()
  const times = new Map<string, number>()
  let services: PipelineServices | undefined
  const { recorder } = context
  const now = () => recorder.elapsed()
  recorder.listen((exchange) => tracker.observe(exchange))
  return {
    context,
    progress: tracker.progress,
    idleFor: () => tracker.idleFor(now()),
    endedAfter: (atMs) => tracker.endedAfter(atMs),
    now,
    settleMs: Math.max(150, timings.settle * context.timeScale),
    made: (kind) => (detail) => {
      counts.set(kind, (counts.get(kind) ?? 0) + 1)
      times.set(kind, now())
      recorder.event('trouble', `${kind}: ${detail}`)
    },
    count: (kind) => counts.get(kind) ?? 0,
    lastMadeAt: (kind) => times.get(kind) ?? Number.POSITIVE_INFINITY,
    services: () => services,
    servicesDecorator: (stages, given) => {
      services = given
      return [...stages]
    },
    trackerDecorator: tracker.decorator,
  }
}

/** A run built from its parts: the decorators, and the scenario's own rules for moving on and finishing. */
function run(
  p: Parts,
  rules: {
    decorators: PipelineDecorator[]
    finished: () => boolean
    onTick?: () => void
    onEnded?: () => void
    wantsStop?: () => boolean
    stopped?: () => void
    close?: () => void
  },
): ScenarioRun {
  return {
    decorators: [p.servicesDecorator, p.trackerDecorator, ...rules.decorators],
    tick: () => rules.onTick?.(),
    connectorEnded: () => rules.onEnded?.(),
    wantsStop: () => rules.wantsStop?.() ?? false,
    stopped: () => rules.stopped?.(),
    close: () => rules.close?.(),
    finished: () => (p.progress.reader || p.progress.writer) && rules.finished(),
    settleMs: p.settleMs,
    progress: p.progress,
    idleFor: p.idleFor,
  }
}

/** The reader, if it showed, reached the end of the data after `atMs`; a connector that does not read has nothing to show. */
const readerAtEndAfter = (p: Parts, atMs: number) => !p.progress.reader || p.endedAfter(atMs)
/** A writer, if it showed, had a write answered 200 after `atMs`. */
const writerAckedAfter = (p: Parts, atMs: number) => !p.progress.writer || (p.progress.lastAckAt !== undefined && p.progress.lastAckAt >= atMs)

/**
 * A scenario of one kind of trouble, made by the decorators `make` builds with the report to call as it strikes: it
 * is finished once the connector went on past the last of it, reading to the end or having a write answered 200.
 */
function troubleRun(
  p: Parts,
  kind: string,
  phases: { before: string; after: string },
  make: (report: (detail: string) => void) => PipelineDecorator[],
): ScenarioRun {
  p.context.recorder.setPhase(phases.before)
  const made = p.made(kind)
  const report = (detail: string) => {
    made(detail)
    p.context.recorder.setPhase(phases.after)
  }
  return run(p, {
    decorators: make(report),
    finished: () => p.count(kind) > 0 && readerAtEndAfter(p, p.lastMadeAt(kind)) && writerAckedAfter(p, p.lastMadeAt(kind)),
  })
}

/** Records another add-on writes while the connector waits: found by a reader that polls with its last mark. */
export function arrivalRecords(count: number, nowMs: number, tag: string): ActivityRecordInput[] {
  return Array.from({ length: count }, (_, index) => ({
    Who: 'ENTERPRISE\\Anna.Smith',
    Action: 'Added',
    What: `\\local\\enterprise\\Users\\Arrival ${index + 1} of ${tag}`,
    When: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Where: 'EnterpriseDC1.enterprise.local',
    ObjectType: 'user',
  }))
}

const steady: ScenarioDefinition = {
  name: 'steady',
  summary:
    'a backlog of several pages; once the connector has reached the end, new records arrive: it must read them with its last mark, not read everything again',
  ...usual,
  start(context) {
    const p = parts(context)
    let arrivedAt: number | undefined
    let arriving = false
    const arrive = () => {
      const services = p.services()
      if (arriving || services === undefined) return
      arriving = true
      const records = arrivalRecords(troubleCounts.arrivals, services.clock.now(), context.recorder.session().startedAt)
      void services.state.write(records).then(() => {
        arrivedAt = p.now()
        context.recorder.event('arrivals', `${records.length} new records arrived`, { records: records.length })
        context.recorder.setPhase('after-arrivals')
      })
    }
    context.recorder.setPhase('backlog')
    const passEnded = () => (p.progress.reader ? p.progress.lastEndAt !== undefined : p.progress.writer && p.idleFor() >= p.settleMs)
    return run(p, {
      decorators: [],
      onTick: () => {
        if (passEnded()) arrive()
      },
      onEnded: arrive,
      finished: () => arrivedAt !== undefined && readerAtEndAfter(p, arrivedAt),
    })
  },
}

const busyArchiveScenario: ScenarioDefinition = {
  name: 'busy-archive',
  summary: `the first ${troubleCounts.busyWrites} writes get 503 (the Archive Service is busy, with its ErrorList): the connector must retry with a growing delay, without dropping or duplicating a batch`,
  ...usual,
  start(context) {
    const p = parts(context)
    context.recorder.setPhase('busy')
    const made = p.made('busy')
    return run(p, {
      decorators: [
        refuse(writeOperations, { from: 1, count: troubleCounts.busyWrites }, busyArchive, (detail) => {
          made(detail)
          if (p.count('busy') === troubleCounts.busyWrites) context.recorder.setPhase('recovered')
        }),
      ],
      finished: () =>
        (!p.progress.writer || p.count('busy') >= troubleCounts.busyWrites) && readerAtEndAfter(p, 0) && writerAckedAfter(p, p.lastMadeAt('busy')),
    })
  },
}

const serverErrors: ScenarioDefinition = {
  name: 'server-errors',
  summary: `reads and writes from the second on get 500 ServerError, ${troubleCounts.failedCalls} times each: the connector must back off, then go on from the same mark or resend the same records`,
  ...usual,
  start: (context) =>
    troubleRun(parts(context), '500', { before: 'first-call', after: 'errors' }, (report) => {
      const window = { from: 2, count: troubleCounts.failedCalls }
      return [refuse(readOperations, window, internalError, report), refuse(writeOperations, window, internalError, report)]
    }),
}

const cutConnections: ScenarioDefinition = {
  name: 'cut-connections',
  summary:
    'the second page is cut mid-body and the second write loses its connection before an answer: the connector must post the same mark again, and resend the write',
  ...usual,
  start: (context) => troubleRun(parts(context), 'cut', { before: 'before-cut', after: 'after-cut' }, (report) => [cutPage(2, report), resetWrite(2, report)]),
}

const restart: ScenarioDefinition = {
  name: 'restart',
  summary: `the grader stops the connector mid-backlog (after ${troubleCounts.pagesBeforeRestart} pages read or ${troubleCounts.acksBeforeRestart} write answered) and starts it again: it must go on from its saved mark, and not send written records again`,
  backlog: 4000,
  needsLauncher: true,
  maxLaunches: 4,
  start(context) {
    const p = parts(context)
    let stopping = false
    let restartedAt: number | undefined
    let release: () => void = () => undefined
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    context.recorder.setPhase('first-run')
    const due = () =>
      restartedAt === undefined &&
      ((p.progress.reader && p.progress.pages >= troubleCounts.pagesBeforeRestart) ||
        (p.progress.writer && p.progress.writesAcked >= troubleCounts.acksBeforeRestart))
    return run(p, {
      decorators: [
        holdWhile(
          () => stopping,
          () => released,
        ),
      ],
      onTick: () => {
        if (!stopping && due()) {
          stopping = true
          context.recorder.setPhase('stopping')
          context.recorder.event('stop-requested', 'the grader stops the connector mid-backlog')
        }
      },
      wantsStop: () => stopping,
      stopped: () => {
        stopping = false
        restartedAt = p.now()
        release()
        context.recorder.setPhase('after-restart')
      },
      close: () => release(),
      finished: () => restartedAt !== undefined && readerAtEndAfter(p, restartedAt) && writerAckedAfter(p, restartedAt),
    })
  },
}

const auth: ScenarioDefinition = {
  name: 'auth',
  summary: `the server offers NTLM only, then, once the connector has done a pass, Digest only with nonces that expire (stale=true) and ${troubleCounts.digestArrivals.toLocaleString('en-US')} new records: the connector must authenticate and re-authenticate, never fail or fall back to Basic`,
  ...usual,
  start(context) {
    const p = parts(context)
    const ntlmOnly: AuthPhase = { schemes: ['NTLM'] }
    const digestStale: AuthPhase = { schemes: ['Digest'], nonceLifetimeMs: timings.nonceLifetime * context.timeScale }
    let current = ntlmOnly
    let digestAt: number | undefined
    context.recorder.setPhase('ntlm-only')
    const toDigest = () => {
      if (digestAt !== undefined) return
      current = digestStale
      digestAt = p.now()
      context.recorder.setPhase('digest-stale')
      context.recorder.event('trouble', 'the server now offers Digest only, with nonces that expire')
      // New records give a reader pages to read under Digest, enough requests for its nonce to expire.
      const services = p.services()
      if (services !== undefined) {
        const records = arrivalRecords(troubleCounts.digestArrivals, services.clock.now(), `${context.recorder.session().startedAt} (Digest)`)
        void services.state.write(records).then(() => context.recorder.event('arrivals', `${records.length} new records arrived`, { records: records.length }))
      }
    }
    const passEnded = () =>
      p.progress.reader ? p.progress.lastEndAt !== undefined : p.progress.writer && p.progress.writesAcked > 0 && p.idleFor() >= p.settleMs
    return run(p, {
      decorators: [switchingAuth(() => current, context.random), slowNetwork(() => (current === digestStale ? timings.digestLatency * context.timeScale : 0))],
      onTick: () => {
        if (passEnded()) toDigest()
      },
      onEnded: toDigest,
      finished: () => digestAt !== undefined && readerAtEndAfter(p, digestAt) && writerAckedAfter(p, digestAt),
    })
  },
}

const slow: ScenarioDefinition = {
  name: 'slow',
  summary: `every answer takes ${timings.slowAnswer.toLocaleString('en-US')} ms (times the time scale), well within the 180 s documented add-ons wait: no request may be given up as timed out`,
  ...usual,
  start(context) {
    const p = parts(context)
    context.recorder.setPhase('slow')
    return run(p, {
      decorators: [slowAnswers(() => timings.slowAnswer * context.timeScale)],
      finished: () => readerAtEndAfter(p, 0) && writerAckedAfter(p, 0),
    })
  },
}

/** The catalogue, in the order `nwa grade` runs them. */
export const scenarioCatalogue: readonly ScenarioDefinition[] = [steady, busyArchiveScenario, serverErrors, cutConnections, restart, auth, slow]

export function scenarioByName(name: string): ScenarioDefinition | undefined {
  return scenarioCatalogue.find((scenario) => scenario.name === name)
}
