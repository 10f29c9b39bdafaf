import { NwaError } from '../../openapi/errors.ts'
import { codes } from '../errors.ts'
import { AUDIT_DATABASE_UNREACHABLE_DESCRIPTION } from '../faults.ts'
import type { RequestContext } from '../pipeline/context.ts'
import type { MockResponse, ResponseWriter } from '../responses.ts'

/**
 * A store that stopped answering (a lost database connection) is what the real server meets when SQL Server goes
 * away: the documented 500 ServerError 0x80040C0A (api/errordetails.md), the answer `--audit-db-unreachable` gives
 * on purpose (D58). Any other failure is rethrown, to be the pipeline's "Internal error occurred.".
 */
export function storeUnavailable(writer: ResponseWriter, ctx: RequestContext, error: unknown): MockResponse {
  if (!(error instanceof NwaError && error.code === codes.MOCK_ERR_STORE_UNAVAILABLE.code)) throw error
  const response = writer.errors(500, ctx.format, [{ Category: 'ServerError', Description: AUDIT_DATABASE_UNREACHABLE_DESCRIPTION }])
  return { ...response, notes: [...(response.notes ?? []), error.message] }
}
