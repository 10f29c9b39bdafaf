// Server-side failures on demand, so client authors can exercise their retry and error paths
// against the mock. Pure: the plan turns settings and a seed into a deterministic sequence of
// decisions; the HTTP layer applies them (delay, status and ErrorList body, or a dropped socket).
//
// Wording. Verbatim from the documentation:
//   - 'Netwrix Auditor license has expired.'  api/responsestatuscodes.md, 500 row, write column
//     (the read column spells it 'Netwrix Auditorlicense has expired.', an evident typo, so the
//     write column's spelling is used for both operations).
//   - 'Internal error occurred.'  api/responsestatuscodes.md, 500 row, both columns.
//   - The Archive Service sentences: api/responsestatuscodes.md, 500 row (read) and 503 row (write).
//   - The Audit Database description beginning 0x80040C0A: api/errordetails.md, third example.
// The mock's own choice: the Category 'ServerError' for the license, Archive Service and
// fault-rate errors. The documentation shows a body for these only as prose, and 'ServerError'
// is the one category it shows on a 500 (api/errordetails.md), so the mock reuses it.

import { createPrng } from '../openapi/prng.ts'

export interface FaultSettings {
  /** 500 ServerError on every endpoint. */
  licenseExpired: boolean
  /** 500 ServerError with the documented 0x80040C0A description. */
  auditDatabaseUnreachable: boolean
  /** Write: 503 while 'busy' or 'unreachable'. Read: 500 ServerError while 'unreachable'. */
  archiveService: 'ok' | 'busy' | 'unreachable'
  /** Added delay in whole milliseconds, fixed or drawn uniformly from min..max inclusive. */
  latencyMs: number | { min: number; max: number }
  /** 0..1: that fraction of requests fails with 500 ServerError 'Internal error occurred.' */
  faultRate: number
  /** 0..1: that fraction of requests has its connection closed mid-response. */
  dropConnectionRate: number
  seed: number
}

export const noFaults: FaultSettings = Object.freeze({
  licenseExpired: false,
  auditDatabaseUnreachable: false,
  archiveService: 'ok',
  latencyMs: 0,
  faultRate: 0,
  dropConnectionRate: 0,
  seed: 0,
})

export type OperationKind = 'read' | 'write'

export interface ServerErrorDetail {
  Category: 'ServerError'
  Description: string
}

export type FaultDecision =
  | { kind: 'none'; delayMs: number }
  | { kind: 'error'; delayMs: number; status: 500 | 503; error?: ServerErrorDetail; reason: string }
  | { kind: 'drop'; delayMs: number; reason: string }

export interface FaultPlan {
  decide(operation: OperationKind): FaultDecision
  settings(): FaultSettings
}

export const LICENSE_EXPIRED_DESCRIPTION = 'Netwrix Auditor license has expired.'
export const AUDIT_DATABASE_UNREACHABLE_DESCRIPTION =
  '0x80040C0A SQL Server cannot be contacted, connection is lost (0x80004005 [DBNETLIB][ConnectionOpen (Connect())] SQL Server does not exist or access denied.) [0x00007FFDCC06BBC8,0x00007FFDB99EF4BA; 0x00007FFDB99BEEEF,0x00007FFDB99EF4DC]'
export const ARCHIVE_UNREACHABLE_READ_DESCRIPTION =
  'The Netwrix Auditor Archive Service is unreachable. Try restarting the service on the computer that hosts Netwrix Auditor Server.'
export const ARCHIVE_BUSY_WRITE_DESCRIPTION =
  'The Netwrix Auditor Archive Service is busy or unreachable. Try restarting the service on the computer that hosts Netwrix Auditor Server.'
export const INTERNAL_ERROR_DESCRIPTION = 'Internal error occurred.'

/** setTimeout clamps anything larger to 1 ms, so a larger latency would silently mean none. */
const MAX_LATENCY_MS = 2_147_483_647

const KEYS: ReadonlyArray<keyof FaultSettings> = [
  'licenseExpired',
  'auditDatabaseUnreachable',
  'archiveService',
  'latencyMs',
  'faultRate',
  'dropConnectionRate',
  'seed',
]

function serverError(status: 500 | 503, description: string, reason: string, delayMs: number): FaultDecision {
  return { kind: 'error', delayMs, status, error: { Category: 'ServerError', Description: description }, reason }
}

