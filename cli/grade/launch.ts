/**
 * A connector as a process (`nwa grade --connector CMD`): started through the shell in a process group of its own,
 * with the target in its environment (NWA_URL, NWA_USER, NWA_PASSWORD, NWA_CA_FILE, NWA_STATE_DIR), its output kept
 * (the last `outputBytes` of each stream), and stopped with SIGTERM, then SIGKILL after a grace period, the group whole,
 * so a connector that spawned children leaves none behind.
 */
import { spawn } from 'node:child_process'

/** The target the grader hands a connector, by the environment variable names of docs/grading.md (fixed: add-ons script against them). */
export interface ConnectorTarget {
  NWA_URL: string
  NWA_USER: string
  NWA_PASSWORD: string
  /** The PEM of the server's certificate; empty over plain HTTP. */
  NWA_CA_FILE: string
  /** Kept across the connector's restarts within one scenario. */
  NWA_STATE_DIR: string
}

export interface Exit {
  exitCode: number | null
  signal: string | null
}

export interface RunningConnector {
  /** Settled when the process has ended, by itself or stopped. */
  readonly exited: Promise<Exit>
  /** The process has ended (`exited` is settled). */
  ended(): boolean
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has ended. */
  stop(graceMs: number): Promise<Exit>
  output(): { stdout: string; stderr: string }
}

/** How long, after the process ended, its pipes are read for the rest of its output. */
const CLOSE_WAIT_MS = 500

/** How much of each output stream a launch keeps: its last 16 KiB. */
export const outputBytes = 16 * 1024

/** Text that keeps only the last `limit` characters of what was appended. */
function tail(limit: number) {
  let text = ''
  return {
    append(chunk: string) {
      text += chunk
      if (text.length > 2 * limit) text = text.slice(-limit)
    },
    value: () => (text.length > limit ? `…${text.slice(-limit)}` : text),
  }
}

/**
 * The grader's own settings, which are not the connector's business: the control token is a secret of the mock's
 * operator, and a store URL names the grader's database. The rest of the environment (PATH, a proxy, a connector's
 * own settings such as NWA_SAMPLE_DEFECT) reaches the connector, and the documented five are set over it.
 */
const graderOnly = ['NWA_CONTROL_TOKEN', 'NWA_STORE']

function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !graderOnly.includes(name)))
}

export function launchConnector(command: string, target: ConnectorTarget, extraEnv: Readonly<Record<string, string>> = {}): RunningConnector {
  const child = spawn('/bin/sh', ['-c', command], {
    env: { ...inheritedEnv(), ...extraEnv, ...target },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const stdout = tail(outputBytes)
  const stderr = tail(outputBytes)
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.append(chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.append(chunk))
  let done = false
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (error) => {
      stderr.append(`nwa grade: the connector could not be started: ${error.message}\n`)
      done = true
      resolve({ exitCode: null, signal: null })
    })
    child.once('exit', (exitCode, signal) => {
      // Its output may still be in the pipes; a child it left holding them open is not waited for long.
      const settle = () => {
        done = true
        resolve({ exitCode, signal })
      }
      const timer = setTimeout(settle, CLOSE_WAIT_MS)
      child.once('close', () => {
        clearTimeout(timer)
        settle()
      })
    })
  })
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal)
    } catch {
      // The group is gone already.
    }
  }
  return {
    exited,
    ended: () => done,
    async stop(graceMs) {
      if (done) return exited
      signalGroup('SIGTERM')
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs)
      const exit = await exited
      clearTimeout(timer)
      // A child that outlived the shell still belongs to the group.
      signalGroup('SIGKILL')
      return exit
    },
    output: () => ({ stdout: stdout.value(), stderr: stderr.value() }),
  }
}
