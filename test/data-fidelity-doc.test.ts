import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { fidelityChecks } from '../conformance/checks/fidelity.ts'
import { defectCatalogue } from '../mock/defects/index.ts'
import { tempDir } from './interop/support.ts'

/**
 * docs/data-fidelity.md stays true: its shell example runs as written, and its tables of checks and seeded defects
 * are the family's own.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const doc = readFileSync(join(root, 'docs', 'data-fidelity.md'), 'utf8')

const blocks = [...doc.matchAll(/(?:<!-- example: ([\w -]+?) -->\n)?```(\w*)\n([\s\S]*?)```/g)].map((match) => ({
  kind: match[1] ?? '',
  language: match[2] ?? '',
  text: match[3] ?? '',
}))

/** The rows of the Markdown table whose first cell is a code span, each as its cells. */
function rows(section: string): string[][] {
  const start = doc.indexOf(section)
  const text = doc.slice(start, doc.indexOf('\n## ', start + 1) < 0 ? undefined : doc.indexOf('\n## ', start + 1))
  return [...text.matchAll(/^\| `([^`]+)` \|(.*)\|$/gm)].map((match) => [match[1]!, ...match[2]!.split('|').map((cell) => cell.trim())])
}

describe('docs/data-fidelity.md', () => {
  it('lists every check of the family with its level and decision', () => {
    expect(rows('## The checks').map(([id, level, decision]) => [id, level, decision])).toEqual(
      fidelityChecks.map((check) => [check.id, check.level, check.decision ?? '']),
    )
  })

  it('lists every seeded defect of the family', () => {
    expect(rows('## The seeded defects').map(([name]) => name)).toEqual(
      defectCatalogue.filter((defect) => defect.family === 'fidelity').map((defect) => defect.name),
    )
  })

  it('marks its shell examples as run here', () => {
    expect(blocks.filter((block) => block.language === 'sh').map((block) => block.kind)).toEqual(['check'])
  })

  it.each(blocks.filter((block) => block.kind === 'check').flatMap((block) => block.text.split('\n').filter((line) => line.trim() !== '')))(
    '%s exits 0 with every fidelity check passed',
    async (line) => {
      const scratch = tempDir('fidelity-doc')
      try {
        const command = line.replace(/#.*$/, '').replace(/^npx nwa\b/, `node ${join(root, 'bin', 'nwa.js')}`)
        const code = await new Promise<number>((resolve) => {
          execFile('bash', ['-euo', 'pipefail', '-c', command], { cwd: scratch.path, timeout: 120_000 }, (error) =>
            resolve(error ? Number((error as { code?: number }).code ?? 1) : 0),
          )
        })
        expect(code).toBe(0)
        const report = JSON.parse(readFileSync(join(scratch.path, 'reports', 'fidelity', 'conformance.json'), 'utf8')) as {
          checks: { id: string; status: string }[]
        }
        expect(report.checks.map((check) => `${check.id} ${check.status}`)).toEqual(fidelityChecks.map((check) => `${check.id} pass`))
      } finally {
        scratch.remove()
      }
    },
    150_000,
  )
})
