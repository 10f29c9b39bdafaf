import pc from 'picocolors'
import type { SchemeName } from '../mock/auth/types.ts'
import { codes } from '../mock/errors.ts'
import { noFaults, parseFaultSettings, parseLatency, type FaultSettings } from '../mock/faults.ts'
import { formatJsonLine, formatPrettyLine, type RequestEntry } from '../mock/request-journal.ts'
import { CONTROL_TOKEN_VARIABLE, isOpenControlRoute, tokenProblem } from '../mock/control-access.ts'
import { defectCatalogue } from '../mock/defects/index.ts'
import { chooseDecorators } from '../mock/pipeline/decorate.ts'
import { passiveScenario } from './grade/passive.ts'
import type { RunningMock, ServeOptions } from '../mock/server.ts'
import type { StoreCounts } from '../mock/state/store.ts'
import { describeStoreSpec, parseStoreSpec } from '../mock/state/open-store.ts'
import type { NwaError } from '../openapi/errors.ts'

export interface MockFlags {
  host: string
  port: string
  tls: boolean
  cert?: string
  key?: string
  directory?: string
  seed: string
  /** 'memory' or a postgres:// URL (--store, NWA_STORE). */
  store?: string
  dataDir?: string
  maxBody?: string
  maxCount?: string
  journalEntries?: string
  journalBytes?: string
  headerTimeout?: string
  auth?: string
  ntlmV1?: boolean
  control?: boolean
  /** From --control-token or NWA_CONTROL_TOKEN (commander reads the variable). */
  controlToken?: string
  licenseExpired?: boolean
  auditDbUnreachable?: boolean
  archive?: string
  latency?: string
  faultRate?: string
  dropRate?: string
  faultSeed?: string
  log: 'pretty' | 'json'
  quiet?: boolean
  /** Seeded defects to switch on, comma-separated. */
  defect?: string
  /** Passive grading: true, or the scenario to grade under (docs/grading.md). */
  grade?: string | boolean
  /** Where passive grading writes its reports. */
  gradeReportDir?: string
  timeScale?: string
}

/** The fault settings' keys as the flags that set them, so an error names what the user typed. */
const faultFlags: Record<string, string> = {
  licenseExpired: '--license-expired',
  auditDatabaseUnreachable: '--audit-db-unreachable',
  archiveService: '--archive',
  latencyMs: '--latency',
  faultRate: '--fault-rate',
  dropConnectionRate: '--drop-rate',
  seed: '--fault-seed',
}

const schemeNames: Record<string, SchemeName> = { negotiate: 'Negotiate', ntlm: 'NTLM', digest: 'Digest', basic: 'Basic' }

