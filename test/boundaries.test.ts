import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
/**
 * The packages and what none of their modules, tests included, may reach directly or through another
 * module, a test helper or a fixture generator (ARCHITECTURE.md, "Packages and dependencies").
 */
const packages = ['openapi', 'mock', 'conformance', 'cli'] as const
type Package = (typeof packages)[number]
const mustNotReach: Record<Package, readonly Package[]> = {
  openapi: ['mock', 'conformance', 'cli'],
  mock: ['conformance', 'cli'],
  conformance: ['mock', 'cli'],
  cli: [],
}

/** Every module specifier in import / export ... from / import() / require(). */
function specifiers(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"`])([^'"`]+)\1/g)) found.push(match[2]!)
  return found
}

/** The repository-relative files a module imports; bare specifiers (node:, packages) are not ours. */
function localImports(file: string): string[] {
  return specifiers(readFileSync(join(root, file), 'utf8'))
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(root, join(dirname(join(root, file)), spec)))
    .filter((target) => existsSync(join(root, target)))
}

/** Every file a module reaches through relative imports, itself excluded. */
function reach(start: string): Set<string> {
  const seen = new Set<string>()
  const queue = [start]
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const target of localImports(file)) {
      if (seen.has(target) || target === start) continue
      seen.add(target)
      if (target.endsWith('.ts')) queue.push(target)
    }
  }
  return seen
}

const topFolder = (file: string): string => file.split(sep)[0] ?? ''
const sourcesOf = (folder: string): string[] =>
  readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file))

const reached = new Map(packages.map((name) => [name, new Map(sourcesOf(name).map((file) => [file, reach(file)]))]))

/** `file → target` for each file of a package that reaches a package it must not. */
function crossings(name: Package): string[] {
  const forbidden: readonly string[] = mustNotReach[name]
  return [...(reached.get(name) ?? [])].flatMap(([file, targets]) =>
    [...targets].filter((target) => forbidden.includes(topFolder(target))).map((target) => `${file} → ${target}`),
  )
}

const folderReaches = (name: Package, folder: string): boolean =>
  [...(reached.get(name)?.values() ?? [])].some((targets) => [...targets].some((target) => topFolder(target) === folder))

describe('import boundaries', () => {
  it('finds the sources it scans', () => {
    expect(reached.get('conformance')?.has(join('conformance', 'runner.ts'))).toBe(true)
    expect(reached.get('mock')?.has(join('mock', 'app.ts'))).toBe(true)
    expect(reached.get('openapi')?.has(join('openapi', 'contract.ts'))).toBe(true)
  })

  it('openapi/ imports neither mock/ nor conformance/', () => {
    expect(crossings('openapi')).toEqual([])
  })

  it('mock/ never imports conformance/', () => {
    expect(crossings('mock')).toEqual([])
  })

  it('conformance/ never imports mock/: it treats every server as a black box', () => {
    expect(crossings('conformance')).toEqual([])
  })

  it('cli/ is the one package that imports both', () => {
    const both = packages.filter((name) => folderReaches(name, 'mock') && folderReaches(name, 'conformance'))
    expect(both).toEqual(['cli'])
  })

  it('would catch such an import, written any way, and through another module', () => {
    // Assembled at run time so that this file does not trip a scan of its own folder.
    const mock = 'mo' + 'ck'
    const sample = `import { x } from '../${mock}/server.ts'\nexport * from "../../${mock}/auth/digest.ts"\nawait import('../${mock}/x.ts')\nrequire(\`./y\`)`
    expect(specifiers(sample)).toEqual(['../mock/server.ts', '../../mock/auth/digest.ts', '../mock/x.ts', './y'])
    // fixtures/seed/generate.ts imports mock/directory.ts, so an openapi/ module importing the generator reaches mock/.
    expect([...reach(join('fixtures', 'seed', 'generate.ts'))].map(topFolder)).toContain('mock')
  })
})