export function createFaultPlan(settings: FaultSettings): FaultPlan {
  const checked = parseFaultSettings(settings, noFaults)
  if (!checked.ok) throw new Error(`invalid fault settings: ${checked.errors.join('; ')}`)
  const frozen = checked.settings
  const { next } = createPrng(frozen.seed)

  return {
    settings: () => ({ ...frozen, latencyMs: copyLatency(frozen.latencyMs) }),
    decide(operation) {
      // Always three draws per request, whatever fires, so switching a fixed fault on or off
      // does not shift the random sequence of the requests that follow.
      const latencyDraw = next()
      const faultDraw = next()
      const dropDraw = next()
      const latency = frozen.latencyMs
      const delayMs = typeof latency === 'number' ? latency : latency.min + Math.floor(latencyDraw * (latency.max - latency.min + 1))

      // Precedence follows where each failure sits on the request path. The licence is checked
      // before any work is done, so it masks everything. Every operation then goes through the
      // Audit Database (writes land there first, reads come from it: api/responsestatuscodes.md,
      // 200 row), so its loss masks the Archive Service, which only matters after that. The
      // random faults come last so that a configured fixed fault is always observed as set.
      if (frozen.licenseExpired) {
        return serverError(500, LICENSE_EXPIRED_DESCRIPTION, 'licenseExpired', delayMs)
      }
      if (frozen.auditDatabaseUnreachable) {
        return serverError(500, AUDIT_DATABASE_UNREACHABLE_DESCRIPTION, 'auditDatabaseUnreachable', delayMs)
      }
      if (frozen.archiveService !== 'ok') {
        const reason = `archiveService=${frozen.archiveService}`
        // The 503 row names no empty body (unlike the 401, 404, 405 and 413 rows, which say so),
        // and the page ends "Most failed requests contain error in the response body (except
        // those with empty body, e.g., 404, 405)", so the 503 carries an ErrorList.
        if (operation === 'write') return serverError(503, ARCHIVE_BUSY_WRITE_DESCRIPTION, reason, delayMs)
        // The read column lists only an unreachable Archive Service, so a busy one lets reads through.
        if (frozen.archiveService === 'unreachable') {
          return serverError(500, ARCHIVE_UNREACHABLE_READ_DESCRIPTION, reason, delayMs)
        }
      }
      if (faultDraw < frozen.faultRate) {
        return serverError(500, INTERNAL_ERROR_DESCRIPTION, 'faultRate', delayMs)
      }
      if (dropDraw < frozen.dropConnectionRate) {
        return { kind: 'drop', delayMs, reason: 'dropConnectionRate' }
      }
      return { kind: 'none', delayMs }
    },
  }
}

function copyLatency(latency: FaultSettings['latencyMs']): FaultSettings['latencyMs'] {
  return typeof latency === 'number' ? latency : { min: latency.min, max: latency.max }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describeValue(value: unknown): string {
  return value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value))
}

function isLatencyValue(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_LATENCY_MS
}

function checkLatency(value: unknown, errors: string[]): FaultSettings['latencyMs'] | undefined {
  const rule = `a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}`
  if (typeof value === 'number') {
    if (isLatencyValue(value)) return value
    errors.push(`latencyMs: must be ${rule} (got ${describeValue(value)})`)
    return undefined
  }
  if (!isRecord(value)) {
    errors.push(`latencyMs: must be a number or { "min": number, "max": number } (got ${describeValue(value)})`)
    return undefined
  }
  const before = errors.length
  for (const key of Object.keys(value)) {
    if (key !== 'min' && key !== 'max') errors.push(`latencyMs.${key}: unknown key (expected min and max)`)
  }
  for (const key of ['min', 'max'] as const) {
    if (!isLatencyValue(value[key])) errors.push(`latencyMs.${key}: must be ${rule} (got ${describeValue(value[key])})`)
  }
  if (errors.length > before) return undefined
  const min = value.min as number
  const max = value.max as number
  if (min > max) {
    errors.push(`latencyMs: min (${min}) must not exceed max (${max})`)
    return undefined
  }
  return { min, max }
}

function checkRate(key: 'faultRate' | 'dropConnectionRate', value: unknown, errors: string[]): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1) return value
  errors.push(`${key}: must be a number from 0 to 1 (got ${describeValue(value)})`)
  return undefined
}

function checkBoolean(key: 'licenseExpired' | 'auditDatabaseUnreachable', value: unknown, errors: string[]): boolean | undefined {
  if (typeof value === 'boolean') return value
  errors.push(`${key}: must be true or false (got ${describeValue(value)})`)
  return undefined
}

/**
 * Validates a JSON patch (from CLI flags or the control endpoint) and applies it over `base`.
 * Only JSON types are accepted; the CLI converts its strings first (see parseLatency).
 */
export function parseFaultSettings(input: unknown, base: FaultSettings = noFaults): { ok: true; settings: FaultSettings } | { ok: false; errors: string[] } {
  if (!isRecord(input)) {
    return { ok: false, errors: [`fault settings must be a JSON object (got ${describeValue(input)})`] }
  }
  const errors: string[] = []
  const settings: FaultSettings = { ...base, latencyMs: copyLatency(base.latencyMs) }
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case 'licenseExpired':
      case 'auditDatabaseUnreachable': {
        const flag = checkBoolean(key, value, errors)
        if (flag !== undefined) settings[key] = flag
        break
      }
      case 'archiveService':
        if (value === 'ok' || value === 'busy' || value === 'unreachable') settings.archiveService = value
        else errors.push(`archiveService: must be "ok", "busy" or "unreachable" (got ${describeValue(value)})`)
        break
      case 'latencyMs': {
        const latency = checkLatency(value, errors)
        if (latency !== undefined) settings.latencyMs = latency
        break
      }
      case 'faultRate':
      case 'dropConnectionRate': {
        const rate = checkRate(key, value, errors)
        if (rate !== undefined) settings[key] = rate
        break
      }
      case 'seed':
        // Any safe integer; the generator reduces it to 32 bits.
        if (typeof value === 'number' && Number.isSafeInteger(value)) settings.seed = value
        else errors.push(`seed: must be an integer (got ${describeValue(value)})`)
        break
      default:
        errors.push(`${key}: unknown key (expected one of ${KEYS.join(', ')})`)
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, settings }
}

/** The CLI form: '250' for a fixed delay, '100-400' for a range; undefined when not valid. */
export function parseLatency(text: string): number | { min: number; max: number } | undefined {
  const fixed = /^\s*(\d+)\s*$/.exec(text)
  if (fixed) {
    const value = Number(fixed[1])
    return isLatencyValue(value) ? value : undefined
  }
  const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text)
  if (range) {
    const min = Number(range[1])
    const max = Number(range[2])
    return isLatencyValue(min) && isLatencyValue(max) && min <= max ? { min, max } : undefined
  }
  return undefined
}
