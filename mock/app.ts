import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Context as BackendContext } from 'openapi-backend'
import { loadContract, type Contract, type OperationInfo } from '../openapi/contract.ts'
import { parseJson } from '../openapi/json.ts'
import { createPayloadCodec, type PayloadCodec, type WireFormat } from '../openapi/payload.ts'
import type { ErrorEntry } from '../openapi/records.ts'
import { authenticate, createAuthenticators } from './auth/index.ts'
import { createClock, type MockClock } from './clock.ts'
import type { RequestContext } from './context.ts'
import { createControl } from './control.ts'
import { demoDirectory, loadDirectoryFile, type Directory } from './directory.ts'
import { createFaultPlan, noFaults, parseFaultSettings, type FaultDecision, type FaultPlan, type FaultSettings } from './faults.ts'
import { discardBody, readBody } from './http/body.ts'
import { defaults, type MockOptions } from './options.ts'
import { authorize } from './policy.ts'
import { createResponseWriter, emptyResponse, type MockResponse, type ResponseWriter } from './responses.ts'
import { createBackend, matchRoute } from './router.ts'
import { createReadHandlers } from './routes/read.ts'
import { createWriteHandler } from './routes/write.ts'
import { applySeed, loadSeedBatches } from './seed.ts'
import { openArchiveState, type ArchiveState } from './state/archive.ts'
import { createMarkCodec, loadOrCreateMarkSecret } from './state/marks.ts'

/** The contract's security scheme keys for the mock's authenticators. */
const schemeKeys = { Negotiate: 'negotiate', NTLM: 'ntlm', Digest: 'digest', Basic: 'basic' } as const

export interface MockApp {
  /** A Node request listener: plain or TLS servers, supertest, or another framework can all mount it. */
  handle(req: IncomingMessage, res: ServerResponse): void
  contract: Contract
  state: ArchiveState
  directory: Directory
  clock: MockClock
  faults: { settings(): FaultSettings; update(patch: unknown): { ok: true; settings: FaultSettings } | { ok: false; errors: string[] } }
  options: Required<Pick<MockOptions, 'maxBody' | 'maxCount' | 'authSchemes'>>
  recovered: { truncatedBytes: number }
  close(): Promise<void>
}

