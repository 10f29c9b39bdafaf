import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { allChecks } from './checks/index.ts'
import { catalogueMarkers, renderCatalogue, replaceCatalogue } from './catalogue.ts'

describe('the README check catalogue', () => {
  it('is exactly the table rendered from the checks (run `npm run catalogue` after changing a check)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(readme).toContain(catalogueMarkers.start)
    expect(replaceCatalogue(readme, renderCatalogue(allChecks))).toBe(readme)
  })

  it('lists every check once', () => {
    const table = renderCatalogue(allChecks)
    for (const check of allChecks) expect(table.split(`| \`${check.id}\` |`).length - 1, check.id).toBe(1)
  })
})
