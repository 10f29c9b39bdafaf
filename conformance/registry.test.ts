import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadRequirements } from '../openapi/requirements.ts'
import { isConformanceError } from './errors.ts'
import { createRegistry } from './registry.ts'
import { makeCheck } from './test-support.ts'
import type { Check } from './types.ts'

const checks = [
  makeCheck({ id: 'formats.xml-default', tags: ['xml', 'read'], category: 'formats' }),
  makeCheck({ id: 'formats.json-query', tags: ['json', 'read'], category: 'formats' }),
  makeCheck({ id: 'auth.basic', tags: ['auth-scheme'], category: 'auth' }),
  makeCheck({ id: 'write.mandatory', tags: ['write'], category: 'write' }),
]
const ids = (list: Check[]) => list.map((c) => c.id)

describe('createRegistry', () => {
  it('refuses duplicate ids', () => {
    expect(() => createRegistry([makeCheck({ id: 'a' }), makeCheck({ id: 'a' })])).toThrow(/duplicate check id a/)
  })

  it('lists every check in registration order and finds one by id', () => {
    const registry = createRegistry(checks)
    expect(ids(registry.all())).toEqual(ids(checks))
    expect(registry.get('auth.basic')?.category).toBe('auth')
    expect(registry.get('auth')).toBeUndefined()
  })

  it('selects by id, prefix, tag: and bare tag or category, keeping registration order', () => {
    const registry = createRegistry(checks)
    expect(ids(registry.select({ only: ['auth.basic', 'formats.xml-default'] }))).toEqual(['formats.xml-default', 'auth.basic'])
    expect(ids(registry.select({ only: ['formats.*'] }))).toEqual(['formats.xml-default', 'formats.json-query'])
    expect(ids(registry.select({ only: ['tag:json'] }))).toEqual(['formats.json-query'])
    expect(ids(registry.select({ only: ['write'] }))).toEqual(['write.mandatory'])
    expect(ids(registry.select({ only: ['auth'] }))).toEqual(['auth.basic'])
  })

  it('applies --skip after --only, and selects everything when neither is given', () => {
    const registry = createRegistry(checks)
    expect(ids(registry.select({}))).toEqual(ids(checks))
    expect(ids(registry.select({ only: ['tag:read'], skip: ['formats.json-query'] }))).toEqual(['formats.xml-default'])
    expect(ids(registry.select({ skip: ['tag:read', 'auth.*'] }))).toEqual(['write.mandatory'])
  })

  it('treats an entry that matches nothing as a usage error', () => {
    const error = (() => {
      try {
        createRegistry(checks).select({ only: ['formats.xml-defualt'] })
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(isConformanceError(error, 'CONF_ERR_USAGE')).toBe(true)
    expect((error as Error).message).toContain('formats.xml-defualt')
  })
})

const checksIndex = fileURLToPath(new URL('./checks/index.ts', import.meta.url))
const noChecksYet = !existsSync(checksIndex)
if (noChecksYet) console.log(`registry.test: skipping the catalogue citation test, ${checksIndex} does not exist yet`)

describe('the real checks', () => {
  it.skipIf(noChecksYet)('cite only requirement ids that exist in openapi/requirements.yaml, under unique ids', async () => {
    const { allChecks } = (await import(pathToFileURL(checksIndex).href)) as { allChecks: Check[] }
    const known = new Set(loadRequirements().map((r) => r.id))
    const unknown = allChecks.flatMap((check) => check.requirements.filter((id) => !known.has(id)).map((id) => `${check.id}: ${id}`))
    expect(unknown).toEqual([])
    expect(() => createRegistry(allChecks)).not.toThrow()
  })
})
