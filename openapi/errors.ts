/**
 * One error table per package, on one base class (ARCHITECTURE.md, "Error tables"). The mock and the runner
 * extend NwaError with their own codes, so every error the kit throws carries a stable `code`.
 */
export class NwaError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'NwaError'
  }
}

export interface ErrorDefinition {
  readonly code: string
  readonly template: string
  create(...args: string[]): NwaError
}

/** Fills `%s` placeholders in order; extra arguments are ignored so a template can be reworded safely. */
export function formatTemplate(template: string, args: readonly string[]): string {
  let index = 0
  return template.replace(/%s/g, () => args[index++] ?? '')
}

export function defineError(code: string, template: string): ErrorDefinition {
  return { code, template, create: (...args) => new NwaError(code, formatTemplate(template, args)) }
}

export const codes = {
  OAS_ERR_LOAD: defineError('OAS_ERR_LOAD', 'cannot load the contract %s: %s'),
  OAS_ERR_SCHEMA: defineError('OAS_ERR_SCHEMA', 'the contract has no payload schema named %s'),
  OAS_ERR_CONTRACT: defineError('OAS_ERR_CONTRACT', 'the contract is inconsistent: %s'),
  OAS_ERR_ENCODE: defineError('OAS_ERR_ENCODE', 'cannot encode %s as XML: %s'),
} as const

export type OasErrorCode = keyof typeof codes
