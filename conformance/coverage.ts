/**
 * Coverage is generated (ARCHITECTURE.md, "The runner"): every catalogued requirement maps to the checks
 * that cite it, to a reason it cannot be tested from outside, or to a gap.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { Requirement, RequirementLevel } from '../openapi/requirements.ts'
import type { Check } from './types.ts'

export interface UntestableEntry {
  id: string
  reason: string
}

export type CoverageStatus = 'covered' | 'untestable' | 'not-covered'

export interface CoverageRow {
  requirement: string
  level: RequirementLevel
  area: string
  text: string
  status: CoverageStatus
  /** Ids of the checks citing the requirement, in check order. */
  checks: string[]
  /** For 'untestable'. */
  reason?: string
}

export const untestablePath: string = fileURLToPath(new URL('./untestable.yaml', import.meta.url))

export function parseUntestable(text: string): UntestableEntry[] {
  const document: unknown = parse(text)
  const list = (document as { untestable?: unknown } | null)?.untestable
  if (!Array.isArray(list)) throw new Error('untestable.yaml: top level must be a mapping with an "untestable" list')
  return list.map((raw: unknown, index) => {
    const entry = raw as Record<string, unknown> | null
    const id = entry?.['id']
    const reason = entry?.['reason']
    if (typeof id !== 'string' || typeof reason !== 'string' || reason.trim() === '' || /[\r\n]/.test(reason)) {
      throw new Error(`untestable.yaml: entry ${index} needs an id and a one-line reason`)
    }
    if (Object.keys(entry ?? {}).some((key) => key !== 'id' && key !== 'reason')) {
      throw new Error(`untestable.yaml: entry ${index} (${id}) has a key other than id and reason`)
    }
    return { id, reason }
  })
}

export function loadUntestable(): UntestableEntry[] {
  return parseUntestable(readFileSync(untestablePath, 'utf8'))
}

export function computeCoverage(
  requirements: readonly Requirement[],
  checks: readonly Pick<Check, 'id' | 'requirements'>[],
  untestable: readonly UntestableEntry[],
): CoverageRow[] {
  const citing = new Map<string, string[]>()
  for (const check of checks) {
    for (const id of new Set(check.requirements)) citing.set(id, [...(citing.get(id) ?? []), check.id])
  }
  const reasons = new Map(untestable.map((entry) => [entry.id, entry.reason]))
  return requirements.map((requirement) => {
    const row: CoverageRow = {
      requirement: requirement.id,
      level: requirement.level,
      area: requirement.area,
      text: requirement.text,
      status: 'not-covered',
      checks: citing.get(requirement.id) ?? [],
    }
    const reason = reasons.get(requirement.id)
    if (row.checks.length > 0) row.status = 'covered'
    else if (reason !== undefined) {
      row.status = 'untestable'
      row.reason = reason
    }
    return row
  })
}

/** The one-line wording every reporter uses for a row's outcome. */
export function describeCoverage(row: CoverageRow): string {
  if (row.status === 'covered') return row.checks.join(', ')
  if (row.status === 'untestable') return `not testable from outside: ${row.reason ?? ''}`
  return 'not covered'
}
