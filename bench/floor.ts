/**
 * The floor: the least a server must do to answer the benchmark's requests, so the mock's figures can be read
 * as a multiple of the cost of the job itself on this machine, in this run, rather than as bare numbers.
 *
 * It does each measured job the naive way and nothing else: no routing table, no validation, no
 * authentication (the Authorization header is ignored), no continuation marks (every page carries the mark
 * 'x'), no indexes. It must stay fair in both directions: the same data and response shapes the mock is
 * measured with, keep-alive on like the mock's server, and nothing that makes it slower than a plain
 * implementation would be.
 *
 *   GET  …/activity_records/enum?format=json&count=N     the first N records as an enum page
 *   POST …/activity_records/?format=json                  JSON.parse, push
 *   POST …/activity_records/                              fast-xml-parser's plain XMLParser, push
 *   POST …/activity_records/search?format=json&count=N    What Contains or Who Equals: a linear scan from the
 *                                                         start for the first N matches, lower-cased per record
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { XMLParser } from 'fast-xml-parser'

const prefix = '/netwrix/api/v1/activity_records'

/** A stored record: whatever the body held, as parsed. */
export type FloorRecord = Record<string, unknown>

export interface FloorRequest {
  method: string
  /** The request target, path and query. */
  url: string
  body: string
}

export interface FloorResponse {
  status: number
  contentType?: string
  body: string
}

export interface Floor {
  handle(request: FloorRequest): FloorResponse
  /** Adds records as they are, in order: the archive and the demo data set the mock is measured with. */
  load(records: readonly object[]): void
  size(): number
}

const empty = (status: number): FloorResponse => ({ status, body: '' })
const json = (value: unknown): FloorResponse => ({ status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) })
const page = (records: readonly FloorRecord[]): FloorResponse => json({ ActivityRecordList: records, ContinuationMark: 'x' })

/** The one search each measure sends: {"FilterList":{"What":{"Contains":x}}} or {"FilterList":{"Who":{"Equals":x}}}. */
function scanFor(body: string): ((record: FloorRecord) => boolean) | undefined {
  const filters = (JSON.parse(body) as { FilterList?: Record<string, Record<string, unknown>> }).FilterList
  const contains = filters?.['What']?.['Contains']
  if (typeof contains === 'string') {
    const wanted = contains.toLowerCase()
    return (record) => typeof record['What'] === 'string' && record['What'].toLowerCase().includes(wanted)
  }
  const equals = filters?.['Who']?.['Equals']
  if (typeof equals === 'string') {
    const wanted = equals.toLowerCase()
    return (record) => typeof record['Who'] === 'string' && record['Who'].toLowerCase() === wanted
  }
  return undefined
}

export function createFloor(): Floor {
  const records: FloorRecord[] = []
  const xml = new XMLParser()

  const push = (list: unknown): FloorResponse => {
    // A list of one record parses as the record itself: the plain parser knows no schema.
    for (const record of Array.isArray(list) ? list : [list]) records.push(record as FloorRecord)
    return { status: 200, contentType: 'text/plain', body: '' }
  }

  return {
    handle({ method, url, body }) {
      const at = url.indexOf('?')
      const path = at < 0 ? url : url.slice(0, at)
      const query = new URLSearchParams(at < 0 ? '' : url.slice(at + 1))
      const count = Number(query.get('count') ?? 1000)
      const isJson = query.get('format') === 'json'
      if (method === 'GET' && path === `${prefix}/enum` && isJson) return page(records.slice(0, count))
      if (method === 'POST' && path === `${prefix}/search` && isJson) {
        const matches = scanFor(body)
        if (!matches) return empty(400)
        const found: FloorRecord[] = []
        for (let i = 0; i < records.length && found.length < count; i++) {
          const record = records[i] as FloorRecord
          if (matches(record)) found.push(record)
        }
        return page(found)
      }
      if (method === 'POST' && (path === prefix || path === `${prefix}/`)) {
        if (isJson) return push(JSON.parse(body))
        return push((xml.parse(body) as { ActivityRecordList?: { ActivityRecord?: unknown } }).ActivityRecordList?.ActivityRecord ?? [])
      }
      return empty(404)
    },
    load(given) {
      // Plain objects from JSON (ActivityRecordOutput and the like): the floor reads them by key like a parsed body.
      for (const record of given) records.push(record as FloorRecord)
    },
    size: () => records.length,
  }
}

export interface RunningFloor {
  floor: Floor
  server: Server
  url: string
  close(): Promise<void>
}

/** The thin shell: node:http with keep-alive, the body read whole as UTF-8, the answer written as it is. */
export async function startFloorServer(options: { host: string; port: number }): Promise<RunningFloor> {
  const floor = createFloor()
  const server = createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      let answer: FloorResponse
      try {
        answer = floor.handle({ method: req.method ?? 'GET', url: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') })
      } catch {
        // A body the naive parsers throw on; the benchmark never sends one, but a floor must not die of it.
        answer = empty(400)
      }
      const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(answer.body) }
      if (answer.contentType !== undefined) headers['content-type'] = answer.contentType
      res.writeHead(answer.status, headers)
      res.end(answer.body)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  return {
    floor,
    server,
    url: `http://${address.address}:${address.port}`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
