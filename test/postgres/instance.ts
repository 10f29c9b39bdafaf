/**
 * `nwa mock` instances as processes of their own, on one store, and a round-robin proxy in front of them: what a
 * team runs behind a load balancer (docs/store.md). Test helpers.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer, request, Agent, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
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

export interface RoundRobin {
  url: string
  /** How many requests each backend was sent. */
  sent: number[]
  close(): Promise<void>
}

/** A proxy that sends each request to the next backend in turn, whatever connection it came on. */
export async function startRoundRobin(backends: readonly string[]): Promise<RoundRobin> {
  const agent = new Agent({ keepAlive: true })
  const sent = backends.map(() => 0)
  let next = 0
  const server: Server = createServer((req, res) => {
    const index = next++ % backends.length
    sent[index] = (sent[index] ?? 0) + 1
    const target = new URL(req.url ?? '/', backends[index])
    const forward = request(target, { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}
