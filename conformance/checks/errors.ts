import { fail, pass, type Check, type Exchange } from '../types.ts'
import { admin, contentTypes, emptyBodyProblems, endpoints, errorListProblems, headerOf, sendBody, verdict, withQuery } from './support.ts'

const check = (definition: Omit<Check, 'category'>): Check => ({ ...definition, category: 'errors' })

/**
 * Methods each endpoint must refuse, and the ones it serves (api/responsestatuscodes.md, api/endpoints.md).
 * GET on search is refused by decision only: the 405 row lets retrieve and search serve "GET or POST" (D3).
 */
export const methodMatrix: readonly { endpoint: keyof typeof endpoints; refused: readonly string[]; allowed: readonly string[]; decided?: string }[] = [
  { endpoint: 'enum', refused: ['PUT', 'DELETE', 'PATCH'], allowed: ['GET', 'POST'] },
  { endpoint: 'search', refused: ['GET', 'PUT', 'DELETE'], allowed: ['POST'], decided: 'GET' },
  { endpoint: 'write', refused: ['GET', 'PUT', 'DELETE'], allowed: ['POST'] },
]

/** What is wrong with an Allow header: a served method missing, or the refused one listed. */
export function allowProblems(allow: string | undefined, allowed: readonly string[], refused: string): string[] {
  if (allow === undefined) return ['no Allow header']
  const listed = allow
    .split(',')
    .map((method) => method.trim().toUpperCase())
    .filter(Boolean)
  const problems = allowed.filter((method) => !listed.includes(method)).map((method) => `Allow "${allow}" lacks ${method}`)
  if (listed.includes(refused)) problems.push(`Allow "${allow}" lists ${refused}, which was refused`)
  return problems
}

const MB = 1024 * 1024
const OVERSIZED_BYTES = 51 * MB

/**
 * A well-formed write body of at least `bytes` bytes, built in one buffer only when asked for. Its last record
 * lacks Who, so a server without a size limit refuses the batch instead of storing 50 MB of records.
 */
export function oversizedWriteBody(namespace: string, marker: string, bytes: number): Buffer {
  const fields = `<Action>Added</Action><When>2017-02-14T15:42:34Z</When><Where>${marker}.nwa.example</Where><ObjectType>nwa size check</ObjectType>`
  const head = Buffer.from(`<?xml version="1.0" encoding="utf-8"?><ActivityRecordList xmlns="${namespace}">`)
  const record = Buffer.from(
    `<ActivityRecord><Who>ENTERPRISE\\nwa-size</Who><What>nwa-kit size check ${marker} ${'x'.repeat(960)}</What>${fields}</ActivityRecord>`,
  )
  const tail = Buffer.from(`<ActivityRecord><What>nwa-kit size check ${marker} without Who</What>${fields}</ActivityRecord></ActivityRecordList>`)
  const count = Math.max(0, Math.ceil((bytes - head.length - tail.length) / record.length))
  const body = Buffer.allocUnsafe(head.length + count * record.length + tail.length)
  let offset = head.copy(body, 0)
  for (let i = 0; i < count; i++) offset += record.copy(body, offset)
  tail.copy(body, offset)
  return body
}

