import type { WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordListResponse } from '../../openapi/records.ts'
import { fail, pass, type Check, type CheckContext, type Exchange } from '../types.ts'
import {
  admin,
  badRids,
  describeIssues,
  describeResponse,
  endpoints,
  errorListProblems,
  formatParam,
  getEnumPage,
  headerOf,
  matchAll,
  mediaType,
  nextEnumPage,
  readPage,
  ridPattern,
  ridsOf,
  sampleRecord,
  searchPage,
  sendBody,
  snippet,
  verdict,
  withQuery,
  writeRecords,
  type PageOutcome,
} from './support.ts'

const check = (definition: Omit<Check, 'category'>): Check => ({ ...definition, category: 'formats' })

const mediaTypes: Readonly<Record<WireFormat, string>> = { xml: 'application/xml', json: 'application/json' }

function contentTypeProblem(exchange: Exchange, format: WireFormat): string | undefined {
  const type = mediaType(headerOf(exchange, 'content-type'))
  return type === mediaTypes[format]
    ? undefined
    : `${exchange.request.method} ${exchange.request.url}: Content-Type is "${type || 'absent'}", expected ${mediaTypes[format]}`
}

/** One read response in the format it was asked for, with the contract's shape and a mark. */
async function readInFormat(ctx: CheckContext, format: WireFormat): Promise<{ problems: string[]; records: number }> {
  const exchange = await ctx.send({ method: 'GET', path: withQuery(endpoints.enum, { format: formatParam(format), count: 5 }), as: admin })
  if (exchange.response.status !== 200) return { problems: [`expected 200, got ${describeResponse(exchange)}`], records: 0 }
  const problems: string[] = []
  const typeProblem = contentTypeProblem(exchange, format)
  if (typeProblem) problems.push(typeProblem)
  const decoded = ctx.codec.decode('ActivityRecordListResponse', exchange.response.body, format)
  if (!decoded.ok) {
    problems.push(
      `the body is not a ${format.toUpperCase()} ActivityRecordList response: ${describeIssues(decoded)} (body: ${snippet(exchange.response.body)})`,
    )
    return { problems, records: 0 }
  }
  const value = decoded.value as ActivityRecordListResponse
  if (value.ContinuationMark === undefined) problems.push(`the ${format.toUpperCase()} response carries no ContinuationMark`)
  return { problems, records: value.ActivityRecordList.length }
}

