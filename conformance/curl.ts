/**
 * Pure: a POSIX-shell curl command that repeats a recorded request, for the report's evidence. The
 * password is never printed; the command reads it from an environment variable.
 */
import type { AuthMode, Exchange } from './types.ts'

export interface CurlOptions {
  /** The account the request was sent as; absent for an anonymous request. */
  user?: string
  /** Environment variable holding the password; default NWA_PASSWORD. */
  passwordVar?: string
  /** The mode the run used; decides the curl flag when the recorded leg carried no Authorization yet. */
  auth?: AuthMode
  insecure?: boolean
  /** Path of the --ca file the run trusted. */
  caFile?: string
  /** Send the body from this file instead of spelling it out (a body too long for a report). */
  bodyFile?: string
}

const omittedHeaders: ReadonlySet<string> = new Set(['authorization', 'content-length', 'host'])

/** One shell word in single quotes; a quote inside becomes '\'' (close, escaped quote, reopen). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

const schemeFlags: Record<string, string | undefined> = {
  basic: undefined,
  digest: '--digest',
  ntlm: '--ntlm',
  negotiate: '--negotiate',
  auto: '--anyauth',
}

function authFlag(exchange: Exchange, auth: AuthMode | undefined): string | undefined {
  const authorization = Object.entries(exchange.request.headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1]
  const used = authorization === undefined ? undefined : /^\s*(\S+)/.exec(authorization)?.[1]?.toLowerCase()
  return schemeFlags[used ?? auth ?? 'basic']
}

// Bytes a shell word cannot hold (NUL) or that would be unreadable in a report go through printf escapes.
const unprintable = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/

function printfFormat(body: string): string {
  return (
    body
      .replace(/\\/g, '\\\\')
      .replace(/%/g, '%%')
      .replace(new RegExp(unprintable.source, 'g'), octal)
      // A format starting with '-' could be read as an option by some printf implementations.
      .replace(/^-/, octal)
  )
}

function octal(char: string): string {
  return `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`
}

function heredocDelimiter(body: string): string {
  const lines = new Set(body.split('\n'))
  let delimiter = 'NWA_BODY'
  for (let i = 2; lines.has(delimiter); i++) delimiter = `NWA_BODY_${i}`
  return delimiter
}

type BodyForm = { kind: 'none' } | { kind: 'inline'; word: string } | { kind: 'heredoc'; delimiter: string; text: string } | { kind: 'printf'; format: string }

function bodyForm(body: string | undefined): BodyForm {
  if (body === undefined || body === '') return { kind: 'none' }
  if (unprintable.test(body)) return { kind: 'printf', format: printfFormat(body) }
  // A heredoc always ends in a newline, so it reproduces exactly only a body that ends in one.
  if (body.includes('\n') && body.endsWith('\n')) return { kind: 'heredoc', delimiter: heredocDelimiter(body), text: body.slice(0, -1) }
  // curl reads `--data-binary @x` from the file x, so a body that starts with '@' must come from stdin.
  if (body.startsWith('@')) return { kind: 'printf', format: printfFormat(body) }
  return { kind: 'inline', word: shellQuote(body) }
}

export function toCurl(exchange: Exchange, options: CurlOptions = {}): string {
  const { request } = exchange
  const body: BodyForm =
    options.bodyFile !== undefined && request.body !== undefined ? { kind: 'inline', word: `@${shellQuote(options.bodyFile)}` } : bodyForm(request.body)
  const args: string[] = ['curl', '-i']
  const method = request.method.toUpperCase()
  if (method === 'HEAD') args.push('--head')
  else if (!(method === 'GET' && body.kind === 'none') && !(method === 'POST' && body.kind !== 'none')) args.push('-X', shellQuote(method))
  if (options.insecure) args.push('--insecure')
  if (options.caFile !== undefined) args.push('--cacert', shellQuote(options.caFile))
  if (options.user !== undefined) {
    const flag = authFlag(exchange, options.auth)
    if (flag !== undefined) args.push(flag)
    args.push('-u', `${shellQuote(options.user)}:"$${options.passwordVar ?? 'NWA_PASSWORD'}"`)
  }
  let hasContentType = false
  for (const [name, value] of Object.entries(request.headers)) {
    if (omittedHeaders.has(name.toLowerCase())) continue
    if (name.toLowerCase() === 'content-type') hasContentType = true
    args.push('-H', shellQuote(`${name}: ${value}`))
  }
  // Without this curl would add its own form Content-Type, which the original request did not carry.
  if (body.kind !== 'none' && !hasContentType) args.push('-H', shellQuote('Content-Type:'))
  args.push(shellQuote(request.url))
  switch (body.kind) {
    case 'none':
      return args.join(' ')
    case 'inline':
      return [...args, '--data-binary', body.word].join(' ')
    case 'heredoc':
      return `${[...args, '--data-binary', '@-'].join(' ')} <<'${body.delimiter}'\n${body.text}\n${body.delimiter}`
    case 'printf':
      return `printf ${shellQuote(body.format)} | ${[...args, '--data-binary', '@-'].join(' ')}`
  }
}
