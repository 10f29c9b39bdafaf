/**
 * The grade of a connector, pure: every judgment over every scenario's session, as results of the same shape as
 * `nwa check`'s, with its verdict, coverage of the client requirements and the four reports (docs/grading.md). A
 * result's id is `scenario/judgment`, its category the scenario, so the reports group by scenario.
 */
import { type GradeExchange, type GradeSession, isAuthorized, isRead, isWrite } from '../../openapi/grade-session.ts'
import { clientRequirements, requirementLevels, type RequirementLevel } from '../../openapi/requirements.ts'
import type { BundleSubject } from '../bundle/bundle.ts'
import { computeCoverage, loadUntestable } from '../coverage.ts'
import { trimBody } from '../evidence.ts'
import { runMeta, type RunMeta } from '../meta.ts'
import { type CheckResult, emptyCounts, type RunResult, type RunSummary, type StatusCounts, statusOf, trimStack } from '../runner.ts'
import type { CheckStatus, Exchange } from '../types.ts'
import { computeVerdict, type FailOn } from '../verdict.ts'
import { allJudgments } from './judgments/index.ts'
import {
  type GradeReport,
  type GradeRole,
  gradeRoles,
  type GradeRunOptions,
  type JudgeContext,
  type Judgment,
  type JudgmentVerdict,
  type LaunchRecord,
  notApplicable,
  type ScenarioEnd,
  unjudged,
} from './types.ts'
import { rolesShown, userAgents } from './view.ts'

export interface ScenarioOutcome {
  name: string
  summary: string
  session: GradeSession
  launches: LaunchRecord[]
  endedBy: ScenarioEnd
  /** Why, in words, when it did not finish. */
  endNote?: string
  durationMs: number
}

export interface GradeInput {
  /** The command that ran the connector, or (passive) how it was seen. */
  connector: string
  declaredRole?: 'reader' | 'writer' | 'both'
  mode: 'launched' | 'passive'
  scenarios: readonly ScenarioOutcome[]
  /** The server root the connector was given. */
  url: string
  timeScale: number
  timeoutMs?: number
  failOn: FailOn
  /** ms since the epoch. */
  startedAt: number
  finishedAt: number
  runMarker: string
  meta?: RunMeta
}

/** The bounds of a judgment's evidence in the reports: the exchanges it names, bodies cut, as `nwa check`'s. */
export const gradeEvidenceLimits = { exchanges: 20, bodyBytes: 4096 } as const

const verbs: Record<GradeRole, string> = { reader: 'read', writer: 'write' }

/** The exchange as report evidence: its URL on the server it was sent to, its bodies cut, an unanswered one as status 0. */
export function toEvidenceExchange(session: GradeSession, exchange: GradeExchange): Exchange {
  const cut = (body: { text: string; bytes: number; kept: string }) =>
    body.kept === 'whole'
      ? trimBody(body.text, gradeEvidenceLimits.bodyBytes)
      : `${trimBody(body.text, gradeEvidenceLimits.bodyBytes)}\n…[the recording kept ${body.text.length} of ${body.bytes} bytes]`
  return {
    request: {
      method: exchange.method,
      url: `${session.url}${exchange.target}`,
      headers: exchange.headers,
      ...(exchange.body === undefined ? {} : { body: cut(exchange.body) }),
    },
    response: { status: exchange.status, headers: exchange.responseHeaders, body: cut(exchange.responseBody) },
    durationMs: Math.round(exchange.durationMs),
  }
}

/** Where and when an exchange happened, which the exchange itself does not say. */
function exchangeNote(exchange: GradeExchange): string {
  const who = exchange.account === undefined ? '' : `, as ${exchange.account} (${exchange.scheme})`
  return `#${exchange.seq}: run ${exchange.launch}, connection ${exchange.connection}, phase ${exchange.phase}, at ${Math.round(exchange.atMs)} ms, ${exchange.ending}${who}${exchange.notes.length > 0 ? `; server: ${exchange.notes[0]}` : ''}`
}

/** The rules a failed judgment broke, with the page that states each: where a connector's author looks next. */
function rulesOf(judgment: Judgment): string[] {
  const byId = new Map(clientRequirements().map((requirement) => [requirement.id, requirement]))
  return judgment.requirements.flatMap((id) => {
    const requirement = byId.get(id)
    return requirement === undefined ? [] : [`rule ${id} (${requirement.level}, ${requirement.source}): ${requirement.text}`]
  })
}

function evidenceOf(session: GradeSession, verdict: JudgmentVerdict, rules: readonly string[]): CheckResult['evidence'] {
  const bySeq = new Map(session.exchanges.map((exchange) => [exchange.seq, exchange]))
  const named = [...new Set(verdict.evidence)].flatMap((seq) => bySeq.get(seq) ?? [])
  const kept = named.slice(0, gradeEvidenceLimits.exchanges)
  const notes = [
    ...rules,
    ...(named.length > kept.length ? [`${named.length - kept.length} more exchanges not kept; these are the first ${kept.length}`] : []),
    ...(verdict.notes ?? []),
    ...kept.map(exchangeNote),
  ]
  return { exchanges: kept.map((exchange) => toEvidenceExchange(session, exchange)), notes, curl: [] }
}

/** Whether the session shows the role: a read or a write that got past authentication. */
const shows = (session: GradeSession, role: GradeRole) =>
  session.exchanges.some((exchange) => isAuthorized(exchange) && (role === 'reader' ? isRead(exchange) : isWrite(exchange)))

