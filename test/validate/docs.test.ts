import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { commandLines, exampleBlocks, runLine } from '../helpers/doc-examples.ts'
import { probe, tempDir } from '../interop/support.ts'

/**
 * docs/validate.md's examples, run as written from a scratch directory holding this checkout's fixtures, with
 * `npx nwa` being this checkout's bin/nwa.js. A `validate-output` block is what the single line of the block before it
 * prints; the `validate-hook` block runs as the pre-commit hook of a scratch Git repository.
 */
const root = fileURLToPath(new URL('../..', import.meta.url))
const nwa = join(root, 'bin', 'nwa.js')
const page = readFileSync(join(root, 'docs', 'validate.md'), 'utf8')
const blocks = exampleBlocks(page)
const lines = blocks.filter((block) => block.kind === 'validate').flatMap((block) => commandLines(block.text))
const scratch = tempDir('validate-docs')
symlinkSync(join(root, 'fixtures'), join(scratch.path, 'fixtures'))
afterAll(() => scratch.remove())

function run(command: string, cwd = scratch.path): Promise<{ code: number; stdout: string; stderr: string }> {
  return runLine(command.replaceAll('npx nwa', `node ${nwa}`), { cwd })
}

describe('docs/validate.md examples', () => {
  it('marks every shell block, and has some', () => {
    expect(blocks.filter((block) => block.language === 'sh' && !['validate', 'validate-hook'].includes(block.kind))).toEqual([])
    expect(lines.length).toBeGreaterThan(5)
  })

  it.each(lines.map((line) => [line] as const))('%s exits 0', async (line) => {
    const result = await run(line)
    expect(result.code, `${result.stdout.slice(-2000)}${result.stderr.slice(-2000)}`).toBe(0)
  })

  it('prints what the page shows', async () => {
    const outputs = blocks.flatMap((block, index) =>
      block.kind === 'validate-output' ? [{ command: commandLines(blocks[index - 1]?.text ?? ''), shown: block.text }] : [],
    )
    expect(outputs.length).toBeGreaterThan(0)
    for (const output of outputs) {
      expect(output.command).toHaveLength(1)
      const result = await run((output.command[0] as string).replace(/^!\s*/, ''))
      expect(result.stdout).toBe(output.shown)
    }
  })

  const git = probe('git', ['--version'])
  if (!git.ok) console.warn(`skipped: the pre-commit hook of docs/validate.md because ${git.reason}`)
  it.skipIf(!git.ok)('the pre-commit hook refuses a commit with an invalid staged body, and lets a valid one through', async () => {
    const hook = blocks.find((block) => block.kind === 'validate-hook')?.text ?? ''
    const repo = join(scratch.path, 'repo')
    mkdirSync(join(repo, 'bodies'), { recursive: true })
    const gitIn = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', ...args], { cwd: repo, stdio: 'pipe' })
    gitIn('init', '-q')
    writeFileSync(join(repo, '.git', 'hooks', 'pre-commit'), hook)
    chmodSync(join(repo, '.git', 'hooks', 'pre-commit'), 0o755)
    copyFileSync(join(root, 'fixtures/examples/writeactivityrecords/write-request.json'), join(repo, 'bodies', 'good.json'))
    gitIn('add', 'bodies/good.json')
    expect((await run(hook, repo)).code).toBe(0)
    copyFileSync(join(root, 'fixtures/invalid/write/missing-who.xml'), join(repo, 'bodies', 'bad.xml'))
    gitIn('add', 'bodies/bad.xml')
    const refused = await run(hook, repo)
    expect(refused.code).not.toBe(0)
    expect(refused.stdout).toContain('bodies/bad.xml:3:5: Who is mandatory but missing')
  })
})
