import type { WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordInput, ActivityRecordListResponse } from '../../openapi/records.ts'
import { fail, pass, skip, type Check, type CheckContext, type CheckVerdict, type Exchange } from '../types.ts'
import { describeCharacter, forbiddenXmlCharacters } from '../xml-chars.ts'
import { childSequences, describeFinding, elementModel, inconsistentPairs, orderFindings, parseElements } from '../xml-order.ts'
import {
  admin,
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
  postSearch,
  preview,
  readPage,
  missingRids,
  ridForm,
  undocumentedRidForms,
  ridsOf,
  sampleRecord,
  searchAll,
  searchPage,
  sendBody,
  snippet,
  verdict,
  walkRecords,
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
    title: 'Every read response (GET and POST enum, search; XML and JSON) validates as ActivityRecordListResponse, every record with a RID',
    level: 'MUST',
    requirements: ['STATUS-200-READ', 'EP-ENUM-POST', 'EP-SEARCH-POST', 'SEARCH-MATCHES-ONLY', 'FMT-COMPAT-NAMES', 'WRITE-RID-ASSIGNED', 'FMT-CONTENT-TYPE'],
    tags: ['schema', 'enum', 'search'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
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
        for (const bad of missingRids(outcome.page.records)) problems.push(`${label}: ${bad}`)
      }
      return verdict(problems, `${outcomes.length} read responses validate against the contract (${records} records, each with a RID of at most 49 characters)`)
    },
  }),

  check({
    id: 'formats.rid-form',
    title: 'Every RID read has the documented form: 17 digits (a UTC timestamp) and 32 hexadecimal digits',
    level: 'SHOULD',
    decision: 'D37',
    requirements: ['RID-DOCUMENTED-FORM'],
    tags: ['schema', 'enum', 'search'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const form = ridForm(ctx.contract)
      const problems: string[] = []
      let records = 0
      for (const format of ['xml', 'json'] as const) {
        const page = await getEnumPage(ctx, admin, format, 20)
        if (!page.ok) {
          problems.push(`GET enum (${format}): ${page.problem}`)
          continue
        }
        records += page.page.records.length
        problems.push(...undocumentedRidForms(page.page.records, form))
      }
      if (problems.length === 0 && records === 0) return skip('no record to read a RID from')
      return verdict(firstOf(problems), `${records} RIDs read, each 17 digits + 32 hex digits`)
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
    level: 'SHOULD',
    decision: 'D34',
    requirements: ['EP-ENUM-GET', 'FMT-JSON-QUERY'],
    tags: ['query'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      return samePage(ctx, '/activity_records/enum?format=json&count=2', '/activity_records/enum?format=json&count=2&nwaUnknown=1')
    },
  }),

  check({
    id: 'formats.xml-chars',
    title:
      'No XML page carries a character XML 1.0 forbids, raw or as a character reference; with --write, not even a record written in JSON with such characters',
    level: 'MUST',
    decision: 'D25',
    requirements: ['FMT-XML-DEFAULT', 'FMT-READ-XML-ROOT', 'WRITE-AVAILABLE-TO-READ'],
    tags: ['xml', 'enum', 'search'],
    needs: { accounts: ['administrator'] },
    run: xmlCharsVerdict,
  }),

  check({
    id: 'formats.xml-element-order',
    title:
      'XML pages put ContinuationMark first and the elements of every record, MonitoringPlan and Detail in the documented sequence, the same for every record',
    level: 'SHOULD',
    decision: 'D24',
    requirements: ['FMT-XML-ELEMENT-ORDER', 'FMT-READ-XML-ROOT'],
    tags: ['xml', 'enum', 'search'],
    needs: { accounts: ['administrator'] },
    run: elementOrderVerdict,
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

/** Lists at most `max` problems, then how many more there were. */
function firstOf(problems: readonly string[], max = 6): string[] {
  return problems.length > max ? [...problems.slice(0, max), `… and ${problems.length - max} more`] : [...problems]
}

/** XML pages as the administrator reads them: GET enum, the page after it, and a search matching everything. */
async function xmlPages(ctx: CheckContext, count: number): Promise<{ label: string; exchange: Exchange }[]> {
  const first = await ctx.send({ method: 'GET', path: withQuery(endpoints.enum, { count }), as: admin })
  const pages = [{ label: `GET enum?count=${count}`, exchange: first }]
  const page = readPage(ctx.codec, first)
  if (page.ok && page.page.mark && page.page.records.length > 0) {
    const next = await nextEnumPage(ctx, admin, page.page.mark, 'xml', count)
    if (next.ok) pages.push({ label: `POST enum?count=${count}`, exchange: next.page.exchange })
  }
  pages.push({ label: `search?count=${count}`, exchange: await postSearch(ctx, admin, matchAll(ctx), 'xml', { count }) })
  return pages
}

/** A record with every optional element an output record can carry, so each nested sequence shows. */
function fullRecord(ctx: CheckContext, marker: string, format: WireFormat): ActivityRecordInput {
  const plan = ctx.accounts.scopedReviewer?.monitoringPlans?.[0]
  return sampleRecord(marker, {
    What: `order record written as ${format} ${marker}`,
    Item: { Name: 'nwa.enterprise.local' },
    Workstation: 'WKSwin12.enterprise.local',
    DetailList: [{ PropertyName: 'Description', Before: 'old text', After: 'new text' }],
    ...(plan === undefined ? {} : { MonitoringPlan: { Name: plan } }),
  })
}

async function elementOrderVerdict(ctx: CheckContext): Promise<CheckVerdict> {
  const model = elementModel(ctx.contract.schema('ActivityRecordListResponse'), 'ActivityRecordList')
  const pages = await xmlPages(ctx, 20)
  const problems: string[] = []
  if (ctx.options.write) {
    // Written once as XML (the input schema's own order) and once as JSON: the output order must not follow the input.
    const marker = `${ctx.runMarker}-fmt-order`
    for (const format of ['xml', 'json'] as const) {
      const written = await writeRecords(ctx, admin, [fullRecord(ctx, marker, format)], format)
      if (written.response.status !== 200) problems.push(`writing a record as ${format}: expected 200, got ${describeResponse(written)}`)
    }
    pages.push({
      label: 'search for the records this check wrote',
      exchange: await postSearch(ctx, admin, { What: { Contains: marker } }, 'xml', { count: 10 }),
    })
  }
  const sequences: string[][] = []
  const findings: string[] = []
  for (const { label, exchange } of pages) {
    if (exchange.response.status !== 200) {
      problems.push(`${label}: expected 200, got ${describeResponse(exchange)}`)
      continue
    }
    const root = parseElements(exchange.response.body)
    if (root === undefined) {
      problems.push(`${label}: the body is not well-formed XML`)
      continue
    }
    findings.push(...orderFindings(root, model).map((finding) => `${label}: ${describeFinding(finding)}`))
    sequences.push(...childSequences(root, 'ActivityRecord', model))
  }
  if (sequences.length === 0 && problems.length === 0) return skip('no XML page held a record (run with --write to read back records written for the check)')
  const pairs = inconsistentPairs(sequences)
  problems.push(...firstOf(findings))
  if (pairs.length > 0) problems.push(`records differ from each other in element order: ${firstOf(pairs, 4).join('; ')}`)
  return verdict(
    problems,
    `${pages.length} XML pages with ${sequences.length} records: ContinuationMark first, every record and its parts in the contract's order`,
  )
}

/** Text a JSON write may carry but XML 1.0 cannot (U+0001, U+000B, U+001F, U+FFFE, a lone surrogate). */
export const xmlForbiddenSamples = { What: '\u0001\u000b\u001f', After: '\ufffe\ud800' } as const

async function xmlCharsVerdict(ctx: CheckContext): Promise<CheckVerdict> {
  const problems: string[] = []
  const scan = (label: string, exchange: Exchange): void => {
    const found = forbiddenXmlCharacters(exchange.response.body)
    if (found.length > 0) problems.push(`${label}: ${found.length} characters XML 1.0 forbids: ${preview(found.map(describeCharacter), 5)}`)
  }
  const pages = await xmlPages(ctx, 200)
  for (const { label, exchange } of pages) {
    if (exchange.response.status === 200) scan(label, exchange)
    else problems.push(`${label}: expected 200, got ${describeResponse(exchange)}`)
  }
  if (!ctx.options.write)
    return verdict(problems, `${pages.length} XML pages carry no character XML 1.0 forbids (the JSON write of such characters needs --write)`)
  const marker = `${ctx.runMarker}-fmt-chars`
  const record = sampleRecord(marker, {
    What: `nwa-kit characters ${marker} ${xmlForbiddenSamples.What}`,
    DetailList: [{ PropertyName: 'Description', After: xmlForbiddenSamples.After }],
  })
  const written = await sendBody(ctx, admin, withQuery(endpoints.write, { format: 'json' }), JSON.stringify([record]), 'json')
  if (written.response.status === 400) {
    const walk = await searchAll(ctx, admin, { What: { Contains: marker } }, { format: 'json', maxPages: ctx.options.maxPages })
    if (walk.problem) problems.push(`searching for the refused record: ${walk.problem}`)
    else if (walkRecords(walk).length > 0) problems.push(`the JSON write was refused with 400 but ${walkRecords(walk).length} records were stored`)
    return verdict(problems, `${pages.length} XML pages are clean, and a JSON write of such characters was refused with 400 and stored nothing`)
  }
  if (written.response.status !== 200) return fail(`a JSON write of such characters: expected 200 or 400, got ${describeResponse(written)}`)
  const readBack = await postSearch(ctx, admin, { What: { Contains: marker } }, 'xml', { count: 10 })
  const page = readPage(ctx.codec, readBack)
  scan('the accepted record read back as XML', readBack)
  if (readBack.response.status !== 200) problems.push(`the accepted record cannot be read as XML: ${describeResponse(readBack)}`)
  else if (!page.ok || page.page.records.length === 0) problems.push(`the accepted record does not come back as XML: ${page.ok ? 'no record' : page.problem}`)
  return verdict(problems, `${pages.length} XML pages are clean, and a JSON-written record holding such characters comes back as XML without them`)
}

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
