import type { MockResponse } from '../responses.ts'
import type { RequestContext, Stage } from './context.ts'

/**
 * Runs the stages in order until one answers (fastify's hook list rather than hono's next(): no stage needs
 * to act after the later ones, so none is handed a continuation it could call twice). Only a stage that
 * answered with a promise is awaited: most answer at once, and each await would cost a turn of the microtask
 * queue on every request.
 */
export async function runStages(stages: readonly Stage[], ctx: RequestContext): Promise<MockResponse> {
  for (const stage of stages) {
    const answer = stage.run(ctx)
    const response = answer instanceof Promise ? await answer : answer
    if (response !== undefined) return response
  }
  throw new Error(`no stage answered ${ctx.method} ${ctx.target.path}: the last stage must always answer`)
}
