import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

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
  const cli = fileURLToPath(new URL('../../bin/nwa.js', import.meta.url))
  const child = spawn(process.execPath, [cli, 'mock', '--no-tls', '--port', '0', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const base = await new Promise<string>((resolve, reject) => {
    let banner = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      banner += chunk.toString()
      const listening = /listening\s+(http:\/\/\S+?)\/netwrix\/api\/v1/.exec(banner)
      if (listening?.[1]) resolve(listening[1])
    })
    child.once('exit', (code) => reject(new Error(`nwa mock exited with ${code} before listening: ${banner}`)))
  })
  return {
    child,
    base,
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
