import type { ErrorObject } from 'ajv'
import type { OpenAPIBackend } from 'openapi-backend'
import { inputErrors } from '../../openapi/body.ts'
import type { Contract } from '../../openapi/contract.ts'
import type { PayloadCodec } from '../../openapi/payload.ts'
import type { ErrorEntry } from '../../openapi/records.ts'
import { excerpt } from '../../openapi/excerpt.ts'
import { ISSUES_LISTED } from '../../openapi/validate.ts'
import { startReadingTimestamps, stopReadingTimestamps } from '../../openapi/timestamp.ts'
import type { ResponseWriter } from '../responses.ts'
import { deserializeQuery, validateRequest } from '../router.ts'
import { established, type Stage } from './context.ts'

const bodyPath = '/requestBody'

/**
 * The request against the contract: the declared query parameters (unknown ones are ignored) and the decoded
 * body, judged once by openapi-backend with the contract's Ajv instance and worded from those same errors.
 * An invalid count is the documented InputError; a body error names each field and its place as an XML path.
 */
export function createValidateStage(deps: { backend: OpenAPIBackend; contract: Contract; codec: PayloadCodec; writer: ResponseWriter }): Stage {
  return {
    name: 'validate',
    run(ctx) {
      const operation = established(ctx.operation, 'route', 'the operation')
      startReadingTimestamps()
      let errors: readonly ErrorObject[]
      try {
        errors = validateRequest(deps.backend, operation, deserializeQuery(operation, ctx.query), ctx.value)
      } finally {
        // The Whens read, handed on so that a write reads none again; a request without one makes no map.
        const reads = stopReadingTimestamps()
        if (reads) ctx.timestamps = reads
      }
      if (errors.length === 0) return undefined
      const at = (name: string) => errors.some((error) => error.instancePath.startsWith(`/query/${name}`))
      if (at('count')) return deps.writer.errors(400, ctx.format, [{ Category: 'InputError', Description: deps.contract.invalidCountDescription }])
      if (at('format')) {
        // The format is unknown, so the answer takes the default one.
        return deps.writer.errors(400, 'xml', [{ Category: 'InputError', Description: 'Invalid format parameter specified: only format=json is supported.' }])
      }
      const described = describeBodyErrors(errors, operation.requestPayload, ctx.value, deps)
      return deps.writer.errors(400, ctx.format, described.errors, described.omitted)
    },
  }
}

function describeBodyErrors(
  errors: readonly ErrorObject[],
  payload: Parameters<Contract['schema']>[0] | undefined,
  value: unknown,
  deps: { contract: Contract; codec: PayloadCodec },
): { errors: ErrorEntry[]; omitted: number } {
  const inBody: ErrorObject[] = []
  for (const error of errors) {
    if (error.instancePath.startsWith(bodyPath)) inBody.push({ ...error, instancePath: error.instancePath.slice(bodyPath.length) })
  }
  const described = payload && inBody.length ? deps.codec.validators.describe(inBody, deps.contract.schema(payload), value) : { issues: [], omitted: 0 }
  if (described.issues.length) return { errors: inputErrors(described.issues), omitted: described.omitted }
  const first = errors.slice(0, ISSUES_LISTED).map((error) => excerpt(`${error.instancePath} ${error.message ?? ''}`.trim()))
  return { errors: [{ Category: 'InputError', Description: first.join('; ') }], omitted: Math.max(0, errors.length - first.length) }
}
