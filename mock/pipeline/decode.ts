import { MAX_JSON_DEPTH, parseJson } from '../../openapi/json.ts'
import type { PayloadCodec } from '../../openapi/payload.ts'
import { emptyResponse, type ResponseWriter } from '../responses.ts'
import { established, type Stage } from './context.ts'

/** Bodies are UTF-8 (the examples declare it); a byte sequence that is not UTF-8 is refused, never replaced. */
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Syntax, in the format `format` chose: malformed XML (or not UTF-8) is 400 XMLError with its position;
 * corrupted JSON is 500 with an empty body, as api/errordetails.md documents. The schema is the validate
 * stage's job, so a body is validated once.
 */
export function createDecodeStage(deps: { codec: PayloadCodec; writer: ResponseWriter }): Stage {
  return {
    name: 'decode',
    run(ctx) {
      const payload = established(ctx.operation, 'route', 'the operation').requestPayload
      if (!payload) return undefined
      const body = established(ctx.body, 'body', 'the body')
      let text: string
      try {
        text = utf8.decode(body)
      } catch {
        if (ctx.format === 'json') return emptyResponse(500, {}, ['corrupted JSON: the body is not UTF-8'])
        return deps.writer.errors(400, 'xml', [{ Category: 'XMLError', Description: 'The body is not valid UTF-8.' }])
      }
      if (ctx.format === 'json') {
        const parsed = parseJson(text)
        // Nesting past any payload's depth is refused before parsing, as input the contract cannot hold (D43).
        if (!parsed.ok && parsed.tooDeep)
          return deps.writer.errors(400, 'json', [{ Category: 'InputError', Description: `The document is nested deeper than ${MAX_JSON_DEPTH} levels.` }])
        if (!parsed.ok) return emptyResponse(500, {}, [`corrupted JSON: ${parsed.message}`])
        ctx.value = parsed.value
        return undefined
      }
      const decoded = deps.codec.xml.decode(payload, text)
      if (decoded.ok) {
        ctx.value = decoded.value
        return undefined
      }
      // A wrong root or namespace is well-formed XML that is not this document: an input error, not a syntax error.
      const category = decoded.error.kind === 'syntax' || decoded.error.kind === 'doctype' ? 'XMLError' : 'InputError'
      return deps.writer.errors(400, 'xml', [{ Category: category, Description: decoded.error.message }])
    },
  }
}
