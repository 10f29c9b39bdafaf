import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadRequirements } from '../../openapi/requirements.ts'
import { defectCatalogue, families } from './index.ts'

const requirements = new Map(loadRequirements().map((requirement) => [requirement.id, requirement]))
/** The decision ids of openapi/DECISIONS.md: the first cell of each table row. */
const decisions = new Set(
  [...readFileSync(new URL('../../openapi/DECISIONS.md', import.meta.url), 'utf8').matchAll(/^\| ([DS]\d+) \|/gm)].map((match) => match[1]!),
)

describe('the defect catalogue of nwa selftest', () => {
  it('holds at least 40 defects with unique kebab-case names, each with a one-line description', () => {
    expect(defectCatalogue.length).toBeGreaterThanOrEqual(40)
    const names = defectCatalogue.map((defect) => defect.name)
    expect(new Set(names).size).toBe(names.length)
    for (const defect of defectCatalogue) {
      expect(defect.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
      expect(defect.description.trim().length, defect.name).toBeGreaterThan(20)
      expect(defect.description, defect.name).not.toContain('\n')
    }
  })

  it('lists the families in the order the suite runs them, each with several defects', () => {
    expect([...new Set(defectCatalogue.map((defect) => defect.family))]).toEqual([...families])
    for (const family of families) expect(defectCatalogue.filter((defect) => defect.family === family).length, family).toBeGreaterThanOrEqual(4)
  })

  it('names for each defect the requirements it breaks, and the decision when the rule is one', () => {
    for (const defect of defectCatalogue) {
      expect(defect.requirements.length, defect.name).toBeGreaterThan(0)
      for (const id of defect.requirements) expect(requirements.has(id), `${defect.name}: ${id}`).toBe(true)
      if (defect.decision !== undefined) expect(decisions.has(defect.decision), `${defect.name}: ${defect.decision}`).toBe(true)
    }
  })

  it('reaches every requirement area but transport, which no client can test over the plain HTTP the self-test uses', () => {
    const areas = new Set(defectCatalogue.flatMap((defect) => defect.requirements.map((id) => requirements.get(id)!.area)))
    const all = new Set([...requirements.values()].map((requirement) => requirement.area))
    expect([...all].filter((area) => !areas.has(area))).toEqual(['transport'])
  })

  it('has the subtle defects issue 9 names: an off-by-one When bound, a page that drops a record only while another client writes, a mark not bound to its user, a scope leak only on page 2, element order, a role checked after the body is read', () => {
    const names = new Set(defectCatalogue.map((defect) => defect.name))
    for (const name of [
      'when-to-exclusive',
      'page-skips-while-writing',
      'mark-not-bound-to-user',
      'scope-leak-page-2',
      'xml-plan-name-before-id',
      'role-after-body',
    ])
      expect(names.has(name), name).toBe(true)
  })
})
