import type { ActivityRecordInput } from '../../openapi/records.ts'
import type { RequestContext } from '../context.ts'
import { writeAccepted, type MockResponse } from '../responses.ts'
import type { ArchiveState } from '../state/archive.ts'

/** The write: the body has passed the contract, so it is stored whole; 200 only once it is durable. */
export function createWriteHandler(state: ArchiveState) {
  return {
    async writeActivityRecords(ctx: RequestContext): Promise<MockResponse> {
      await state.write(ctx.body as ActivityRecordInput[])
      return writeAccepted()
    },
  }
}
