import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { loadContract, type Contract } from '../openapi/contract.ts'
import { createPayloadCodec } from '../openapi/payload.ts'
import { createAuthenticators } from './auth/index.ts'
import { createClock, type MockClock } from './clock.ts'
import { createControl, serveControlRoutes, unjournaled } from './control.ts'
import { guardControl } from './control-access.ts'
import { demoDirectory, loadDirectoryFile, type Directory } from './directory.ts'
import { createGradePanel, type GradePanel } from './inspector/grade-panel.ts'
import { signInPage } from './inspector/routes.ts'
import { createFaultPlan, noFaults, parseFaultSettings, type FaultPlan, type FaultSettings } from './faults.ts'
import { codes } from './errors.ts'
import { defaults, type MockOptions } from './options.ts'
import { createAuthenticateStage } from './pipeline/authenticate.ts'
import { createAuthorizeStage } from './pipeline/authorize.ts'
import { createBodyStage } from './pipeline/body.ts'
import type { Stage } from './pipeline/context.ts'
import { createDecodeStage } from './pipeline/decode.ts'
import { chooseDecorators, type DecoratorSwitch, type PipelineDecorator, type PipelineServices } from './pipeline/decorate.ts'
import { createFaultStage } from './pipeline/fault.ts'
import { createOperationStage } from './pipeline/operation.ts'
import { createResponder } from './pipeline/respond.ts'
import { type ControlEndpoints, createRouteStage } from './pipeline/route.ts'
import { createServe } from './pipeline/serve.ts'
import { createValidateStage } from './pipeline/validate.ts'
import { createRequestJournal, type RequestJournal } from './request-journal.ts'
import { createResponseWriter } from './responses.ts'
import { createBackend } from './router.ts'
import { createReadHandlers } from './routes/read.ts'
import { createWriteHandler } from './routes/write.ts'
import { applySeed, loadSeedBatches } from './seed.ts'
import { createArchiveState, type ArchiveState } from './state/archive.ts'
import { createMarkCodec } from './state/marks.ts'
import { describeStoreSpec, openStore, parseStoreSpec } from './state/open-store.ts'

export interface MockApp {
  /** A Node request listener: plain or TLS servers, supertest, or another framework can all mount it. */
  handle(req: IncomingMessage, res: ServerResponse): void
  /** The same, for a request whose `Expect: 100-continue` the server has not answered (server 'checkContinue'). */
  handleExpectingContinue(req: IncomingMessage, res: ServerResponse): void
  contract: Contract
  state: ArchiveState
  /** Which store the state lives in: 'memory', or the PostgreSQL URL with its password masked. */
  store: string
  directory: Directory
  clock: MockClock
  faults: { settings(): FaultSettings; update(patch: unknown): { ok: true; settings: FaultSettings } | { ok: false; errors: string[] } }
  requests: RequestJournal
  /** The /nwa/ control endpoints, when they are on. */
  control: ControlEndpoints | undefined
  /** The inspector page's "grade so far": a grader shows its grade here (docs/inspector.md). */
  gradePanel: GradePanel
  /** The stages in the order requests meet them, decorators applied. */
  stages(): readonly Stage[]
  /** Rebuilds the pipeline with these decorators in place of the current ones (none: the clean mock). */
  decorate(decorators: readonly PipelineDecorator[]): void
  /** The named decorators of `MockOptions.defects`, switched by name (what `decorate` last built when it was not by name). */
  defects: DecoratorSwitch
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
  const available = options.defects ?? []
  // Checked before the state is opened, so a wrong name leaves no journal behind.
  const atStart = chooseDecorators(available, options.defectsOn ?? [])
  if (!atStart.ok) throw codes.MOCK_ERR_OPTIONS.create('defectsOn', atStart.errors.join('; '))

