/**
 * Readings of a recorded session that several judgments share: its launches and how each ended, the connector's
 * retries and the pauses before them, and who the connector said it was. Pure.
 */
import { endOf, type GradeExchange, type GradeSession, isAuthorized, isRead, isWrite } from '../../openapi/grade-session.ts'
import { failed, type GradeRole, type JudgmentVerdict, passed } from './types.ts'

export interface LaunchView {
  /** 1, 2, …; 0 for a session the grader launched nothing in. */
  launch: number
  exchanges: GradeExchange[]
  endedBy?: 'self' | 'grader' | 'timeout'
  exitCode?: number | null
  signal?: string | null
  /** When the grader asked for the connector to stop, in ms since the session began: what it sent after is not held against it. */
  stopAt?: number
}

/** The launches of a session in order, each with its exchanges and how it ended. */
export function launchesOf(session: GradeSession): LaunchView[] {
  const launches = new Map<number, LaunchView>()
  const view = (launch: number): LaunchView => {
    let found = launches.get(launch)
    if (found === undefined) {
      found = { launch, exchanges: [] }
      launches.set(launch, found)
    }
    return found
  }
  for (const event of session.events) {
    if (event.kind === 'launch-started') view(event.launch)
    if (event.kind === 'stop-requested') view(event.launch).stopAt ??= event.atMs
    if (event.kind === 'launch-ended') {
      const launch = view(event.launch)
      if (event.endedBy !== undefined) launch.endedBy = event.endedBy
      if (event.exitCode !== undefined) launch.exitCode = event.exitCode
      if (event.signal !== undefined) launch.signal = event.signal
    }
  }
  for (const exchange of session.exchanges) view(exchange.launch).exchanges.push(exchange)
  return [...launches.values()].sort((a, b) => a.launch - b.launch)
}

/** Whether the grader had asked for this exchange's launch to stop before the exchange ended. */
export function afterStop(exchange: GradeExchange, launch: LaunchView | undefined): boolean {
  return launch?.stopAt !== undefined && endOf(exchange) >= launch.stopAt
}

/** The roles the connector showed: a read or a write the server let through. */
export function rolesShown(session: GradeSession): GradeRole[] {
  const roles: GradeRole[] = []
  if (session.exchanges.some((exchange) => isAuthorized(exchange) && isRead(exchange))) roles.push('reader')
  if (session.exchanges.some((exchange) => isAuthorized(exchange) && isWrite(exchange))) roles.push('writer')
  return roles
}

/** The User-Agent values the connector sent, first seen first. */
export function userAgents(session: GradeSession): string[] {
  return [...new Set(session.exchanges.map((exchange) => exchange.headers['user-agent']).filter((agent): agent is string => agent !== undefined))]
}

/** An answer that says the server is in trouble and the request is to be tried again: 500, 503, a cut or reset connection. */
export function isTroubleAnswer(exchange: GradeExchange): boolean {
  return (exchange.ending === 'complete' && (exchange.status === 500 || exchange.status === 503)) || exchange.ending === 'cut' || exchange.ending === 'reset'
}

/** What a request asks for, to tell a retry from the next request: the mark a read posts or its target, a write's first record. */
export function attemptKey(exchange: GradeExchange): string {
  if (isWrite(exchange)) return `write:${exchange.write?.fingerprints[0] ?? exchange.body?.text.slice(0, 200) ?? ''}`
  if (exchange.postedMark !== undefined) return `read:mark:${exchange.postedMark}`
  return `read:${exchange.method} ${exchange.target}:${exchange.body?.text.slice(0, 200) ?? ''}`
}

const kindOf = (exchange: GradeExchange): 'read' | 'write' | 'other' => (isRead(exchange) ? 'read' : isWrite(exchange) ? 'write' : 'other')

/**
 * The connector's next request of the same kind (a read after a read, a write after a write) in the same launch,
 * a 401 of a handshake included: the start of whatever it did next on that path.
 */
