/**
 * How a connector meets a server in trouble (api/responsestatuscodes.md's 500 and 503; D61): it pauses before trying
 * again, longer each time, so a busy Archive Service is not hammered; and it waits for slow answers (D64) and ends its
 * runs without an error (D65).
 */
import type { GradeSession } from '../../../openapi/grade-session.ts'
import { failed, type Judgment, notApplicable, passed } from '../types.ts'
import { afterStop, describeExchange, failureRuns, launchesOf, listed, retrySteps, seqs } from '../view.ts'

/**
 * D61, D64: the least pause after a 500 or 503, how much one pause of a run may fall short of the one before (jitter)
 * and how much longer the last must be than the first, the run of refusals that shows a backoff, and how long a
 * documented add-on waits for an answer (ServiceNow's RequestTimeout, addon/servicenow/parameters.md).
 */
export const retryRules = { minPauseMs: 100, shrinkTolerance: 0.8, growth: 1.5, run: 3, patienceMs: 180_000 } as const

const serverRefusal = (status: number) => status === 500 || status === 503

const pause: Judgment = {
  id: 'retry.pause',
  title: `After a 500 or 503 the connector pauses at least ${retryRules.minPauseMs} ms before it tries again: it does not hammer`,
  level: 'SHOULD',
  requirements: ['CLIENT-RETRY-PAUSE'],
  decision: 'D61',
  family: 'retry',
  judge(session) {
    const steps = retrySteps(session).filter((step) => step.failure.ending === 'complete' && serverRefusal(step.failure.status) && step.pauseMs !== undefined)
    if (steps.length === 0) return notApplicable('the connector met no 500 or 503 it tried again after in this scenario')
    const hasty = steps.filter((step) => (step.pauseMs ?? 0) < retryRules.minPauseMs)
    const shortest = Math.min(...steps.map((step) => step.pauseMs ?? 0))
    if (hasty.length === 0) return passed(`after each of ${steps.length} refusals it paused at least ${shortest} ms`)
    return failed(
      `${hasty.length} of ${steps.length} times its next request of the kind came less than ${retryRules.minPauseMs} ms after a refusal: ${listed(hasty.map((step) => `${step.pauseMs} ms after ${describeExchange(step.failure)}`))}`,
      hasty.flatMap((step) => [step.failure.seq, ...(step.next === undefined ? [] : [step.next.seq])]).slice(0, 20),
    )
  },
}

const backoff: Judgment = {
  id: 'retry.backoff',
  title: `Refused ${retryRules.run} times or more in a row, the connector waits longer each time (a growing delay)`,
  level: 'SHOULD',
  requirements: ['CLIENT-RETRY-BACKOFF'],
  decision: 'D61',
  family: 'retry',
  judge(session) {
    const runs = failureRuns(session)
      .map((run) => run.filter((step) => step.failure.ending === 'complete' && serverRefusal(step.failure.status) && step.pauseMs !== undefined))
      .filter((run) => run.length >= retryRules.run)
    if (runs.length === 0) return notApplicable(`the connector met no run of ${retryRules.run} refusals of one request in this scenario`)
    const flat = runs.flatMap((run) => {
      const pauses = run.map((step) => step.pauseMs ?? 0)
      const shrinks = pauses.some((value, index) => index > 0 && value < retryRules.shrinkTolerance * (pauses[index - 1] ?? 0))
      const grows = (pauses[pauses.length - 1] ?? 0) >= retryRules.growth * Math.max(1, pauses[0] ?? 0)
      return shrinks || !grows ? [{ run, pauses }] : []
    })
    if (flat.length === 0)
      return passed(`in ${runs.length} runs of refusals the pauses grew (${runs.map((run) => run.map((step) => step.pauseMs).join(' → ')).join('; ')} ms)`)
    return failed(
      `in ${flat.length} runs of refusals the pauses did not grow: ${listed(flat.map((item) => `${item.pauses.join(' → ')} ms after ${describeExchange(item.run[0]!.failure)}…`))}`,
      flat.flatMap((item) => seqs(item.run.map((step) => step.failure))).slice(0, 20),
    )
  },
}

const patience: Judgment = {
  id: 'transport.patience',
  title: 'The connector waits for a slow answer: it gives up on no request the server is still answering within 180 s',
  level: 'SHOULD',
  requirements: ['CLIENT-TIMEOUT'],
  decision: 'D64',
  family: 'connector',
  judge(session) {
    const launches = new Map(launchesOf(session).map((launch) => [launch.launch, launch]))
    const given = session.exchanges.filter(
      (exchange) => exchange.ending === 'abandoned' && exchange.durationMs < retryRules.patienceMs && !afterStop(exchange, launches.get(exchange.launch)),
    )
    const requests = session.exchanges.filter((exchange) => exchange.operation !== undefined)
    if (requests.length === 0) return notApplicable('the connector sent no request to the API in this scenario')
    const slowest = Math.max(...requests.filter((exchange) => exchange.ending === 'complete').map((exchange) => exchange.durationMs), 0)
    if (given.length === 0) return passed(`it waited for every answer (the slowest took ${Math.round(slowest)} ms)`)
    return failed(
      `it gave up on ${given.length} requests the server was still answering: ${listed(given.map((exchange) => `${describeExchange(exchange)} after ${Math.round(exchange.durationMs)} ms`))}`,
      seqs(given),
    )
  },
}

const survives: Judgment = {
  id: 'connector.survives',
  title: 'Each run of the connector that ends by itself ends well (exit 0), whatever documented trouble it met',
  level: 'SHOULD',
  requirements: ['CLIENT-SURVIVE'],
  decision: 'D65',
  family: 'connector',
  judge(session: GradeSession) {
    const launches = launchesOf(session).filter((launch) => launch.launch > 0)
    if (launches.length === 0) return notApplicable('the grader did not launch the connector (passive grading)')
    const ended = launches.filter((launch) => launch.endedBy === 'self')
    const bad = ended.filter((launch) => launch.exitCode !== 0)
    if (bad.length === 0)
      return ended.length === 0 ? passed('no run ended by itself: the grader stopped each') : passed(`${ended.length} runs ended by themselves with exit 0`)
    return failed(
      `${bad.length} runs ended with an error: ${listed(bad.map((launch) => `run ${launch.launch} exited with ${launch.exitCode ?? `signal ${launch.signal}`}${launch.exchanges.length > 0 ? ` after ${describeExchange(launch.exchanges[launch.exchanges.length - 1]!)}` : ''}`))}`,
      bad.flatMap((launch) => seqs(launch.exchanges.slice(-3))),
    )
  },
}

export const retryJudgments: Judgment[] = [pause, backoff]
export const connectorJudgments: Judgment[] = [patience, survives]
