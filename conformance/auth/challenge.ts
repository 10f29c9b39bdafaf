/**
 * Pure parser of WWW-Authenticate values (RFC 9110 section 11.6.1). One header line may hold several
 * challenges, and node joins repeated header lines with ', ', so commas separate both challenges and
 * the auth-params inside one: a token followed by '=' continues the current challenge, any other
 * token starts the next.
 */

export interface Challenge {
  /** As the server spelt it; compare case-insensitively. */
  scheme: string
  token68?: string
  /** Names lower-cased, quoted-string values unescaped. */
  params: Map<string, string>
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y
const TOKEN68 = /[A-Za-z0-9._~+/-]+=*/y
const SPACES = /[ \t]*/y

function match(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at
  return pattern.exec(text)?.[0]
}

function skipSpaces(text: string, at: number): number {
  return at + (match(SPACES, text, at)?.length ?? 0)
}

function skipSeparators(text: string, at: number): number {
  let i = at
  while (i < text.length && (text[i] === ',' || text[i] === ' ' || text[i] === '\t')) i++
  return i
}

function readQuoted(text: string, at: number): { value: string; end: number } | undefined {
  let value = ''
  for (let i = at + 1; i < text.length; i++) {
    const char = text[i]!
    if (char === '"') return { value, end: i + 1 }
    if (char === '\\') {
      i++
      if (i >= text.length) return undefined
    }
    value += text[i]
  }
  return undefined
}

/** At `at`, a `name = value` pair? Returns it and where it ends. */
function readParam(text: string, at: number): { name: string; value: string; end: number } | undefined {
  const name = match(TOKEN, text, at)
  if (name === undefined) return undefined
  let i = skipSpaces(text, at + name.length)
  if (text[i] !== '=') return undefined
  i = skipSpaces(text, i + 1)
  if (text[i] === '"') {
    const quoted = readQuoted(text, i)
    return quoted && { name, value: quoted.value, end: quoted.end }
  }
  const token = match(TOKEN, text, i)
  return token === undefined ? undefined : { name, value: token, end: i + token.length }
}

function atListEnd(text: string, at: number): boolean {
  const i = skipSpaces(text, at)
  return i >= text.length || text[i] === ','
}

/** Every challenge it can read, in order; parsing stops at the first malformed part. */
export function parseChallenges(header: string | undefined): Challenge[] {
  const text = header ?? ''
  const challenges: Challenge[] = []
  let at = skipSeparators(text, 0)
  while (at < text.length) {
    const scheme = match(TOKEN, text, at)
    if (scheme === undefined) break
    const challenge: Challenge = { scheme, params: new Map() }
    challenges.push(challenge)
    at = skipSpaces(text, at + scheme.length)
    const token68 = match(TOKEN68, text, at)
    if (token68 !== undefined && atListEnd(text, at + token68.length) && readParam(text, at)?.end !== at + token68.length) {
      challenge.token68 = token68
      at = skipSeparators(text, at + token68.length)
      continue
    }
    for (;;) {
      const param = readParam(text, at)
      if (param === undefined) break
      challenge.params.set(param.name.toLowerCase(), param.value)
      at = skipSeparators(text, param.end)
    }
    at = skipSeparators(text, at)
    if (at < text.length && match(TOKEN, text, at) === undefined) break
  }
  return challenges
}

/** A quoted-string, escaping '"' and '\' (RFC 9110 section 5.6.4). */
export function quoteString(text: string): string {
  return `"${text.replace(/["\\]/g, (char) => `\\${char}`)}"`
}