/** One judgment over one scenario, its role and the scenario's activity considered first. */
export function judgeOne(judgment: Judgment, session: GradeSession, roles: readonly GradeRole[], context: JudgeContext): JudgmentVerdict {
  if (judgment.role !== undefined) {
    if (!roles.includes(judgment.role))
      return notApplicable(`the connector is graded as ${roles.length === 0 ? 'neither reader nor writer' : roles.join(' and ')}`)
    if (!shows(session, judgment.role)) return unjudged(`the connector did not ${verbs[judgment.role]} in this scenario`)
  }
  return judgment.judge(session, context)
}

function resultOf(judgment: Judgment, outcome: ScenarioOutcome, roles: readonly GradeRole[], context: JudgeContext): CheckResult {
  let status: CheckStatus
  let verdict: JudgmentVerdict
  try {
    verdict = judgeOne(judgment, outcome.session, roles, context)
    status = statusOf(verdict, judgment.level)
  } catch (error) {
    verdict = { status: 'skip', message: error instanceof Error ? error.message : String(error), evidence: [], notes: [trimStack(error)] }
    status = 'error'
  }
  return {
    id: `${outcome.name}/${judgment.id}`,
    title: judgment.title,
    level: judgment.level,
    ...(judgment.decision === undefined ? {} : { decision: judgment.decision }),
    category: outcome.name,
    tags: [judgment.family, ...(judgment.role === undefined ? [] : [judgment.role])],
    requirements: [...judgment.requirements],
    status,
    applicable: !(verdict.status === 'skip' && verdict.notApplicable === true),
    message: verdict.message,
    durationMs: 0,
    baselined: false,
    evidence: evidenceOf(outcome.session, verdict, status === 'fail' || status === 'warn' ? rulesOf(judgment) : []),
  }
}

/** The roles the grade judges: the declared ones, or those the connector showed in any scenario. */
export function judgedRoles(declared: GradeInput['declaredRole'], shown: readonly GradeRole[]): GradeRole[] {
  if (declared === undefined) return gradeRoles.filter((role) => shown.includes(role))
  return declared === 'both' ? [...gradeRoles] : [declared]
}

export function gradeConnector(input: GradeInput, context: JudgeContext): RunResult {
  const shown = gradeRoles.filter((role) => input.scenarios.some((outcome) => rolesShown(outcome.session).includes(role)))
  const roles = judgedRoles(input.declaredRole, shown)
  const checks = input.scenarios.flatMap((outcome) => allJudgments.map((judgment) => resultOf(judgment, outcome, roles, context)))
  const verdict = computeVerdict(checks, [], { failOn: input.failOn, allowIncomplete: false })
  const counts = emptyCounts()
  const byLevel = Object.fromEntries(requirementLevels.map((level) => [level, emptyCounts()])) as Record<RequirementLevel, StatusCounts>
  for (const check of checks) {
    counts[check.status] += 1
    byLevel[check.level][check.status] += 1
  }
  const options: GradeRunOptions = {
    kind: 'grade',
    scenarios: input.scenarios.map((outcome) => outcome.name),
    role: input.declaredRole ?? 'as shown',
    timeScale: input.timeScale,
    ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
  }
  const summary: RunSummary = {
    target: input.url,
    runMarker: input.runMarker,
    startedAt: new Date(input.startedAt).toISOString(),
    finishedAt: new Date(input.finishedAt).toISOString(),
    durationMs: Math.round(Math.max(0, input.finishedAt - input.startedAt)),
    options,
    counts,
    byLevel,
    baselined: 0,
    allowIncomplete: false,
  }
  const agents = [...new Set(input.scenarios.flatMap((outcome) => userAgents(outcome.session)))]
  const grade: GradeReport = {
    mode: input.mode,
    connector: input.connector,
    userAgents: agents.slice(0, 10),
    role: { ...(input.declaredRole === undefined ? {} : { declared: input.declaredRole }), judged: roles, shown },
    timeScale: input.timeScale,
    ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
    scenarios: input.scenarios.map((outcome) => ({
      name: outcome.name,
      summary: outcome.summary,
      endedBy: outcome.endedBy,
      ...(outcome.endNote === undefined ? {} : { endNote: outcome.endNote }),
      durationMs: Math.round(outcome.durationMs),
      exchanges: outcome.session.exchanges.length,
      dropped: outcome.session.dropped,
      recordedBytes: outcome.session.bytes,
      launches: outcome.launches,
    })),
  }
  const subject: BundleSubject = {
    kind: 'connector',
    name: input.connector,
    role: shown.join(', ') || 'none shown',
    ...(agents[0] === undefined ? {} : { userAgent: agents[0] }),
  }
  return {
    meta: input.meta ?? runMeta(),
    preflight: {
      steps: [
        { step: 'server', status: 'ok', message: `the reference mock at ${input.url}, in the role of the Netwrix Auditor server` },
        {
          step: 'connector',
          status: 'ok',
          message: input.mode === 'launched' ? `launched as: ${input.connector}` : `not launched: graded passively (${input.connector})`,
        },
        { step: 'scenarios', status: 'ok', message: input.scenarios.map((outcome) => `${outcome.name} (${outcome.endedBy})`).join(', ') },
        {
          step: 'role',
          status: 'ok',
          message: `judged as ${roles.join(' and ') || 'neither reader nor writer'}${input.declaredRole === undefined ? ' (as shown)' : ' (as declared)'}; shown: ${shown.join(', ') || 'none'}`,
        },
      ],
      identity: {},
      offeredSchemes: [],
    },
    verdict,
    summary,
    checks,
    coverage: computeCoverage(clientRequirements(), allJudgments, loadUntestable()),
    exitCode: verdict.exitCode,
    subject,
    grade,
  }
}
