import type { IncomingMessage } from 'node:http'
import type { OperationInfo } from '../../openapi/contract.ts'
import type { WireFormat } from '../../openapi/payload.ts'
import type { TimestampReads } from '../../openapi/timestamp.ts'
import type { SchemeName } from '../auth/types.ts'
import type { ReadScope } from '../model.ts'
import type { MockResponse } from '../responses.ts'
import type { RequestTarget } from './target.ts'

/** The stages in the order every request meets them (mock/app.ts wires them in this order). */
export const stageNames = ['route', 'authenticate', 'authorize', 'fault', 'body', 'decode', 'validate', 'operation'] as const
export type StageName = (typeof stageNames)[number]

/**
 * One request as it flows through the pipeline. The first fields are known when it arrives; each stage
 * adds what it establishes, and a later stage reads it through `established`, which names the stage that
 * should have run when it did not.
 */
export interface RequestContext {
  readonly req: IncomingMessage
  readonly method: string
  /** The request target, whose whole URL is made when a stage first asks for it (pipeline/target.ts). */
  readonly target: RequestTarget
  /** First value of each query parameter. Unknown ones stay here and are never validated (they are ignored). */
  readonly query: Readonly<Record<string, string>>
  /** `format=json` selects JSON for the body and the response; anything else means XML (validate refuses other values). */
  readonly format: WireFormat
  /** Server clock (ms) when the request arrived, for the request journal. */
  readonly receivedAt: number
  /** Sends `100 Continue`, when the client asked for it and none went out yet; the body stage calls it before reading. */
  continueBody?: (() => void) | undefined
  /** Headers every response to this request carries (a final Negotiate token). */
  readonly responseHeaders: Record<string, string>

  /** route */
  operation?: OperationInfo
  /** authenticate: the WWW-Authenticate values a 401 lists, made when a 401 needs them. */
  challenges?: () => string[]
  /** authenticate: canonical 'DOMAIN\User'. */
  account?: string
  scheme?: SchemeName
  /** authorize: what the caller may read. */
  scope?: ReadScope
  /** body */
  body?: Buffer
  /** decode: the body as one value, the same shape from XML and JSON. */
  value?: unknown
  /** validate: the Timestamps (When) it read, by their text, handed on so the write reads none again. */
  timestamps?: TimestampReads
}

/** A step of the pipeline: it answers (the request stops there) or returns nothing (the next stage runs). */
export interface Stage {
  readonly name: StageName
  run(ctx: RequestContext): MockResponse | undefined | Promise<MockResponse | undefined>
}

/** A value an earlier stage sets; reading it before that stage ran is a wiring mistake, not a client's. */
export function established<T>(value: T | undefined, stage: StageName, what: string): T {
  if (value === undefined) throw new Error(`the ${stage} stage has not established ${what} yet: check the order of the stages`)
  return value
}
