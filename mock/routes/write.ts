import type { ActivityRecordInput } from '../../openapi/records.ts'
import type { OperationHandler } from '../pipeline/operation.ts'
import { writeAccepted, type ResponseWriter } from '../responses.ts'
import type { ArchiveState } from '../state/archive.ts'
import { storeUnavailable } from './store-errors.ts'

/**
 * The write: the body has passed the contract, so it is stored whole; 200 only once it is durable (journalled, or
 * committed). A store that cannot take it answers as store-errors.ts says, and nothing of the request is stored.
 */
export function createWriteHandler(state: ArchiveState, writer: ResponseWriter): Record<'writeActivityRecords', OperationHandler> {
  return {
    async writeActivityRecords(ctx) {
      try {
        // XML text is cut from the body, so what the store keeps is copied out of it; JSON text is fresh already.
        // The Whens validation read are handed on, so none is read again.
        await state.write(ctx.value as ActivityRecordInput[], { copyText: ctx.format === 'xml', whens: ctx.timestamps })
      } catch (error) {
        return storeUnavailable(writer, ctx, error)
      }
      return writeAccepted()
    },
  }
}
