/**
 * The checks by id (ARCHITECTURE.md, "The runner"): list them, and select them with --only / --skip. An entry is an
 * exact id, an id prefix ending in `*`, `tag:NAME`, or a bare word naming a tag or a category.
 */
import { codes } from './errors.ts'
import type { Check } from './types.ts'

export interface Selection {
  only?: readonly string[]
  skip?: readonly string[]
}

export interface Registry {
  all(): Check[]
  get(id: string): Check | undefined
  /** In registration order; an entry that matches no check is a usage error (a typo would otherwise run everything). */
  select(selection: Selection): Check[]
}

function matcher(entry: string): (check: Check) => boolean {
  if (entry.startsWith('tag:')) {
    const tag = entry.slice(4)
    return (check) => check.tags.includes(tag)
  }
  if (entry.endsWith('*')) {
    const prefix = entry.slice(0, -1)
    return (check) => check.id.startsWith(prefix)
  }
  return (check) => check.id === entry || check.tags.includes(entry) || check.category === entry
}

export function createRegistry(checks: readonly Check[]): Registry {
  const byId = new Map<string, Check>()
  for (const check of checks) {
    if (byId.has(check.id)) throw new Error(`duplicate check id ${check.id}`)
    byId.set(check.id, check)
  }
  const matching = (entries: readonly string[], flag: string): ((check: Check) => boolean) => {
    const tests = entries.map((raw) => {
      const entry = raw.trim()
      const test = matcher(entry)
      if (!checks.some(test)) throw codes.CONF_ERR_USAGE.create(`${flag} ${entry}: matches no check`)
      return test
    })
    return (check) => tests.some((test) => test(check))
  }
  return {
    all: () => [...checks],
    get: (id) => byId.get(id),
    select({ only, skip }) {
      const include = only && only.length > 0 ? matching(only, '--only') : () => true
      const exclude = skip && skip.length > 0 ? matching(skip, '--skip') : () => false
      return checks.filter((check) => include(check) && !exclude(check))
    },
  }
}
