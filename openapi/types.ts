/**
 * The slices of OpenAPI 3.1 and JSON Schema that this kit reads. Kept narrow on purpose: the contract
 * file is the source of truth, and these types only name what the code relies on.
 */
export interface XmlObject {
  name?: string
  namespace?: string
  prefix?: string
  attribute?: boolean
  wrapped?: boolean
}

export interface FilterAnnotation {
  field: string
  default: string
  maxLength: number | null
}

export interface JsonSchema {
  type?: string
  description?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  enum?: unknown[]
  minLength?: number
  maxLength?: number
  minItems?: number
  minProperties?: number
  maxProperties?: number
  minimum?: number
  pattern?: string
  format?: string
  default?: unknown
  xml?: XmlObject
  'x-nwa-filter'?: FilterAnnotation
  [keyword: string]: unknown
}

export interface ParameterObject {
  name: string
  in: 'query' | 'header' | 'path' | 'cookie'
  required?: boolean
  description?: string
  schema?: JsonSchema
  [extension: string]: unknown
}

export interface MediaTypeObject {
  schema?: JsonSchema
}

export interface ResponseObject {
  description: string
  headers?: Record<string, unknown>
  content?: Record<string, MediaTypeObject>
}

export interface OperationObject {
  operationId?: string
  summary?: string
  description?: string
  tags?: string[]
  parameters?: ParameterObject[]
  requestBody?: { required?: boolean; content: Record<string, MediaTypeObject> }
  responses: Record<string, ResponseObject>
  security?: Record<string, string[]>[]
  [extension: string]: unknown
}

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace'

export type PathItemObject = Partial<Record<HttpMethod, OperationObject>> & Record<string, unknown>

export interface OpenApiDocument {
  openapi: string
  info: { title: string; version: string; [key: string]: unknown }
  servers?: { url: string; variables?: Record<string, { default: string }> }[]
  paths: Record<string, PathItemObject>
  components: {
    schemas: Record<string, JsonSchema>
    parameters?: Record<string, ParameterObject>
    responses?: Record<string, ResponseObject>
    securitySchemes?: Record<string, { type: string; scheme?: string; description?: string }>
  }
  security?: Record<string, string[]>[]
  [extension: string]: unknown
}
