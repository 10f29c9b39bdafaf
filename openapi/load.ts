import { fileURLToPath } from 'node:url'
import SwaggerParser from '@apidevtools/swagger-parser'
import type { OpenApiDocument } from './types.ts'
import { codes } from './errors.ts'

/** The contract file: the single source of truth for the mock, the runner and the validators. */
export const contractPath = fileURLToPath(new URL('./netwrix-auditor-api.yaml', import.meta.url))

let cached: Promise<OpenApiDocument> | undefined

/**
 * Validates the contract with swagger-parser and returns it dereferenced. The only I/O in openapi/;
 * cached because every server, runner and test in one process shares the same file.
 */
export function loadContractDocument(path: string = contractPath): Promise<OpenApiDocument> {
  if (path !== contractPath) return validateAndDereference(path)
  cached ??= validateAndDereference(path)
  return cached
}

async function validateAndDereference(path: string): Promise<OpenApiDocument> {
  try {
    // validate() dereferences in place; shared $ref targets become shared objects, which the XML codec relies on.
    return (await SwaggerParser.validate(path)) as OpenApiDocument
  } catch (error) {
    throw codes.OAS_ERR_LOAD.create(path, error instanceof Error ? error.message : String(error))
  }
}
