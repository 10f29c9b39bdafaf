/**
 * A server under measure in a process of its own (host-process.ts): the mock or the floor, nothing else in
 * its heap. The phase that drives it is the client (the bench client, autocannon), so client and server
 * never share a core's time slice, the memory figures are each server's own RSS, and mock and floor can be
 * alive together and measured round by round. Everything a phase asks beyond HTTP goes over the IPC channel.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ActivityRecordOutput } from '../openapi/records.ts'
import type { ArchiveLoadFigure } from './measures/archive-load.ts'
import type { MemoryFigure } from './measures/memory.ts'

export type HostKind = 'mock' | 'floor'

/** How the mock host starts; the floor takes none. Both listen on 127.0.0.1, any free port, plain HTTP. */
export interface HostOptions {
  /** The mock's seed: the demo data set, or nothing. */
  seed?: 'demo' | 'none'
  /** The mock journals (and fsyncs) every write here. */
  dataDir?: string
  /** The mock's store (--store): a postgres:// URL, several mocks sharing it; memory when absent. */
  store?: string
  /** The mock grades passively (`nwa mock --grade steady`), recording every exchange whole; POST /nwa/grade/reset starts a new session. */
  grading?: boolean
}

export type HostCall =
  /** Generates the benchmark archive's records [first, first + count) and stores them the server's own way. */
  | { op: 'load-archive'; seed: number; first: number; count: number; batch: number }
  /** Stores these records as they are (the floor, given the mock's demo data set). */
  | { op: 'load-records'; records: ActivityRecordOutput[] }
  /** RSS and heap after a full collection. */
  | { op: 'memory' }
  /** Records stored. */
  | { op: 'count' }

export interface HostReplies {
  'load-archive': ArchiveLoadFigure
  'load-records': number
  memory: MemoryFigure
  count: number
}

export type HostMessage = { ready: string } | { id: number; value: unknown } | { id: number; error: string }

export interface Host {
  kind: HostKind
  url: string
  call<Op extends HostCall['op']>(call: Extract<HostCall, { op: Op }>): Promise<HostReplies[Op]>
  close(): Promise<void>
}

const hostPath = fileURLToPath(new URL('./host-process.ts', import.meta.url))
const repoRoot = fileURLToPath(new URL('..', import.meta.url))

export function startHost(kind: HostKind, options: HostOptions = {}): Promise<Host> {
  const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', hostPath, kind, JSON.stringify(options)], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  let next = 0
  let exited: string | undefined
  const exit = new Promise<void>((resolve) =>
    proc.on('exit', (code, signal) => {
      exited = `the ${kind} host exited with ${signal ?? code}`
      for (const waiting of pending.values()) waiting.reject(new Error(exited))
      pending.clear()
      resolve()
    }),
  )
  return new Promise((resolve, reject) => {
    proc.on('message', (message: HostMessage) => {
      if ('ready' in message) return resolve(handle(message.ready))
      const waiting = pending.get(message.id)
      pending.delete(message.id)
      if ('error' in message) waiting?.reject(new Error(`${kind} host: ${message.error}`))
      else waiting?.resolve(message.value)
    })
    exit.then(() => reject(new Error(exited)))
  })

  function handle(url: string): Host {
    return {
      kind,
      url,
      call<Op extends HostCall['op']>(call: Extract<HostCall, { op: Op }>) {
        if (exited !== undefined) return Promise.reject(new Error(exited))
        const id = next++
        return new Promise<HostReplies[Op]>((resolve, reject) => {
          pending.set(id, { resolve: (value) => resolve(value as HostReplies[Op]), reject })
          proc.send({ id, call })
        })
      },
      close: () => closeHost(proc, exit),
    }
  }
}

/** Disconnecting tells the host to close its server (the mock flushes its journal) and exit; a host that hangs is killed. */
async function closeHost(proc: ChildProcess, exit: Promise<void>): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  if (proc.connected) proc.disconnect()
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
  await exit
  clearTimeout(timer)
}
