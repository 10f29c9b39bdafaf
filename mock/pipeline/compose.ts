import type { MockResponse } from '../responses.ts'
import type { RequestContext, Stage } from './context.ts'

/**
 * Runs the stages in order until one answers (fastify's hook list rather than hono's next(): no stage needs
 * to act after the later ones, so none is handed a continuation it could call twice).
 */
export async function runStages(stages: readonly Stage[], ctx: RequestContext): Promise<MockResponse> {
  for (const stage of stages) {
    const response = await stage.run(ctx)
    if (response !== undefined) return response
  }
  throw new Error(`no stage answered ${ctx.method} ${ctx.url.pathname}: the last stage must always answer`)
}
