import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { allChecks } from './checks/index.ts'
import { catalogueMarkers, renderCatalogue, replaceCatalogue } from './catalogue.ts'

describe('the check catalogue of docs/check.md', () => {
  it('is exactly the table rendered from the checks (run `npm run catalogue` after changing a check)', () => {
    const page = readFileSync(new URL('../docs/check.md', import.meta.url), 'utf8')
    expect(page).toContain(catalogueMarkers.start)
    expect(replaceCatalogue(page, renderCatalogue(allChecks))).toBe(page)
  })

  it('lists every check once', () => {
    const table = renderCatalogue(allChecks)
    for (const check of allChecks) expect(table.split(`| \`${check.id}\` |`).length - 1, check.id).toBe(1)
  })
})
