/**
 * The I/O around makeBundle: gathers a run's report files, its full evidence, the contract and the configuration,
 * and writes the archive in one rename, so a reader never sees half a bundle. `nwa check --bundle` calls it, and so
 * can any command that writes the same reports (`nwa grade`).
 */
import type { KeyObject } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { Account, AccountRole } from '../types.ts'
import { makeBundle, reportFile } from './bundle.ts'
import { keyId } from './dsse.ts'

export const evidenceFile = 'evidence.ndjson.gz'
export const configFile = 'config.json'

export interface WriteBundleOptions {
  /** Where the archive goes. */
  file: string
  reportDir: string
  /** The report files in reportDir, conformance.json among them. */
  reportNames: readonly string[]
  /** The full evidence, gzipped NDJSON (evidence-file.ts). */
  evidence: Buffer
  contractPath: string
  /** The run's configuration, already without secrets (redactAccounts). */
  config: unknown
  signingKey?: KeyObject
  /** ms since the epoch. */
  now: number
}

/** Accounts as a bundle may show them: who, never a password, nor the variable it came from. */
export function redactAccounts(
  accounts: Partial<Record<AccountRole, Account>>,
): Record<string, { user: string; password: string; monitoringPlans?: string[] }> {
  return Object.fromEntries(
    Object.entries(accounts).map(([role, account]) => [
      role,
      { user: account.user, password: '(removed)', ...(account.monitoringPlans === undefined ? {} : { monitoringPlans: account.monitoringPlans }) },
    ]),
  )
}

export function writeBundle(options: WriteBundleOptions): { bytes: number; keyid?: string } {
  if (!options.reportNames.includes(reportFile)) throw new Error(`a bundle needs ${reportFile} among the reports`)
  const files = [
    ...options.reportNames.map((name) => ({ name, content: readFileSync(join(options.reportDir, name)) })),
    { name: evidenceFile, content: options.evidence },
    { name: `contract/${basename(options.contractPath)}`, content: readFileSync(options.contractPath) },
    { name: configFile, content: Buffer.from(`${JSON.stringify(options.config, null, 2)}\n`) },
  ]
  const archive = makeBundle({ files, time: options.now, ...(options.signingKey === undefined ? {} : { signingKey: options.signingKey }) })
  const partial = `${options.file}.partial`
  writeFileSync(partial, archive)
  renameSync(partial, options.file)
  return { bytes: archive.length, ...(options.signingKey === undefined ? {} : { keyid: keyId(options.signingKey) }) }
}
