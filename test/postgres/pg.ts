/**
 * `npm run pg`: a throwaway PostgreSQL cluster for a developer (cluster.ts), with a database `nwa`, removed when
 * it ends. Without arguments it prints the URL and waits for Ctrl-C; with a command it runs the command with
 * NWA_STORE set to the URL, then removes the cluster and exits with the command's code:
 *
 *   npm run pg                                        # prints NWA_STORE=postgres://nwa@127.0.0.1:PORT/nwa
 *   npm run pg -- node bin/nwa.js selftest            # the self-test on the PostgreSQL store
 */
import { spawn } from 'node:child_process'
import { startCluster } from './cluster.ts'

const command = process.argv.slice(2)
// Ctrl-C reaches this process twice (from the terminal and relayed by tsx): a handler that stays keeps the second
// from ending it while it removes the cluster.
let interrupted: () => void = () => undefined
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => interrupted())
const cluster = await startCluster({ durable: true, log: (line) => process.stderr.write(`npm run pg: ${line}\n`) })
let code = 0
try {
  const url = await cluster.createDatabase('nwa')
  process.stderr.write(`npm run pg: NWA_STORE=${url}\n`)
  if (command.length === 0) {
    process.stdout.write(`NWA_STORE=${url}\n`)
    process.stderr.write('npm run pg: Ctrl-C stops the cluster and removes it\n')
    await new Promise<void>((resolve) => {
      interrupted = resolve
    })
  } else {
    const [file, ...args] = command as [string, ...string[]]
    const child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, NWA_STORE: url } })
    interrupted = () => child.kill('SIGTERM')
    code = await new Promise<number>((resolve) => child.once('exit', (exit, signal) => resolve(exit ?? (signal ? 1 : 0))))
  }
} finally {
  await cluster.stop()
  process.stderr.write('npm run pg: the cluster is stopped and removed\n')
}
process.exit(code)
