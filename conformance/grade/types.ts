/**
 * Judgments of a connector (docs/grading.md): each a pure function over one recorded session, with an id, a level and
 * the client requirements it verifies, like a check of `nwa check`; its evidence is the exchanges it looked at.
 */
import type { GradeSession } from '../../openapi/grade-session.ts'
import type { PayloadCodec } from '../../openapi/payload.ts'
import type { RequirementLevel } from '../../openapi/requirements.ts'

/** What a connector does with the API: reads Activity Records, writes them, or both. */
export type GradeRole = 'reader' | 'writer'

export const gradeRoles: readonly GradeRole[] = ['reader', 'writer']

export interface JudgeContext {
  codec: PayloadCodec
}

export interface JudgmentVerdict {
  status: 'pass' | 'fail' | 'skip'
  message: string
  /** A skip whose rule does not apply to this session (no 503 was answered, so no retry is judged). */
  notApplicable?: true
  /** The seqs of the exchanges the verdict rests on. */
  evidence: number[]
  notes?: string[]
}

export interface Judgment {
  id: string
  title: string
  level: RequirementLevel
  /** Client requirement ids of openapi/requirements.yaml. */
  requirements: string[]
  /** The openapi/DECISIONS.md entry a SHOULD or MAY judgment reads. */
  decision?: string
  /** What it judges: authentication, bodies, writes, reads, retries, the connector as a process. */
  family: 'auth' | 'body' | 'write' | 'read' | 'retry' | 'connector'
  /** The role it judges; a judgment of every connector has none. */
  role?: GradeRole
  judge(session: GradeSession, context: JudgeContext): JudgmentVerdict
}

export const passed = (message: string, evidence: number[] = [], notes?: string[]): JudgmentVerdict => ({
  status: 'pass',
  message,
  evidence,
  ...(notes === undefined ? {} : { notes }),
})
export const failed = (message: string, evidence: number[], notes?: string[]): JudgmentVerdict => ({
  status: 'fail',
  message,
  evidence,
  ...(notes === undefined ? {} : { notes }),
})
export const notApplicable = (message: string): JudgmentVerdict => ({ status: 'skip', message, notApplicable: true, evidence: [] })
export const unjudged = (message: string, evidence: number[] = []): JudgmentVerdict => ({ status: 'skip', message, evidence })

/** One run of the connector in a scenario, as the grader launched and ended it, with its output. */
export interface LaunchRecord {
  launch: number
  /** ms. */
  durationMs: number
  exitCode: number | null
  signal: string | null
  endedBy: 'self' | 'grader' | 'timeout'
  /** The last `outputBytes` of what it printed. */
  stdout: string
  stderr: string
}

/** How a scenario came to an end. */
export type ScenarioEnd = 'finished' | 'timeout' | 'runaway' | 'launches-spent' | 'passive'

/** What the reports say of a grade besides the results: how it ran, the roles, each scenario and its launches. */
export interface GradeReport {
  mode: 'launched' | 'passive'
  connector: string
  userAgents: string[]
  role: { declared?: 'reader' | 'writer' | 'both'; judged: GradeRole[]; shown: GradeRole[] }
  timeScale: number
  timeoutMs?: number
  scenarios: {
    name: string
    summary: string
    endedBy: ScenarioEnd
    endNote?: string
    durationMs: number
    exchanges: number
    dropped: number
    recordedBytes: number
    launches: LaunchRecord[]
  }[]
}

/** The options a grade ran with, in the report's summary where a check run has its own. */
export interface GradeRunOptions {
  kind: 'grade'
  scenarios: string[]
  role: 'reader' | 'writer' | 'both' | 'as shown'
  timeScale: number
  timeoutMs?: number
}
