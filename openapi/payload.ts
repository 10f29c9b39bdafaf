import type { Contract, PayloadName } from './contract.ts'
import { parseJson } from './json.ts'
import { createValidators, type Issue, type Validators } from './validate.ts'
import { createXmlCodec, type XmlCodec } from './xml.ts'

export type WireFormat = 'xml' | 'json'

/**
 * Why a body was refused. `syntax` bodies are not well-formed (the API answers 400 XMLError for XML and
 * 500 with an empty body for JSON, api/errordetails.md); `schema` bodies are well-formed but break the
 * contract (400 InputError).
 */
export interface PayloadRejection {
  ok: false
  stage: 'syntax' | 'schema'
  format: WireFormat
  issues: Issue[]
  /** Issues found beyond those listed (validate.ts ISSUES_LISTED). */
  omitted: number
}

export type PayloadResult<T = unknown> = { ok: true; value: T } | PayloadRejection

export interface PayloadCodec {
  readonly validators: Validators
  readonly xml: XmlCodec
  /** Reads a body in the given format and validates it against the named payload schema. */
  decode(name: PayloadName, text: string, format: WireFormat): PayloadResult
  /** Validates, then writes a value in the given format; a value that breaks the contract is a bug and throws. */
  encode(name: PayloadName, value: unknown, format: WireFormat): string
}

export function createPayloadCodec(contract: Contract): PayloadCodec {
  const validators = createValidators(contract)
  const xml = createXmlCodec(contract)
  return {
    validators,
    xml,
    decode(name, text, format) {
      const parsed = format === 'xml' ? xml.decode(name, text) : parseJson(text)
      if (!parsed.ok) {
        const detail = 'error' in parsed ? parsed.error : { message: parsed.message, kind: parsed.tooDeep ? ('structure' as const) : ('syntax' as const) }
        // A wrong root or namespace is well-formed XML that is not this document: an input error, not a syntax error.
        const stage = detail.kind === 'syntax' || detail.kind === 'doctype' ? 'syntax' : 'schema'
        return { ok: false, stage, format, issues: [{ pointer: '', location: '', message: detail.message }], omitted: 0 }
      }
      const result = validators.validate(name, parsed.value)
      return result.ok ? { ok: true, value: parsed.value } : { ok: false, stage: 'schema', format, issues: result.issues, omitted: result.omitted }
    },
    encode(name, value, format) {
      const result = validators.validate(name, value)
      if (!result.ok) {
        throw new Error(`refusing to send a ${name} that breaks the contract: ${result.issues.map((issue) => `${issue.location} ${issue.message}`).join('; ')}`)
      }
      return format === 'xml' ? xml.encode(name, value) : JSON.stringify(value)
    },
  }
}

/** Everything a rejection says, in one line, for error bodies and test messages. */
export function describeRejection(rejection: PayloadRejection): string {
  const listed = rejection.issues.map((issue) => (issue.location ? `${issue.location}: ${issue.message}` : issue.message)).join('; ')
  return rejection.omitted > 0 ? `${listed}; and ${rejection.omitted} more` : listed
}
