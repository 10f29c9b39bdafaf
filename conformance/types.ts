import type { Contract } from '../openapi/contract.ts'
import type { RequirementLevel } from '../openapi/requirements.ts'
import type { PayloadCodec, WireFormat } from '../openapi/payload.ts'

/** The accounts a config file can name; a check that needs one that is missing is skipped with that reason. */
export type AccountRole = 'administrator' | 'reviewer' | 'scopedReviewer' | 'contributor' | 'configurator' | 'noAccess'

export interface Account {
  user: string
  password: string
  /** For scopedReviewer: the monitoring plans its scope covers. */
  monitoringPlans?: string[]
  /** The environment variable the password came from; reproductions (curl) name it instead of the password. */
  passwordVar?: string
}

/** A Windows group and accounts known to be in it, for the InGroup / NotInGroup operators. */
export interface GroupFixture {
  inGroup: string
  members: string[]
}

export type AuthMode = 'basic' | 'digest' | 'ntlm' | 'auto'

export interface HttpRequestSpec {
  method: string
  /** Below the API prefix, with any query string: '/activity_records/enum?format=json&count=5'. */
  path: string
  headers?: Record<string, string>
  body?: string | Buffer
  /** Who sends it: an account role, or null for no credentials at all. */
  as: AccountRole | null
  /** Override the password (wrong-password checks). */
  password?: string
  /** Force one scheme for this request instead of the run's --auth. */
  auth?: AuthMode
}

export interface RecordedRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
}

export interface RecordedResponse {
  status: number
  headers: Record<string, string>
  body: string
  /** Over TLS: the names the server's certificate gives itself. */
  certificate?: CertificateNames
}

/** The host names a TLS certificate carries, as Node reports them. */
export interface CertificateNames {
  /** The subject's CN, when it has one. */
  commonName?: string
  /** As Node prints the extension: `DNS:host, IP Address:127.0.0.1`. */
  subjectAltName?: string
}

/** One request and its response, as evidence. Bodies are kept whole here; reporters trim them. */
export interface Exchange {
  request: RecordedRequest
  response: RecordedResponse
  durationMs: number
}

export interface RunOptions {
  write: boolean
  destructive: boolean
  auth: AuthMode
  /** The most pages a pagination check follows before it calls the server endless. */
  maxPages: number
}

export interface CheckContext {
  contract: Contract
  codec: PayloadCodec
  /** Full URL of the API prefix, e.g. https://host:9699/netwrix/api/v1. */
  apiBase: string
  accounts: Partial<Record<AccountRole, Account>>
  options: RunOptions
  /** From the config file's `groups`; absent when none is configured. */
  groups?: GroupFixture
  /**
   * The authentication schemes this deployment is meant to offer, lower-case (config `expectedSchemes`);
   * absent means every documented scheme (openapi/DECISIONS.md D25).
   */
  expectedSchemes?: string[]
  /** Unique per run; records a check writes carry it so that runs against one server do not disturb each other. */
  runMarker: string
  /** The run's clock, ms since the epoch: what a check reads time-dependent answers (timeframes) against. */
  now(): number
  /** Sends a request and records the exchange as this check's evidence. Never throws for an HTTP status. */
  send(request: HttpRequestSpec): Promise<Exchange>
  /** Decodes a body with the contract codec (convenience over codec.decode). */
  format(exchange: Exchange): WireFormat
  /** Values shared between checks of one run (e.g. a data set written once); computed on first use. */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>
  /** A note for the evidence that is not an exchange (e.g. the oracle's expected RIDs). */
  note(text: string): void
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'error'

/** What a check's run returns; the runner turns a SHOULD/MAY fail into warn and a throw into error. */
export interface CheckVerdict {
  status: 'pass' | 'fail' | 'skip'
  message: string
  /**
   * On a skip: the rule does not apply to this target (a scheme it does not offer), so the check is not a
   * gap in the run. Only a rule that is conditional on the pages' own terms may say so.
   */
  notApplicable?: true
}

export interface CheckNeeds {
  write?: boolean
  destructive?: boolean
  accounts?: AccountRole[]
  /** Needs the config file's `groups` (InGroup / NotInGroup). */
  groups?: boolean
}

export interface Check {
  id: string
  title: string
  level: RequirementLevel
  /** Requirement ids from openapi/requirements.yaml. */
  requirements: string[]
  /**
   * The openapi/DECISIONS.md entry (D24, S1, ...) this check reads where the pages are silent or contradict
   * themselves. Every SHOULD and MAY check names one; a MUST check only where it accepts the decided
   * alternatives besides what a page states.
   */
  decision?: string
  tags: string[]
  /** Category the report groups by: formats, pagination, write, search, validation, errors, auth, fidelity. */
  category: string
  needs?: CheckNeeds
  run(ctx: CheckContext): Promise<CheckVerdict>
}

export const pass = (message: string): CheckVerdict => ({ status: 'pass', message })
export const fail = (message: string): CheckVerdict => ({ status: 'fail', message })
export const skip = (message: string): CheckVerdict => ({ status: 'skip', message })
export const notApplicable = (message: string): CheckVerdict => ({ status: 'skip', message, notApplicable: true })
