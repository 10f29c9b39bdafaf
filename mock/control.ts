import type { IncomingMessage } from 'node:http'
import type { PayloadCodec } from '../openapi/payload.ts'
import type { MockClock } from './clock.ts'
import type { Directory } from './directory.ts'
import type { FaultSettings } from './faults.ts'
import { readBody } from './http/body.ts'
import type { RequestContext } from './pipeline/context.ts'
import type { GradePanel } from './inspector/grade-panel.ts'
import { createInspectorRoutes, exchangeAnswer } from './inspector/routes.ts'
import { createEventStreams } from './inspector/stream.ts'
import type { DecoratorSwitch } from './pipeline/decorate.ts'
import type { ControlEndpoints } from './pipeline/route.ts'
import type { RequestFilter, RequestJournal } from './request-journal.ts'
import { emptyResponse, type MockResponse } from './responses.ts'
import { applySeed, loadSeedBatches, readSeedText } from './seed.ts'
import type { ArchiveState } from './state/archive.ts'

export interface ControlDeps {
  state: ArchiveState
  clock: MockClock
  faults: { settings(): FaultSettings; update(patch: unknown): { ok: true; settings: FaultSettings } | { ok: false; errors: string[] } }
  codec: PayloadCodec
  directory: Directory
  requests: RequestJournal
  defects: DecoratorSwitch
  /** What the inspector page shows of a grade, when something grades the connector (inspector/grade-panel.ts). */
  grade: GradePanel
  /** The control token in force, when there is one (the inspector's sign-in checks it). */
  token: string | undefined
  /** Real time, not the mock's clock: a sign-in's expiry must not move with a pinned clock. */
  realNow: () => number
}

const json = (status: number, value: unknown): MockResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
})

const problem = (status: number, errors: string[]) => json(status, { errors })

/** One control endpoint: what it does (for the start banner) and its handler. */
export interface ControlRoute {
  does: string
  handle: (req: IncomingMessage, url: URL) => Promise<MockResponse>
}

/** Control endpoints by 'METHOD /nwa/path'. */
export type ControlRoutes = Record<string, ControlRoute>

/** Serves a table of control routes: 405 for a known path with another method, 404 for the rest. */
export function serveControlRoutes(routes: ControlRoutes): ControlEndpoints {
  return {
    endpoints: Object.entries(routes).map(([route, { does }]) => ({ route, does })),
    async handle(ctx: RequestContext): Promise<MockResponse> {
      const path = ctx.target.path.replace(/\/$/, '')
      const route = routes[`${ctx.method} ${path}`]
      if (route) return route.handle(ctx.req, ctx.target.url)
      const known = Object.keys(routes).some((key) => key.endsWith(` ${path}`))
      return emptyResponse(known ? 405 : 404)
    },
  }
}

/**
 * The /nwa/ control endpoints, outside the API prefix and off unless asked for: they let a test reset the
 * data, load fixtures, move the clock and switch faults while the server runs. Who may call them is decided in
 * front of them (control-access.ts, D71): beyond loopback they need a token.
 */
