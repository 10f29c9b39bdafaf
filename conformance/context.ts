/**
 * The CheckContext factory: one session per run (connections, memo, run marker), one context per
 * check (its evidence). Servers are black boxes here: only HTTP goes in and out.
 */
import type { Contract } from '../openapi/contract.ts'
import type { PayloadCodec, WireFormat } from '../openapi/payload.ts'
import { ConnectionState, type SchemeRegistry } from './auth/scheme.ts'
import { defaultSchemes, withAuth } from './auth/with-auth.ts'
import type { CurlOptions } from './curl.ts'
import { codes } from './errors.ts'
import type { EvidenceRecorder } from './evidence.ts'
import { compose, createConnectionPool, headerValue, toExchange, withEvidence, type Interceptor, type TransportOptions } from './http.ts'
import type { Account, AccountRole, CheckContext, GroupFixture, HttpRequestSpec, RunOptions } from './types.ts'

export interface ContextFactoryOptions {
  /** Normalised, e.g. https://host:9699/netwrix/api/v1. */
  apiBase: string
  contract: Contract
  codec: PayloadCodec
  accounts: Partial<Record<AccountRole, Account>>
  groups?: GroupFixture
  transport?: TransportOptions & {
    /** The --ca path, named in curl reproductions. */
    caFile?: string
  }
  /** Wall clock, ms since the epoch: run marker, timestamps, durations. */
  now: () => number
  random: (bytes: number) => Buffer
  /** Client auth schemes; default NTLM, Digest and Basic. */
  schemes?: SchemeRegistry
  /** Lower-case scheme names the deployment is meant to offer (config `expectedSchemes`). */
  expectedSchemes?: string[]
}

/** Who answered: the first Server header and, over TLS, the certificate fingerprint seen in the run. */
export interface ServerIdentity {
  server?: string
  certificateSha256?: string
}

export interface CheckSession {
  readonly runMarker: string
  contextFor(evidence: EvidenceRecorder): CheckContext
  /** From now on a request as an account throws CONF_ERR_UNAUTHENTICATED with this reason (D50). */
  refuseAccounts(reason: string): void
  identity(): ServerIdentity
  close(): void
}

/** nwa-<yyyyMMddHHmmss UTC>-<6 hex>. */
export function formatRunMarker(now: number, random: (bytes: number) => Buffer): string {
  const stamp = new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)
  return `nwa-${stamp}-${random(3).toString('hex')}`
}

/** The format the exchange asked for: `format=json` in the query means JSON, anything else XML. */
export function requestedFormat(url: string): WireFormat {
  const format = new URL(url).searchParams.get('format')
  return format?.toLowerCase() === 'json' ? 'json' : 'xml'
}

export function createCheckSession(factory: ContextFactoryOptions, options: RunOptions): CheckSession {
  const runMarker = formatRunMarker(factory.now(), factory.random)
  const pool = createConnectionPool(factory.transport)
  const protocol = new URL(factory.apiBase).protocol
  const schemes = factory.schemes ?? defaultSchemes(factory.random, factory.now)
  const states = new Map<string, ConnectionState>()
  const memo = new Map<string, Promise<unknown>>()
  const stateOf = (key: string): ConnectionState => {
    let state = states.get(key)
    if (state === undefined) {
      state = new ConnectionState()
      states.set(key, state)
    }
    return state
  }
  const identity: ServerIdentity = {}
  let refused: string | undefined
  const observe: Interceptor = (next) => async (request) => {
    const response = await next(request)
    identity.server ??= headerValue(response.headers, 'server')
    identity.certificateSha256 ??= response.peerCertificateSha256
    return response
  }
  const tlsOrigin: CurlOptions = {}
  if (factory.transport?.insecure) tlsOrigin.insecure = true
  if (factory.transport?.caFile !== undefined) tlsOrigin.caFile = factory.transport.caFile

  return {
    runMarker,
    identity: () => ({ ...identity }),
    close: () => pool.close(),
    refuseAccounts: (reason) => {
      refused = reason
    },
    contextFor(evidence) {
      let overrideNoted = false
      const send = async (spec: HttpRequestSpec) => {
        const account = spec.as === null ? undefined : factory.accounts[spec.as]
        if (spec.as !== null && account === undefined) throw codes.CONF_ERR_NO_ACCOUNT.create(spec.as)
        if (spec.as !== null && refused !== undefined) throw codes.CONF_ERR_UNAUTHENTICATED.create(refused)
        const mode = spec.auth ?? options.auth
        // A deliberately different password gets its own socket, so a refused NTLM handshake cannot taint the account's;
        // so does a forced scheme, or the account's connection, already authenticated by NTLM, would carry the request
        // without that scheme ever being tried.
        const key = `${spec.as ?? 'anonymous'}${spec.password === undefined ? '' : '#override'}${spec.auth === undefined ? '' : `@${spec.auth}`}`
        const origin: CurlOptions = { ...tlsOrigin }
        const interceptors: Interceptor[] = []
        if (account !== undefined) {
          const password = spec.password ?? account.password
          interceptors.push(withAuth(mode, { user: account.user, password }, { state: stateOf(key), schemes }))
          Object.assign(origin, { user: account.user, auth: mode, passwordVar: spec.password === undefined ? account.passwordVar : 'NWA_CHECK_PASSWORD' })
          if (spec.password !== undefined && !overrideNoted) {
            overrideNoted = true
            evidence.note('a request used a password chosen by the check; set NWA_CHECK_PASSWORD to it to reproduce')
          }
        }
        interceptors.push(
          withEvidence((exchange) => evidence.record(exchange, origin)),
          observe,
        )
        const dispatch = compose(pool.dispatch(key, protocol), ...interceptors)
        const path = spec.path.startsWith('/') ? spec.path : `/${spec.path}`
        const request = { method: spec.method, url: `${factory.apiBase}${path}`, headers: { ...spec.headers } }
        const response = await dispatch(spec.body === undefined ? request : { ...request, body: spec.body })
        return toExchange(response)
      }
      return {
        contract: factory.contract,
        codec: factory.codec,
        apiBase: factory.apiBase,
        accounts: factory.accounts,
        options,
        ...(factory.groups === undefined ? {} : { groups: factory.groups }),
        ...(factory.expectedSchemes === undefined ? {} : { expectedSchemes: factory.expectedSchemes }),
        runMarker,
        now: factory.now,
        send,
        format: (exchange) => requestedFormat(exchange.request.url),
        memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
          let value = memo.get(key)
          if (value === undefined) {
            value = compute()
            memo.set(key, value)
          }
          // The entry was stored by the first call with this key, which the caller's T describes.
          return value as Promise<T>
        },
        note: (text) => evidence.note(text),
      }
    },
  }
}
