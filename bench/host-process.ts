/**
 * The process behind host.ts: `node --expose-gc --import tsx bench/host-process.ts mock|floor OPTIONS_JSON`.
 * It starts one server, reports its URL, answers the phase's calls, and closes and exits when the phase
 * disconnects, which is also what happens when run.ts kills an overrunning phase. Only the server's own
 * modules are loaded, so an empty floor's RSS carries none of the mock's code.
 */
import type { ActivityRecordOutput } from '../openapi/records.ts'
import type { HostCall, HostKind, HostMessage, HostOptions, HostReplies } from './host.ts'
import { loadArchive } from './measures/archive-load.ts'
import { residentMemory } from './measures/memory.ts'

interface Served {
  url: string
  store(records: ActivityRecordOutput[]): Promise<unknown>
  size(): Promise<number> | number
  close(): Promise<void>
}

async function serve(kind: HostKind, options: HostOptions): Promise<Served> {
  if (kind === 'floor') {
    const { startFloorServer } = await import('./floor.ts')
    const running = await startFloorServer({ host: '127.0.0.1', port: 0 })
    return { url: running.url, store: async (records) => running.floor.load(records), size: running.floor.size, close: running.close }
  }
  const { startMockServer } = await import('../mock/server.ts')
  const grading = options.grading ? await gradingOf() : undefined
  const running = await startMockServer({
    host: '127.0.0.1',
    port: 0,
    tls: false,
    seed: options.seed ?? 'none',
    authSchemes: ['Basic'],
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
    ...(options.store !== undefined && { store: options.store }),
    ...(grading === undefined ? {} : { observe: grading.recorder, controlRoutes: grading.routes }),
  })
  grading?.start(running.url, (decorators) => running.app.decorate(decorators))
  return {
    url: running.url,
    store: (records) => running.app.state.loadSeed(records),
    size: async () => (await running.app.state.counts()).records,
    close: running.close,
  }
}

/**
 * Passive grading under the steady scenario, as `nwa mock --grade` runs it, but with bounds that keep every exchange
 * whole however many a round sends: the bench measures recording, not the cheaper paths past the default bounds. The
 * judge is never asked; the bench resets the session before each round instead.
 */
async function gradingOf() {
  const { randomBytes } = await import('node:crypto')
  const { createPassiveGrading, scenarioByName } = await import('../mock/grade/index.ts')
  const scenario = scenarioByName('steady')
  if (scenario === undefined) throw new Error('no steady scenario')
  return createPassiveGrading({
    scenario,
    timeScale: 1,
    judge: { grade: () => ({}), report: async () => [] },
    now: () => performance.now(),
    wallClock: Date.now,
    random: (bytes) => randomBytes(bytes),
    bounds: { exchanges: 10_000_000, sessionBytes: Number.MAX_SAFE_INTEGER },
  })
}

async function answer(served: Served, call: HostCall): Promise<HostReplies[HostCall['op']]> {
  switch (call.op) {
    case 'load-archive':
      return loadArchive(served, call)
    case 'load-records':
      await served.store(call.records)
      return served.size()
    case 'memory':
      return residentMemory()
    case 'count':
      return served.size()
  }
}

const send = (message: HostMessage) => process.send?.(message)
const [kind, optionsJson] = process.argv.slice(2)
if (kind !== 'mock' && kind !== 'floor') throw new Error(`host-process: unknown server ${String(kind)}`)
const served = await serve(kind, JSON.parse(optionsJson ?? '{}') as HostOptions)

process.on('message', (message: { id: number; call: HostCall }) => {
  answer(served, message.call).then(
    (value) => send({ id: message.id, value }),
    (error: unknown) => send({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  )
})
process.on('disconnect', () => {
  // A server that will not close must not outlive the phase.
  setTimeout(() => process.exit(1), 5_000).unref()
  served.close().then(() => process.exit(0))
})
send({ ready: served.url })
