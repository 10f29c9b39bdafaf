/**
 * Pre-flight, before any check: the target answers (TLS verified, or the way to trust it named), it is the
 * Integration API, and every configured account authenticates and holds the role it was configured with.
 * A problem here is the client's (a wrong host, password or flag), never the server's non-conformance, so
 * it ends the run with one line and exit 2 instead of dozens of failures; the one server fault found here, a 401
 * without a challenge, is left to the checks (D50). It never writes a record.
 * The judgements are pure; runPreflight is the thin shell that sends the few requests they read.
 */
import type { PayloadCodec } from '../openapi/payload.ts'
import type { SchemeRegistry } from './auth/scheme.ts'
import { parseChallenges } from './auth/challenge.ts'
import type { ServerIdentity } from './context.ts'
import { codes, ConformanceError, isConformanceError } from './errors.ts'
import type { Account, AccountRole, AuthMode, CheckContext, Exchange, HttpRequestSpec } from './types.ts'

export type PreflightStatus = 'ok' | 'note'

/** One pre-flight finding that did not stop the run: `note` tells the reader something the checks will judge. */
export interface PreflightStep {
  step: string
  status: PreflightStatus
  message: string
}

export interface Preflight {
  steps: PreflightStep[]
  identity: ServerIdentity
  /** Lower-case scheme names of the anonymous 401's challenge. */
  offeredSchemes: string[]
  /** Why no account can authenticate (a 401 without a challenge, D50): the checks that need one are not run. */
  unauthenticated?: string
}

const enumPath = '/activity_records/enum'

function causes(error: unknown): { codes: string[]; messages: string[] } {
  const found = { codes: [] as string[], messages: [] as string[] }
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') found.codes.push(code)
    found.messages.push(current.message)
  }
  return found
}

/** What each certificate verification failure means, as node's TLS names it. */
const certificateProblems: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed, as the API generates one by default (api/security.md)',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed CA this machine does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by a CA this machine trusts',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the CA of its certificate is not one this machine trusts',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate does not name the host in --target (connect by the name in the certificate, api/retrieveactivityrecords.md)',
}

const connectionProblems: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused: nothing listens on that port',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS did not answer)',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'no route to the host',
  ETIMEDOUT: 'the connection timed out',
}

/** A transport failure of the first request, as the one line that tells the user what to do. */
export function transportFailure(error: unknown, apiBase: string): ConformanceError {
  const url = new URL(apiBase)
  const { codes: found, messages } = causes(error)
  const certificate = found.find((code) => certificateProblems[code] !== undefined)
  if (certificate !== undefined) {
    return codes.CONF_ERR_TLS.wrap(
      error,
      url.host,
      `${certificateProblems[certificate]} (${certificate}); trust it with --ca FILE (the certificate or its CA, PEM), or skip verification with --insecure`,
    )
  }
  if (url.protocol === 'https:' && (found.includes('EPROTO') || messages.some((message) => /wrong version number|packet length too long/i.test(message)))) {
    return codes.CONF_ERR_TLS.wrap(
      error,
      url.host,
      `the server does not speak TLS on that port; if it serves plain HTTP (APIAdminTool.exe api http), use http://${url.host}`,
    )
  }
  if (isConformanceError(error, 'CONF_ERR_TIMEOUT')) return codes.CONF_ERR_CONNECT.wrap(error, apiBase, error.message)
  const connection = found.find((code) => connectionProblems[code] !== undefined)
  if (connection !== undefined) return codes.CONF_ERR_CONNECT.wrap(error, apiBase, `${connectionProblems[connection]} (${connection})`)
  if (url.protocol === 'http:' && (found.includes('ECONNRESET') || found.includes('HPE_INVALID_CONSTANT'))) {
    return codes.CONF_ERR_CONNECT.wrap(
      error,
      apiBase,
      `the connection closed without an HTTP answer; if the server speaks HTTPS (the default), use https://${url.host}`,
    )
  }
  const detail = messages[messages.length - 1] ?? String(error)
  return codes.CONF_ERR_CONNECT.wrap(error, apiBase, found.length > 0 ? `${detail} (${found[found.length - 1]})` : detail)
}

function headerOf(exchange: Exchange, name: string): string | undefined {
  for (const [key, value] of Object.entries(exchange.response.headers)) if (key.toLowerCase() === name) return value
  return undefined
}

