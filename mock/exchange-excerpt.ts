/**
 * What the request journal keeps of one exchange for the inspector page's "full exchange" (docs/inspector.md, D72):
 * the request's headers and the start of its body, the response's headers and the start of its body, each cut to
 * exchangeBounds and copied, with credentials replaced. Kept only with --control, counted in the journal's byte
 * budget, so a request of any size adds a few kilobytes at most and never keeps its body alive. Pure.
 */
import { excerpt } from '../openapi/excerpt.ts'

export interface MessageExcerpt {
  /** Name and value, in the order sent; secrets replaced (redactHeader). */
  headers: [string, string][]
  /** How many headers beyond exchangeBounds.headers were left out. */
  headersOmitted: number
  /** The start of the body as UTF-8 text (bytes that are not UTF-8 shown as U+FFFD), `…` when cut; absent when there was none or it was not read. */
  body?: string
  /** The body's whole size in bytes: read, sent, or declared by Content-Length when the mock answered before reading it. */
  bodyBytes: number
  /** False when the mock answered before reading the body (a 401, 404, 405 or 413 comes before the body stage). */
  bodyRead: boolean
}

export interface ExchangeExcerpt {
  request: MessageExcerpt
  response: MessageExcerpt & { status: number }
}

/** The most an exchange keeps: per message, this many headers, each name and value cut to these lengths, and this much body. */
export const exchangeBounds = { headers: 32, name: 64, value: 256, body: 2000 } as const

/** Headers whose value is a secret: only the scheme of an Authorization is kept (it tells Basic from NTLM), nothing of a cookie. */
export function redactHeader(name: string, value: string): string {
  const lower = name.toLowerCase()
  if (lower === 'authorization' || lower === 'proxy-authorization') return `${/^\S+/.exec(value)?.[0] ?? ''} [redacted]`.trim()
  if (lower === 'cookie' || lower === 'set-cookie') return '[redacted]'
  return value
}

/** A request as Node read it: `rawHeaders` (name, value, name, value…), the body when the body stage read it. */
export function excerptRequest(rawHeaders: readonly string[], body: Buffer | undefined): MessageExcerpt {
  const pairs: [string, string][] = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i] as string, rawHeaders[i + 1] as string])
  const declared = Number(pairs.find(([name]) => name.toLowerCase() === 'content-length')?.[1] ?? 0)
  const excerpted = excerptHeaders(pairs)
  if (body === undefined) return { ...excerpted, bodyBytes: Number.isSafeInteger(declared) ? declared : 0, bodyRead: false }
  return { ...excerpted, ...(body.length === 0 ? {} : { body: bodyText(body) }), bodyBytes: body.length, bodyRead: true }
}

/** A response as the mock sent it: its status, the headers the pipeline set, and its body. */
export function excerptResponse(status: number, headers: Readonly<Record<string, string | readonly string[]>>, body: string): ExchangeExcerpt['response'] {
  const pairs: [string, string][] = []
  for (const name in headers) {
    const value = headers[name] as string | readonly string[]
    for (const one of typeof value === 'string' ? [value] : value) pairs.push([name, one])
  }
  const bytes = Buffer.byteLength(body, 'utf8')
  return { status, ...excerptHeaders(pairs), ...(body === '' ? {} : { body: excerpt(body, exchangeBounds.body) }), bodyBytes: bytes, bodyRead: true }
}

/** An exchange's weight against the journal's byte budget, counted as entryBytes counts an entry: two bytes a character. */
export function exchangeBytes(exchange: ExchangeExcerpt): number {
  let characters = 0
  for (const message of [exchange.request, exchange.response]) {
    characters += message.body?.length ?? 0
    for (const [name, value] of message.headers) characters += name.length + value.length
  }
  return EXCHANGE_OVERHEAD + 2 * characters + HEADER_OVERHEAD * (exchange.request.headers.length + exchange.response.headers.length)
}

const EXCHANGE_OVERHEAD = 256
const HEADER_OVERHEAD = 48

function excerptHeaders(pairs: readonly [string, string][]): Pick<MessageExcerpt, 'headers' | 'headersOmitted'> {
  const headers = pairs
    .slice(0, exchangeBounds.headers)
    .map(([name, value]): [string, string] => [excerpt(name, exchangeBounds.name), excerpt(redactHeader(name, value), exchangeBounds.value)])
  return { headers, headersOmitted: Math.max(0, pairs.length - exchangeBounds.headers) }
}

/**
 * The start of a body as text. Only the first four bytes a character are decoded, so a 50 MB body costs what a small
 * one does; whatever they hold (a UTF-16 unit takes at most three bytes), they decode to more than the excerpt
 * keeps, so a character cut at their end is never shown.
 */
function bodyText(body: Buffer): string {
  return excerpt(body.subarray(0, exchangeBounds.body * 4).toString('utf8'), exchangeBounds.body)
}
