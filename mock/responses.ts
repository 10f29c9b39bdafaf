import type { ServerResponse } from 'node:http'
import { boundErrorList, ERRORS_LISTED } from '../openapi/error-list.ts'
import type { WireFormat } from '../openapi/payload.ts'
import type { ActivityRecordOutput, ErrorEntry } from '../openapi/records.ts'
import type { XmlCodec } from '../openapi/xml.ts'

/** A response before it is written: pure data, so stages and operations can be tested without sockets. */
export interface MockResponse {
  status: number
  headers: Record<string, string | string[]>
  body: string
  /** Why, in words, for the request journal: the ErrorList descriptions, or what a bodiless refusal means. */
  notes?: readonly string[]
  /**
   * How the exchange ends, when not plainly. `drain`: the request body may still be arriving (a 413), so the
   * rest is read and dropped, within bounds, before the connection closes, and the client reads the status
   * instead of a reset. `cut`: half a response, then the socket is destroyed (the dropped-connection fault).
   * `reset`: the connection is closed before any answer (a connection lost on the way). `none`: the client has gone;
   * nothing is written.
   */
  ending?: 'drain' | 'cut' | 'reset' | 'none'
  /**
   * An answer that goes on after its head (the inspector's server-sent events): the responder writes status and
   * headers, then hands the response over until the stream ends. `body` is unused.
   */
  stream?: (res: ServerResponse) => Promise<void>
  /** A page's facts, set by the writer that made it, so a grading session reads them without parsing the body. */
  page?: { records: number; mark: string }
}

export const contentTypes: Record<WireFormat, string> = {
  xml: 'application/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
}

/** 401, 404, 405 and 413 carry no body (api/responsestatuscodes.md). */
export function emptyResponse(status: number, headers: Record<string, string | string[]> = {}, notes?: readonly string[]): MockResponse {
  return notes === undefined ? { status, headers, body: '' } : { status, headers, body: '', notes }
}

/** The write's 200: empty, text/plain (api/writeactivityrecords.md). */
export function writeAccepted(): MockResponse {
  return { status: 200, headers: { 'content-type': 'text/plain' }, body: '' }
}

export interface ResponseWriter {
  /** An ErrorList of at most ERRORS_LISTED errors and ERROR_BODY_BYTES (openapi/error-list.ts); `omitted` counts more found. */
  errors(status: number, format: WireFormat, errors: ErrorEntry[], omitted?: number): MockResponse
  page(format: WireFormat, records: readonly ActivityRecordOutput[], mark: string): MockResponse
}

export function createResponseWriter(xml: XmlCodec): ResponseWriter {
  return {
    errors(status, format, errors, omitted = 0) {
      let listed = boundErrorList(errors, omitted)
      let body = encodeErrorList(xml, format, listed)
      // Escaping can lengthen quoted text several times over; fewer errors are listed until the answer fits.
      for (let count = ERRORS_LISTED - 1; Buffer.byteLength(body) > ERROR_BODY_BYTES && count >= 1; count--) {
        listed = boundErrorList(errors, omitted, count)
        body = encodeErrorList(xml, format, listed)
      }
      const notes = listed.map((error) => `${error.Category}: ${error.Description}${error.Location ? ` (${error.Location})` : ''}`)
      return { status, headers: { 'content-type': contentTypes[format] }, body, notes }
    },
    page(format, records, mark) {
      // The mark leads in XML (every XML page example) and trails in JSON (every JSON page example); the XML
      // writer puts elements in the contract's order whatever the key order (openapi/DECISIONS.md D24).
      const body =
        format === 'json'
          ? JSON.stringify({ ActivityRecordList: records, ContinuationMark: mark })
          : xml.encode('ActivityRecordListResponse', { ContinuationMark: mark, ActivityRecordList: records })
      return { status: 200, headers: { 'content-type': contentTypes[format] }, body, page: { records: records.length, mark } }
    },
  }
}

/** The largest ErrorList answer, in bytes: ERRORS_LISTED errors of FIELD_LENGTH-character fields fit, escaping aside. */
export const ERROR_BODY_BYTES = 8192

function encodeErrorList(xml: XmlCodec, format: WireFormat, errors: ErrorEntry[]): string {
  const value = { ErrorList: errors }
  return format === 'json' ? JSON.stringify(value) : xml.encode('ErrorList', value)
}
