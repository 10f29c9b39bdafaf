/**
 * The trouble a grading scenario makes, as pipeline decorators (pipeline/decorate.ts): refusals with the documented
 * ErrorLists, a page cut mid-body, a connection reset before any answer, added latency, requests held while the
 * grader stops the connector, and authentication that changes its schemes. Each says when it struck through `made`,
 * so the session's events show the trouble beside the exchanges it touched. The clean stages know none of them.
 */
import { readOperationIds, writeOperationId } from '../../openapi/grade-session.ts'
import { ARCHIVE_BUSY_WRITE_DESCRIPTION, INTERNAL_ERROR_DESCRIPTION } from '../faults.ts'
import { type Authenticator, createAuthenticators } from '../auth/index.ts'
import type { SchemeName } from '../auth/types.ts'
import { defaults } from '../options.ts'
import { createAuthenticateStage } from '../pipeline/authenticate.ts'
import type { Stage } from '../pipeline/context.ts'
import { aroundOperations, aroundStage, type PipelineDecorator, wrapStage } from '../pipeline/decorate.ts'
import type { MockResponse } from '../responses.ts'

export const readOperations: readonly string[] = readOperationIds
export const writeOperations: readonly string[] = [writeOperationId]

/** Reports a piece of trouble as it is made: what, to which request. */
export type TroubleReport = (detail: string) => void

/** Which calls of an operation get the trouble: the `from`-th (1-based) and the `count - 1` after it. */
export interface CallWindow {
  from: number
  count: number
}

const inWindow = (call: number, window: CallWindow) => call >= window.from && call < window.from + window.count

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Answers the calls of `operations` in `window` with `status` and a ServerError of `description`, after the body was
 * read and validated: the server refused a request it understood (the documented 503 of a busy Archive Service, or a
 * 500). Nothing of a refused write is stored.
 */
export function refuse(
  operations: readonly string[],
  window: CallWindow,
  answer: { status: 500 | 503; description: string },
  made: TroubleReport,
): PipelineDecorator {
  let calls = 0
  return (stages, services) =>
    aroundOperations(stages, operations, async (ctx, next) => {
      calls += 1
      if (!inWindow(calls, window)) return next(ctx)
      made(`${answer.status} to ${ctx.method} ${ctx.target.path} (call ${calls} of ${ctx.operation?.operationId})`)
      const response = services.writer.errors(answer.status, ctx.format, [{ Category: 'ServerError', Description: answer.description }])
      return { ...response, notes: [`grading: ${answer.status} by the scenario`, ...(response.notes ?? [])] }
    })
}

export const busyArchive = { status: 503, description: ARCHIVE_BUSY_WRITE_DESCRIPTION } as const
export const internalError = { status: 500, description: INTERNAL_ERROR_DESCRIPTION } as const

/** The `nth` page answered whole is cut halfway through its body instead: the connection drops mid-answer. */
export function cutPage(nth: number, made: TroubleReport): PipelineDecorator {
  let pages = 0
  return (stages) =>
    aroundOperations(stages, readOperations, async (ctx, next) => {
      const response = await next(ctx)
      if (response.status !== 200 || response.page === undefined || ++pages !== nth) return response
      made(`page ${nth} (${response.page.records} records) cut after ${Math.floor(response.body.length / 2)} of ${response.body.length} characters`)
      const whole = Buffer.byteLength(response.body)
      return {
        ...response,
        headers: { ...response.headers, 'content-length': String(whole) },
        body: response.body.slice(0, Math.floor(response.body.length / 2)),
        ending: 'cut',
        notes: ['grading: the answer was cut mid-body by the scenario'],
      }
    })
}

/** The `nth` write is lost on the way: its connection is reset before any answer, and nothing of it is stored. */
export function resetWrite(nth: number, made: TroubleReport): PipelineDecorator {
  let calls = 0
  return (stages) =>
    aroundOperations(stages, writeOperations, async (ctx, next) => {
      if (++calls !== nth) return next(ctx)
      made(`write ${nth}: the connection was reset before an answer; nothing was stored`)
      return { status: 0, headers: {}, body: '', ending: 'reset', notes: ['grading: the connection was reset by the scenario'] } satisfies MockResponse
    })
}

/** Every request that passed authorization waits `ms()` before the server goes on: a slow Audit Database. */
export function slowAnswers(ms: () => number): PipelineDecorator {
  return (stages) =>
    aroundStage(stages, 'fault', async (ctx, next) => {
      await delay(ms())
      return next(ctx)
    })
}

/** Every request waits `ms()` before it is even authenticated: a slow network on the way. */
export function slowNetwork(ms: () => number): PipelineDecorator {
  return (stages) =>
    aroundStage(stages, 'authenticate', async (ctx, next) => {
      const wait = ms()
      if (wait > 0) await delay(wait)
      return next(ctx)
    })
}

/**
 * While `holding()` is true, a request that arrives waits until `released` and then loses its connection: the grader
 * is stopping the connector, and what it sent meanwhile is never answered (nor stored).
 */
export function holdWhile(holding: () => boolean, released: () => Promise<void>): PipelineDecorator {
  return (stages) =>
    aroundStage(stages, 'route', async (ctx, next) => {
      if (ctx.target.path.startsWith('/nwa/') || !holding()) return next(ctx)
      await released()
      return { status: 0, headers: {}, body: '', ending: 'reset', notes: ['grading: held while the grader stopped the connector'] } satisfies MockResponse
    })
}

/** Authentication settings of one phase: the schemes offered and how long a Digest nonce lives. */
export interface AuthPhase {
  schemes: SchemeName[]
  nonceLifetimeMs?: number
}

/**
 * The authenticate stage, rebuilt with the schemes `phase()` names: the server's authentication changes under the
 * connector (NTLM only, then Digest with nonces that expire). Each phase's authenticators are made once and kept, so an
 * NTLM handshake or a Digest nonce outlives the requests of its phase.
 */
export function switchingAuth(phase: () => AuthPhase, random: (bytes: number) => Buffer): PipelineDecorator {
  const built = new Map<AuthPhase, Stage>()
  return (stages, services) =>
    wrapStage(stages, 'authenticate', () => ({
      name: 'authenticate',
      run(ctx) {
        const current = phase()
        let stage = built.get(current)
        if (stage === undefined) {
          const authenticators: Authenticator[] = createAuthenticators(current.schemes, services.directory, {
            realm: defaults.realm,
            domain: services.directory.domain,
            serverName: defaults.serverName,
            now: services.clock.now,
            random,
            allowNtlmV1: false,
            ...(current.nonceLifetimeMs === undefined ? {} : { nonceLifetimeMs: current.nonceLifetimeMs }),
          })
          stage = createAuthenticateStage(authenticators)
          built.set(current, stage)
        }
        return stage.run(ctx)
      },
    }))
}
