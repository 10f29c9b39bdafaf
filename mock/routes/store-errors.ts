import { NwaError } from '../../openapi/errors.ts'
import { codes } from '../errors.ts'
import { ARCHIVE_BUSY_WRITE_DESCRIPTION, AUDIT_DATABASE_UNREACHABLE_DESCRIPTION } from '../faults.ts'
import type { RequestContext } from '../pipeline/context.ts'
import type { MockResponse, ResponseWriter } from '../responses.ts'

/**
 * What a store's failure is to a client, as the real server would meet it: a store that stopped answering (a lost
 * database connection) is SQL Server gone away, the documented 500 ServerError 0x80040C0A (api/errordetails.md), the
 * answer `--audit-db-unreachable` gives on purpose (D58); a Long-Term Archive that cannot be written (a full disk) is
 * the 503 of a busy or unreachable Archive Service, and nothing of the request is stored (D44).
 */
const answers: Readonly<Record<string, { status: number; description: string }>> = {
  [codes.MOCK_ERR_STORE_UNAVAILABLE.code]: { status: 500, description: AUDIT_DATABASE_UNREACHABLE_DESCRIPTION },
  [codes.MOCK_ERR_ARCHIVE.code]: { status: 503, description: ARCHIVE_BUSY_WRITE_DESCRIPTION },
}

/** The documented answer to a store's failure; any other error is rethrown, to be the pipeline's "Internal error occurred.". */
export function storeUnavailable(writer: ResponseWriter, ctx: RequestContext, error: unknown): MockResponse {
  const answer = error instanceof NwaError ? answers[error.code] : undefined
  if (answer === undefined) throw error
  const response = writer.errors(answer.status, ctx.format, [{ Category: 'ServerError', Description: answer.description }])
  return { ...response, notes: [...(response.notes ?? []), (error as NwaError).message] }
}
