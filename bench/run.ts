/**
 * `npm run bench`: measures the mock against its performance targets and against the floor (floor.ts), a bare
 * node:http server doing the same jobs naively, and prints a table. It is a report, not a test: it exits 0
 * whether or not the targets are met, and says MISSED for each one that is not.
 *
 * Each phase runs in its own `node --expose-gc --import tsx` child, so no phase inherits another's heap; the
 * servers it measures run in children of their own (host.ts), and the phase sends its rows back over the IPC
 * channel. `--only write-memory,archive` runs a subset.
 */
import { spawn } from 'node:child_process'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { phaseNames, phaseTimeoutMs, runPhase, type PhaseName } from './phases.ts'
import { failedRow, missedLines, renderTable, type Row } from './report.ts'
import { readFileSync } from 'node:fs'
import { megabytes, parseCpuTimes, stealShare, type CpuTimes } from './stats.ts'

const runPath = fileURLToPath(import.meta.url)
const repoRoot = fileURLToPath(new URL('..', import.meta.url))

type PhaseMessage = { rows: Row[] } | { error: string }

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name)
  return at >= 0 ? process.argv[at + 1] : undefined
}

function cpuTimes(): CpuTimes | undefined {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'))
  } catch {
    return undefined
  }
}

function isPhase(name: string): name is PhaseName {
  return (phaseNames as readonly string[]).includes(name)
}

async function child(name: string): Promise<void> {
  const send = (message: PhaseMessage) => new Promise<void>((resolve) => process.send?.(message, () => resolve()))
  try {
    if (!isPhase(name)) await send({ error: `unknown phase ${name}` })
    else await send({ rows: await runPhase(name, (line) => process.stderr.write(`  [${name}] ${line}\n`)) })
  } catch (error) {
    await send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  }
  // The IPC channel would otherwise keep this process alive.
  process.disconnect?.()
}

function runInChild(name: PhaseName): Promise<Row[]> {
  return new Promise((resolve) => {
    const started = Date.now()
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', runPath, '--phase', name], {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let message: PhaseMessage | undefined
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      proc.kill('SIGKILL')
    }, phaseTimeoutMs[name])
    proc.on('message', (received: PhaseMessage) => {
      message = received
    })
    proc.on('exit', (code, signal) => {
      clearTimeout(timer)
      process.stderr.write(`  [${name}] done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
      if (message && 'rows' in message) return resolve(message.rows)
      const why = timedOut
        ? `stopped after ${phaseTimeoutMs[name] / 1000} s`
        : message && 'error' in message
          ? message.error
          : `exited with ${signal ?? code} and no figures`
      process.stderr.write(`  [${name}] FAILED: ${why}\n`)
      resolve([failedRow(`phase ${name}`, why.split('\n')[0] ?? '')])
    })
  })
}

async function parent(): Promise<void> {
  const only = argument('--only')
    ?.split(',')
    .map((name) => name.trim())
  const unknown = only?.filter((name) => !isPhase(name)) ?? []
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown phase ${unknown.join(', ')}; phases: ${phaseNames.join(', ')}\n`)
    process.exitCode = 2
    return
  }
  const selected = phaseNames.filter((name) => only === undefined || only.includes(name))
  const processors = cpus()
  const startLoad = loadavg()[0] ?? 0
  process.stdout.write(
    `nwa-kit bench: node ${process.version}, ${process.platform}/${process.arch}, ${processors.length} CPUs (${processors[0]?.model.trim() ?? 'unknown'}), ${megabytes(totalmem())} memory, load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}\n`,
  )
  process.stdout.write(
    "servers (the mock, the floor) each in a process of their own, clients and autocannon in the phase's; 127.0.0.1, plain HTTP, Basic auth\n" +
      'figures: median of the runs (lowest–highest run); mock/floor: ratio of the medians (lowest–highest per-round ratio); targets on the medians\n\n',
  )

  const rows: Row[] = []
  const cpuBefore = cpuTimes()
  for (const name of selected) {
    process.stderr.write(`  [${name}] starting\n`)
    rows.push(...(await runInChild(name)))
  }

  process.stdout.write(`\n${renderTable(rows)}\n\n`)
  const missed = missedLines(rows)
  for (const line of missed) process.stdout.write(`${line}\n`)
  for (const row of rows) if (row.notice !== undefined) process.stdout.write(`${row.notice}\n`)
  process.stdout.write(missed.length === 0 ? 'all targets met\n' : `${missed.length} target(s) missed\n`)
  // The phases time a single process against the wall clock: other work on the machine lowers every figure.
  const busiest = Math.max(startLoad, loadavg()[0] ?? 0)
  if (busiest > processors.length) {
    process.stdout.write(
      `note: the machine was busy (1-minute load average up to ${busiest.toFixed(2)} on ${processors.length} CPUs); rates and latencies are pessimistic\n`,
    )
  }
  const cpuAfter = cpuTimes()
  if (cpuBefore && cpuAfter) {
    const steal = stealShare(cpuBefore, cpuAfter)
    process.stdout.write(
      `CPU steal during the run: ${(steal * 100).toFixed(1)}% of CPU time went to other guests of the host${steal > 0.05 ? '; rates and latencies are pessimistic' : ''}\n`,
    )
  }
}

const phase = argument('--phase')
await (phase === undefined ? parent() : child(phase))
