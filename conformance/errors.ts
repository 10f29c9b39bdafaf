import { formatTemplate, NwaError, type ErrorDefinition } from '../openapi/errors.ts'

/** Errors of the conformance runner; `exitCode` is what `nwa check` returns when one ends the run. */
export class ConformanceError extends NwaError {
  readonly exitCode: 2
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'ConformanceError'
    this.exitCode = 2
  }
}

export interface ConformanceErrorDefinition extends ErrorDefinition {
  create(...args: string[]): ConformanceError
  /** As create, keeping the underlying error (a socket error, a YAML parse error) as `cause`. */
  wrap(cause: unknown, ...args: string[]): ConformanceError
}

function define(code: string, template: string): ConformanceErrorDefinition {
  return {
    code,
    template,
    create: (...args) => new ConformanceError(code, formatTemplate(template, args)),
    wrap: (cause, ...args) => new ConformanceError(code, formatTemplate(template, args), { cause }),
  }
}

export const codes = {
  // Invocation: flags and the files they name.
  CONF_ERR_USAGE: define('CONF_ERR_USAGE', '%s'),
  CONF_ERR_CONFIG: define('CONF_ERR_CONFIG', 'config %s: %s'),
  CONF_ERR_BASELINE: define('CONF_ERR_BASELINE', 'baseline %s: %s'),
  // Transport: the target could not be reached, or stopped answering.
  CONF_ERR_CONNECT: define('CONF_ERR_CONNECT', 'cannot reach %s: %s'),
  CONF_ERR_TIMEOUT: define('CONF_ERR_TIMEOUT', '%s %s: no response within %s ms'),
  CONF_ERR_RESPONSE_TOO_LARGE: define('CONF_ERR_RESPONSE_TOO_LARGE', '%s %s: the response exceeded %s bytes, and the rest was not read'),
  CONF_ERR_DEADLINE: define('CONF_ERR_DEADLINE', '%s %s: the run reached its --deadline'),
  CONF_ERR_TLS: define('CONF_ERR_TLS', 'TLS with %s failed: %s'),
  // Pre-flight: what the run would check is not the API, or the configured accounts do not work there.
  CONF_ERR_NOT_API: define('CONF_ERR_NOT_API', '%s is not the Netwrix Auditor Integration API: %s'),
  CONF_ERR_NO_ADMIN: define('CONF_ERR_NO_ADMIN', 'no administrator account: %s'),
  CONF_ERR_CREDENTIALS: define('CONF_ERR_CREDENTIALS', 'credentials refused for the %s account %s: %s'),
  CONF_ERR_AUTH_SCHEME: define('CONF_ERR_AUTH_SCHEME', 'cannot authenticate at %s: %s'),
  // Accounts and authentication: a check asked for an account the config lacks, or the server asked for something this client cannot speak.
  CONF_ERR_NO_ACCOUNT: define('CONF_ERR_NO_ACCOUNT', 'no %s account configured'),
  CONF_ERR_AUTH_UNSUPPORTED: define('CONF_ERR_AUTH_UNSUPPORTED', 'no client implementation of %s authentication'),
  CONF_ERR_UNAUTHENTICATED: define('CONF_ERR_UNAUTHENTICATED', 'not run: %s'),
} as const

export type ConformanceErrorCode = keyof typeof codes

export function isConformanceError(error: unknown, code?: ConformanceErrorCode): error is ConformanceError {
  return error instanceof ConformanceError && (code === undefined || error.code === code)
}
