import type { MockResponse } from '../responses.ts'
import { established, type RequestContext, type Stage } from './context.ts'

/** What an operation of the contract does once the request has passed every earlier stage. */
export type OperationHandler = (ctx: RequestContext) => MockResponse | Promise<MockResponse>

/** Hands the request to its operation's handler, by the contract's operationId; it always answers. */
export function createOperationStage(handlers: Readonly<Record<string, OperationHandler>>): Stage {
  return {
    name: 'operation',
    run(ctx) {
      const operation = established(ctx.operation, 'route', 'the operation')
      const handler = handlers[operation.operationId]
      if (!handler) throw new Error(`no handler for the contract's operation ${operation.operationId}`)
      return handler(ctx)
    },
  }
}
