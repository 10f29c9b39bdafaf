import type { ActivityRecordInput } from '../../openapi/records.ts'
import type { OperationHandler } from '../pipeline/operation.ts'
import { writeAccepted } from '../responses.ts'
import type { ArchiveState } from '../state/archive.ts'

/** The write: the body has passed the contract, so it is stored whole; 200 only once it is durable. */
export function createWriteHandler(state: ArchiveState): Record<'writeActivityRecords', OperationHandler> {
  return {
    async writeActivityRecords(ctx) {
      // XML text is cut from the body, so what the store keeps is copied out of it; JSON text is fresh already.
      await state.write(ctx.value as ActivityRecordInput[], { copyText: ctx.format === 'xml' })
      return writeAccepted()
    },
  }
}
