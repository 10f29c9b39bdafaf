import type { IncomingMessage } from 'node:http'
import type { OperationInfo } from '../openapi/contract.ts'
import type { WireFormat } from '../openapi/payload.ts'
import type { ReadScope } from './model.ts'

/** One request as it flows through the pipeline: each step reads what earlier steps established. */
export interface RequestContext {
  req: IncomingMessage
  operation: OperationInfo
  /** Query parameters, first value of each; unknown ones stay here but are never passed to validation. */
  query: Record<string, string>
  format: WireFormat
  /** Canonical 'DOMAIN\User' once authenticated. */
  account: string
  /** The contract's security scheme key that authenticated the caller (ntlm, negotiate, digest, basic). */
  scheme: string
  /** Set by authorization from the caller's roles. */
  scope?: ReadScope
  /** The decoded body (XML and JSON alike), once read. */
  body?: unknown
  /** Extra response headers (a final Negotiate token). */
  responseHeaders: Record<string, string>
}
