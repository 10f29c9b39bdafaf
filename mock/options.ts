import type { SchemeName } from './auth/types.ts'
import type { ControlRoutes } from './control.ts'
import type { FaultSettings } from './faults.ts'
import type { ExchangeObserver } from './grade/observer.ts'
import type { NamedDecorator } from './pipeline/decorate.ts'
import type { DrainLimits } from './pipeline/respond.ts'
import { journalDefaults, type RequestEntry } from './request-journal.ts'

/** Everything the mock can be told at start; the CLI maps its flags onto this, tests pass it directly. */
export interface MockOptions {
  /** Users, groups, roles, folders and plans (YAML or JSON); the built-in demo directory when absent. */
  directoryFile?: string
  /** 'demo' (default): the deterministic demo data set; 'none': empty; or a file or directory of bodies. */
  seed?: string
  /**
   * Where the Audit Database and the Long-Term Archive live: 'memory' (default), the embedded store, or a
   * `postgres://user@host:port/db` URL that several instances can share (docs/store.md).
   */
  store?: string
  /** Keeps the Long-Term Archive journal (and the mark key, the certificate) here; memory only when absent. With a PostgreSQL store, only the certificate. */
  dataDir?: string
  /** Request bodies over this many bytes get 413; default 50 MB, the documented recommended limit. */
  maxBody?: number
  /** The largest `count` accepted; larger values get 400 InputError. */
  maxCount?: number
  /** Enabled authentication schemes in challenge order; default Negotiate, NTLM, Digest, Basic. */
  authSchemes?: SchemeName[]
  allowNtlmV1?: boolean
  /** Serve the /nwa/ control endpoints (health, reset, fixtures, clock, faults). Off by default. */
  control?: boolean
  /**
   * The token every control endpoint but GET /nwa/health then requires (`Authorization: Bearer <token>`; D71). The app
   * cannot see where it listens: `startMockServer` sets one when the address is not loopback, and an embedding that
   * listens beyond loopback must set one itself (mock/control-access.ts).
   */
  controlToken?: string
  faults?: FaultSettings
  /** Injected clock (ms since the epoch) and randomness, so tests can set them. */
  now?: () => number
  random?: (bytes: number) => Buffer
  /** Called as each request ends, with its journal entry (the CLI prints it). */
  onRequest?: (entry: RequestEntry) => void
  /** How many requests GET /nwa/requests can look back on; default 1,000. */
  requestJournalCapacity?: number
  /** How many bytes the request journal may hold in all (request-journal.ts entryBytes); default 4 MiB. */
  requestJournalBytes?: number
  /** How much of an oversized body is still read after the 413 so the client sees it; default the body limit (at least 1 MiB) or 10 s. */
  drain?: DrainLimits
  /** Realm and NetBIOS names the auth challenges carry. */
  realm?: string
  serverName?: string
  /**
   * Decorators that can be switched on by name (`/nwa/defects`): `nwa selftest`'s seeded defects, which the
   * CLI hands over so the app itself knows none of them.
   */
  defects?: readonly NamedDecorator[]
  /** The names of `defects` switched on at start; none is the clean mock. */
  defectsOn?: readonly string[]
  /** Told of every API exchange once it is over: a grading session's recorder. */
  observe?: ExchangeObserver
  /** More /nwa/ endpoints, served whether or not `control` is on (`GET /nwa/grade`). */
  controlRoutes?: ControlRoutes
}

export const defaults = {
  maxBody: 50 * 1024 * 1024,
  maxCount: 10_000,
  authSchemes: ['Negotiate', 'NTLM', 'Digest', 'Basic'] as SchemeName[],
  realm: 'Netwrix Auditor',
  serverName: 'NWA-MOCK',
  requestJournalCapacity: journalDefaults.entries,
  requestJournalBytes: journalDefaults.bytes,
  drainMs: 10_000,
  headerTimeoutMs: 120_000,
} as const
