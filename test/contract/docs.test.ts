import { readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { commandLines, exampleBlocks, runLine } from '../helpers/doc-examples.ts'
import { probe, tempDir } from '../interop/support.ts'

/**
 * docs/contract.md's examples, run as written from a scratch directory that holds this checkout's contract, fixtures
 * and npm setup (linked), and the page's Python program under the name its block gives. Every shell block of the page
 * is marked `<!-- example: contract -->`, so none escapes this test.
 */
const root = fileURLToPath(new URL('../..', import.meta.url))
const page = readFileSync(join(root, 'docs', 'contract.md'), 'utf8')
const blocks = exampleBlocks(page)
const lines = blocks.filter((block) => block.kind === 'contract').flatMap((block) => commandLines(block.text))
const programs = blocks.filter((block) => block.kind.startsWith('contract-python '))

// The page's program needs PyYAML and jsonschema, which Debian's python3-jsonschema installs for /usr/bin/python3.
const python = ['/usr/bin/python3', 'python3'].find((file) => probe(file, ['-c', 'import yaml, jsonschema']).ok)
if (!python) console.warn('skipped: the Python lines of docs/contract.md because no python can import yaml and jsonschema')

const scratch = tempDir('contract-docs')
for (const name of ['openapi', 'fixtures', 'node_modules', 'package.json', 'redocly.yaml', '.redocly.lint-ignore.yaml']) {
  symlinkSync(join(root, name), join(scratch.path, name))
}
for (const program of programs) writeFileSync(join(scratch.path, program.kind.split(' ')[1] as string), program.text)
afterAll(() => scratch.remove())

function run(line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // python3 is the interpreter that has the modules, when that is not the one on PATH.
  const command = python ? line.replace(/^(!\s*)?python3\b/, `$1${python}`) : line
  return runLine(command, { cwd: scratch.path })
}

describe('docs/contract.md examples', () => {
  it('marks every shell block, names its one program, and has some', () => {
    expect(blocks.filter((block) => block.language === 'sh' && block.kind !== 'contract')).toEqual([])
    expect(programs.map((program) => program.language)).toEqual(['python'])
    expect(lines.length).toBeGreaterThan(2)
  })

  const isPython = (line: string) => /^(!\s*)?python3\b/.test(line)
  const exitsZero = async (line: string) => {
    const result = await run(line)
    expect(result.code, `${result.stdout.slice(-2000)}${result.stderr.slice(-2000)}`).toBe(0)
  }
  it.each(lines.filter((line) => !isPython(line)).map((line) => [line] as const))('%s exits 0', exitsZero, 120_000)
  it.skipIf(!python).each(lines.filter(isPython).map((line) => [line] as const))('%s exits 0', exitsZero, 120_000)

  it.skipIf(!python)('the program names the field and the format it refuses', async () => {
    const result = await run('python3 check_write.py fixtures/invalid/write/forbidden-character-escaped.json || true')
    expect(result.stdout).toMatch(/^\/0\/What .* is not a 'xml-text'$/m)
  })
})
