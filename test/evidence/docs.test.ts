import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { parseBaseline } from '../../conformance/baseline.ts'
import { tempDir } from '../interop/support.ts'

/**
 * docs/evidence.md's examples, run as written, in order, from one scratch directory: `npx nwa` there is this checkout's
 * bin/nwa.js. Every shell block of the page is marked `<!-- example: evidence -->`, so none escapes this test.
 */
const root = fileURLToPath(new URL('../..', import.meta.url))
const page = readFileSync(join(root, 'docs', 'evidence.md'), 'utf8')
const blocks = [...page.matchAll(/(?:<!-- example: ([\w -]+?) -->\n)?```(\w*)\n([\s\S]*?)```/g)].map((match) => ({
  kind: match[1] ?? '',
  language: match[2] ?? '',
  text: match[3] ?? '',
}))
const lines = blocks
  .filter((block) => block.kind === 'evidence')
  .flatMap((block) => block.text.split('\n'))
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter(Boolean)
const scratch = tempDir('evidence-docs')
afterAll(() => scratch.remove())

function run(line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = line.replace(/^npx nwa\b/, `node ${join(root, 'bin', 'nwa.js')}`)
  return new Promise((resolve) => {
    execFile('bash', ['-euo', 'pipefail', '-c', command], { cwd: scratch.path, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
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
