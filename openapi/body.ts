/**
 * What a server following the contract answers to a request body, before it looks at its own state: the mock's
 * decode and validate stages, and `nwa validate`, which says it offline. Reading decides the encoding (UTF-8) and the
 * syntax of the chosen format; the schema decides the rest. Pure: bytes in, a verdict out.
 */
import type { PayloadName } from './contract.ts'
import { MAX_JSON_DEPTH, parseJson } from './json.ts'
import type { PayloadCodec, WireFormat } from './payload.ts'
import type { ErrorEntry } from './records.ts'
import type { Issue } from './validate.ts'
import { positionAt } from './xml-syntax.ts'

/** Where in the body's text a fault stands: 1-based line and column, in UTF-16 code units (MSXML counts so). */
export interface TextPosition {
  line: number
  column: number
}

/**
 * Why a body cannot be read. A 400 answers an ErrorList of this one error; a 500 is corrupt JSON, answered with an
 * empty body as api/errordetails.md documents, so `reason` is all that says what is wrong.
 */
export type ReadFault =
  | { status: 400; stage: 'encoding' | 'syntax' | 'structure'; error: ErrorEntry; at?: TextPosition }
  | { status: 500; stage: 'encoding' | 'syntax'; reason: string; at?: TextPosition }

export type BodyReading = { ok: true; value: unknown; text: string } | { ok: false; fault: ReadFault }

/** Bodies are UTF-8 (the examples declare it); a byte sequence that is not UTF-8 is refused, never replaced. */
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A body read as the format says, into the one value both wire forms give (the mock's decode stage). */
export function readBody(codec: PayloadCodec, name: PayloadName, bytes: Uint8Array, format: WireFormat): BodyReading {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    const at = invalidUtf8Position(bytes)
    if (format === 'json') return { ok: false, fault: { status: 500, stage: 'encoding', reason: 'the body is not UTF-8', at } }
    return { ok: false, fault: { status: 400, stage: 'encoding', error: { Category: 'XMLError', Description: 'The body is not valid UTF-8.' }, at } }
  }
  if (format === 'json') {
    const parsed = parseJson(text)
    if (parsed.ok) return { ok: true, value: parsed.value, text }
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
    const at = positionAt(body, parsed.position ?? body.length)
    // Nesting past any payload's depth is refused before parsing, as input the contract cannot hold (D43).
    if (parsed.tooDeep) {
      return {
        ok: false,
        fault: {
          status: 400,
          stage: 'structure',
          error: { Category: 'InputError', Description: `The document is nested deeper than ${MAX_JSON_DEPTH} levels.` },
          at,
        },
      }
    }
    return { ok: false, fault: { status: 500, stage: 'syntax', reason: parsed.message, at } }
  }
  const decoded = codec.xml.decode(name, text)
  if (decoded.ok) return { ok: true, value: decoded.value, text }
  const { kind, message, line, column } = decoded.error
  // A wrong root or namespace is well-formed XML that is not this document: an input error, not a syntax error.
  const syntax = kind === 'syntax' || kind === 'doctype'
  const error = { Category: syntax ? 'XMLError' : 'InputError', Description: message }
  const at = line !== undefined && column !== undefined ? { line, column } : undefined
  return {
    ok: false,
    fault: at ? { status: 400, stage: syntax ? 'syntax' : 'structure', error, at } : { status: 400, stage: syntax ? 'syntax' : 'structure', error },
  }
}

/** The contract's issues as the ErrorList entries the mock answers with: InputError, the words, the XML path. */
export function inputErrors(issues: readonly Issue[]): ErrorEntry[] {
  return issues.map((issue) =>
    issue.location ? { Category: 'InputError', Description: issue.message, Location: issue.location } : { Category: 'InputError', Description: issue.message },
  )
}

/** The verdict on a body: read, then judged by the contract's validators. */
export type BodyCheck =
  | { ok: true; value: unknown; text: string }
  | { ok: false; stage: 'read'; fault: ReadFault }
  | { ok: false; stage: 'schema'; value: unknown; text: string; issues: Issue[]; errors: ErrorEntry[]; omitted: number }

export function checkBody(codec: PayloadCodec, name: PayloadName, bytes: Uint8Array, format: WireFormat): BodyCheck {
  const read = readBody(codec, name, bytes, format)
  if (!read.ok) return { ok: false, stage: 'read', fault: read.fault }
  const result = codec.validators.validate(name, read.value)
  if (result.ok) return read
  return { ok: false, stage: 'schema', value: read.value, text: read.text, issues: result.issues, errors: inputErrors(result.issues), omitted: result.omitted }
}

/** Where the first byte that is not UTF-8 stands, counted in the characters of the valid text before it. */
function invalidUtf8Position(bytes: Uint8Array): TextPosition {
  let index = 0
  while (index < bytes.length) {
    const length = sequenceLength(bytes, index)
    if (length === 0) break
    index += length
  }
  const before = utf8.decode(bytes.subarray(0, index))
  return positionAt(before, before.length)
}

/** Lead bytes of well-formed UTF-8 (RFC 3629): how long their sequence is, and the range its second byte must be in. */
const leadBytes: readonly { from: number; to: number; length: number; low: number; high: number }[] = [
  { from: 0xc2, to: 0xdf, length: 2, low: 0x80, high: 0xbf },
  { from: 0xe0, to: 0xe0, length: 3, low: 0xa0, high: 0xbf },
  { from: 0xe1, to: 0xec, length: 3, low: 0x80, high: 0xbf },
  { from: 0xed, to: 0xed, length: 3, low: 0x80, high: 0x9f },
  { from: 0xee, to: 0xef, length: 3, low: 0x80, high: 0xbf },
  { from: 0xf0, to: 0xf0, length: 4, low: 0x90, high: 0xbf },
  { from: 0xf1, to: 0xf3, length: 4, low: 0x80, high: 0xbf },
  { from: 0xf4, to: 0xf4, length: 4, low: 0x80, high: 0x8f },
]

/** The length of the well-formed UTF-8 sequence at `index`, or 0 when there is none. */
function sequenceLength(bytes: Uint8Array, index: number): number {
  const first = bytes[index] as number
  if (first < 0x80) return 1
  const lead = leadBytes.find((entry) => first >= entry.from && first <= entry.to)
  if (lead === undefined || index + lead.length > bytes.length) return 0
  const second = bytes[index + 1] as number
  if (second < lead.low || second > lead.high) return 0
  for (let offset = 2; offset < lead.length; offset++) {
    const next = bytes[index + offset] as number
    if (next < 0x80 || next > 0xbf) return 0
  }
  return lead.length
}
