import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { PayloadName } from '../../openapi/contract.ts'
import type { WireFormat } from '../../openapi/payload.ts'

export const fixturesDir = fileURLToPath(new URL('../../fixtures/', import.meta.url))

/** The fixture manifests name bodies by what they are on the wire; these are the contract's schemas for them. */
export const payloadForKind: Record<string, PayloadName | undefined> = {
  'write-input': 'ActivityRecordInputList',
  'read-output': 'ActivityRecordListResponse',
  'output-records': 'ActivityRecordOutputArray',
  'continuation-mark': 'ContinuationMark',
  'search-parameters': 'ActivityRecordSearch',
  'error-list': 'ErrorList',
  fragment: undefined,
}

export interface ExampleEntry {
  file: string
  source: string
  kind: string
  format: WireFormat
  validate: 'schema' | 'wellformed'
  edits?: string
  note?: string
}

export interface InvalidEntry {
  file: string
  kind: string
  format: WireFormat
  stage: 'syntax' | 'schema'
  expect: string[]
  why: string
}

export function readFixture(relative: string): string {
  return readFileSync(`${fixturesDir}${relative}`, 'utf8')
}

export function loadExamples(): ExampleEntry[] {
  return (parse(readFixture('examples/manifest.yaml')) as { examples: ExampleEntry[] }).examples
}

export function loadInvalid(): InvalidEntry[] {
  return (parse(readFixture('invalid/manifest.yaml')) as { invalid: InvalidEntry[] }).invalid
}
