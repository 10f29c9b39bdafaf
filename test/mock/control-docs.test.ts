import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commandLines, exampleBlocks, runLine } from '../helpers/doc-examples.ts'
import { probe } from '../interop/support.ts'

/**
 * docs/control.md's examples, run as written: the server line starts `nwa mock` as a process (the one change: port
 * 9699 becomes a free one), and each request line runs in bash with the environment the server line sets, its
 * `# prints N` comment checked against what it printed.
 */
const root = fileURLToPath(new URL('../..', import.meta.url))
const page = readFileSync(join(root, 'docs', 'control.md'), 'utf8')
const blocks = exampleBlocks(page)
const serverLine = commandLines(blocks.find((block) => block.kind === 'control-server')?.text ?? '')[0] ?? ''
// Whole lines: the `# prints N` comments are what the test checks.
const requestLines = blocks
  .filter((block) => block.kind === 'control-requests')
  .flatMap((block) => block.text.split('\n'))
  .filter((line) => line.trim())
const curl = probe('curl', ['--version'])
if (!curl.ok) console.warn(`skipped: the requests of docs/control.md because ${curl.reason}`)

const server = /^((?:\w+=\S+ )*)npx nwa (.*)$/.exec(serverLine)
const env: Record<string, string> = Object.fromEntries(
  (server?.[1] ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((assignment) => assignment.split('=', 2) as [string, string]),
)
let child: ChildProcess | undefined
let port = ''

beforeAll(async () => {
  const args = (server?.[2] ?? '').split(/\s+/).map((arg) => (arg === '9699' ? '0' : arg))
  child = spawn(process.execPath, [join(root, 'bin', 'nwa.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  port = await new Promise<string>((resolve, reject) => {
    let banner = ''
    child?.stdout?.on('data', (chunk: Buffer) => {
      banner += chunk.toString()
      const listening = /listening\s+http:\/\/[^:]+:(\d+)\//.exec(banner)
      if (listening?.[1]) resolve(listening[1])
    })
    child?.once('exit', (code) => reject(new Error(`nwa mock exited with ${code}: ${banner}`)))
  })
})
afterAll(() => {
  child?.kill()
})

describe('docs/control.md examples', () => {
  it('marks every shell block, and starts the mock beyond loopback with the token from the environment', () => {
    expect(blocks.filter((block) => block.language === 'sh' && !['control-server', 'control-requests'].includes(block.kind))).toEqual([])
    expect(serverLine).toContain('--host 0.0.0.0')
    expect(Object.keys(env)).toEqual(['NWA_CONTROL_TOKEN'])
    expect(requestLines.filter((line) => line.includes('# prints')).length).toBe(3)
  })

  it.skipIf(!curl.ok)('each request prints what its comment says, in order', async () => {
    const script = requestLines.map((line) => line.replaceAll(':9699', `:${port}`)).join('\n')
    const result = await runLine(script, { cwd: root, env: { ...process.env, ...env }, timeoutMs: 30_000 })
    expect(result.code, result.stderr).toBe(0)
    const expected = requestLines.flatMap((line) => /# prints (\d+)/.exec(line)?.[1] ?? [])
    expect(result.stdout.trim().split('\n')).toEqual(expected)
  })
})
