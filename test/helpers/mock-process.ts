import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const nwa = fileURLToPath(new URL('../../bin/nwa.js', import.meta.url))

export interface Instance {
  /** http://127.0.0.1:PORT */
  url: string
  process: ChildProcess
  /** Resolves when the process has exited. */
  exited: Promise<void>
  stop(signal?: NodeJS.Signals): Promise<void>
}

/** Starts `nwa mock --no-tls --port 0 --quiet` with these extra arguments and waits for its banner's URL. */
export function startInstance(args: string[]): Promise<Instance> {
  return startListening(process.execPath, [nwa, 'mock', '--no-tls', '--port', '0', '--quiet', ...args])
}

/**
 * Runs a command that starts `nwa mock` (the kit's, or an image's staged copy under another user) and waits for the
 * banner's `listening URL` line, HTTP or HTTPS.
 */
export function startListening(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Instance> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`nwa mock did not start within 60 s: ${output.slice(-2000)}`))
    }, 60_000)
    const read = (chunk: Buffer) => {
      if (output.length < 64 * 1024) output += chunk.toString('utf8')
      const url = /listening\s+(https?:\/\/[\d.]+:\d+)\//.exec(output)?.[1]
      if (url === undefined) return
      clearTimeout(timer)
      child.stdout?.off('data', read)
      child.stdout?.resume()
      resolve({
        url,
        process: child,
        exited,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          await exited
        },
      })
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', (chunk: Buffer) => {
      if (output.length < 64 * 1024) output += chunk.toString('utf8')
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`nwa mock exited with ${code} before it listened: ${output.slice(-2000)}`))
    })
  })
}

/** An `nwa mock` in a process of its own: an input that hangs or kills it fails the test instead of the test runner. */
export interface MockProcess {
  child: ChildProcess
  /** `http://127.0.0.1:PORT` */
  base: string
  /** What the process holds now, from /proc (Linux), in bytes; undefined where /proc is absent. */
  rss(): number | undefined
  alive(): boolean
  stop(): void
}

/** Starts `nwa mock --no-tls --port 0 --quiet` with `args`, and resolves once it listens. */
export async function startMockProcess(args: readonly string[]): Promise<MockProcess> {
  const instance = await startInstance([...args])
  const child = instance.process
  return {
    child,
    base: instance.url,
    rss() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
        const kilobytes = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]
        return kilobytes === undefined ? undefined : Number(kilobytes) * 1024
      } catch {
        return undefined
      }
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => {
      child.kill()
    },
  }
}