/** Turns `nwa mock` flags into server options; every mistake is reported at once, naming its flag. */
export function mockOptionsFromFlags(flags: MockFlags): { ok: true; options: ServeOptions } | { ok: false; errors: string[] } {
  const errors: string[] = []
  const positive = (name: string, text: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    if (text === undefined) return undefined
    const value = Number(text)
    if (!/^\d+$/.test(text) || value < 1 || value > max) errors.push(`${name} ${text}: must be a whole number from 1 to ${max}`)
    return value
  }
  const port = Number(flags.port)
  if (!/^\d+$/.test(flags.port) || port > 65535) errors.push(`--port ${flags.port}: must be a whole number from 0 to 65535`)
  let authSchemes: SchemeName[] | undefined
  if (flags.auth !== undefined) {
    authSchemes = flags.auth
      .split(',')
      .map((word) => word.trim().toLowerCase())
      .filter(Boolean)
      .map((word) => {
        const scheme = schemeNames[word]
        if (!scheme) errors.push(`--auth ${flags.auth}: unknown scheme '${word}' (Negotiate, NTLM, Digest, Basic)`)
        return scheme as SchemeName
      })
    if (!authSchemes.length) errors.push(`--auth ${flags.auth}: needs at least one scheme`)
  }
  const faultPatch: Partial<FaultSettings> = {}
  if (flags.licenseExpired) faultPatch.licenseExpired = true
  if (flags.auditDbUnreachable) faultPatch.auditDatabaseUnreachable = true
  if (flags.archive !== undefined) faultPatch.archiveService = flags.archive as FaultSettings['archiveService']
  if (flags.latency !== undefined) {
    const latency = parseLatency(flags.latency)
    if (latency === undefined) errors.push(`--latency ${flags.latency}: takes milliseconds or a range such as 100-400`)
    else faultPatch.latencyMs = latency
  }
  if (flags.faultRate !== undefined) faultPatch.faultRate = Number(flags.faultRate)
  if (flags.dropRate !== undefined) faultPatch.dropConnectionRate = Number(flags.dropRate)
  if (flags.faultSeed !== undefined) faultPatch.seed = Number(flags.faultSeed)
  const faults = parseFaultSettings(faultPatch, noFaults)
  if (!faults.ok) errors.push(...faults.errors.map((error) => error.replace(/^(\w+)(\.\w+)?:/, (_match, key: string) => `${faultFlags[key] ?? key}:`)))
  const defectsOn = (flags.defect ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  const chosen = chooseDecorators(defectCatalogue, defectsOn)
  if (!chosen.ok) errors.push(...chosen.errors.map((error) => `--defect ${flags.defect}: ${error} (nwa selftest --list names them)`))
  if (flags.store !== undefined && parseStoreSpec(flags.store) === undefined) {
    errors.push(`--store ${describeStoreText(flags.store)}: takes memory or a postgres://user@host:port/db URL`)
  }
  if (flags.controlToken !== undefined) {
    // The token is a secret: a mistake names the option, never the value.
    if (!flags.control) errors.push(`--control-token (or ${CONTROL_TOKEN_VARIABLE}): needs --control, the endpoints it guards`)
    const problem = tokenProblem(flags.controlToken)
    if (problem) errors.push(`--control-token (or ${CONTROL_TOKEN_VARIABLE}): ${problem}`)
  }
  if (flags.grade !== undefined) {
    const scenario = passiveScenario(flags.grade)
    if (!scenario.ok) errors.push(scenario.error)
    if (defectsOn.length > 0) errors.push(`--grade with --defect ${flags.defect}: a graded connector meets the clean server and the scenario's trouble only`)
    const scale = Number(flags.timeScale ?? '1')
    if (!(scale > 0 && scale <= 100)) errors.push(`--time-scale ${flags.timeScale}: expected a number above 0, at most 100`)
  }
  const maxBody = positive('--max-body', flags.maxBody)
  const maxCount = positive('--max-count', flags.maxCount)
  const requestJournalCapacity = positive('--journal-entries', flags.journalEntries)
  const requestJournalBytes = positive('--journal-bytes', flags.journalBytes)
  const headerTimeoutMs = positive('--header-timeout', flags.headerTimeout)
  if (errors.length) return { ok: false, errors }
  return {
    ok: true,
    options: {
      host: flags.host,
      port,
      tls: flags.tls,
      certFile: flags.cert,
      keyFile: flags.key,
      directoryFile: flags.directory,
      seed: flags.seed,
      ...(flags.store !== undefined && { store: flags.store }),
      dataDir: flags.dataDir,
      maxBody,
      maxCount,
      requestJournalCapacity,
      requestJournalBytes,
      headerTimeoutMs,
      authSchemes,
      allowNtlmV1: flags.ntlmV1 ?? false,
      control: flags.control ?? false,
      controlToken: flags.controlToken,
      faults: faults.ok ? faults.settings : noFaults,
      // Always handed over, so the control endpoints can switch them while the server runs.
      defects: defectCatalogue,
      defectsOn,
    },
  }
}

/** The start banner: where it listens, who can log in, the control endpoints when they are on, and one request to try. */
export function banner(running: RunningMock, counts: StoreCounts): string {
  const { app, url, certificate } = running
  const insecure = url.startsWith('https') ? ' -k' : ''
  const lines = [
    `nwa mock: Netwrix Auditor Integration API v1 reference server`,
    `  listening   ${url}${app.contract.basePath}`,
    `  auth        ${app.options.authSchemes.join(', ')}`,
    `  store       ${app.store}`,
    `  records     ${counts.records} in the Audit Database, ${counts.archive} in the Long-Term Archive`,
  ]
  const defects = app.defects.on()
  if (defects.length) lines.push(`  defects     ${defects.join(', ')} ON: a deliberately broken server, for nwa selftest`)
  if (app.recovered.truncatedBytes) lines.push(`  recovery    cut ${app.recovered.truncatedBytes} bytes of a torn last journal entry`)
  if (certificate) {
    lines.push(`  certificate ${certificate.created ? 'created ' : ''}${certificate.certPath ?? ''}`)
    lines.push(`  SHA-256     ${certificate.fingerprint256}`)
  }
  lines.push('  accounts (demo password NetwrixIsCool unless your directory says otherwise):')
  for (const user of app.directory.users()) lines.push(`    ${user.account.padEnd(28)} ${user.roles.join(', ') || 'no role'}`)
  if (app.control) lines.push(...controlLines(running))
  lines.push('  try:')
  lines.push(`    curl${insecure} -u 'ENTERPRISE\\NetwrixUser:NetwrixIsCool' '${url}${app.contract.basePath}/activity_records/enum?format=json&count=2'`)
  lines.push('  Ctrl-C stops it.')
  return lines.join('\n')
}

/** The control endpoints, and what it takes to use them (docs/control.md). */
function controlLines(running: RunningMock): string[] {
  const endpoints = running.app.control?.endpoints ?? []
  const token = running.controlToken
  const lines = [
    token
      ? '  control endpoints (token required, as Authorization: Bearer <token>):'
      : '  control endpoints (no token: they answer only requests that name a loopback host):',
  ]
  for (const endpoint of endpoints) {
    lines.push(`    ${endpoint.route.padEnd(28)} ${endpoint.does}${token && isOpenControlRoute(endpoint.route) ? ' (no token needed)' : ''}`)
  }
  lines.push(`  inspector   ${running.url}/nwa/${token ? '  (a browser signs in with the control token)' : ''}`)
  if (token?.generated) {
    lines.push(`  control token ${token.value}`)
    lines.push(`                (made for this start, as the server listens beyond loopback; give your own with --control-token or ${CONTROL_TOKEN_VARIABLE})`)
  } else if (token) lines.push(`  control token given (--control-token or ${CONTROL_TOKEN_VARIABLE})`)
  return lines
}

/** Where the request journal goes as requests end: pretty lines (coloured on a TTY), NDJSON, or nowhere. */
export function requestPrinter(
  flags: Pick<MockFlags, 'log' | 'quiet'>,
  stdout: NodeJS.WritableStream & { isTTY?: boolean },
): ((entry: RequestEntry) => void) | undefined {
  if (flags.quiet) return undefined
  if (flags.log === 'json') return (entry) => stdout.write(`${formatJsonLine(entry)}\n`)
  const colours = pc.createColors(stdout.isTTY === true && !('NO_COLOR' in process.env))
  return (entry) => stdout.write(`${formatPrettyLine(entry, colours)}\n`)
}

/** The start-up failure, worded with the option that caused it, for one line on stderr. */
export function describeStartFailure(error: NwaError, flags: MockFlags): string {
  const option: Record<string, string | undefined> = {
    [codes.MOCK_ERR_DIRECTORY.code]: flags.directory === undefined ? undefined : `--directory ${flags.directory}`,
    [codes.MOCK_ERR_SEED.code]: `--seed ${flags.seed}`,
    [codes.MOCK_ERR_LISTEN.code]: `--host ${flags.host} --port ${flags.port}`,
  }
  const named = option[error.code]
  return named ? `${named}: ${error.message}` : error.message
}

/** A --store value as an error may quote it: a URL's password masked, anything else cut to a short excerpt. */
function describeStoreText(text: string): string {
  const spec = parseStoreSpec(text)
  if (spec !== undefined) return describeStoreSpec(spec)
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}
