import { readBody } from '../../openapi/body.ts'
import type { PayloadCodec } from '../../openapi/payload.ts'
import { emptyResponse, type ResponseWriter } from '../responses.ts'
import { established, type Stage } from './context.ts'

/**
 * Syntax, in the format `format` chose: malformed XML (or not UTF-8) is 400 XMLError with its position;
 * corrupted JSON is 500 with an empty body, as api/errordetails.md documents. The schema is the validate
 * stage's job, so a body is validated once. The reading itself is openapi/body.ts, which `nwa validate` shares.
 */
export function createDecodeStage(deps: { codec: PayloadCodec; writer: ResponseWriter }): Stage {
  return {
    name: 'decode',
    run(ctx) {
      const payload = established(ctx.operation, 'route', 'the operation').requestPayload
      if (!payload) return undefined
      const read = readBody(deps.codec, payload, established(ctx.body, 'body', 'the body'), ctx.format)
      if (read.ok) {
        ctx.value = read.value
        return undefined
      }
      const { fault } = read
      if (fault.status === 500) return emptyResponse(500, {}, [`corrupted JSON: ${fault.reason}`])
      return deps.writer.errors(400, ctx.format, [fault.error])
    },
  }
}
