import { NwaError } from '../../openapi/errors.ts'
import type { ActivityRecordInput } from '../../openapi/records.ts'
import { codes } from '../errors.ts'
import { ARCHIVE_BUSY_WRITE_DESCRIPTION } from '../faults.ts'
import type { OperationHandler } from '../pipeline/operation.ts'
import { type ResponseWriter, writeAccepted } from '../responses.ts'
import type { ArchiveState } from '../state/archive.ts'

/**
 * The write: the body has passed the contract, so it is stored whole; 200 only once it is durable. A Long-Term
 * Archive that cannot be written (a full disk) is the documented 503 of a busy or unreachable Archive Service (D44),
 * and nothing of the request is stored.
 */
export function createWriteHandler(state: ArchiveState, writer: ResponseWriter): Record<'writeActivityRecords', OperationHandler> {
  return {
    async writeActivityRecords(ctx) {
      try {
        // XML text is cut from the body, so what the store keeps is copied out of it; JSON text is fresh already.
        await state.write(ctx.value as ActivityRecordInput[], { copyText: ctx.format === 'xml' })
      } catch (error) {
        if (!(error instanceof NwaError && error.code === codes.MOCK_ERR_ARCHIVE.code)) throw error
        const response = writer.errors(503, ctx.format, [{ Category: 'ServerError', Description: ARCHIVE_BUSY_WRITE_DESCRIPTION }])
        return { ...response, notes: [...(response.notes ?? []), error.message] }
      }
      return writeAccepted()
    },
  }
}
