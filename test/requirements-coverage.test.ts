import { readdirSync, readFileSync, type Dirent } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it, expect } from 'vitest'
import { findBracketCitations, findCitedIds, loadRequirements, requirementIdPattern, uncitedRequirements } from '../openapi/requirements.ts'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const scannedDirs = ['openapi', 'mock', 'conformance', 'cli', 'test']
// These two files mention ids (or id-like strings) to test the scanner itself; counting them would be circular.
const excluded = new Set([fileURLToPath(import.meta.url), join(repoRoot, 'openapi', 'requirements.test.ts')])

function tsFilesUnder(dir: string): string[] {
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFilesUnder(path)
    return e.isFile() && e.name.endsWith('.ts') ? [path] : []
  })
}

const allFiles = scannedDirs.flatMap((d) => tsFilesUnder(join(repoRoot, d))).sort()
const files = allFiles.filter((f) => !excluded.has(f))
const catalogue = loadRequirements()
const known: ReadonlySet<string> = new Set(catalogue.map((r) => r.id))
const prefixes: ReadonlySet<string> = new Set(catalogue.map((r) => r.id.split('-')[0]!))

describe('requirement citations', () => {
  it('walks the source folders', () => {
    expect(allFiles).toContain(join(repoRoot, 'openapi', 'requirements.ts'))
    expect(allFiles).toContain(fileURLToPath(import.meta.url))
    expect(allFiles.some((f) => f.includes(`${sep}node_modules${sep}`))).toBe(false)
  })

  it('has no bracket citation in a test file that looks like a requirement id but is not in the catalogue', () => {
    const unknown = files
      .filter((f) => f.endsWith('.test.ts'))
      .flatMap((f) =>
        findBracketCitations(readFileSync(f, 'utf8'))
          .filter((id) => requirementIdPattern.test(id) && prefixes.has(id.split('-')[0]!) && !known.has(id))
          .map((id) => `${relative(repoRoot, f)}: [${id}]`),
      )
    expect(unknown).toEqual([])
  })

  it('reports the requirements nothing cites yet', () => {
    const cited = new Set(files.flatMap((f) => findCitedIds(readFileSync(f, 'utf8'), known)))
    const uncited = uncitedRequirements(catalogue, cited)
      .map((r) => r.id)
      .sort()
    console.log(`requirements not cited yet: ${uncited.length} of ${catalogue.length}`)
    for (const id of uncited) console.log(`  uncited ${id}`)
    expect(cited.size + uncited.length).toBe(catalogue.length)
  })
})
