import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('.', import.meta.url))
const sources = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'))

/** Every module specifier in import / export ... from / import() / require(). */
function specifiers(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"`])([^'"`]+)\1/g)) found.push(match[2]!)
  return found
}

describe('conformance treats every server as a black box', () => {
  it('finds the sources it scans', () => {
    expect(sources).toContain('runner.ts')
    expect(sources).toContain(join('reporters', 'html.ts'))
  })

  it('never imports from mock/', () => {
    const offending = sources.flatMap((file) =>
      specifiers(readFileSync(join(root, file), 'utf8'))
        .filter((spec) => spec.includes('../mock') || spec.includes('/mock/') || spec === 'mock')
        .map((spec) => `${file}: ${spec}`),
    )
    expect(offending).toEqual([])
  })

  it('would catch such an import', () => {
    // Assembled at run time so that this file does not trip its own scan.
    const mock = 'mo' + 'ck'
    const sample = `import { x } from '../${mock}/server.ts'\nexport * from "../../${mock}/auth/digest.ts"\nawait import('../${mock}/x.ts')`
    expect(specifiers(sample)).toEqual(['../mock/server.ts', '../../mock/auth/digest.ts', '../mock/x.ts'])
  })
})
