import type { Contract } from '../../openapi/contract.ts'
import type { Directory } from '../directory.ts'
import { createAuthorizer } from '../policy.ts'
import { emptyResponse } from '../responses.ts'
import { established, type Stage } from './context.ts'

/**
 * What the caller may do, decided before the body is read or any fault is shown: a role that does not allow
 * the operation gets the same empty 401 whatever the body holds, so an unprivileged caller learns nothing
 * about body parsing or the server's state (the pages list no 403).
 */
export function createAuthorizeStage(deps: { directory: Directory; contract: Contract }): Stage {
  const authorize = createAuthorizer(deps.directory, deps.contract)
  return {
    name: 'authorize',
    run(ctx) {
      const operation = established(ctx.operation, 'route', 'the operation')
      const account = established(ctx.account, 'authenticate', 'the account')
      const decision = authorize(account, operation)
      if (decision.allowed) {
        ctx.scope = decision.scope
        return undefined
      }
      return emptyResponse(401, { 'www-authenticate': ctx.challenges?.() ?? [] }, [
        `${account} has no role that may call ${operation.operationId} (it needs one of ${operation.roles.join(', ')})`,
      ])
    },
  }
}