function snippet(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

function answered(exchange: Exchange): string {
  const type = (headerOf(exchange, 'content-type') ?? '').split(';')[0]!.trim()
  const body = exchange.response.body === '' ? 'an empty body' : `${type || 'a body'} "${snippet(exchange.response.body)}"`
  return `${exchange.request.method} ${new URL(exchange.request.url).pathname} answered ${exchange.response.status} with ${body}`
}

export type ApiJudgement = { ok: true; step: PreflightStep; offeredSchemes: string[] } | { ok: false; reason: string }

/** Is this the Integration API? Without credentials enum answers 401 with a challenge (or, on an open server, a page). */
export function judgeApiAnswer(exchange: Exchange, codec: PayloadCodec): ApiJudgement {
  const { status } = exchange.response
  if (status === 401) {
    const offeredSchemes = [...new Set(parseChallenges(headerOf(exchange, 'www-authenticate')).map((challenge) => challenge.scheme.toLowerCase()))]
    if (offeredSchemes.length === 0) {
      return {
        ok: true,
        offeredSchemes,
        step: {
          step: 'api',
          status: 'note',
          message: 'GET enum without credentials answered 401, but with no WWW-Authenticate challenge (auth.required judges it)',
        },
      }
    }
    return {
      ok: true,
      offeredSchemes,
      step: { step: 'api', status: 'ok', message: `GET enum without credentials answered 401 offering ${offeredSchemes.join(', ')}` },
    }
  }
  if (status === 200 && codec.decode('ActivityRecordListResponse', exchange.response.body, 'xml').ok) {
    return {
      ok: true,
      offeredSchemes: [],
      step: { step: 'api', status: 'note', message: 'GET enum answered 200 with an ActivityRecordList without credentials (auth.required judges it)' },
    }
  }
  if (status >= 300 && status < 400) {
    const location = headerOf(exchange, 'location')
    return { ok: false, reason: `${answered(exchange)}${location ? `, redirecting to ${location}: give that address as --target` : ''}` }
  }
  return { ok: false, reason: `${answered(exchange)}, where the API answers 401 with a challenge (wrong host, port or path?)` }
}

const schemeTitles: Readonly<Record<string, string>> = { ntlm: 'NTLM', negotiate: 'Negotiate', digest: 'Digest', basic: 'Basic' }
const titleOf = (scheme: string): string => schemeTitles[scheme] ?? scheme

/** Why `--auth mode` cannot authenticate against a 401 offering `offered`, or undefined when it can. */
export function schemeProblem(mode: AuthMode, offered: readonly string[], client: SchemeRegistry): string | undefined {
  if (offered.length === 0) {
    return mode === 'basic'
      ? undefined
      : `the 401 carries no WWW-Authenticate challenge, so --auth ${mode} has nothing to answer; --auth basic sends credentials without one`
  }
  const list = offered.map(titleOf).join(', ')
  if (mode !== 'auto') return offered.includes(mode) ? undefined : `--auth ${mode}: the server does not offer ${titleOf(mode)}; its 401 offers ${list}`
  return offered.some((scheme) => client.get(scheme) !== undefined)
    ? undefined
    : `the server offers only ${list}, and this client answers NTLM, Digest and Basic`
}

/** What an account of each role is probed with, and what proves its credentials and role. */
interface AccountProbe {
  /** With its article: "a Global reviewer". */
  title: string
  request: Omit<HttpRequestSpec, 'as'>
  /** read, write: the role may do it, so a 401 means refused credentials; none: a 401 is expected and proves nothing. */
  expects: 'read' | 'write' | 'none'
}

const readProbe = { method: 'GET', path: `${enumPath}?count=1` }
// An empty list stores nothing: with credentials and the write role it is 400 (or an accepted no-op), without them 401.
const writeProbe = { method: 'POST', path: '/activity_records/?format=json', headers: { 'Content-Type': 'application/json; charset=UTF-8' }, body: '[]' }

export const accountProbes: Readonly<Record<AccountRole, AccountProbe>> = {
  administrator: { title: 'a Global administrator', request: readProbe, expects: 'read' },
  reviewer: { title: 'a Global reviewer', request: readProbe, expects: 'read' },
  scopedReviewer: { title: 'a Reviewer', request: readProbe, expects: 'read' },
  contributor: { title: 'a Contributor', request: writeProbe, expects: 'write' },
  configurator: { title: 'a Configurator', request: readProbe, expects: 'none' },
  noAccess: { title: 'an account without a role', request: readProbe, expects: 'none' },
}

export type AccountJudgement = { ok: true; step: PreflightStep } | { ok: false; error: ConformanceError }

/** Whether an account's probe shows working credentials and the configured role. */
export function judgeAccount(role: AccountRole, account: Account, exchange: Exchange): AccountJudgement {
  const probe = accountProbes[role]
  const { status } = exchange.response
  const step = (stepStatus: PreflightStatus, message: string): AccountJudgement => ({
    ok: true,
    step: { step: `account ${role}`, status: stepStatus, message: `${account.user}: ${message}` },
  })
  const what = probe.expects === 'write' ? 'an empty write ([], nothing to store)' : 'GET enum'
  switch (probe.expects) {
    case 'read':
      if (status === 200 && !exchange.response.body.includes('ActivityRecordList')) {
        // A web server behind its own Basic authentication gets this far; its page names no ActivityRecordList.
        const apiBase = exchange.request.url.replace(/\/activity_records\/.*$/, '')
        return { ok: false, error: codes.CONF_ERR_NOT_API.create(apiBase, `as ${account.user}, ${answered(exchange)}, not an ActivityRecordList`) }
      }
      if (status === 200) return step('ok', `GET enum answered 200: it authenticates and reads as ${probe.title}`)
      break
    case 'write':
      if (status === 400) return step('ok', `${what} answered 400: it authenticates and may write, as ${probe.title}`)
      if (status === 200) return step('ok', `${what} answered 200: it authenticates and may write, as ${probe.title}`)
      break
    case 'none':
      if (status === 401) {
        return step(
          'note',
          `GET enum answered 401, as it must for ${probe.title}; a role refusal and a wrong password both give 401 (api/responsestatuscodes.md), so its password is not verified`,
        )
      }
      if (status === 200)
        return step('note', `GET enum answered 200: either it holds a role that reads (fix the config) or the server ignores roles (the auth checks judge it)`)
      return step('note', `${answered(exchange)}`)
  }
  if (status === 401) {
    const cause =
      probe.expects === 'write'
        ? `${what} answered 401: a wrong user name or password, or the account may not write`
        : `${what} answered 401: a wrong user name or password, or the account is not ${probe.title}`
    return { ok: false, error: codes.CONF_ERR_CREDENTIALS.create(role, account.user, cause) }
  }
  return step('note', `${answered(exchange)}; the checks judge what it means`)
}

export interface PreflightInput {
  apiBase: string
  codec: PayloadCodec
  accounts: Partial<Record<AccountRole, Account>>
  mode: AuthMode
  client: SchemeRegistry
  /** A context whose exchanges go nowhere: the same connections as the checks', so NTLM handshakes carry over. */
  context: CheckContext
  identity: () => ServerIdentity
}

const probeOrder: readonly AccountRole[] = ['administrator', 'reviewer', 'scopedReviewer', 'contributor', 'configurator', 'noAccess']

/** Runs the pre-flight; throws a ConformanceError (exit 2) at the first thing that makes the run meaningless. */
export async function runPreflight(input: PreflightInput): Promise<Preflight> {
  const administrator = input.accounts.administrator
  if (administrator === undefined) {
    throw codes.CONF_ERR_NO_ADMIN.create('give --user and --password (or NWA_PASSWORD), or accounts.administrator in --config; every read check needs it')
  }
  let anonymous: Exchange
  try {
    anonymous = await input.context.send({ method: 'GET', path: enumPath, as: null })
  } catch (error) {
    if (isConformanceError(error, 'CONF_ERR_DEADLINE')) throw error
    throw transportFailure(error, input.apiBase)
  }
  const steps: PreflightStep[] = []
  const { protocol, host } = new URL(input.apiBase)
  steps.push({
    step: 'connection',
    status: 'ok',
    message: protocol === 'https:' ? `${host} answered over TLS` : `${host} answered over plain HTTP`,
  })
  const api = judgeApiAnswer(anonymous, input.codec)
  if (!api.ok) throw codes.CONF_ERR_NOT_API.create(input.apiBase, api.reason)
  steps.push(api.step)
  const problem = api.offeredSchemes.length === 0 && anonymous.response.status === 200 ? undefined : schemeProblem(input.mode, api.offeredSchemes, input.client)
  if (problem !== undefined && api.offeredSchemes.length === 0) {
    // A 401 without a challenge is the server's fault (RFC 9110 section 11.6.1, D50): auth.required reports it, and
    // the checks that need an account are not run, for this reason, instead of the whole run stopping as if the user erred.
    steps.push({ step: 'authentication', status: 'note', message: `${problem}; the account probes were not sent` })
    return { steps, identity: input.identity(), offeredSchemes: [], unauthenticated: problem }
  }
  if (problem !== undefined) throw codes.CONF_ERR_AUTH_SCHEME.create(input.apiBase, problem)
  for (const role of probeOrder) {
    const account = input.accounts[role]
    if (account === undefined) continue
    let exchange: Exchange
    try {
      exchange = await input.context.send({ ...accountProbes[role].request, as: role })
    } catch (error) {
      if (error instanceof ConformanceError && error.code !== 'CONF_ERR_AUTH_UNSUPPORTED' && error.code !== 'CONF_ERR_DEADLINE') {
        throw transportFailure(error, input.apiBase)
      }
      throw error
    }
    const judged = judgeAccount(role, account, exchange)
    if (!judged.ok) throw judged.error
    steps.push(judged.step)
  }
  return { steps, identity: input.identity(), offeredSchemes: api.offeredSchemes }
}
