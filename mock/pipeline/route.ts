import type { OpenAPIBackend } from 'openapi-backend'
import type { Contract } from '../../openapi/contract.ts'
import { emptyResponse, type MockResponse } from '../responses.ts'
import { createRouteMatcher } from '../router.ts'
import type { RequestContext, Stage } from './context.ts'

export interface ControlEndpoints {
  /** 'GET /nwa/health' and what it does, for the start banner. */
  readonly endpoints: readonly { route: string; does: string }[]
  handle(ctx: RequestContext): Promise<MockResponse>
}

/**
 * Finds the operation, once, before anything else: an unknown path is 404 and a wrong method 405 with an
 * Allow header, both with an empty body and whoever asks (api/responsestatuscodes.md). The /nwa/ control
 * endpoints, when switched on, sit outside the API and answer here.
 */
export function createRouteStage(deps: { backend: OpenAPIBackend; contract: Contract; control?: ControlEndpoints | undefined }): Stage {
  const matchRoute = createRouteMatcher(deps.backend, deps.contract)
  return {
    name: 'route',
    run(ctx) {
      if (deps.control && ctx.target.path.startsWith('/nwa/')) return deps.control.handle(ctx)
      const route = matchRoute(ctx.method, ctx.target.path)
      if (route.kind === 'not-found') return emptyResponse(404, {}, [`no endpoint at ${ctx.target.path}`])
      if (route.kind === 'method-not-allowed') {
        const allow = route.allow.join(', ')
        return emptyResponse(405, { allow }, [`${ctx.method} is not served here (Allow: ${allow})`])
      }
      ctx.operation = route.operation
      return undefined
    },
  }
}
