import { readFileSync, symlinkSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { refreshGradingPage } from '../../cli/grade/catalogue.ts'
import { findPython } from '../../cli/grade/selftest.ts'
import { readTar, statementFile } from '../../conformance/bundle/index.ts'
import { commandLines, exampleBlocks, runLine } from '../helpers/doc-examples.ts'
import { probe, tempDir } from '../interop/support.ts'

/**
 * docs/grading.md's examples, run as written, in order, from one scratch directory holding this repository's examples/:
 * `npx nwa` there is this checkout's bin/nwa.js. Every shell block of the page is marked, so none escapes this test;
 * the passive block runs as one script, with a free port in place of 9698.
 */
const root = fileURLToPath(new URL('../..', import.meta.url))
const page = readFileSync(join(root, 'docs', 'grading.md'), 'utf8')
const blocks = exampleBlocks(page)
const linesOf = (kind: string) => blocks.filter((block) => block.kind === kind).flatMap((block) => commandLines(block.text))
const scratch = tempDir('grading-docs')
symlinkSync(join(root, 'examples'), join(scratch.path, 'examples'))
afterAll(() => scratch.remove())

const nwa = `node ${join(root, 'bin', 'nwa.js')}`
const run = (script: string, timeoutMs = 240_000, env: NodeJS.ProcessEnv = process.env) =>
  runLine(script.replace(/^npx nwa\b/gm, nwa), { cwd: scratch.path, timeoutMs, env })

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })
}

// The python3 a user would run it with: the first that imports requests and requests_ntlm (Debian's, where another
// python3 comes first on PATH), found as nwa grade --selftest finds it; the line itself runs as written.
const python = findPython()
const pythonEnv = python.ok && isAbsolute(python.python) ? { ...process.env, PATH: `${dirname(python.python)}${delimiter}${process.env['PATH']}` } : process.env
const curl = probe('curl', ['--version'])
if (!python.ok) console.warn(`skipped: docs/grading.md's Python example, because ${python.reason}`)
if (!curl.ok) console.warn(`skipped: docs/grading.md's passive example, because ${curl.reason}`)

describe('docs/grading.md', () => {
  it('marks every shell block, and holds the scenario and judgment tables as the catalogues make them (npm run catalogue)', () => {
    expect(blocks.filter((block) => block.language === 'sh' && !['grading', 'grading-python', 'grading-passive'].includes(block.kind))).toEqual([])
    expect(linesOf('grading').length).toBeGreaterThan(4)
    expect(refreshGradingPage(page)).toBe(page)
  })

  it.each(linesOf('grading').map((line) => [line] as const))('%s exits 0', async (line) => {
    const result = await run(line)
    expect(result.stderr).toBe('')
    expect(result.code, result.stdout.slice(-3000)).toBe(0)
  })

  it('left what the page says: CONFORMANT reports, a verified bundle of a grade, a diff without regression', () => {
    const report = JSON.parse(readFileSync(join(scratch.path, 'reader-reports', 'conformance.json'), 'utf8')) as {
      verdict: { verdict: string }
      subject: { kind: string }
    }
    expect(report.verdict.verdict).toBe('CONFORMANT')
    expect(report.subject.kind).toBe('connector')
    const bundle = readTar(readFileSync(join(scratch.path, 'writer.tar')))
    const statement = bundle.ok ? bundle.entries.find((entry) => entry.name === statementFile) : undefined
    const predicate = JSON.parse(Buffer.from(JSON.parse(statement?.content.toString('utf8') ?? '{}').payload, 'base64').toString('utf8')).predicate
    expect(predicate).toMatchObject({ command: 'nwa grade', subject: { kind: 'connector', name: 'node examples/connectors/node/writer.mjs' }, signed: true })
    expect(readFileSync(join(scratch.path, 'reader-diff.md'), 'utf8')).toMatch(/^## nwa diff: ✅ no regression/)
  })

  it.skipIf(!python.ok).each(linesOf('grading-python').map((line) => [line] as const))('%s exits 0', async (line) => {
    const result = await run(line, 240_000, pythonEnv)
    expect(result.code, result.stdout.slice(-3000)).toBe(0)
  })

  it.skipIf(!curl.ok)('the passive block grades the writer that talked to the mock, and writes the reports on Ctrl-C', async () => {
    const port = String(await freePort())
    const script = blocks.find((block) => block.kind === 'grading-passive')?.text ?? ''
    const result = await run(script.replaceAll('9698', port), 120_000)
    expect(result.code, `${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`).toBe(0)
    const report = JSON.parse(readFileSync(join(scratch.path, 'passive-reports', 'conformance.json'), 'utf8')) as { grade: { mode: string } }
    expect(report.grade.mode).toBe('passive')
  })
})