export function createControl(deps: ControlDeps, extra: ControlRoutes = {}): ControlEndpoints {
  const status = async () => {
    const counts = await deps.state.counts()
    const longTermArchive = deps.state.store.health()
    return {
      // Degraded while writes cannot be stored: reads go on, writes get 503 until the archive recovers (D44).
      status: longTermArchive.writable ? 'ok' : 'degraded',
      store: deps.state.store.kind,
      records: counts.records,
      archive: counts.archive,
      longTermArchive: longTermArchive.writable
        ? longTermArchive
        : { writable: false, reason: longTermArchive.reason, since: new Date(longTermArchive.since).toISOString() },
      clock: deps.clock.describe(),
      faults: deps.faults.settings(),
    }
  }

  const readJson = async (req: IncomingMessage): Promise<{ ok: true; value: unknown; text: string } | { ok: false; response: MockResponse }> => {
    const body = await readBody(req, 64 * 1024 * 1024)
    if (!body.ok) return { ok: false, response: emptyResponse(413) }
    const text = body.body.toString('utf8')
    if (!text.trim()) return { ok: true, value: {}, text }
    try {
      return { ok: true, value: JSON.parse(text) as unknown, text }
    } catch (error) {
      return { ok: false, response: problem(400, [`the body is not JSON: ${error instanceof Error ? error.message : String(error)}`]) }
    }
  }

  const streams = createEventStreams({
    journal: deps.requests,
    grade: deps.grade,
    state: async () => ({ health: await status(), defects: defectListing(deps.defects), tokenRequired: deps.token !== undefined }),
  })
  const inspector = createInspectorRoutes({ journal: deps.requests, streams, token: deps.token, now: deps.realNow })

  const routes: ControlRoutes = {
    ...inspector,
    'GET /nwa/health': {
      does: 'status, record counts, clock, faults',
      handle: async () => json(200, await status()),
    },
    'POST /nwa/reset': {
      does: 'empty the data (?seed=demo|FILE reseeds)',
      handle: async (_req, url) => {
        await deps.state.reset()
        const seed = url.searchParams.get('seed')
        if (seed) await applySeed(deps.state, loadSeedBatches(seed, deps.codec))
        return json(200, await status())
      },
    },
    'POST /nwa/fixtures': {
      does: 'load records or a write body (?format=xml)',
      handle: async (req, url) => {
        const format = url.searchParams.get('format') === 'xml' ? 'xml' : 'json'
        const body = await readBody(req, 64 * 1024 * 1024)
        if (!body.ok) return emptyResponse(413)
        try {
          const batch = readSeedText('the posted fixtures', body.body.toString('utf8'), format, deps.codec)
          const loaded = await applySeed(deps.state, [batch])
          return json(200, { loaded, ...(await status()) })
        } catch (error) {
          return problem(400, [error instanceof Error ? error.message : String(error)])
        }
      },
    },
    'GET /nwa/clock': {
      does: 'the server clock',
      handle: async () => json(200, deps.clock.describe()),
    },
    'POST /nwa/clock': {
      does: '{"at": ...}, {"offsetMs": ...} or {"real": true}',
      handle: async (req) => {
        const body = await readJson(req)
        if (!body.ok) return body.response
        const value = body.value as { at?: unknown; offsetMs?: unknown; real?: unknown }
        if (value.real === true) deps.clock.reset()
        else if (typeof value.at === 'string' && !Number.isNaN(Date.parse(value.at))) deps.clock.set({ at: Date.parse(value.at) })
        else if (typeof value.offsetMs === 'number' && Number.isFinite(value.offsetMs)) deps.clock.set({ offsetMs: value.offsetMs })
        else return problem(400, ['send {"at": "<ISO date-time>"}, {"offsetMs": <number>} or {"real": true}'])
        return json(200, deps.clock.describe())
      },
    },
    'GET /nwa/requests': {
      does: 'the request journal (?limit, status, account, operation)',
      handle: async (_req, url) => {
        const filter = readRequestFilter(url.searchParams)
        return filter.ok ? json(200, { requests: deps.requests.recent(filter.filter) }) : problem(400, filter.errors)
      },
    },
    'GET /nwa/faults': {
      does: 'the fault settings',
      handle: async () => json(200, deps.faults.settings()),
    },
    'POST /nwa/faults': {
      does: 'patch the fault settings',
      handle: async (req) => {
        const body = await readJson(req)
        if (!body.ok) return body.response
        const updated = deps.faults.update(body.value)
        return updated.ok ? json(200, updated.settings) : problem(400, updated.errors)
      },
    },
    'GET /nwa/defects': {
      does: 'the seeded defects and which are on',
      handle: async () => json(200, defectListing(deps.defects)),
    },
    'POST /nwa/defects': {
      does: '{"on": [names]} switches exactly those on ([] is the clean mock)',
      handle: async (req) => {
        const body = await readJson(req)
        if (!body.ok) return body.response
        const names = (body.value as { on?: unknown }).on
        if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) return problem(400, ['send {"on": ["<defect name>", ...]}'])
        const switched = deps.defects.switch(names)
        return switched.ok ? json(200, defectListing(deps.defects)) : problem(400, switched.errors)
      },
    },
  }

  const served = serveControlRoutes({ ...routes, ...extra })
  return {
    endpoints: [
      ...served.endpoints.filter(({ route }) => !unlisted.has(route)),
      { route: 'GET /nwa/requests/ID', does: "one request's entry and the excerpt of its exchange" },
    ],
    async handle(ctx: RequestContext): Promise<MockResponse> {
      const exchange = exchangePath.exec(ctx.target.path.replace(/\/$/, ''))
      if (exchange === null) return served.handle(ctx)
      return ctx.method === 'GET' ? exchangeAnswer(deps.requests, Number(exchange[1])) : emptyResponse(405)
    },
  }
}

/** `/nwa/requests/17`: one request's exchange. */
const exchangePath = /^\/nwa\/requests\/(\d{1,15})$/

/** The inspector's own files and forms: not endpoints a person calls, so the start banner leaves them out. */
const unlisted = new Set(['GET /nwa/inspector.css', 'GET /nwa/inspector.js', 'GET /nwa/inspector.svg', 'POST /nwa/login', 'POST /nwa/logout'])

/**
 * The control requests the journal leaves out once answered: the inspector's and GET /nwa/requests' own reads, or
 * reading the journal would fill it. One refused for want of the token is kept, with its reason, as every refusal is.
 */
export function unjournaled(method: string, path: string, status: number): boolean {
  return method === 'GET' && status !== 401 && status !== 403 && /^\/nwa\/(?:|requests|requests\/\d+|events|inspector\.(?:css|js|svg))\/?$/.test(path)
}

function defectListing(defects: DecoratorSwitch): { on: string[]; available: { name: string; description: string }[] } {
  return { on: defects.on(), available: defects.available().map(({ name, description }) => ({ name, description })) }
}

/** `GET /nwa/requests?limit=20&status=401&account=ENTERPRISE%5CContributor&operation=searchActivityRecords`. */
function readRequestFilter(params: URLSearchParams): { ok: true; filter: RequestFilter } | { ok: false; errors: string[] } {
  const errors: string[] = []
  const filter: RequestFilter = {}
  const whole = (name: 'limit' | 'status', min: number) => {
    const text = params.get(name)
    if (text === null) return
    if (/^\d+$/.test(text) && Number(text) >= min) filter[name] = Number(text)
    else errors.push(`${name}: must be a whole number from ${min} (got "${text}")`)
  }
  whole('limit', 1)
  whole('status', 0)
  const account = params.get('account')
  if (account !== null) filter.account = account
  const operation = params.get('operation')
  if (operation !== null) filter.operation = operation
  for (const key of params.keys())
    if (!['limit', 'status', 'account', 'operation'].includes(key)) errors.push(`${key}: unknown filter (limit, status, account, operation)`)
  return errors.length ? { ok: false, errors } : { ok: true, filter }
}
