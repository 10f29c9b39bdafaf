/**
 * `nwa check` against a target: flags and config in, four report files and an exit code out.
 * 0 CONFORMANT, 1 NOT CONFORMANT, 2 nothing was checked (usage, config, connection, pre-flight; no report),
 * 3 INCOMPLETE (conformance/verdict.ts). Starting the embedded mock when there is no target is the CLI's job.
 */
import type { KeyObject } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contractPath } from '../openapi/load.ts'
import { loadContract } from '../openapi/contract.ts'
import { NwaError } from '../openapi/errors.ts'
import { createPayloadCodec } from '../openapi/payload.ts'
import { defaultSchemes } from './auth/with-auth.ts'
import { createFullEvidenceFile, readPrivateKey, redactAccounts, writeBundle, type FullEvidenceFile } from './bundle/index.ts'
import { parseBaseline, renderBaseline, updateBaseline, type BaselineEntry } from './baseline.ts'
import { loadConfig, mergeConfig, type RunConfig } from './config.ts'
import { codes, ConformanceError } from './errors.ts'
import { createRegistry } from './registry.ts'
import { createConsoleReporter } from './reporters/console.ts'
import { createHtmlReporter } from './reporters/html.ts'
import { createJsonReporter } from './reporters/json.ts'
import { createJunitReporter } from './reporters/junit.ts'
import { createMarkdownReporter } from './reporters/markdown.ts'
import type { Reporter } from './reporters/reporter.ts'
import { runChecks, type FailOn } from './runner.ts'
import type { RunExitCode } from './verdict.ts'
import type { Account, AccountRole, AuthMode, Check, GroupFixture } from './types.ts'

export interface CheckCommandOptions {
  /** scheme://host:port; required here unless the config names one. */
  target?: string
  /** The Global administrator (fills accounts.administrator). */
  user?: string
  /** Literal or env:NAME; default NWA_PASSWORD from the environment. */
  password?: string
  config?: string
  auth?: AuthMode
  insecure?: boolean
  ca?: string
  write?: boolean
  destructive?: boolean
  /** Ids, id prefixes ending in *, tag:NAME or bare tags; commas also separate entries. */
  only?: string[] | string
  skip?: string[] | string
  /** File of accepted failures: a YAML list of { check, reason, expires }, or one check id per line (# comments). */
  baseline?: string
  /** Rewrite the --baseline file with the checks that fail or warn in this run. */
  baselineUpdate?: boolean
  /** Default reports/. */
  reportDir?: string
  failOn?: FailOn
  /** Exit 0 on INCOMPLETE when every MUST check that did not run was skipped for a stated reason. */
  allowIncomplete?: boolean
  /** Default 50. */
  maxPages?: number
  /** Default allChecks from conformance/checks/index.ts. */
  checks?: Check[]
  /** Accounts known to the caller (e.g. the CLI's embedded mock); the config file and --user override them. */
  accounts?: Partial<Record<AccountRole, Account>>
  groups?: GroupFixture
  /** Per request, default 30 s; a number of ms, or a duration (`90s`, `2m`). */
  timeoutMs?: number | string
  /** The whole run, pre-flight included: a duration (`10m`) or ms; none by default. */
  deadline?: string | number
  /** The most bytes read of one response; default 64 MiB. */
  maxResponseBytes?: number
  /** Write a certification bundle here (docs/evidence.md). */
  bundle?: string
  /** PEM Ed25519 private key that signs the bundle; without it the bundle is unsigned and says so. */
  signKey?: string
}

export interface CheckCommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream
  env: Readonly<Record<string, string | undefined>>
  /** ms since the epoch. */
  now: () => number
  random: (bytes: number) => Buffer
}

export const reportFiles = {
  json: 'conformance.json',
  junit: 'junit.xml',
  html: 'report.html',
  markdown: 'summary.md',
} as const

/** The four report files of a run in `reportDir` (reportFiles), as nwa check, nwa grade and passive grading write them. */
export function fileReporters(reportDir: string): Reporter[] {
  return [
    createJsonReporter(join(reportDir, reportFiles.json)),
    createJunitReporter(join(reportDir, reportFiles.junit)),
    createHtmlReporter(join(reportDir, reportFiles.html)),
    createMarkdownReporter(join(reportDir, reportFiles.markdown)),
  ]
}

/** What a command that wrote a bundle says of it, signed or not. */
export function bundleLine(file: string, written: { bytes: number; keyid?: string }): string {
  return `bundle: ${file} (${written.bytes} bytes), ${written.keyid === undefined ? 'UNSIGNED (give --sign-key to sign it)' : `signed with key ${written.keyid}`}\n`
}

/** Where the four reports went. */
export function reportsLine(reportDir: string): string {
  return `reports: ${Object.values(reportFiles)
    .map((file) => join(reportDir, file))
    .join(', ')}\n`
}

/**
 * The end of a run, nwa check's or nwa grade's: the bundle when one was asked for (the four reports beside the full
 * evidence and the configuration, signed when a key is given), then where the reports are.
 */
