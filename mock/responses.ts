import type { Contract } from '../openapi/contract.ts'
import type { ActivityRecordOutput, ErrorEntry } from '../openapi/records.ts'
import type { WireFormat } from '../openapi/payload.ts'
import type { XmlCodec } from '../openapi/xml.ts'

/** A response before it is written: pure data, so handlers can be tested without sockets. */
export interface MockResponse {
  status: number
  headers: Record<string, string | string[]>
  body: string
}

export const contentTypes: Record<WireFormat, string> = {
  xml: 'application/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
}

/** 401, 404, 405 and 413 carry no body (api/responsestatuscodes.md). */
export function emptyResponse(status: number, headers: Record<string, string | string[]> = {}): MockResponse {
  return { status, headers, body: '' }
}

/** The write's 200: empty, text/plain (api/writeactivityrecords.md). */
export function writeAccepted(): MockResponse {
  return { status: 200, headers: { 'content-type': 'text/plain' }, body: '' }
}

export interface ResponseWriter {
  errors(status: number, format: WireFormat, errors: ErrorEntry[]): MockResponse
  page(format: WireFormat, records: readonly ActivityRecordOutput[], mark: string): MockResponse
}

export function createResponseWriter(contract: Contract, xml: XmlCodec): ResponseWriter {
  void contract
  return {
    errors(status, format, errors) {
      const value = { ErrorList: errors }
      const body = format === 'json' ? JSON.stringify(value) : xml.encode('ErrorList', value)
      return { status, headers: { 'content-type': contentTypes[format] }, body }
    },
    page(format, records, mark) {
      // Key order follows the documented examples: the mark leads in XML and trails in JSON.
      const body =
        format === 'json'
          ? JSON.stringify({ ActivityRecordList: records, ContinuationMark: mark })
          : xml.encode('ActivityRecordListResponse', { ContinuationMark: mark, ActivityRecordList: records })
      return { status: 200, headers: { 'content-type': contentTypes[format] }, body }
    },
  }
}