export function nextOfKind(session: GradeSession, exchange: GradeExchange): GradeExchange | undefined {
  const kind = kindOf(exchange)
  return session.exchanges
    .filter((other) => other.launch === exchange.launch && kindOf(other) === kind && other.atMs >= endOf(exchange) && other.seq !== exchange.seq)
    .sort((a, b) => a.atMs - b.atMs)[0]
}

/** A retry: a trouble answer, and how long the connector waited before it tried again (undefined: it never did). */
export interface RetryStep {
  failure: GradeExchange
  next?: GradeExchange
  pauseMs?: number
}

/** The trouble answers of the session, each with the pause before the connector's next request on the same path. */
export function retrySteps(session: GradeSession): RetryStep[] {
  const launches = new Map(launchesOf(session).map((launch) => [launch.launch, launch]))
  return session.exchanges
    .filter((exchange) => isTroubleAnswer(exchange) && !afterStop(exchange, launches.get(exchange.launch)))
    .map((failure) => {
      const next = nextOfKind(session, failure)
      return next === undefined ? { failure } : { failure, next, pauseMs: Math.round(next.atMs - endOf(failure)) }
    })
}

/** Runs of consecutive trouble answers to the same request (the same mark, the same batch), in order. */
export function failureRuns(session: GradeSession): RetryStep[][] {
  const runs: RetryStep[][] = []
  let current: RetryStep[] = []
  for (const step of retrySteps(session)) {
    const last = current[current.length - 1]
    const continues = last !== undefined && last.failure.launch === step.failure.launch && attemptKey(step.failure) === attemptKey(last.failure)
    if (!continues && current.length > 0) {
      runs.push(current)
      current = []
    }
    current.push(step)
  }
  if (current.length > 0) runs.push(current)
  return runs
}

/** "#12 POST …/enum → 500": an exchange in one line, for messages. */
export function describeExchange(exchange: GradeExchange): string {
  const answer = exchange.ending === 'complete' ? String(exchange.status) : `${exchange.ending}${exchange.status ? ` ${exchange.status}` : ''}`
  return `#${exchange.seq} ${exchange.method} ${exchange.target} → ${answer}`
}

export const seqs = (exchanges: readonly GradeExchange[]): number[] => exchanges.map((exchange) => exchange.seq)

/** At most `max` items of a list of lines, then a count of the rest. */
export function listed(lines: readonly string[], max = 5): string {
  const shown = lines.slice(0, max).join('; ')
  return lines.length > max ? `${shown}; and ${lines.length - max} more` : shown
}

/** A failure naming what went wrong at up to three of the exchanges, each of them evidence. */
export function failedAt(summary: string, problems: readonly { exchange: GradeExchange; why: string }[]): JudgmentVerdict {
  return failed(
    `${summary}: ${listed(
      problems.map((item) => `${describeExchange(item.exchange)}: ${item.why}`),
      3,
    )}`,
    seqs(problems.map((item) => item.exchange)),
  )
}

/** What a judgment over each of some exchanges says: when there are none, when all are fine, when some are not. */
export interface EachWords {
  none: JudgmentVerdict
  fine: (total: number) => string
  wrong: (count: number, total: number) => string
}

/**
 * A judgment that looks at each of some exchanges, `finding` saying what is wrong with one (undefined: nothing): it
 * passes when all are fine, and fails naming each that is not, with the exchanges as evidence.
 */
export function judgeEach(exchanges: readonly GradeExchange[], words: EachWords, finding: (exchange: GradeExchange) => string | undefined): JudgmentVerdict {
  if (exchanges.length === 0) return words.none
  const found = exchanges.flatMap((exchange) => {
    const why = finding(exchange)
    return why === undefined ? [] : [{ exchange, why }]
  })
  if (found.length === 0) return passed(words.fine(exchanges.length))
  return failedAt(words.wrong(found.length, exchanges.length), found)
}