export function finishRun(
  io: { stdout: NodeJS.WritableStream; now: () => number },
  reportDir: string,
  bundle?: { file: string; evidence: Buffer; config: unknown; signingKey: KeyObject | undefined },
): void {
  if (bundle !== undefined) {
    const written = writeBundle({
      file: bundle.file,
      reportDir,
      reportNames: Object.values(reportFiles),
      evidence: bundle.evidence,
      contractPath,
      config: bundle.config,
      now: io.now(),
      ...(bundle.signingKey === undefined ? {} : { signingKey: bundle.signingKey }),
    })
    io.stdout.write(bundleLine(bundle.file, written))
  }
  io.stdout.write(reportsLine(reportDir))
}

/** A usage, configuration or pre-flight error ends a command with one line and exit 2; anything else is a bug and goes on. */
export function knownErrorExit(error: unknown, command: string, stderr: NodeJS.WritableStream): 2 {
  if (!(error instanceof ConformanceError || error instanceof NwaError)) throw error
  stderr.write(`${command}: ${error.message}\n`)
  return 2
}

const authModes: readonly AuthMode[] = ['basic', 'digest', 'ntlm', 'auto']

function entries(value: string[] | string | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value]
  return list
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

const durationUnits: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `500ms`, `90s`, `10m`, `1h`, or a bare number of seconds, as milliseconds; anything else is a usage error naming the flag. */
export function parseDuration(value: string | number, flag: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(value).trim())
  const ms = match === null ? Number.NaN : Number(match[1]) * durationUnits[match[2] ?? 's']!
  if (!(ms > 0)) throw codes.CONF_ERR_USAGE.create(`${flag} ${String(value)}: expected a duration such as 90s, 10m or 1h`)
  return Math.round(ms)
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw codes.CONF_ERR_USAGE.wrap(error, `${what} ${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** The signing key's PEM; an encrypted one is opened with NWA_SIGN_KEY_PASSPHRASE. */
export function readSigningKey(file: string, env: CheckCommandIo['env']): KeyObject {
  const pem = readText(file, '--sign-key')
  try {
    return readPrivateKey(pem, env['NWA_SIGN_KEY_PASSPHRASE'])
  } catch (error) {
    throw codes.CONF_ERR_USAGE.wrap(
      error,
      `--sign-key ${file}: ${error instanceof Error ? error.message : String(error)} (nwa keygen makes an Ed25519 key pair)`,
    )
  }
}

/** The configuration a bundle carries: what was run and how, without a password. */
function bundleConfig(config: RunConfig, options: CheckCommandOptions, checks: readonly Check[], baseline: BaselineEntry[] | undefined): object {
  return {
    target: config.target,
    accounts: redactAccounts(config.accounts),
    ...(config.groups === undefined ? {} : { groups: config.groups }),
    ...(config.expectedSchemes === undefined ? {} : { expectedSchemes: config.expectedSchemes }),
    options: {
      auth: options.auth ?? 'auto',
      write: options.write === true,
      destructive: options.destructive === true,
      insecure: options.insecure === true,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      failOn: options.failOn ?? 'must',
      allowIncomplete: options.allowIncomplete === true,
      maxPages: options.maxPages ?? 50,
      only: entries(options.only),
      skip: entries(options.skip),
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
      ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
    },
    checks: checks.map((check) => check.id),
    ...(baseline === undefined ? {} : { baseline }),
  }
}

/** The --baseline file; with --baseline-update a file that does not exist yet is an empty baseline. */
function readBaseline(options: CheckCommandOptions): BaselineEntry[] | undefined {
  if (options.baseline === undefined) return undefined
  if (options.baselineUpdate && !existsSync(options.baseline)) return []
  return parseBaseline(readText(options.baseline, '--baseline'), options.baseline)
}

async function defaultChecks(): Promise<Check[]> {
  const index = new URL('./checks/index.ts', import.meta.url).href
  try {
    return ((await import(index)) as { allChecks: Check[] }).allChecks
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('checks/index.ts')) {
      throw codes.CONF_ERR_USAGE.create('no checks: conformance/checks/index.ts does not exist')
    }
    throw error
  }
}

function resolveConfig(options: CheckCommandOptions, env: CheckCommandIo['env']): RunConfig {
  const fromFile = options.config === undefined ? undefined : loadConfig(options.config, env)
  const base: RunConfig = { ...fromFile, accounts: { ...options.accounts, ...fromFile?.accounts } }
  const groups = fromFile?.groups ?? options.groups
  if (groups !== undefined) base.groups = groups
  if (fromFile?.expectedSchemes !== undefined) base.expectedSchemes = fromFile.expectedSchemes
  const flags: { target?: string; user?: string; password?: string } = {}
  if (options.target !== undefined) flags.target = options.target
  if (options.user !== undefined) flags.user = options.user
  if (options.password !== undefined) flags.password = options.password
  return mergeConfig(base, flags, env)
}

export async function runCheckCommand(options: CheckCommandOptions, io: CheckCommandIo): Promise<RunExitCode | 2> {
  let scratch: string | undefined
  let fullEvidence: FullEvidenceFile | undefined
  try {
    const auth = options.auth ?? 'auto'
    if (!authModes.includes(auth)) throw codes.CONF_ERR_USAGE.create(`--auth ${String(auth)}: expected one of ${authModes.join(', ')}`)
    const schemes = defaultSchemes(io.random, io.now)
    const failOn = options.failOn ?? 'must'
    if (failOn !== 'must' && failOn !== 'warn') throw codes.CONF_ERR_USAGE.create(`--fail-on ${String(failOn)}: expected must or warn`)
    const maxPages = options.maxPages ?? 50
    if (!Number.isInteger(maxPages) || maxPages < 1) throw codes.CONF_ERR_USAGE.create(`--max-pages ${String(maxPages)}: expected a positive whole number`)

    const deadlineMs = options.deadline === undefined ? undefined : parseDuration(options.deadline, '--deadline')
    const timeoutMs = options.timeoutMs === undefined ? undefined : parseDuration(options.timeoutMs, '--timeout')
    const maxResponseBytes = options.maxResponseBytes
    if (maxResponseBytes !== undefined && !(Number.isInteger(maxResponseBytes) && maxResponseBytes > 0)) {
      throw codes.CONF_ERR_USAGE.create(`--max-response ${String(maxResponseBytes)}: expected a positive whole number of bytes`)
    }
    if (options.signKey !== undefined && options.bundle === undefined) throw codes.CONF_ERR_USAGE.create('--sign-key signs a bundle: give --bundle FILE too')
    const signingKey = options.signKey === undefined ? undefined : readSigningKey(options.signKey, io.env)
    const config = resolveConfig(options, io.env)
    if (config.target === undefined) throw codes.CONF_ERR_USAGE.create('no target: give --target https://host:9699 or "target" in --config')
    const registry = createRegistry(options.checks ?? (await defaultChecks()))
    const checks = registry.select({ only: entries(options.only), skip: entries(options.skip) })
    if (options.baselineUpdate && options.baseline === undefined)
      throw codes.CONF_ERR_USAGE.create('--baseline-update needs --baseline FILE: the file it writes')
    const baseline = readBaseline(options)
    for (const entry of baseline ?? []) {
      if (registry.get(entry.check) === undefined) io.stderr.write(`nwa check: baseline names ${entry.check}, which is not a check\n`)
    }
    const ca = options.ca === undefined ? undefined : readText(options.ca, '--ca')

    const contract = await loadContract()
    const reportDir = options.reportDir ?? 'reports'
    if (options.bundle !== undefined) {
      scratch = mkdtempSync(join(tmpdir(), 'nwa-bundle-'))
      fullEvidence = createFullEvidenceFile(join(scratch, 'evidence.ndjson'))
    }
    const reporters = [createConsoleReporter({ stream: io.stdout, env: io.env }), ...fileReporters(reportDir)]
    const result = await runChecks(
      {
        checks,
        coverageChecks: registry.all(),
        context: {
          apiBase: config.target,
          contract,
          codec: createPayloadCodec(contract),
          accounts: config.accounts,
          ...(config.groups === undefined ? {} : { groups: config.groups }),
          ...(config.expectedSchemes === undefined ? {} : { expectedSchemes: config.expectedSchemes }),
          transport: {
            insecure: options.insecure === true,
            ...(ca === undefined ? {} : { ca, caFile: options.ca }),
            ...(timeoutMs === undefined ? {} : { timeoutMs }),
            ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }),
          },
          now: io.now,
          random: io.random,
          schemes,
        },
        options: { write: options.write === true, destructive: options.destructive === true, auth, maxPages },
        ...(baseline === undefined ? {} : { baseline }),
        failOn,
        allowIncomplete: options.allowIncomplete === true,
        ...(deadlineMs === undefined ? {} : { deadlineAt: io.now() + deadlineMs }),
        ...(fullEvidence === undefined ? {} : { evidenceSink: fullEvidence }),
      },
      (event) => {
        for (const reporter of reporters) reporter.onEvent(event)
      },
    )
    for (const reporter of reporters) await reporter.finish(result)
    if (options.baselineUpdate && options.baseline !== undefined) {
      const updated = updateBaseline(baseline ?? [], result.checks, io.now())
      writeFileSync(options.baseline, renderBaseline(updated))
      io.stdout.write(`baseline: wrote ${updated.length} entries (the checks that fail or warn now) to ${options.baseline}\n`)
    }
    finishRun(
      io,
      reportDir,
      options.bundle === undefined || fullEvidence === undefined
        ? undefined
        : { file: options.bundle, evidence: fullEvidence.finish(), config: bundleConfig(config, options, checks, baseline), signingKey },
    )
    return result.exitCode
  } catch (error) {
    return knownErrorExit(error, 'nwa check', io.stderr)
  } finally {
    fullEvidence?.discard()
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true })
  }
}