export async function createMockApp(options: MockOptions = {}): Promise<MockApp> {
  const contract = await loadContract()
  const codec = createPayloadCodec(contract)
  const writer = createResponseWriter(contract, codec.xml)
  const random = options.random ?? ((bytes: number) => randomBytes(bytes))
  const clock = createClock(options.now ?? Date.now)
  const directory = options.directoryFile ? loadDirectoryFile(options.directoryFile) : demoDirectory()
  const maxBody = options.maxBody ?? defaults.maxBody
  const maxCount = options.maxCount ?? defaults.maxCount
  const authSchemes = options.authSchemes ?? [...defaults.authSchemes]

  const { state, recovered } = await openArchiveState({
    dataDir: options.dataDir,
    now: clock.now,
    random,
    resolvePlan: (name) => directory.resolvePlan(name),
  })
  // A journal that already holds data is the state; seeding again would duplicate it.
  if (state.archiveCount() === 0) await applySeed(state, loadSeedBatches(options.seed ?? 'demo', codec))

  const marks = createMarkCodec(loadOrCreateMarkSecret(options.dataDir, random))
  const authenticators = createAuthenticators(authSchemes, directory, {
    realm: options.realm ?? defaults.realm,
    domain: directory.domain,
    serverName: options.serverName ?? defaults.serverName,
    now: clock.now,
    random,
    allowNtlmV1: options.allowNtlmV1 ?? false,
  })
  let faultPlan: FaultPlan = createFaultPlan(options.faults ?? noFaults)
  const faults = {
    settings: () => faultPlan.settings(),
    update(patch: unknown) {
      const parsed = parseFaultSettings(patch, faultPlan.settings())
      if (parsed.ok) faultPlan = createFaultPlan(parsed.settings)
      return parsed
    },
  }

  const backend = createBackend(contract)
  const handlers = {
    ...createReadHandlers({ contract, database: state.database, marks, writer, maxCount, now: clock.now, isMember: (a, g) => directory.isMember(a, g) }),
    ...createWriteHandler(state),
  }
  backend.register({
    ...Object.fromEntries(Object.entries(handlers).map(([operationId, handler]) => [operationId, (_c: BackendContext, ctx: RequestContext) => handler(ctx)])),
    validationFail: (c: BackendContext, ctx: RequestContext) => describeValidationFailure(c, ctx, contract, codec, writer),
    unauthorizedHandler: (_c: BackendContext, ctx: RequestContext) => unauthorized(ctx),
    notFound: () => emptyResponse(404),
    methodNotAllowed: () => emptyResponse(405),
  })
  // openapi-backend asks each scheme the operation lists; the one that authenticated the caller answers with
  // the role decision taken right after authentication (see handleRequest).
  for (const key of Object.values(schemeKeys)) {
    backend.registerSecurityHandler(key, (_c: BackendContext, ctx: RequestContext) => ctx.scheme === key && ctx.scope !== undefined)
  }
  await backend.init()

  const challengesFor = async (req: IncomingMessage) =>
    (await authenticate(authenticators, { method: req.method ?? 'GET', uri: req.url ?? '/', authorization: undefined, connection: {} })).challenges
  const unauthorized = async (ctx: RequestContext): Promise<MockResponse> => emptyResponse(401, { 'www-authenticate': await challengesFor(ctx.req) })

  const control = options.control ? createControl({ state, clock, faults, codec, directory }) : undefined
  const app: MockApp = {
    contract,
    state,
    directory,
    clock,
    faults,
    options: { maxBody, maxCount, authSchemes },
    recovered,
    handle(req, res) {
      handleRequest(req, res).catch((error: unknown) => {
        // An unexpected failure is the documented "Internal error occurred." 500, never a crash of the server.
        process.emitWarning(error instanceof Error ? error : new Error(String(error)))
        if (!res.headersSent) send(res, writer.errors(500, 'xml', [{ Category: 'ServerError', Description: 'Internal error occurred.' }]))
        else res.destroy()
      })
    },
    close: () => state.close(),
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock.invalid')
    if (control && url.pathname.startsWith('/nwa/')) return send(res, await control.handle(req, url))
    const method = (req.method ?? 'GET').toUpperCase()
    const route = matchRoute(backend, contract, method, url.pathname)
    if (route.kind === 'not-found') {
      discardBody(req)
      return send(res, emptyResponse(404))
    }
    if (route.kind === 'method-not-allowed') {
      discardBody(req)
      return send(res, emptyResponse(405, { allow: route.allow.join(', ') }))
    }
    const query = firstValues(url.searchParams)
    const format: WireFormat = query['format'] === 'json' ? 'json' : 'xml'

    const auth = await authenticate(authenticators, { method, uri: req.url ?? '/', authorization: req.headers.authorization, connection: req.socket })
    if (auth.result.outcome !== 'authenticated') {
      discardBody(req)
      const challenge = auth.result.outcome === 'continue' ? [auth.result.wwwAuthenticate] : auth.challenges
      return send(res, emptyResponse(401, { 'www-authenticate': challenge }))
    }
    const ctx: RequestContext = {
      req,
      operation: route.operation,
      query,
      format,
      account: auth.result.account,
      scheme: schemeKeys[auth.result.scheme],
      responseHeaders: auth.result.wwwAuthenticate ? { 'www-authenticate': auth.result.wwwAuthenticate } : {},
    }

    // Roles are decided before faults, so a caller without rights learns nothing of the server's state.
    const decision = authorize(ctx.account, route.operation, directory, contract)
    if (decision.allowed) ctx.scope = decision.scope

    const fault = decision.allowed ? faultPlan.decide(route.operation.operationId === 'writeActivityRecords' ? 'write' : 'read') : undefined
    if (fault && fault.delayMs > 0) await delay(fault.delayMs)
    if (fault && fault.kind !== 'none') {
      discardBody(req)
      return applyFault(res, fault, format, writer)
    }

    if (route.operation.requestPayload) {
      const read = await readBody(req, maxBody)
      if (!read.ok) {
        if (read.reason === 'aborted') return
        // The rest of the body is never read: answer, then close the connection it is still arriving on.
        res.setHeader('connection', 'close')
        send(res, emptyResponse(413))
        res.once('finish', () => req.destroy())
        return
      }
      const decoded = decodeBody(read.body, route.operation, format, codec, writer)
      if (!decoded.ok) return send(res, decoded.response)
      ctx.body = decoded.value
    }

    const response = (await backend.handleRequest(
      { method, path: url.pathname, query: knownParameters(route.operation, query), headers: { 'content-type': 'application/json' }, body: ctx.body },
      ctx,
    )) as MockResponse
    send(res, { ...response, headers: { ...ctx.responseHeaders, ...response.headers } })
  }

  return app
}

