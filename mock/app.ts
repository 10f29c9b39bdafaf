import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { loadContract, type Contract } from '../openapi/contract.ts'
import { createPayloadCodec } from '../openapi/payload.ts'
import { createAuthenticators } from './auth/index.ts'
import { createClock, type MockClock } from './clock.ts'
import { createControl } from './control.ts'
import { demoDirectory, loadDirectoryFile, type Directory } from './directory.ts'
import { createFaultPlan, noFaults, parseFaultSettings, type FaultPlan, type FaultSettings } from './faults.ts'
import { defaults, type MockOptions } from './options.ts'
import { createAuthenticateStage } from './pipeline/authenticate.ts'
import { createAuthorizeStage } from './pipeline/authorize.ts'
import { createBodyStage } from './pipeline/body.ts'
import { runStages } from './pipeline/compose.ts'
import type { RequestContext, Stage } from './pipeline/context.ts'
import { createDecodeStage } from './pipeline/decode.ts'
import type { PipelineDecorator, PipelineServices } from './pipeline/decorate.ts'
import { createFaultStage } from './pipeline/fault.ts'
import { createOperationStage } from './pipeline/operation.ts'
import { createResponder } from './pipeline/respond.ts'
import { type ControlEndpoints, createRouteStage } from './pipeline/route.ts'
import { createValidateStage } from './pipeline/validate.ts'
import { createRequestJournal, type RequestJournal } from './request-journal.ts'
import { createResponseWriter, emptyResponse, type MockResponse } from './responses.ts'
import { createBackend } from './router.ts'
import { createReadHandlers } from './routes/read.ts'
import { createWriteHandler } from './routes/write.ts'
import { applySeed, loadSeedBatches } from './seed.ts'
import { openArchiveState, type ArchiveState } from './state/archive.ts'
import { createMarkCodec, loadOrCreateMarkSecret } from './state/marks.ts'

export interface MockApp {
  /** A Node request listener: plain or TLS servers, supertest, or another framework can all mount it. */
  handle(req: IncomingMessage, res: ServerResponse): void
  /** The same, for a request whose `Expect: 100-continue` the server has not answered (server 'checkContinue'). */
  handleExpectingContinue(req: IncomingMessage, res: ServerResponse): void
  contract: Contract
  state: ArchiveState
  directory: Directory
  clock: MockClock
  faults: { settings(): FaultSettings; update(patch: unknown): { ok: true; settings: FaultSettings } | { ok: false; errors: string[] } }
  requests: RequestJournal
  /** The /nwa/ control endpoints, when they are on. */
  control: ControlEndpoints | undefined
  /** The stages in the order requests meet them, decorators applied. */
  stages(): readonly Stage[]
  /** Rebuilds the pipeline with these decorators in place of the current ones (none: the clean mock). */
  decorate(decorators: readonly PipelineDecorator[]): void
  options: Required<Pick<MockOptions, 'maxBody' | 'maxCount' | 'authSchemes'>>
  recovered: { truncatedBytes: number }
  close(): Promise<void>
}

