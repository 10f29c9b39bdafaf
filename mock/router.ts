import { OpenAPIBackend, type Request as BackendRequest } from 'openapi-backend'
import addFormatsModule from 'ajv-formats'
import type { Contract, OperationInfo } from '../openapi/contract.ts'
import type { OpenApiDocument } from '../openapi/types.ts'

export type Route = { kind: 'operation'; operation: OperationInfo } | { kind: 'method-not-allowed'; allow: string[] } | { kind: 'not-found' }

// ajv-formats is CommonJS; under NodeNext its default import is the plugin function at run time.
const addFormats = addFormatsModule as unknown as (ajv: unknown) => unknown

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
 * openapi-backend, set up strictly on the contract: it routes, checks security and validates parameters and
 * bodies before any operation handler runs. Its definition check knows only OpenAPI 3.0, so `quick` skips
 * it; swagger-parser has already validated the 3.1 contract (openapi/load.ts).
 */
export function createBackend(contract: Contract): OpenAPIBackend {
  return new OpenAPIBackend({
    definition: routingDocument(contract.document) as never,
    apiRoot: contract.basePath,
    strict: true,
    quick: true,
    validate: true,
    ajvOpts: { strict: false },
    customizeAjv: (ajv) => {
      addFormats(ajv)
      return ajv
    },
  })
}

/** Classifies a request before authentication, so an unknown path is 404 and a wrong method 405 whoever asks. */
export function matchRoute(backend: OpenAPIBackend, contract: Contract, method: string, pathname: string): Route {
  const request: BackendRequest = { method, path: pathname, headers: {} }
  try {
    const matched = backend.router.matchOperation(request, true)
    const operation = contract.operations.find((candidate) => candidate.operationId === matched.operationId)
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
