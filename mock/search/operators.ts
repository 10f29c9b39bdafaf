/**
 * The filter operators of api/filterreference/filteroperators.md as data: one test per operator name.
 * Text tests receive both sides lower-cased, because the Audit Database is SQL Server, whose default
 * collation compares text without regard to case.
 */

/** (field value, operand) → whether this one value satisfies the operator. */
export type ValueTest = (value: string, operand: string) => boolean

const contains: ValueTest = (value, operand) => value.includes(operand)
// filteroperators.md: Equals is "the exact value specified"; the filterreference.md example that pairs
// `Who Equals Admin` with Enterprise\Administrator contradicts it and is not followed.
const equals: ValueTest = (value, operand) => value === operand

export const textOperators: Readonly<Record<string, ValueTest>> = {
  Contains: contains,
  DoesNotContain: (value, operand) => !contains(value, operand),
  Equals: equals,
  NotEqualTo: (value, operand) => !equals(value, operand),
  StartsWith: (value, operand) => value.startsWith(operand),
  EndsWith: (value, operand) => value.endsWith(operand),
}

/** Operators whose match means the operand stands somewhere in the value, so a signature test may rule a value out first. */
export const containmentOperators: ReadonlySet<string> = new Set(['Contains', 'Equals', 'StartsWith', 'EndsWith'])

/** InGroup and NotInGroup ask the directory; `isMember` must ignore case as Windows account names do. */
export function groupOperators(isMember: (account: string, group: string) => boolean): Readonly<Record<string, ValueTest>> {
  return {
    InGroup: (account, group) => isMember(account, group),
    NotInGroup: (account, group) => !isMember(account, group),
  }
}

/** When and WorkingHours: Equals selects records inside the interval, NotEqualTo those outside (filters.md). */
export const intervalOperators: Readonly<Record<string, (inside: boolean) => boolean>> = {
  Equals: (inside) => inside,
  NotEqualTo: (inside) => !inside,
}

/** Every operator name this module implements, for telling an operator object from an operand object. */
export const implementedOperators: ReadonlySet<string> = new Set([
  ...Object.keys(textOperators),
  ...Object.keys(groupOperators(() => false)),
  ...Object.keys(intervalOperators),
])
