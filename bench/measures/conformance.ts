/**
 * The hook for timing a full `nwa check` against an embedded mock. The conformance command is imported
 * at run time, so the benchmark keeps working (and type-checks) before that module exists or while its
 * checks are still missing; either case is reported as not available, with the reason.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Writable } from 'node:stream'
import { startMockServer } from '../../mock/server.ts'
import { admin } from './accounts.ts'

export type ConformanceFigure = { available: false; reason: string } | { available: true; exitCode: number; elapsedMs: number }

/** The part of conformance/command.ts the benchmark calls, restated so that no static import ties the two. */
type RunCheckCommand = (
  options: { target: string; user: string; password: string; write: boolean; reportDir: string },
  io: {
    stdout: NodeJS.WritableStream
    stderr: NodeJS.WritableStream
    env: Record<string, string | undefined>
    now: () => number
    random: (bytes: number) => Buffer
  },
) => Promise<number>

const commandUrl = new URL('../../conformance/command.ts', import.meta.url).href

async function loadRunCheckCommand(): Promise<RunCheckCommand | string> {
  let loaded: Record<string, unknown>
  try {
    loaded = (await import(commandUrl)) as Record<string, unknown>
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('conformance/command.ts')) {
      return 'conformance/command.ts does not exist'
    }
    throw error
  }
  const run = loaded['runCheckCommand']
  return typeof run === 'function' ? (run as RunCheckCommand) : 'conformance/command.ts does not export runCheckCommand'
}

export async function measureConformanceRun(): Promise<ConformanceFigure> {
  const runCheckCommand = await loadRunCheckCommand()
  if (typeof runCheckCommand === 'string') return { available: false, reason: runCheckCommand }

  const reportDir = mkdtempSync(join(tmpdir(), 'nwa-bench-reports-'))
  const mock = await startMockServer({ host: '127.0.0.1', port: 0, tls: false })
  let stderr = ''
  const io = {
    stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stderr: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        stderr += chunk.toString('utf8')
        done()
      },
    }),
    env: {},
    now: Date.now,
    random: (bytes: number) => randomBytes(bytes),
  }
  try {
    const started = performance.now()
    const exitCode = await runCheckCommand({ target: mock.url, ...admin, write: true, reportDir }, io)
    const elapsedMs = performance.now() - started
    // Exit 2 is a usage, config or connection error (conformance/command.ts): no suite ran, so there is nothing to time.
    if (exitCode === 2) return { available: false, reason: `nwa check exited 2: ${stderr.trim().split('\n')[0] ?? ''}` }
    return { available: true, exitCode, elapsedMs }
  } finally {
    await mock.close()
    rmSync(reportDir, { recursive: true, force: true })
  }
}
