import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { codes as conformanceCodes } from '../conformance/errors.ts'
import { codes as mockCodes } from '../mock/errors.ts'
import { codes as openapiCodes } from '../openapi/errors.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Each package's one error table (ARCHITECTURE.md, "Error tables"). */
const tables = [
  { folder: 'openapi', prefix: 'OAS_ERR_', codes: openapiCodes },
  { folder: 'mock', prefix: 'MOCK_ERR_', codes: mockCodes },
  { folder: 'conformance', prefix: 'CONF_ERR_', codes: conformanceCodes },
] as const
const allCodes = tables.flatMap((table) => Object.values(table.codes).map((definition) => definition.code))

const scanned = [...tables.map((table) => table.folder), 'cli']

const sources = (folder: string): string[] =>
  readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => join(folder, file))

/** Calls that define an error code: `defineError('X_ERR_Y', ...)`, or a package's own `define('X_ERR_Y', ...)`. */
const definitions = (text: string): string[] => [...text.matchAll(/\b(?:defineError|define)\(\s*['"`]([A-Z]+_ERR_[A-Z0-9_]+)/g)].map((match) => match[1]!)

describe('error tables', () => {
  it('name each code by its key, with its package prefix, once across the kit', () => {
    for (const { prefix, codes } of tables) {
      for (const [key, definition] of Object.entries(codes)) {
        expect(definition.code).toBe(key)
        expect(key.startsWith(prefix), key).toBe(true)
      }
    }
    expect(allCodes.filter((code, index) => allCodes.indexOf(code) !== index)).toEqual([])
  })

  it("are each package's only one: no code is defined outside its errors.ts", () => {
    const stray = tables.flatMap(({ folder }) =>
      sources(folder)
        .filter((file) => file !== join(folder, 'errors.ts'))
        .flatMap((file) => definitions(readFileSync(join(root, file), 'utf8')).map((code) => `${file}: ${code}`)),
    )
    expect(stray).toEqual([])
    expect(definitions(`defineError('MOCK_ERR_X', 'a')\nconst c = define( "CONF_ERR_Y", 'b')`)).toEqual(['MOCK_ERR_X', 'CONF_ERR_Y'])
  })

  it('refer only to codes that exist, wherever a source names one', () => {
    const known = new Set(allCodes)
    const unknown = scanned.flatMap((folder) =>
      sources(folder).flatMap((file) =>
        [...readFileSync(join(root, file), 'utf8').matchAll(/['"`]([A-Z]+_ERR_[A-Z0-9_]+)['"`]/g)]
          .map((match) => match[1]!)
          .filter((code) => !known.has(code))
          .map((code) => `${file}: ${code}`),
      ),
    )
    expect(unknown).toEqual([])
  })

  it('are listed in ARCHITECTURE.md, every code and nothing more', () => {
    const text = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8')
    const documented = [...text.matchAll(/^\| `([A-Z]+_ERR_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]!)
    expect([...documented].sort()).toEqual([...allCodes].sort())
  })
})
