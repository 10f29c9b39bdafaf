import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export type RequirementLevel = 'MUST' | 'SHOULD' | 'MAY'

export interface Requirement {
  id: string
  level: RequirementLevel
  area: string
  source: string
  text: string
  note?: string
}

export const requirementLevels: readonly RequirementLevel[] = ['MUST', 'SHOULD', 'MAY']

export const requirementAreas: readonly string[] = [
  'endpoints',
  'formats',
  'pagination',
  'marks',
  'search',
  'filters',
  'write',
  'auth',
  'roles',
  'status',
  'errors',
  'transport',
]

export const requirementIdPattern = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/

export const requirementsPath: string = fileURLToPath(new URL('./requirements.yaml', import.meta.url))

const allowedFields: ReadonlySet<string> = new Set(['id', 'level', 'area', 'source', 'text', 'note'])

function isLevel(value: string): value is RequirementLevel {
  return (requirementLevels as readonly string[]).includes(value)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function entryLabel(index: number, raw: unknown): string {
  const id = isRecord(raw) && typeof raw['id'] === 'string' ? ` (${raw['id']})` : ''
  return `requirements[${index}]${id}`
}

function requiredString(raw: Record<string, unknown>, field: string, label: string): string {
  const value = raw[field]
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`${label}: field "${field}" is missing or not a non-empty string`)
  }
  return value
}

function toRequirement(raw: unknown, index: number): Requirement {
  const label = entryLabel(index, raw)
  if (!isRecord(raw)) throw new Error(`${label}: entry must be a mapping`)
  // An unknown key is almost always a misspelt field (e.g. `notes:`), which would otherwise vanish silently.
  for (const key of Object.keys(raw)) {
    if (!allowedFields.has(key)) throw new Error(`${label}: unknown field "${key}"`)
  }
  const id = requiredString(raw, 'id', label)
  const level = requiredString(raw, 'level', label)
  const area = requiredString(raw, 'area', label)
  const source = requiredString(raw, 'source', label)
  const text = requiredString(raw, 'text', label)
  if (!requirementIdPattern.test(id)) {
    throw new Error(`${label}: id "${id}" is not UPPER-KEBAB-CASE (${requirementIdPattern.source})`)
  }
  if (!isLevel(level)) {
    throw new Error(`${label}: level "${level}" is not one of ${requirementLevels.join(', ')}`)
  }
  if (!requirementAreas.includes(area)) {
    throw new Error(`${label}: area "${area}" is not one of ${requirementAreas.join(', ')}`)
  }
  if (/[\r\n]/.test(text)) throw new Error(`${label}: text must be a single line`)
  const requirement: Requirement = { id, level, area, source, text }
  if (raw['note'] !== undefined) requirement.note = requiredString(raw, 'note', label)
  return requirement
}

export function parseRequirements(yamlText: string): Requirement[] {
  const document: unknown = parse(yamlText)
  if (!isRecord(document) || !Array.isArray(document['requirements'])) {
    throw new Error('requirements catalogue: top level must be a mapping with a "requirements" list')
  }
  const seen = new Map<string, number>()
  return document['requirements'].map((raw: unknown, index: number) => {
    const requirement = toRequirement(raw, index)
    const first = seen.get(requirement.id)
    if (first !== undefined) {
      throw new Error(`requirements[${index}] (${requirement.id}): duplicate id, first defined at requirements[${first}]`)
    }
    seen.set(requirement.id, index)
    return requirement
  })
}

let cached: { list: Requirement[]; byId: Map<string, Requirement> } | undefined

function catalogue(): { list: Requirement[]; byId: Map<string, Requirement> } {
  if (cached === undefined) {
    const list = parseRequirements(readFileSync(requirementsPath, 'utf8'))
    cached = { list, byId: new Map(list.map((r) => [r.id, r])) }
  }
  return cached
}

export function loadRequirements(): Requirement[] {
  return catalogue().list
}

/** A client-side statement (`CLIENT-…`): what a connector must do, judged by `nwa grade` rather than `nwa check`. */
export function isClientRequirement(requirement: Pick<Requirement, 'id'>): boolean {
  return requirement.id.startsWith('CLIENT-')
}

/** The server's statements: what `nwa check` covers. */
export function serverRequirements(): Requirement[] {
  return loadRequirements().filter((requirement) => !isClientRequirement(requirement))
}

/** The client-side statements: what `nwa grade` covers. */
export function clientRequirements(): Requirement[] {
  return loadRequirements().filter(isClientRequirement)
}

export function requirementById(id: string): Requirement | undefined {
  return catalogue().byId.get(id)
}

// Whole token: not glued to a letter, digit, underscore or hyphen on either side, so
// FOO-BAR is not found inside FOO-BAR-BAZ or XFOO-BAR.
const idToken = /(?<![A-Za-z0-9_-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?![A-Za-z0-9_-])/g

export function findCitedIds(sourceText: string, known: ReadonlySet<string>): string[] {
  const found = new Set<string>()
  for (const match of sourceText.matchAll(idToken)) {
    if (known.has(match[0])) found.add(match[0])
  }
  return [...found].sort()
}

// Brackets may hold one id or a comma/space separated list: `[ABC-ONE]`, `[ABC-ONE, ABC-TWO]`.
const idSource = '[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+'
const bracketCitation = new RegExp(`\\[\\s*(${idSource}(?:\\s*,\\s*${idSource}|\\s+${idSource})*)\\s*\\]`, 'g')

export function findBracketCitations(sourceText: string): string[] {
  const found = new Set<string>()
  for (const match of sourceText.matchAll(bracketCitation)) {
    for (const id of match[1]!.split(/[\s,]+/)) {
      if (id !== '') found.add(id)
    }
  }
  return [...found].sort()
}

export function uncitedRequirements(all: readonly Requirement[], cited: ReadonlySet<string>): Requirement[] {
  return all.filter((r) => !cited.has(r.id))
}
