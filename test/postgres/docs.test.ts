/**
 * docs/store.md's shell examples, run as written: the two instances on one database (on free ports instead of 9700
 * and 9701), and `npm run pg`, whose cluster must be gone once it is stopped. Its other line is CI's own step.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { freshDatabase, useCluster, withoutPostgres } from './support.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const doc = readFileSync(join(root, 'docs', 'store.md'), 'utf8')
const block = (kind: string): string[] =>
  (new RegExp(`<!-- example: ${kind} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1] ?? '')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean)

/** Runs a line in its own process group until `done` says its output is enough; answers the output. */
function runUntil(line: string, env: NodeJS.ProcessEnv, done: (output: string) => boolean): Promise<{ output: string; stop: () => Promise<void> }> {
  const child = spawn('bash', ['-c', line], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGINT')
    await exited
  }
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => stop().then(() => reject(new Error(`${line}: nothing within 60 s: ${output}`))), 60_000)
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (done(output)) {
        clearTimeout(timer)
        resolve({ output, stop })
      }
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${line} exited with ${code}: ${output}`))
    })
  })
}

const cluster = useCluster()

describe.skipIf(withoutPostgres)('docs/store.md examples', () => {
  it('starts two instances on one database, which count the same records', async () => {
    const lines = block('store-instances')
    expect(lines).toHaveLength(2)
    const env = { ...process.env, NWA_STORE: await freshDatabase(cluster()) }
    const started = await Promise.all(lines.map((line) => runUntil(line.replace(/--port 97\d\d/, '--port 0'), env, (out) => out.includes('Ctrl-C stops it'))))
    try {
      const records = started.map(({ output }) => /records\s+(\d+) in the Audit Database/.exec(output)?.[1])
      expect(records).toEqual(['5000', '5000'])
      for (const { output } of started) expect(output).toMatch(/store\s+postgres:\/\/nwa@127\.0\.0\.1:\d+\/nwa_test_/)
    } finally {
      await Promise.all(started.map(({ stop }) => stop()))
    }
  })

  it('npm run pg prints the store URL and removes its cluster when stopped; its other line is what CI runs', async () => {
    const [wait, command] = block('store-setup')
    expect(wait).toBe('npm run pg')
    const run = await runUntil(wait as string, process.env, (out) => /NWA_STORE=postgres:\/\/nwa@127\.0\.0\.1:\d+\/nwa\n[\s\S]*Ctrl-C/.test(out))
    const dir = /in (\/\S+nwa-pg-\S+)/.exec(run.output)?.[1]
    expect(dir !== undefined && existsSync(dir)).toBe(true)
    await run.stop()
    // npm may exit before the script it runs has removed the cluster; the script must still remove it.
    for (let waited = 0; existsSync(dir as string) && waited < 15_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(existsSync(dir as string)).toBe(false)
    expect(readFileSync(join(root, '.ci', 'run'), 'utf8')).toContain(`npm run pg -- ${(command as string).replace(/^npm run pg -- /, '')}`)
  })
})