export const formatsChecks: Check[] = [
  check({
    id: 'formats.xml-default',
    title: 'Without format=json, enum answers application/xml with an ActivityRecordList in the activity_records namespace',
    level: 'MUST',
    requirements: ['FMT-XML-DEFAULT', 'FMT-CONTENT-TYPE', 'FMT-READ-XML-ROOT', 'XML-NAMESPACE', 'EP-ENUM-GET', 'STATUS-200-READ'],
    tags: ['xml', 'enum'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const { problems, records } = await readInFormat(ctx, 'xml')
      return verdict(
        problems,
        `GET enum?count=5 answered application/xml, root ActivityRecordList in ${ctx.contract.namespaces.records} with a mark and ${records} records`,
      )
    },
  }),

  check({
    id: 'formats.json-query',
    title: 'With format=json, enum answers application/json: {"ActivityRecordList": [...], "ContinuationMark": "..."}',
    level: 'MUST',
    requirements: ['FMT-JSON-QUERY', 'FMT-CONTENT-TYPE', 'FMT-READ-JSON-OBJECT'],
    tags: ['json', 'enum'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const { problems, records } = await readInFormat(ctx, 'json')
      return verdict(
        problems,
        `GET enum?format=json&count=5 answered application/json, an object with ActivityRecordList (${records} records) and ContinuationMark`,
      )
    },
  }),

  check({
    id: 'formats.read-schema',
    title: 'Every read response (GET and POST enum, search; XML and JSON) validates as ActivityRecordListResponse, with 49-character RIDs',
    level: 'MUST',
    requirements: ['STATUS-200-READ', 'EP-ENUM-POST', 'EP-SEARCH-POST', 'SEARCH-MATCHES-ONLY', 'FMT-COMPAT-NAMES', 'WRITE-RID-ASSIGNED', 'FMT-CONTENT-TYPE'],
    tags: ['schema', 'enum', 'search'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const pattern = ridPattern(ctx.contract)
      const outcomes: [string, WireFormat, PageOutcome][] = []
      for (const format of ['xml', 'json'] as const) {
        const first = await getEnumPage(ctx, admin, format, 5)
        outcomes.push([`GET enum (${format})`, format, first])
        if (first.ok && first.page.mark && first.page.records.length > 0) {
          outcomes.push([`POST enum (${format})`, format, await nextEnumPage(ctx, admin, first.page.mark, format, 5)])
        }
        outcomes.push([`search (${format})`, format, await searchPage(ctx, admin, matchAll(ctx), format, 5)])
      }
      const problems: string[] = []
      let records = 0
      for (const [label, format, outcome] of outcomes) {
        if (!outcome.ok) {
          problems.push(`${label}: ${outcome.problem}`)
          continue
        }
        records += outcome.page.records.length
        const typeProblem = contentTypeProblem(outcome.page.exchange, format)
        if (typeProblem) problems.push(typeProblem)
        for (const bad of badRids(outcome.page.records, pattern)) problems.push(`${label}: ${bad}`)
      }
      return verdict(problems, `${outcomes.length} read responses validate against the contract (${records} records, every RID 17 digits + 32 hex digits)`)
    },
  }),

  check({
    id: 'formats.error-format',
    title: 'Error bodies are an ErrorList in the format the request asked for',
    level: 'MUST',
    requirements: ['ERR-FORMAT-FOLLOWS-QUERY', 'ERR-XML-SHAPE', 'ERR-JSON-SHAPE', 'ERR-BODY-ON-ERROR', 'STATUS-400-READ', 'FMT-CONTENT-TYPE'],
    tags: ['errors', 'xml', 'json'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems: string[] = []
      for (const format of ['xml', 'json'] as const) {
        const query = { format: formatParam(format), count: 'FIVE' }
        const badCount = await ctx.send({ method: 'GET', path: withQuery(endpoints.enum, query), as: admin })
        problems.push(...errorListProblems(ctx.codec, badCount, { status: 400, format }))
        // An unknown filter: well-formed in both formats, so only the contract can refuse it.
        const body = format === 'json' ? JSON.stringify({ FilterList: { NwaUnknownFilter: 'x' } }) : unknownFilterXml(ctx.contract.namespaces.records)
        const badSearch = await sendBody(ctx, admin, withQuery(endpoints.search, { format: query.format }), body, format)
        problems.push(...errorListProblems(ctx.codec, badSearch, { status: 400, format }))
      }
      return verdict(problems, 'count=FIVE and an unknown filter were answered 400 with an ErrorList in XML without format=json and in JSON with it')
    },
  }),

  check({
    id: 'formats.write-200-empty',
    title: 'A successful write answers 200 with an empty text/plain body',
    level: 'MUST',
    requirements: ['FMT-WRITE-200-TEXT-PLAIN', 'STATUS-200-WRITE', 'EP-WRITE-POST'],
    tags: ['write'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const exchange = await writeRecords(ctx, admin, [sampleRecord(`${ctx.runMarker}-fmt-write`)], 'xml')
      if (exchange.response.status !== 200) return fail(`expected 200, got ${describeResponse(exchange)}`)
      const problems: string[] = []
      if (exchange.response.body !== '') problems.push(`the body should be empty, got ${snippet(exchange.response.body)}`)
      const type = mediaType(headerOf(exchange, 'content-type'))
      if (type !== 'text/plain') problems.push(`Content-Type is "${type || 'absent'}", expected text/plain`)
      const length = headerOf(exchange, 'content-length')
      if (length !== undefined && length !== '0') problems.push(`Content-Length is ${length}, expected 0`)
      return verdict(problems, `the write answered 200, Content-Type text/plain, Content-Length ${length ?? '(chunked)'}, empty body`)
    },
  }),

  check({
    id: 'formats.unknown-query-ignored',
    title: 'An unknown query parameter is ignored',
    // The contract's convention; the pages say nothing about unknown parameters.
    level: 'SHOULD',
    requirements: ['EP-ENUM-GET', 'FMT-JSON-QUERY'],
    tags: ['query'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      return samePage(ctx, '/activity_records/enum?format=json&count=2', '/activity_records/enum?format=json&count=2&nwaUnknown=1')
    },
  }),

  check({
    id: 'formats.query-order',
    title: 'format and count are accepted in either order',
    level: 'MUST',
    requirements: ['EP-QUERY-PARAMS-ANY-ORDER', 'COUNT-PARAM'],
    tags: ['query'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      return samePage(ctx, '/activity_records/enum?format=json&count=3', '/activity_records/enum?count=3&format=json')
    },
  }),
]

function unknownFilterXml(namespace: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><ActivityRecordSearch xmlns="${namespace}"><FilterList><NwaUnknownFilter>x</NwaUnknownFilter></FilterList></ActivityRecordSearch>`
}

/** Two spellings of one JSON request must give the same page. */
async function samePage(ctx: CheckContext, first: string, second: string) {
  const pages: { path: string; rids: string[] }[] = []
  for (const path of [first, second]) {
    const outcome = readPage(ctx.codec, await ctx.send({ method: 'GET', path, as: admin }))
    if (!outcome.ok) return fail(`${path}: ${outcome.problem}`)
    const typeProblem = contentTypeProblem(outcome.page.exchange, 'json')
    if (typeProblem) return fail(typeProblem)
    pages.push({ path, rids: ridsOf(outcome.page.records) })
  }
  const [a, b] = pages as [(typeof pages)[0], (typeof pages)[0]]
  return a.rids.join() === b.rids.join()
    ? pass(`${a.path} and ${b.path} returned the same ${a.rids.length} records as JSON`)
    : fail(`${a.path} returned [${a.rids.join(', ')}] but ${b.path} returned [${b.rids.join(', ')}]`)
}
