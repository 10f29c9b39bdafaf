import type { SchemeName } from '../mock/auth/types.ts'
import { noFaults, parseFaultSettings, parseLatency, type FaultSettings } from '../mock/faults.ts'
import type { RunningMock, ServeOptions } from '../mock/server.ts'

export interface MockFlags {
  host: string
  port: string
  tls: boolean
  cert?: string
  key?: string
  directory?: string
  seed: string
  dataDir?: string
  maxBody?: string
  maxCount?: string
  auth?: string
  ntlmV1?: boolean
  control?: boolean
  licenseExpired?: boolean
  auditDbUnreachable?: boolean
  archive?: string
  latency?: string
  faultRate?: string
  dropRate?: string
  faultSeed?: string
}

const schemeNames: Record<string, SchemeName> = { negotiate: 'Negotiate', ntlm: 'NTLM', digest: 'Digest', basic: 'Basic' }

/** Turns `nwa mock` flags into server options; every mistake is reported at once, naming its flag. */
export function mockOptionsFromFlags(flags: MockFlags): { ok: true; options: ServeOptions } | { ok: false; errors: string[] } {
  const errors: string[] = []
  const positive = (name: string, text: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    if (text === undefined) return undefined
    const value = Number(text)
    if (!/^\d+$/.test(text) || value < 1 || value > max) errors.push(`${name} must be a whole number from 1 to ${max}, not '${text}'`)
    return value
  }
  const port = Number(flags.port)
  if (!/^\d+$/.test(flags.port) || port > 65535) errors.push(`--port must be 0..65535, not '${flags.port}'`)
  let authSchemes: SchemeName[] | undefined
  if (flags.auth !== undefined) {
    authSchemes = flags.auth
      .split(',')
      .map((word) => word.trim().toLowerCase())
      .filter(Boolean)
      .map((word) => {
        const scheme = schemeNames[word]
        if (!scheme) errors.push(`--auth: unknown scheme '${word}' (Negotiate, NTLM, Digest, Basic)`)
        return scheme as SchemeName
      })
    if (!authSchemes.length) errors.push('--auth needs at least one scheme')
  }
  const faultPatch: Partial<FaultSettings> = {}
  if (flags.licenseExpired) faultPatch.licenseExpired = true
  if (flags.auditDbUnreachable) faultPatch.auditDatabaseUnreachable = true
  if (flags.archive !== undefined) faultPatch.archiveService = flags.archive as FaultSettings['archiveService']
  if (flags.latency !== undefined) {
    const latency = parseLatency(flags.latency)
    if (latency === undefined) errors.push(`--latency takes milliseconds or a range such as 100-400, not '${flags.latency}'`)
    else faultPatch.latencyMs = latency
  }
  if (flags.faultRate !== undefined) faultPatch.faultRate = Number(flags.faultRate)
  if (flags.dropRate !== undefined) faultPatch.dropConnectionRate = Number(flags.dropRate)
  if (flags.faultSeed !== undefined) faultPatch.seed = Number(flags.faultSeed)
  const faults = parseFaultSettings(faultPatch, noFaults)
  if (!faults.ok) errors.push(...faults.errors.map((error) => `fault flags: ${error}`))
  const maxBody = positive('--max-body', flags.maxBody)
  const maxCount = positive('--max-count', flags.maxCount)
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
      dataDir: flags.dataDir,
      maxBody,
      maxCount,
      authSchemes,
      allowNtlmV1: flags.ntlmV1 ?? false,
      control: flags.control ?? false,
      faults: faults.ok ? faults.settings : noFaults,
    },
  }
}

/** The start banner: where it listens, who can log in, and one request to try. */
export function banner(running: RunningMock): string {
  const { app, url, certificate } = running
  const insecure = url.startsWith('https') ? ' -k' : ''
  const lines = [
    `nwa mock: Netwrix Auditor Integration API v1 reference server`,
    `  listening   ${url}${app.contract.basePath}`,
    `  auth        ${app.options.authSchemes.join(', ')}`,
    `  records     ${app.state.database.size()} in the Audit Database, ${app.state.archiveCount()} in the Long-Term Archive`,
  ]
  if (app.recovered.truncatedBytes) lines.push(`  recovery    cut ${app.recovered.truncatedBytes} bytes of a torn last journal entry`)
  if (certificate) {
    lines.push(`  certificate ${certificate.created ? 'created ' : ''}${certificate.certPath ?? ''}`)
    lines.push(`  SHA-256     ${certificate.fingerprint256}`)
  }
  lines.push('  accounts (demo password NetwrixIsCool unless your directory says otherwise):')
  for (const user of app.directory.users()) lines.push(`    ${user.account.padEnd(28)} ${user.roles.join(', ') || 'no role'}`)
  lines.push('  try:')
  lines.push(`    curl${insecure} -u 'ENTERPRISE\\NetwrixUser:NetwrixIsCool' '${url}${app.contract.basePath}/activity_records/enum?format=json&count=2'`)
  lines.push('  Ctrl-C stops it.')
  return lines.join('\n')
}
