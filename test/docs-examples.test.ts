import { execFile, spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDirectoryFile } from '../mock/directory.ts'
import { clientRequirements, loadRequirements, serverRequirements } from '../openapi/requirements.ts'
import { type RunningMock, startMockServer } from '../mock/server.ts'
import { probe, tempDir } from './interop/support.ts'

/**
 * The examples of the README and of the reference pages it leads to, run as written, so they cannot rot. Each example
 * block carries a marker comment saying what it is (`<!-- example: requests -->` and so on); a shell block without one
 * fails this test. Request examples run against a mock this test starts: the only change made to them is the port
 * (`localhost:9699` becomes the mock's free port), and curl fails on an HTTP error unless the line prints the status
 * itself (`-w`). Check examples run from a scratch directory holding the config file of docs/check.md, so `npx nwa`
 * there is this checkout's bin/nwa.js. Pages with examples of other kinds have tests of their own (docs/evidence.md,
 * docs/validate.md, docs/store.md, docs/contract.md, docs/control.md, docs/data-fidelity.md).
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const pages = ['README.md', 'docs/mock.md', 'docs/check.md', 'docs/selftest.md', 'docs/bench.md']
const text = (page: string) => readFileSync(join(root, page), 'utf8')

interface Example {
  kind: string
  language: string
  text: string
  /** page:line, for test titles */
  where: string
}

function examples(): Example[] {
  const found: Example[] = []
  const fence = /(?:<!-- example: ([\w -]+?) -->\n)?```(\w*)\n([\s\S]*?)```/g
  for (const page of pages) {
    const markdown = text(page)
    for (const match of markdown.matchAll(fence)) {
      const line = markdown.slice(0, match.index).split('\n').length
      found.push({ kind: match[1] ?? '', language: match[2] ?? '', text: match[3] ?? '', where: `${page}:${line}` })
    }
  }
  return found
}

const curl = probe('curl', ['--version'])
const all = examples()
const shell = all.filter((example) => example.language === 'sh')
const ofKind = (kind: string) => all.filter((example) => example.kind === kind)

describe('the examples of the README and the reference pages', () => {
  it('marks every shell example with what it is, so none escapes this test', () => {
    expect(shell.filter((example) => !['server', 'requests', 'check', 'setup'].includes(example.kind)).map((example) => example.where)).toEqual([])
    expect(ofKind('requests').length).toBeGreaterThan(3)
  })

  it('states the size of the requirement catalogue as it is (docs/contract.md)', () => {
    expect(text('docs/contract.md')).toContain(`holds ${loadRequirements().length} testable statements`)
    expect(text('docs/contract.md')).toContain(`${serverRequirements().length} of the server, and ${clientRequirements().length} of clients`)
  })

  it.each(ofKind('directory').map((example) => [example.where, example]))('the directory file at %s loads', (_where, example) => {
    const dir = tempDir('readme-directory')
    try {
      const file = join(dir.path, 'directory.yaml')
      writeFileSync(file, example.text)
      const directory = loadDirectoryFile(file)
      expect(directory.rolesOf('ENTERPRISE\\PlanReviewer')).toEqual([{ role: 'Reviewer', plans: ['AD Monitoring'] }])
      expect(directory.isMember('ENTERPRISE\\Administrator', 'ENTERPRISE\\Domain Admins')).toBe(true)
    } finally {
      dir.remove()
    }
  })
})

/** Bash running an example; curl fails on an HTTP error, except on lines that print the status they got. */
function runShell(script: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const prelude = `curl() { case " $* " in *" -w "*) command curl "$@" ;; *) command curl --fail-with-body -sS "$@" ;; esac; }\n`
  return new Promise((resolve) => {
    execFile('bash', ['-euo', 'pipefail', '-c', prelude + script], { cwd, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

if (!curl.ok) console.warn(`skipped: the request and check examples because ${curl.reason}`)

describe.skipIf(!curl.ok)('request examples, against a started mock', () => {
  let mock: RunningMock
  let port: number
  const data = tempDir('readme-mock')
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, control: true, dataDir: data.path })
    port = Number(new URL(mock.url).port)
  })
  afterAll(async () => {
    await mock.close()
    data.remove()
  })

  it.each(ofKind('requests').map((example) => [example.where, example]))('the block at %s runs and answers as it says', async (_where, example) => {
    const result = await runShell(example.text.replaceAll('localhost:9699', `localhost:${port}`), root)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    // The demo data ends at the server clock: every page an example prints holds records.
    expect(result.stdout).not.toContain('"ActivityRecordList":[]')
    // A status line follows a response body that does not end its own line, so look for the code at a line's end.
    for (const printed of example.text.matchAll(/# prints (\d{3})/g)) expect(result.stdout).toMatch(new RegExp(`\\b${printed[1]}\\n`))
  })
})

/** The command lines of some example blocks, comments dropped. */
const commandLines = (blocks: Example[]) =>
  blocks.flatMap((example) =>
    example.text
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean),
  )

const setupLines = commandLines(ofKind('setup'))
for (const line of setupLines.filter((command) => command.startsWith('npm '))) {
  console.warn(`skipped: the example line '${line}': installing, testing and benchmarking the project is what runs this test`)
}

describe('server examples', () => {
  const started = [...commandLines(ofKind('server')), ...setupLines.filter((line) => line.startsWith('npx nwa mock'))].map((line) => [line] as const)

  it.each(started)('%s starts and listens', async (line) => {
    const dataDir = /--data-dir (\S+)/.exec(line)?.[1]
    const created = dataDir !== undefined && !existsSync(join(root, dataDir))
    // Its own process group: npx runs the server as a child of its own, and Ctrl-C reaches both, as in a terminal.
    const child = spawn('bash', ['-c', line], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = ''
        const timer = setTimeout(() => reject(new Error(`no banner within 30 s: ${text}`)), 30_000)
        const collect = (chunk: Buffer) => {
          text += chunk.toString()
          if (/Ctrl-C stops it/.test(text)) {
            clearTimeout(timer)
            resolve(text)
          }
        }
        child.stdout.on('data', collect)
        child.stderr.on('data', collect)
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${text}`)))
      })
      expect(output).toMatch(/listening\s+https?:\/\/127\.0\.0\.1:\d+\/netwrix\/api\/v1/)
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        process.kill(-(child.pid as number), 'SIGINT')
        await exited
      }
      if (created && dataDir) rmSync(join(root, dataDir), { recursive: true, force: true })
    }
  })
})

describe.skipIf(!curl.ok)('check examples', () => {
  let mock: RunningMock
  let port: number
  const data = tempDir('readme-check-mock')
  const scratch = tempDir('readme-check')
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, dataDir: data.path })
    port = Number(new URL(mock.url).port)
    const [config] = ofKind('config')
    writeFileSync(join(scratch.path, 'nwa-check.yaml'), (config?.text ?? '').replaceAll('localhost:9699', `localhost:${port}`))
  })
  afterAll(async () => {
    await mock.close()
    data.remove()
    scratch.remove()
  })

  // A command shown on two pages (the README's first run, docs/check.md) runs once.
  it.each([...new Set(commandLines(ofKind('check')))].map((line) => [line] as const))('%s exits 0', async (line) => {
    const command = line.replaceAll('localhost:9699', `localhost:${port}`).replace(/^npx nwa\b/, `node ${join(root, 'bin', 'nwa.js')}`)
    const result = await runShell(`export NWA_PASSWORD=NetwrixIsCool\n${command}`, scratch.path)
    expect(result.stderr).toBe('')
    expect(result.code, result.stdout.slice(-2000)).toBe(0)
  })
})
