/**
 * The first path where two JSON values differ, as `a.b[2]`, or undefined when they are equal: what a bundle's
 * verification and replay's comparison name.
 */
export function firstDifferingPath(a: unknown, b: unknown, path = ''): string | undefined {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b) ? undefined : path || '(the whole value)'
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
  for (const key of keys) {
    const at = Array.isArray(a) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`
    const found = firstDifferingPath((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], at)
    if (found !== undefined) return found
  }
  return undefined
}
