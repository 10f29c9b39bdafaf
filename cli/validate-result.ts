/**
 * `nwa validate`'s judgement of one body, pure: the bytes and what is known of them in, the verdict out, worded as the
 * mock words it (docs/validate.md). The reading and the validators are the mock's own (openapi/body.ts); this adds what
 * a file lacks beside a request (its format and kind, told from its name and text) and what an editor needs (a line
 * and column for every problem).
 */
import { type BodyKindName, bodyKinds, detectFormat, detectKind } from '../openapi/body-kind.ts'
import { checkBody, type ReadFault } from '../openapi/body.ts'
import { boundErrorList } from '../openapi/error-list.ts'
import { locateJsonPointer, locateXmlPath, locateXmlPaths } from '../openapi/locate.ts'
import type { PayloadCodec, WireFormat } from '../openapi/payload.ts'

export interface ValidationInput {
  /** As the user named it; `-` for standard input. */
  name: string
  /** The body, or as much of it as was read when it is larger than the limit. */
  bytes: Uint8Array
  /** The body's whole size, which may exceed what was read. */
  size: number
}

export interface ValidationOptions {
  kind?: BodyKindName
  format?: WireFormat
  /** The largest body the mock accepts (`--max-body`); a larger one gets 413. */
  maxBody: number
}

export interface Problem {
  /** The ErrorList Category the mock answers (XMLError, InputError); `corrupted JSON` or `too large` when it answers no body. */
  category: string
  description: string
  /** The XML path the mock's Location gives, in both formats (D22). */
  location?: string
  /** The JSON pointer of the same place in the decoded value. */
  pointer?: string
  line?: number
  column?: number
}

export interface FileResult {
  file: string
  kind: BodyKindName
  /** Where the kind came from: `--kind`, the body's root element or shape, or neither (then it is judged as a write body). */
  kindFrom: 'option' | 'content' | 'default'
  format: WireFormat
  formatFrom: 'option' | 'extension' | 'content'
  valid: boolean
  /** For a body a client sends, what the mock answers to it; absent when valid (the answer then depends on its state). */
  answer?: { status: 400 | 413 | 500; body: 'ErrorList' | 'empty' }
  /** At most ten, in the order found, each bounded as the mock bounds an ErrorList (docs/mock.md "Bounds"). */
  problems: Problem[]
  /** Problems found beyond those listed. */
  notListed: number
}

const extensionFormats: Record<string, WireFormat> = { '.xml': 'xml', '.json': 'json' }

/** The start of a text, for telling its format and kind: what they are is decided in the first few characters. */
const lenient = new TextDecoder('utf-8')

export function judgeBody(codec: PayloadCodec, input: ValidationInput, options: ValidationOptions): FileResult {
  const extension = /\.[^./\\]+$/.exec(input.name)?.[0]?.toLowerCase()
  const byExtension = extension === undefined ? undefined : extensionFormats[extension]
  const sample = lenient.decode(input.bytes.subarray(0, 4096))
  const format = options.format ?? byExtension ?? detectFormat(sample)
  const formatFrom = options.format ? 'option' : byExtension ? 'extension' : 'content'
  // A JSON object's kind is in its keys, which may stand anywhere in it.
  const detected = options.kind ? undefined : detectKind(format === 'json' && /^\uFEFF?\s*\{/.test(sample) ? lenient.decode(input.bytes) : sample, format)
  const kind = options.kind ?? detected ?? 'write'
  const kindFrom = options.kind ? 'option' : detected ? 'content' : 'default'
  const base = { file: input.name, kind, kindFrom, format, formatFrom } as const
  const client = 'endpoint' in bodyKinds[kind]

  if (client && input.size > options.maxBody) {
    const problem = { category: 'too large', description: `The body is ${input.size} bytes; the mock accepts at most ${options.maxBody} (--max-body).` }
    return { ...base, valid: false, answer: { status: 413, body: 'empty' }, problems: [problem], notListed: 0 }
  }
  const check = checkBody(codec, bodyKinds[kind].payload, input.bytes, format)
  if (check.ok) return { ...base, valid: true, problems: [], notListed: 0 }
  if (check.stage === 'read') {
    const problem = readProblem(check.fault, format, input.bytes)
    const answer = check.fault.status === 500 ? ({ status: 500, body: 'empty' } as const) : ({ status: 400, body: 'ErrorList' } as const)
    return { ...base, valid: false, ...(client ? { answer } : {}), problems: [problem], notListed: 0 }
  }
  const listed = boundErrorList(check.errors)
  const places =
    format === 'xml'
      ? locateXmlPaths(
          check.text,
          check.issues.map((issue) => issue.location),
        )
      : check.issues.map((issue) => locateJsonPointer(check.text, issue.pointer))
  const problems = listed.map((error, index): Problem => {
    const issue = check.issues[index]
    const at = places[index]
    return {
      category: error.Category,
      description: error.Description,
      ...(error.Location ? { location: error.Location } : {}),
      ...(issue ? { pointer: issue.pointer } : {}),
      ...at,
    }
  })
  return { ...base, valid: false, ...(client ? { answer: { status: 400, body: 'ErrorList' } } : {}), problems, notListed: check.omitted }
}

/** A body that cannot be read: the one fault, placed where the reader found it, or where the path it names stands. */
function readProblem(fault: ReadFault, format: WireFormat, bytes: Uint8Array): Problem {
  if (fault.status === 500) return { category: 'corrupted JSON', description: fault.reason, ...fault.at }
  const words = { category: fault.error.Category, description: fault.error.Description }
  if (fault.at || format === 'json') return { ...words, ...fault.at }
  // Well-formed XML that is not this document: its message starts with the path it names, or it is about the root.
  const path = /^(\/[^\s:]+)/.exec(fault.error.Description)?.[1] ?? '/'
  return { ...words, ...locateXmlPath(lenient.decode(bytes), path) }
}
