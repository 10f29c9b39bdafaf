import { codes } from './errors.ts'
import { loadContractDocument } from './load.ts'
import type { JsonSchema, OpenApiDocument, OperationObject, ParameterObject, ResponseObject } from './types.ts'

/** The payload schemas a body can be read or written as. */
export const payloadNames = [
  'ActivityRecordInputList',
  'ActivityRecordListResponse',
  'ActivityRecordOutputArray',
  'ContinuationMark',
  'ActivityRecordSearch',
  'ErrorList',
] as const
export type PayloadName = (typeof payloadNames)[number]

export type RoleName = 'GlobalAdministrator' | 'GlobalReviewer' | 'Reviewer' | 'Contributor' | 'Configurator'

export interface RoleInfo {
  name: RoleName
  title: string
  scope: 'global' | 'plan-or-folder'
  read: boolean
  write: boolean
}

export interface OperatorInfo {
  name: string
  title: string
  /** How repeated entries of one filter using this operator are joined. */
  combine: 'or' | 'and'
}

export type FilterKind = 'text' | 'when' | 'workingHours'

export interface FilterInfo {
  name: string
  kind: FilterKind
  defaultOperator: string
  operators: string[]
  maxLength: number | null
}

export interface OperationInfo {
  operationId: string
  method: 'GET' | 'POST'
  /** Path below the API prefix, as the contract prints it. */
  path: string
  /** Other spellings of the path that are served the same way. */
  aliases: string[]
  /** The contract's tags: `read` or `write`. */
  tags: string[]
  roles: RoleName[]
  scopedRoles: RoleName[]
  requestPayload: PayloadName | undefined
  parameters: ParameterObject[]
  responses: Record<string, ResponseObject>
}

export interface Contract {
  document: OpenApiDocument
  /** The API prefix, e.g. /netwrix/api/v1. */
  basePath: string
  defaultPort: number
  operations: OperationInfo[]
  roles: Record<RoleName, RoleInfo>
  operators: Record<string, OperatorInfo>
  filters: FilterInfo[]
  timeframes: string[]
  securitySchemes: string[]
  namespaces: { records: string; errors: string }
  defaultCount: number
  invalidCountDescription: string
  schema(name: PayloadName): JsonSchema
}

export async function loadContract(): Promise<Contract> {
  return buildContract(await loadContractDocument())
}

const httpMethods = ['get', 'post'] as const

/** Pure: derives every table the mock and the runner need from the dereferenced document. */
export function buildContract(document: OpenApiDocument): Contract {
  const schemas = document.components.schemas
  const schema = (name: PayloadName): JsonSchema => {
    const found = schemas[name]
    if (!found) throw codes.OAS_ERR_SCHEMA.create(name)
    return found
  }
  const payloadBySchema = new Map<JsonSchema, PayloadName>()
  for (const name of payloadNames) payloadBySchema.set(schema(name), name)

  const operations: OperationInfo[] = []
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of httpMethods) {
      const operation = item[method] as OperationObject | undefined
      if (!operation) continue
      operations.push(describeOperation(path, method, operation, payloadBySchema))
    }
  }

  const countParameter = document.components.parameters?.['count']
  const serverUrl = document.servers?.[0]?.url ?? ''
  const records = schema('ActivityRecordListResponse').xml?.namespace
  const errors = schema('ErrorList').xml?.namespace
  if (!records || !errors) throw codes.OAS_ERR_CONTRACT.create('payload schemas must carry XML namespaces')

  return {
    document,
    basePath: new URL(serverUrl.replace(/\{host\}/, 'localhost').replace(/\{port\}/, '1')).pathname.replace(/\/$/, ''),
    defaultPort: Number(document.servers?.[0]?.variables?.['port']?.default ?? 9699),
    operations,
    roles: extensionDefinitions(document, 'x-nwa-roles', (name, value) => ({
      name: name as RoleName,
      title: String(value['title']),
      scope: value['scope'] === 'global' ? 'global' : 'plan-or-folder',
      read: value['read'] === true,
      write: value['write'] === true,
    })) as Record<RoleName, RoleInfo>,
    operators: extensionDefinitions(document, 'x-nwa-operators', (name, value) => ({
      name,
      title: String(value['title']),
      combine: value['combine'] === 'and' ? 'and' : 'or',
    })),
    filters: describeFilters(schemas['FilterList']),
    timeframes: Object.keys(schemas['WhenTimeframe']?.properties ?? {}),
    securitySchemes: (document.security ?? []).flatMap((requirement) => Object.keys(requirement)),
    namespaces: { records, errors },
    defaultCount: Number(countParameter?.schema?.default ?? 1000),
    invalidCountDescription: String(countParameter?.['x-nwa-invalid-description'] ?? ''),
    schema,
  }
}

function describeOperation(
  path: string,
  method: (typeof httpMethods)[number],
  operation: OperationObject,
  payloadBySchema: Map<JsonSchema, PayloadName>,
): OperationInfo {
  if (!operation.operationId) throw codes.OAS_ERR_CONTRACT.create(`${method} ${path} has no operationId`)
  const bodySchema = operation.requestBody?.content['application/json']?.schema
  return {
    operationId: operation.operationId,
    method: method === 'get' ? 'GET' : 'POST',
    path,
    aliases: stringList(operation['x-nwa-path-aliases']),
    tags: operation.tags ?? [],
    roles: stringList(operation['x-nwa-roles']) as RoleName[],
    scopedRoles: stringList(operation['x-nwa-scoped-roles']) as RoleName[],
    requestPayload: bodySchema ? payloadBySchema.get(bodySchema) : undefined,
    parameters: operation.parameters ?? [],
    responses: operation.responses,
  }
}

function describeFilters(filterList: JsonSchema | undefined): FilterInfo[] {
  if (!filterList?.properties) throw codes.OAS_ERR_CONTRACT.create('FilterList has no properties')
  return Object.entries(filterList.properties).map(([name, filter]) => {
    const annotation = filter['x-nwa-filter']
    const [valueSchema, operatorSchema] = filter.anyOf ?? []
    if (!annotation || !valueSchema || !operatorSchema?.properties) {
      throw codes.OAS_ERR_CONTRACT.create(`filter ${name} must be anyOf [value, operators, array] with x-nwa-filter`)
    }
    const kind: FilterKind = valueSchema.type === 'string' ? 'text' : name === 'WorkingHours' ? 'workingHours' : 'when'
    return {
      name,
      kind,
      defaultOperator: annotation.default,
      operators: Object.keys(operatorSchema.properties),
      maxLength: annotation.maxLength,
    }
  })
}

function extensionDefinitions<T>(document: OpenApiDocument, key: string, build: (name: string, value: Record<string, unknown>) => T): Record<string, T> {
  const extension = document[key] as { definitions?: Record<string, Record<string, unknown>> } | undefined
  if (!extension?.definitions) throw codes.OAS_ERR_CONTRACT.create(`${key} has no definitions`)
  return Object.fromEntries(Object.entries(extension.definitions).map(([name, value]) => [name, build(name, value)]))
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : []
}
