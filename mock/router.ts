import { OpenAPIBackend, type Request as BackendRequest } from 'openapi-backend'
import type { ErrorObject } from 'ajv'
import type { Ajv2020 } from 'ajv/dist/2020.js'
import type { Contract, OperationInfo } from '../openapi/contract.ts'
import type { OpenApiDocument } from '../openapi/types.ts'

export type Route = { kind: 'operation'; operation: OperationInfo } | { kind: 'method-not-allowed'; allow: string[] } | { kind: 'not-found' }

/**
 * The routing document: the contract with one trailing slash dropped from each path. openapi-backend
 * ignores trailing slashes on requests but not on the document's own keys, and the write path is
 * documented as `/activity_records/` while add-ons call `/activity_records` (openapi/DECISIONS.md D8).
 */
export function routingDocument(document: OpenApiDocument): OpenApiDocument {
  const paths = Object.fromEntries(Object.entries(document.paths).map(([path, item]) => [path.length > 1 ? path.replace(/\/$/, '') : path, item]))
  return { ...document, paths }
}

/**
 * openapi-backend, set up strictly on the contract, for its two jobs here: routing and request validation.
 * Every validator it compiles goes into `ajv`, the contract's own JSON Schema 2020-12 instance
 * (openapi/validate.ts), so the validator that decides a request is the one whose errors the mock words.
 * Its definition check knows only OpenAPI 3.0, so `quick` skips it (swagger-parser has validated the 3.1
 * contract, openapi/load.ts); `quick` also compiles validators on first use only.
 */
export async function createBackend(contract: Contract, ajv: Ajv2020): Promise<OpenAPIBackend> {
  const backend = new OpenAPIBackend({
    definition: routingDocument(contract.document) as never,
    apiRoot: contract.basePath,
    strict: true,
    quick: true,
    validate: true,
    // The instance is Ajv 2020's, not the draft-07 class openapi-backend builds by default; the cast is only the
    // difference between the two declared class types.
    customizeAjv: () => ajv as never,
  })
  await backend.init()
  return backend
}

/** Matches a request to an operation once: an unknown path is 404 and a wrong method 405, whoever asks. */
export function matchRoute(backend: OpenAPIBackend, operations: ReadonlyMap<string, OperationInfo>, method: string, pathname: string): Route {
  const request: BackendRequest = { method, path: pathname, headers: {} }
  try {
    const matched = backend.router.matchOperation(request, true)
    const operation = operations.get(matched.operationId ?? '')
    return operation ? { kind: 'operation', operation } : { kind: 'not-found' }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('405')) {
      const path = backend.router.normalizePath(pathname)
      const allow = backend.router
        .getOperations()
        .filter((op) => op.path === path)
        .map((op) => op.method.toUpperCase())
      return { kind: 'method-not-allowed', allow }
    }
    return { kind: 'not-found' }
  }
}

/**
 * Validates the query parameters the operation declares and the decoded body with the validators openapi-backend
 * compiled for the operation from the contract, the route being matched already. Its own entry point would match
 * the route again and re-parse the request (headers, cookies, query string) on every call; the mock hands the
 * validators the two things they judge. Error paths start /query/<name> or /requestBody.
 */
export function validateRequest(backend: OpenAPIBackend, operation: OperationInfo, query: Record<string, string | number>, value: unknown): ErrorObject[] {
  const parameters = { query, requestBody: value }
  const errors: ErrorObject[] = []
  for (const validate of backend.validator.getRequestValidatorsForOperation(operation.operationId)) {
    if (!validate(parameters)) {
      // A loop, not push(...errors): a body of a million bad records raises more errors than a call can take arguments.
      for (const error of validate.errors ?? []) errors.push(error)
      // Ajv keeps the last errors on the function until its next call; a million of them would outlive the request.
      validate.errors = null
    }
  }
  return errors
}

/** Matches each distinct method and path once through openapi-backend, then answers from memory. */
export function createRouteMatcher(backend: OpenAPIBackend, contract: Contract): (method: string, pathname: string) => Route {
  const operations = new Map(contract.operations.map((operation) => [operation.operationId, operation]))
  const known = new Map<string, Route>()
  return (method, pathname) => {
    const key = `${method} ${pathname}`
    let route = known.get(key)
    if (route === undefined) {
      route = matchRoute(backend, operations, method, pathname)
      // Bounded, so a client sending endless distinct paths cannot grow it without limit.
      if (known.size >= ROUTES_REMEMBERED) known.clear()
      known.set(key, route)
    }
    return route
  }
}

const ROUTES_REMEMBERED = 1024

/**
 * Query parameters arrive as text and the contract types them (count is an integer): turn the text of each
 * declared numeric parameter into the number it spells, so that validation judges the number and not its
 * spelling. Text that spells no number stays text, and validation refuses it. Surrounding white space is
 * allowed, as the Windows number parsers the real server uses allow it.
 */
export function deserializeQuery(operation: OperationInfo, query: Readonly<Record<string, string>>): Record<string, string | number> {
  const known: Record<string, string | number> = {}
  for (const parameter of operation.parameters) {
    const text = query[parameter.name]
    if (parameter.in !== 'query' || text === undefined) continue
    const type = parameter.schema?.type
    known[parameter.name] = (type === 'integer' || type === 'number') && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text
  }
  return known
}