type Decoded = { ok: true; value: unknown } | { ok: false; response: MockResponse }

/**
 * Syntax first: malformed XML is 400 XMLError with its position; corrupted JSON is 500 with an empty body, as
 * api/errordetails.md documents. Only a well-formed body reaches openapi-backend's validation.
 */
function decodeBody(body: Buffer, operation: OperationInfo, format: WireFormat, codec: PayloadCodec, writer: ResponseWriter): Decoded {
  const text = body.toString('utf8')
  const payload = operation.requestPayload
  if (!payload) return { ok: true, value: undefined }
  if (format === 'json') {
    // Only the syntax here; the schema is openapi-backend's job, so a body is validated once.
    const parsed = parseJson(text)
    return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, response: emptyResponse(500) }
  }
  const decoded = codec.xml.decode(payload, text)
  if (decoded.ok) return { ok: true, value: decoded.value }
  const category = decoded.error.kind === 'syntax' || decoded.error.kind === 'doctype' ? 'XMLError' : 'InputError'
  return { ok: false, response: writer.errors(400, 'xml', [{ Category: category, Description: decoded.error.message }]) }
}

function describeValidationFailure(c: BackendContext, ctx: RequestContext, contract: Contract, codec: PayloadCodec, writer: ResponseWriter): MockResponse {
  const errors = c.validation.errors ?? []
  const inQuery = (name: string) => errors.some((error) => error.instancePath.startsWith(`/query/${name}`))
  if (inQuery('count')) return writer.errors(400, ctx.format, [{ Category: 'InputError', Description: contract.invalidCountDescription }])
  if (inQuery('format'))
    return writer.errors(400, 'xml', [{ Category: 'InputError', Description: 'Invalid format parameter specified: only format=json is supported.' }])
  const payload = ctx.operation.requestPayload
  const entries: ErrorEntry[] = []
  if (payload) {
    // openapi-backend decided; the contract's own validators phrase the reasons (one Error per issue).
    const result = codec.validators.validate(payload, ctx.body)
    if (!result.ok) for (const issue of result.issues) entries.push({ Category: 'InputError', Description: issue.message, Location: issue.location })
  }
  if (!entries.length) {
    entries.push({
      Category: 'InputError',
      Description: errors.map((error) => `${error.instancePath} ${error.message ?? ''}`.trim()).join('; ') || 'Invalid request.',
    })
  }
  return writer.errors(400, ctx.format, entries)
}

/** Only the parameters the operation declares go to validation: unknown query parameters are ignored. */
function knownParameters(operation: OperationInfo, query: Record<string, string>): Record<string, string> {
  const known: Record<string, string> = {}
  for (const parameter of operation.parameters) {
    const value = query[parameter.name]
    if (parameter.in === 'query' && value !== undefined) known[parameter.name] = value
  }
  return known
}

function firstValues(params: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {}
  for (const [key, value] of params) if (!(key in query)) query[key] = value
  return query
}

function applyFault(res: ServerResponse, fault: Exclude<FaultDecision, { kind: 'none' }>, format: WireFormat, writer: ResponseWriter): void {
  if (fault.kind === 'drop') {
    // Half a response, then the connection goes: what a client sees when the server dies mid-answer.
    res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', 'content-length': '1048576', server: serverHeader })
    res.write('<?xml version="1.0" encoding="utf-8"?><ActivityRecordList')
    setImmediate(() => res.socket?.destroy())
    return
  }
  send(res, fault.error ? writer.errors(fault.status, format, [fault.error]) : emptyResponse(fault.status))
}

/** The real API runs on HTTP.sys (api/retrieveactivityrecords.md shows this header). */
const serverHeader = 'Microsoft-HTTPAPI/2.0'

export function send(res: ServerResponse, response: MockResponse): void {
  if (res.headersSent) return
  const body = Buffer.from(response.body, 'utf8')
  res.statusCode = response.status
  res.setHeader('server', serverHeader)
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value)
  res.setHeader('content-length', body.length)
  res.end(body)
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