export const errorsChecks: Check[] = [
  check({
    id: 'errors.unknown-endpoint',
    title: 'A path that is not an endpoint (/netwrix/api/v1/mynewendpoint/) is answered 404 with an empty body',
    level: 'MUST',
    requirements: ['STATUS-404'],
    tags: ['status'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems: string[] = []
      for (const [method, path] of [
        ['GET', '/mynewendpoint/'],
        ['POST', '/mynewendpoint/'],
        ['GET', '/activity_records/nwa-no-such-endpoint'],
      ] as const) {
        const exchange = await ctx.send({
          method,
          path,
          as: admin,
          ...(method === 'POST' ? { headers: { 'Content-Type': contentTypes.xml }, body: '<a/>' } : {}),
        })
        problems.push(...emptyBodyProblems(exchange, 404))
      }
      return verdict(problems, 'GET and POST /mynewendpoint/ and GET /activity_records/nwa-no-such-endpoint were answered 404 with an empty body')
    },
  }),

  check({
    id: 'errors.wrong-method',
    title:
      'Every wrong method on every endpoint (PUT, DELETE, PATCH on enum; PUT, DELETE on search; GET, PUT, DELETE on write) is answered 405 with an empty body',
    level: 'MUST',
    requirements: ['STATUS-405-READ', 'STATUS-405-WRITE'],
    tags: ['status'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems: string[] = []
      let sent = 0
      for (const { endpoint, refused, decided } of methodMatrix) {
        for (const method of refused.filter((refusedMethod) => refusedMethod !== decided)) {
          problems.push(...emptyBodyProblems(await ctx.send({ method, path: endpoints[endpoint], as: admin }), 405))
          sent++
        }
      }
      return verdict(problems, `${sent} requests with a wrong method were answered 405 with an empty body`)
    },
  }),

  check({
    id: 'errors.search-get',
    title: 'GET on the search endpoint is answered 405 with an empty body: search is POST only',
    level: 'SHOULD',
    decision: 'D3',
    requirements: ['EP-SEARCH-METHODS', 'STATUS-405-READ'],
    tags: ['status'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems = emptyBodyProblems(await ctx.send({ method: 'GET', path: endpoints.search, as: admin }), 405)
      return verdict(problems, 'GET on search was answered 405 with an empty body')
    },
  }),

  check({
    id: 'errors.allow-header',
    title: 'A 405 names the methods the endpoint serves in an Allow header',
    level: 'SHOULD',
    decision: 'D33',
    requirements: ['STATUS-405-READ', 'STATUS-405-WRITE'],
    tags: ['status'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems: string[] = []
      for (const { endpoint, refused, allowed } of methodMatrix) {
        const method = refused[refused.length - 1]!
        const exchange = await ctx.send({ method, path: endpoints[endpoint], as: admin })
        if (exchange.response.status !== 405) {
          problems.push(`${method} ${endpoints[endpoint]}: expected 405, got ${exchange.response.status}`)
          continue
        }
        problems.push(...allowProblems(headerOf(exchange, 'allow'), allowed, method).map((problem) => `${method} ${endpoints[endpoint]}: ${problem}`))
      }
      return verdict(problems, 'each 405 listed the methods its endpoint serves in Allow')
    },
  }),

  check({
    id: 'errors.payload-too-large',
    title: 'A 51 MB write body is answered 413 with an empty body',
    level: 'MUST',
    requirements: ['STATUS-413'],
    tags: ['status', 'write'],
    needs: { destructive: true, accounts: ['administrator'] },
    async run(ctx) {
      const body = oversizedWriteBody(ctx.contract.namespaces.records, `${ctx.runMarker}-size`, OVERSIZED_BYTES)
      let exchange: Exchange
      try {
        exchange = await sendBody(ctx, admin, endpoints.write, body, 'xml')
      } catch (error) {
        return fail(`sending ${(body.length / MB).toFixed(1)} MB failed before any response: ${error instanceof Error ? error.message : String(error)}`)
      }
      const problems = emptyBodyProblems(exchange, 413)
      return problems.length
        ? fail(`a ${(body.length / MB).toFixed(1)} MB write: ${problems.join('; ')}`)
        : pass(`a ${(body.length / MB).toFixed(1)} MB write was answered 413 with an empty body`)
    },
  }),

  check({
    id: 'errors.errorlist-shape',
    title: 'ErrorList is in the namespace http://schemas.netwrix.com/api/v1/ (XML) and {"ErrorList": [{Category, Description}]} (JSON)',
    level: 'MUST',
    requirements: ['ERR-XML-NAMESPACE', 'ERR-XML-SHAPE', 'ERR-JSON-SHAPE', 'ERR-CATEGORIES', 'ERR-BODY-ON-ERROR'],
    tags: ['errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems: string[] = []
      const namespace = ctx.contract.namespaces.records
      const xml = await sendBody(
        ctx,
        admin,
        endpoints.search,
        `<ActivityRecordSearch xmlns="${namespace}"><FilterList><Who Operator="Like">a</Who></FilterList></ActivityRecordSearch>`,
        'xml',
      )
      problems.push(...errorListProblems(ctx.codec, xml, { status: 400, format: 'xml' }))
      const json = await ctx.send({ method: 'GET', path: withQuery(endpoints.enum, { format: 'json', count: 'FIVE' }), as: admin })
      problems.push(...errorListProblems(ctx.codec, json, { status: 400, format: 'json' }))
      return verdict(problems, `an XML error came as ErrorList in ${ctx.contract.namespaces.errors}, a JSON error as {"ErrorList": [...]}`)
    },
  }),
]