  const spec = parseStoreSpec(options.store ?? 'memory')
  if (spec === undefined) throw codes.MOCK_ERR_OPTIONS.create('store', `${options.store}: takes memory or a postgres://user@host:port/db URL`)
  const seedBatches = loadSeedBatches(options.seed ?? 'demo', codec)
  const { store, recovered } = await openStore({ spec, dataDir: options.dataDir, random, now: clock.now, contract, directory })
  const state = createArchiveState({ store, now: clock.now, random, resolvePlan: (name) => directory.resolvePlan(name) })
  try {
    // A store that already holds data is the state; seeding again would duplicate it. Decided by the store, so
    // instances starting together on one database seed it once.
    await applySeed(state, seedBatches, { ifEmpty: true })
  } catch (error) {
    await state.close()
    throw error
  }

  const marks = createMarkCodec(await store.markKey())
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
  // Built once `clean` and `services` exist (below); the control endpoints need the switch before that.
  let stages: readonly Stage[] = []
  let on: string[] = []
  const decorate = (decorators: readonly PipelineDecorator[]): void => {
    stages = decorators.reduce((current, decorator) => decorator(current, services), clean)
  }
  const defects: DecoratorSwitch = {
    available: () => available,
    on: () => [...on],
    switch(names) {
      const chosen = chooseDecorators(available, names)
      if (!chosen.ok) return chosen
      decorate(chosen.chosen.map((entry) => entry.decorator))
      on = chosen.chosen.map((entry) => entry.name)
      return { ok: true, on: [...on] }
    },
  }
  const requests = createRequestJournal({
    capacity: options.requestJournalCapacity ?? defaults.requestJournalCapacity,
    bytes: options.requestJournalBytes ?? defaults.requestJournalBytes,
    sink: options.onRequest,
  })
  const backend = await createBackend(contract, codec.validators.ajv)
  const gradePanel = createGradePanel()
  const realNow = options.now ?? Date.now
  // Every control route, the grading routes of passive grading included, is behind the same token decision (D71).
  const guard = (endpoints: ControlEndpoints) => guardControl(endpoints, options.controlToken, { now: realNow, signIn: () => signInPage() })
  const control = options.control
    ? guard(
        createControl(
          { state, clock, faults, codec, directory, requests, defects, grade: gradePanel, token: options.controlToken, realNow },
          options.controlRoutes,
        ),
      )
    : options.controlRoutes === undefined
      ? undefined
      : guard(serveControlRoutes(options.controlRoutes))
  const operations = {
    ...createReadHandlers({ contract, store, marks, writer, maxCount, now: clock.now }),
    ...createWriteHandler(state, writer),
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
  const services: PipelineServices = { contract, codec, writer, marks, state, directory, clock, limits: { maxBody, maxCount } }
  // The clean pipeline, or the named decorators asked for at start.
  defects.switch(atStart.chosen.map((entry) => entry.name))

  const serve = createServe({
    stages: () => stages,
    respond: createResponder(options.drain ?? { bytes: Math.max(maxBody, 1024 * 1024), ms: defaults.drainMs }),
    now: clock.now,
    record: (entry, exchange) => requests.record(entry, exchange),
    // With the control endpoints on, each entry keeps its exchange for the inspector page (D72).
    exchanges: options.control === true,
    unjournaled,
    observe: options.observe,
    internalError(ctx, error) {
      // An unexpected failure is the documented "Internal error occurred." 500, never a crash of the server.
      process.emitWarning(error instanceof Error ? error : new Error(String(error)))
      const response = writer.errors(500, ctx.format, [{ Category: 'ServerError', Description: 'Internal error occurred.' }])
      return { ...response, notes: [`internal error: ${error instanceof Error ? error.message : String(error)}`] }
    },
  })

  return {
    contract,
    state,
    store: describeStoreSpec(spec),
    directory,
    clock,
    faults,
    requests,
    control,
    gradePanel,
    stages: () => stages,
    decorate(decorators) {
      decorate(decorators)
      on = []
    },
    defects,
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
