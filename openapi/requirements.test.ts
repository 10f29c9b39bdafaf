import { fileURLToPath } from 'node:url'
import { describe, it, expect } from 'vitest'
import { loadExamples } from '../test/helpers/contract.ts'
import {
  clientRequirements,
  findBracketCitations,
  findCitedIds,
  isClientRequirement,
  loadRequirements,
  parseRequirements,
  requirementAreas,
  requirementById,
  requirementsPath,
  serverRequirements,
  uncitedRequirements,
  type Requirement,
} from './requirements.ts'

/** A page of the public documentation, by its path there: relative, lower case, ending in .md. */
const pagePath = /^[a-z0-9-]+(\/[a-z0-9-]+)*\.md$/

const idShape = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/

function entry(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value], i) => `${i === 0 ? '  - ' : '    '}${key}: '${value.replaceAll("'", "''")}'`)
    .join('\n')
}

function catalogueOf(...entries: Record<string, string>[]): string {
  return `requirements:\n${entries.map(entry).join('\n')}\n`
}

const valid = { id: 'ZZ-ONE', level: 'MUST', area: 'status', source: 'api/endpoints.md', text: 'One line.' }

describe('the real catalogue', () => {
  const all = loadRequirements()

  it('parses from the file next to the module', () => {
    expect(requirementsPath).toBe(fileURLToPath(new URL('./requirements.yaml', import.meta.url)))
    expect(all.length).toBeGreaterThan(0)
  })

  it("holds between 60 and 140 statements of the server and between 20 and 40 of clients, the clients' last", () => {
    const server = serverRequirements()
    const client = clientRequirements()
    expect(server.length).toBeGreaterThanOrEqual(60)
    expect(server.length).toBeLessThanOrEqual(140)
    expect(client.length).toBeGreaterThanOrEqual(20)
    expect(client.length).toBeLessThanOrEqual(40)
    expect([...server, ...client]).toEqual(all)
    expect(client.every((requirement) => requirement.id.startsWith('CLIENT-') && isClientRequirement(requirement))).toBe(true)
  })

  it('has unique, well-formed ids', () => {
    const ids = all.map((r) => r.id)
    expect(ids.filter((id) => !idShape.test(id))).toEqual([])
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('uses only the three levels and the known areas', () => {
    expect(all.filter((r) => !['MUST', 'SHOULD', 'MAY'].includes(r.level)).map((r) => r.id)).toEqual([])
    expect(all.filter((r) => !requirementAreas.includes(r.area)).map((r) => r.id)).toEqual([])
  })

  it('has at least one entry in every area', () => {
    const used = new Set(all.map((r) => r.area))
    expect(requirementAreas.filter((area) => !used.has(area))).toEqual([])
  })

  it('keeps every text on one line', () => {
    expect(all.filter((r) => /[\r\n]/.test(r.text)).map((r) => r.id)).toEqual([])
  })

  it('names a documentation page by its path as the source of every entry', () => {
    expect(all.filter((r) => !pagePath.test(r.source)).map((r) => `${r.id}: ${r.source}`)).toEqual([])
  })

  it('covers every page a documented example comes from (a page path spelt two ways is a typo in one of them)', () => {
    const cited = new Set(all.map((r) => r.source))
    const uncovered = [...new Set(loadExamples().map((example) => example.source))].filter((page) => !cited.has(page))
    expect(uncovered).toEqual([])
  })

  it('looks entries up by id', () => {
    const first = all[0]!
    expect(requirementById(first.id)).toEqual(first)
    expect(requirementById('ZZ-NOT-IN-THE-CATALOGUE')).toBeUndefined()
  })
})

describe('parseRequirements', () => {
  it('accepts a well-formed entry, with and without a note', () => {
    const parsed = parseRequirements(catalogueOf(valid, { ...valid, id: 'ZZ-TWO', note: 'Ambiguous: see page.' }))
    expect(parsed).toEqual([valid, { ...valid, id: 'ZZ-TWO', note: 'Ambiguous: see page.' }])
  })

  it('rejects a duplicate id and names it', () => {
    expect(() => parseRequirements(catalogueOf(valid, { ...valid, text: 'Other.' }))).toThrow(/requirements\[1\] \(ZZ-ONE\).*duplicate id.*requirements\[0\]/)
  })

  it('rejects a bad level', () => {
    expect(() => parseRequirements(catalogueOf({ ...valid, level: 'MUSTNT' }))).toThrow(/ZZ-ONE.*level "MUSTNT"/)
  })

  it('rejects a missing field', () => {
    const { source: _dropped, ...withoutSource } = valid
    expect(() => parseRequirements(catalogueOf(withoutSource))).toThrow(/ZZ-ONE.*"source" is missing/)
  })

  it('rejects an unknown area, a malformed id, an unknown field and a multi-line text', () => {
    expect(() => parseRequirements(catalogueOf({ ...valid, area: 'misc' }))).toThrow(/area "misc"/)
    expect(() => parseRequirements(catalogueOf({ ...valid, id: 'zz-one' }))).toThrow(/id "zz-one"/)
    expect(() => parseRequirements(catalogueOf({ ...valid, id: 'ZZONE' }))).toThrow(/id "ZZONE"/)
    expect(() => parseRequirements(catalogueOf({ ...valid, notes: 'x' }))).toThrow(/unknown field "notes"/)
    const blockText = `requirements:\n${entry({ ...valid, text: 'x' }).replace("text: 'x'", 'text: |\n      two\n      lines')}\n`
    expect(() => parseRequirements(blockText)).toThrow(/ZZ-ONE.*single line/)
  })

  it('rejects a document without a requirements list', () => {
    expect(() => parseRequirements('requirement: []\n')).toThrow(/"requirements" list/)
    expect(() => parseRequirements(`requirements:\n  - just a string\n`)).toThrow(/requirements\[0\]: entry must be a mapping/)
  })
})

describe('citation scanning', () => {
  const known = new Set(['ZZ-ONE', 'ZZ-ONE-TWO', 'QQ-9'])

  it('finds known ids only as whole tokens, once each, sorted', () => {
    const text = `requirements: ['ZZ-ONE-TWO', "QQ-9"], see ZZ-ONE. Not XZZ-ONE, ZZ-ONE-THREE, ZZ-ONE_x or zz-one; QQ-9 again.`
    expect(findCitedIds(text, known)).toEqual(['QQ-9', 'ZZ-ONE', 'ZZ-ONE-TWO'])
    expect(findCitedIds('ZZ-ONE-THREE and XZZ-ONE', known)).toEqual([])
  })

  it('finds ids cited in square brackets, alone or as a list', () => {
    const text = `it('[ZZ-ONE] does a thing'); it('[QQ-9, ZZ-TWO] [ZZ-THREE ZZ-FOUR]'); xs[0]; [lower-case]; [NOHYPHEN]; [ZZ-ONE]`
    expect(findBracketCitations(text)).toEqual(['QQ-9', 'ZZ-FOUR', 'ZZ-ONE', 'ZZ-THREE', 'ZZ-TWO'])
    expect(findBracketCitations('[ZZ-ONE, not-an-id]')).toEqual([])
  })

  it('lists the uncited requirements in catalogue order', () => {
    const all: Requirement[] = ['ZZ-C', 'ZZ-A', 'ZZ-B'].map((id) => ({ ...valid, level: 'MUST', id }))
    expect(uncitedRequirements(all, new Set(['ZZ-A'])).map((r) => r.id)).toEqual(['ZZ-C', 'ZZ-B'])
    expect(uncitedRequirements(all, new Set(['ZZ-A', 'ZZ-B', 'ZZ-C']))).toEqual([])
  })
})
