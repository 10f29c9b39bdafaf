import type { Contract } from '../../openapi/contract.ts'
import type { PayloadCodec } from '../../openapi/payload.ts'
import type { MockClock } from '../clock.ts'
import type { Directory } from '../directory.ts'
import type { MockResponse, ResponseWriter } from '../responses.ts'
import type { ArchiveState } from '../state/archive.ts'
import type { MarkCodec } from '../state/marks.ts'
import type { RequestContext, Stage, StageName } from './context.ts'

/** What a decorator may use besides the stages: the same services the clean stages were built from. */
export interface PipelineServices {
  contract: Contract
  codec: PayloadCodec
  writer: ResponseWriter
  marks: MarkCodec
  state: ArchiveState
  directory: Directory
  clock: MockClock
  /** The server's limits (--max-body, --max-count), for a decorator that rebuilds a stage. */
  limits: { maxBody: number; maxCount: number }
}

/**
 * Wraps, replaces or reorders stages and answers the new list. The clean mock has none; the seeded defects
 * of `nwa selftest` are decorators, so the clean path holds no branch for any of them.
 */
export type PipelineDecorator = (stages: readonly Stage[], services: PipelineServices) => Stage[]

/** A decorator the app can switch on and off by name while it runs (the /nwa/defects control endpoint). */
export interface NamedDecorator {
  readonly name: string
  /** One line, for listings. */
  readonly description: string
  readonly decorator: PipelineDecorator
}

/** The stage list with one stage replaced by `wrap(stage)`. */
export function wrapStage(stages: readonly Stage[], name: StageName, wrap: (stage: Stage) => Stage): Stage[] {
  if (!stages.some((stage) => stage.name === name)) throw new Error(`no ${name} stage to wrap`)
  return stages.map((stage) => (stage.name === name ? wrap(stage) : stage))
}

/** Runs a stage; `next` may be handed another context than the one the request carries. */
export type StageNext = (ctx: RequestContext) => Promise<MockResponse | undefined>

/**
 * Code around one stage: before it (rewrite the context, answer in its place) and after it (look at or
 * replace its answer). A context handed to `next` other than `ctx` is seen by that stage alone: what the
 * stage establishes on it is lost to the later ones, so a copy suits the operation stage, which is last.
 */
export function aroundStage(
  stages: readonly Stage[],
  name: StageName,
  around: (ctx: RequestContext, next: StageNext) => Promise<MockResponse | undefined>,
): Stage[] {
  return wrapStage(stages, name, (stage) => ({ name, run: (ctx) => around(ctx, async (given) => stage.run(given)) }))
}

/** Code around the handlers of some operations; requests for the others pass untouched. */
export function aroundOperations(
  stages: readonly Stage[],
  operationIds: readonly string[],
  around: (ctx: RequestContext, next: (ctx: RequestContext) => Promise<MockResponse>) => Promise<MockResponse>,
): Stage[] {
  const wanted = new Set(operationIds)
  return aroundStage(stages, 'operation', async (ctx, next) => {
    if (!wanted.has(ctx.operation?.operationId ?? '')) return next(ctx)
    return around(ctx, async (given) => {
      const response = await next(given)
      if (response === undefined) throw new Error(`the operation stage gave no answer to ${given.operation?.operationId}`)
      return response
    })
  })
}

/** Every answer of the named stages, rewritten after the stage gave it; passing stages stay passing. */
export function mapAnswers(stages: readonly Stage[], names: readonly StageName[], map: (response: MockResponse, ctx: RequestContext) => MockResponse): Stage[] {
  return names.reduce<Stage[]>(
    (current, name) =>
      aroundStage(current, name, async (ctx, next) => {
        const response = await next(ctx)
        return response === undefined ? undefined : map(response, ctx)
      }),
    [...stages],
  )
}

/** The stage list with one stage moved to just after another. */
export function moveStage(stages: readonly Stage[], name: StageName, after: StageName): Stage[] {
  const moved = stages.find((stage) => stage.name === name)
  if (!moved) throw new Error(`no ${name} stage to move`)
  const rest = stages.filter((stage) => stage !== moved)
  const at = rest.findIndex((stage) => stage.name === after)
  if (at < 0) throw new Error(`no ${after} stage to move ${name} after`)
  return [...rest.slice(0, at + 1), moved, ...rest.slice(at + 1)]
}

/** The named decorators that are on, by name, switched while the app runs. */
export interface DecoratorSwitch {
  available(): readonly NamedDecorator[]
  /** The names switched on, in the order of `available`. */
  on(): string[]
  /** Switches exactly these on (none: the clean pipeline); an unknown name changes nothing and is named in the errors. */
  switch(names: readonly string[]): { ok: true; on: string[] } | { ok: false; errors: string[] }
}

/**
 * The decorators `names` picks out of `available`, in the order of `available` so that the same set always
 * builds the same pipeline, or one error per unknown name.
 */
export function chooseDecorators(
  available: readonly NamedDecorator[],
  names: readonly string[],
): { ok: true; chosen: NamedDecorator[] } | { ok: false; errors: string[] } {
  const known = new Set(available.map((entry) => entry.name))
  const unknown = [...new Set(names)].filter((name) => !known.has(name))
  if (unknown.length) return { ok: false, errors: unknown.map((name) => `unknown defect '${name}'`) }
  const wanted = new Set(names)
  return { ok: true, chosen: available.filter((entry) => wanted.has(entry.name)) }
}
