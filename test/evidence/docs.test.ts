import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { parseBaseline } from '../../conformance/baseline.ts'
import { commandLines, exampleBlocks, runLine } from '../helpers/doc-examples.ts'
import { tempDir } from '../interop/support.ts'

/**
 * docs/evidence.md's examples, run as written, in order, from one scratch directory: `npx nwa` there is this checkout's
 * bin/nwa.js. Every shell block of the page is marked `<!-- example: evidence -->`, so none escapes this test.
 */
const root = fileURLToPath(new URL('../..', import.meta.url))
const page = readFileSync(join(root, 'docs', 'evidence.md'), 'utf8')
const blocks = exampleBlocks(page)
const lines = blocks.filter((block) => block.kind === 'evidence').flatMap((block) => commandLines(block.text))
const scratch = tempDir('evidence-docs')
afterAll(() => scratch.remove())

function run(line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return runLine(line.replace(/^npx nwa\b/, `node ${join(root, 'bin', 'nwa.js')}`), { cwd: scratch.path })
}

describe('docs/evidence.md examples', () => {
  it('marks every shell block, and has some', () => {
    expect(blocks.filter((block) => block.language === 'sh' && block.kind !== 'evidence')).toEqual([])
    expect(lines.length).toBeGreaterThan(4)
  })

  it.each(lines.map((line) => [line] as const))(
    '%s exits 0',
    async (line) => {
      const result = await run(line)
      expect(result.stderr).toBe('')
      expect(result.code, result.stdout.slice(-2000)).toBe(0)
    },
    120_000,
  )

  it('left what the page says: a verified bundle, a diff, an empty baseline', () => {
    expect(existsSync(join(scratch.path, 'run.tar'))).toBe(true)
    expect(readFileSync(join(scratch.path, 'diff.md'), 'utf8')).toMatch(/^## nwa diff: ✅ no regression/)
    expect(parseBaseline(readFileSync(join(scratch.path, 'known-failures.yaml'), 'utf8'), 'known-failures.yaml')).toEqual([])
  })
})
