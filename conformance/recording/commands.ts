/**
 * `nwa record` and `nwa replay`: flags in, the proxy or the replay run, lines and files out. Exit codes: record 0
 * when stopped, 2 for a usage mistake; replay 0 when every replayed answer is the recorded one, 1 when one differs or
 * the target failed to answer, 2 for a usage mistake.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec } from '../../openapi/payload.ts'
import { parseDuration } from '../command.ts'
import { loadConfig, resolveSecret } from '../config.ts'
import { escapeMarkdown } from '../reporters/markdown.ts'
import { packageVersion } from '../meta.ts'
import type { CommandIo } from '../bundle/commands.ts'
import { startRecordingProxy, type RecordingProxy } from './proxy.ts'
import { describeExchange, readHar, replay, type ReplayReport } from './replay.ts'

export interface RecordOptions {
  target: string
  /** Port to listen on; 0 for any. */
  listen: string | number
  host?: string
  out: string
  insecure?: boolean
  ca?: string
  /** Of each body, the recording keeps this many bytes. */
  maxBody?: number
  quiet?: boolean
}

function targetOrigin(text: string, flag: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new Error(`${flag} ${text}: not a URL (expected https://host:9699)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${flag} ${text}: the scheme must be http or https`)
  return url
}

/** Starts the proxy; the caller keeps it until Ctrl-C and closes it. */
export async function startRecord(options: RecordOptions, io: CommandIo): Promise<RecordingProxy | 2> {
  try {
    const target = targetOrigin(options.target, '--target')
    const port = Number(options.listen)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--listen ${String(options.listen)}: expected a port number`)
    const proxy = await startRecordingProxy({
      target: target.origin,
      port,
      ...(options.host === undefined ? {} : { host: options.host }),
      har: options.out,
      ...(options.insecure ? { insecure: true } : {}),
      ...(options.ca === undefined ? {} : { ca: readFileSync(options.ca, 'utf8') }),
      ...(options.maxBody === undefined ? {} : { maxBodyBytes: options.maxBody }),
      creator: { name: 'nwa-kit', version: packageVersion() },
      ...(options.quiet
        ? {}
        : { onExchange: (line) => io.stdout.write(`${line.status} ${line.method} ${line.path}${line.user === undefined ? '' : ` ${line.user}`}\n`) }),
    })
    io.stdout.write(
      `nwa record: ${proxy.url} forwards to ${target.origin} and records into ${options.out} (credentials removed); point the client at ${proxy.url}; Ctrl-C stops it\n`,
    )
    return proxy
  } catch (error) {
    io.stderr.write(`nwa record: ${error instanceof Error ? error.message : String(error)}\n`)
    return 2
  }
}

export interface ReplayCommandOptions {
  target: string
  user?: string
  password?: string
  config?: string
  write?: boolean
  insecure?: boolean
  ca?: string
  timeout?: string
  json?: string
  markdown?: string
}

/** Every account the config names and the --user flag, by user name in lower case. */
function passwordsOf(options: ReplayCommandOptions, env: CommandIo['env']): Map<string, string> {
  const passwords = new Map<string, string>()
  if (options.config !== undefined) {
    for (const account of Object.values(loadConfig(options.config, env).accounts)) passwords.set(account.user.toLowerCase(), account.password)
  }
  if (options.user !== undefined) {
    const secret =
      options.password !== undefined
        ? resolveSecret(options.password, env, '--password')
        : env['NWA_PASSWORD'] === undefined
          ? undefined
          : { password: env['NWA_PASSWORD'] }
    if (secret === undefined) throw new Error('--user needs --password or the NWA_PASSWORD environment variable')
    passwords.set(options.user.toLowerCase(), secret.password)
  }
  return passwords
}

export function renderReplayMarkdown(report: ReplayReport): string {
  const { counts } = report
  const lines = [
    `## nwa replay: ${counts.different + counts.failed === 0 ? '✅ no differences' : `❌ ${counts.different + counts.failed} exchanges differ`}`,
    '',
    `${escapeMarkdown(report.recording)} against ${escapeMarkdown(report.target)}: ${counts.same} the same, ${counts.different} different, ${counts.failed} not answered, ${counts.notReplayed} not replayed (${counts.handshakeLegs} handshake legs folded into their requests).`,
  ]
  const described = report.exchanges.flatMap((exchange) =>
    describeExchange(exchange).map((line) => (line.startsWith('    ') ? `  - ${escapeMarkdown(line.trim())}` : `- ${escapeMarkdown(line)}`)),
  )
  if (described.length > 0) lines.push('', ...described)
  return `${lines.join('\n')}\n`
}

export async function runReplay(
  file: string,
  options: ReplayCommandOptions,
  io: CommandIo & { now: () => number; random: (bytes: number) => Buffer },
): Promise<0 | 1 | 2> {
  let setup: { har: ReturnType<typeof readHar>; passwords: Map<string, string>; target: URL; timeoutMs?: number; ca?: string }
  try {
    setup = {
      har: readHar(file),
      passwords: passwordsOf(options, io.env),
      target: targetOrigin(options.target, '--target'),
      ...(options.timeout === undefined ? {} : { timeoutMs: parseDuration(options.timeout, '--timeout') }),
      ...(options.ca === undefined ? {} : { ca: readFileSync(options.ca, 'utf8') }),
    }
  } catch (error) {
    io.stderr.write(`nwa replay: ${error instanceof Error ? error.message : String(error)}\n`)
    return 2
  }
  const contract = await loadContract()
  const report = await replay(setup.har, {
    recording: file,
    target: setup.target.origin,
    passwords: setup.passwords,
    write: options.write === true,
    transport: {
      insecure: options.insecure === true,
      ...(setup.ca === undefined ? {} : { ca: setup.ca }),
      ...(setup.timeoutMs === undefined ? {} : { timeoutMs: setup.timeoutMs }),
    },
    codec: createPayloadCodec(contract),
    random: io.random,
    now: io.now,
    onExchange: (exchange) => {
      for (const line of describeExchange(exchange)) io.stdout.write(`${line}\n`)
    },
  })
  const { counts } = report
  io.stdout.write(
    `nwa replay: ${counts.same + counts.different + counts.failed} requests replayed against ${report.target}: ${counts.same} the same, ${counts.different} different, ${counts.failed} not answered; ${counts.notReplayed} not replayed\n`,
  )
  if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`)
  if (options.markdown !== undefined) writeFileSync(options.markdown, renderReplayMarkdown(report))
  return counts.different + counts.failed === 0 ? 0 : 1
}