export async function createMockApp(options: MockOptions = {}): Promise<MockApp> {
  const contract = await loadContract()
  const codec = createPayloadCodec(contract)
  const writer = createResponseWriter(codec.xml)
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
  const faults: MockApp['faults'] = {
    settings: () => faultPlan.settings(),
    update(patch) {
      const parsed = parseFaultSettings(patch, faultPlan.settings())
      if (parsed.ok) faultPlan = createFaultPlan(parsed.settings)
      return parsed
    },
  }
  const requests = createRequestJournal({ capacity: options.requestJournalCapacity ?? defaults.requestJournalCapacity, sink: options.onRequest })
  const backend = await createBackend(contract, codec.validators.ajv)
  const control = options.control ? createControl({ state, clock, faults, codec, directory, requests }) : undefined
  const operations = {
    ...createReadHandlers({ contract, database: state.database, marks, writer, maxCount, now: clock.now, isMember: (a, g) => directory.isMember(a, g) }),
    ...createWriteHandler(state),
  }

  // The pipeline, in the order every request meets it.
  const clean: readonly Stage[] = [
    createRouteStage({ backend, contract, control }),
    createAuthenticateStage(authenticators),
    createAuthorizeStage({ directory, contract }),
    createFaultStage({ plan: () => faultPlan, writer, delay }),
    createBodyStage({ maxBody }),
    createDecodeStage({ codec, writer }),
    createValidateStage({ backend, contract, codec, writer }),
    createOperationStage(operations),
  ]
  const services: PipelineServices = { contract, codec, writer, marks, state, directory, clock }
  let stages = clean
  const respond = createResponder(options.drain ?? { bytes: Math.max(maxBody, 1024 * 1024), ms: defaults.drainMs })

  const internalError = (ctx: RequestContext, error: unknown): MockResponse => {
    // An unexpected failure is the documented "Internal error occurred." 500, never a crash of the server.
    process.emitWarning(error instanceof Error ? error : new Error(String(error)))
    const response = writer.errors(500, ctx.format, [{ Category: 'ServerError', Description: 'Internal error occurred.' }])
    return { ...response, notes: [`internal error: ${error instanceof Error ? error.message : String(error)}`] }
  }

  const serve = async (req: IncomingMessage, res: ServerResponse, continueBody: (() => void) | undefined): Promise<void> => {
    const ctx = createContext(req, clock.now(), continueBody)
    if (ctx === undefined) {
      await respond(emptyContext(req, clock.now()), emptyResponse(404, {}, ['the request target is not a URL path']), res)
      return
    }
    const response = await runStages(stages, ctx).catch((error: unknown) => internalError(ctx, error))
    await respond(ctx, response, res).catch(() => res.destroy())
    if (ctx.url.pathname !== '/nwa/requests') requests.record(journalEntry(ctx, response, clock.now()))
  }

  return {
    contract,
    state,
    directory,
    clock,
    faults,
    requests,
    control,
    stages: () => stages,
    decorate(decorators) {
      stages = decorators.reduce((current, decorator) => decorator(current, services), clean)
    },
    options: { maxBody, maxCount, authSchemes },
    recovered,
    handle(req, res) {
      void serve(req, res, undefined)
    },
    handleExpectingContinue(req, res) {
      void serve(req, res, () => res.writeContinue())
    },
    close: () => state.close(),
  }
}

function createContext(req: IncomingMessage, receivedAt: number, continueBody: (() => void) | undefined): RequestContext | undefined {
  let url: URL
  try {
    url = new URL(req.url ?? '/', 'http://mock.invalid')
  } catch {
    return undefined
  }
  const query: Record<string, string> = {}
  for (const [key, value] of url.searchParams) if (!(key in query)) query[key] = value
  return {
    req,
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    query,
    format: query['format'] === 'json' ? 'json' : 'xml',
    receivedAt,
    continueBody,
    responseHeaders: {},
  }
}

function emptyContext(req: IncomingMessage, receivedAt: number): RequestContext {
  return { req, method: req.method ?? 'GET', url: new URL('http://mock.invalid/'), query: {}, format: 'xml', receivedAt, responseHeaders: {} }
}

function journalEntry(ctx: RequestContext, response: MockResponse, now: number) {
  return {
    time: new Date(ctx.receivedAt).toISOString(),
    method: ctx.method,
    path: ctx.req.url ?? '/',
    ...(ctx.account === undefined ? {} : { account: ctx.account }),
    ...(ctx.scheme === undefined ? {} : { scheme: ctx.scheme }),
    ...(ctx.operation === undefined ? {} : { operation: ctx.operation.operationId }),
    status: response.ending === 'none' ? 0 : response.status,
    notes: [...(response.notes ?? [])],
    durationMs: Math.max(0, now - ctx.receivedAt),
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
