import type { WireFormat } from '../../openapi/payload.ts'
import { fail, pass, skip, type AccountRole, type Check, type CheckContext, type CheckVerdict, type Exchange } from '../types.ts'
import {
  admin,
  comparePages,
  describeResponse,
  endpoints,
  enumerateAll,
  errorListProblems,
  followMarks,
  formatParam,
  getEnumPage,
  matchAll,
  nextEnumPage,
  paddedMarkBody,
  postMark,
  postSearch,
  readPage,
  ridsOf,
  sampleRecord,
  searchAll,
  searchPage,
  verdict,
  walkRecords,
  withQuery,
  writeRecords,
  type Page,
  type PageOutcome,
  type Walk,
} from './support.ts'

const check = (definition: Omit<Check, 'category'>): Check => ({ ...definition, category: 'pagination' })

/** The one large page that paged walks are compared with. */
const SINGLE_PAGE = 500
/** The records a walk with writes between its pages follows: a few pages' worth. */
const WRITE_WINDOW = 30
const PAGES_WANTED = 5
const SEED_RECORDS = 12

/**
 * With --write and almost nothing visible, a few marked records give the paging checks something to page
 * through; written once per run.
 */
async function ensureSomeRecords(ctx: CheckContext, visible: number): Promise<boolean> {
  if (visible >= PAGES_WANTED + 1 || !ctx.options.write) return false
  return ctx.memo('pagination-seed', async () => {
    const marker = `${ctx.runMarker}-page`
    const records = Array.from({ length: SEED_RECORDS }, (_, i) => sampleRecord(marker, { What: `paging record ${i + 1} ${marker}` }))
    const exchange = await writeRecords(ctx, admin, records, 'json')
    return exchange.response.status === 200
  })
}

/** Non-empty pages as RID lists. */
function pageRids(walk: Walk): string[][] {
  return walk.pages.filter((page) => page.records.length > 0).map((page) => ridsOf(page.records))
}

/** How a paged walk compares with one large page: complete when the large page held everything. */
function judgeWalk(walk: Walk, single: readonly string[], complete: boolean, label: string): string[] {
  if (walk.problem) return [`${label}: ${walk.problem}`]
  if (complete && !walk.ended) return [`${label}: the walk stopped before an empty page`]
  return comparePages(pageRids(walk), single, complete ? 'complete' : 'prefix').map((problem) => `${label}: ${problem}`)
}

function pageSizeFor(visible: number): number {
  return Math.max(1, Math.ceil(visible / PAGES_WANTED))
}

async function defaultCountVerdict(
  fetch: (count?: number) => Promise<PageOutcome>,
  next: (page: Page) => Promise<PageOutcome | undefined>,
  what: string,
  defaultCount: number,
): Promise<CheckVerdict> {
  const above = await fetch(defaultCount + 1)
  if (!above.ok) return fail(`${what} with count=${defaultCount + 1}: ${above.problem}`)
  const visible = above.page.records.length
  if (visible > defaultCount + 1) return fail(`${what} with count=${defaultCount + 1} returned ${visible} records`)
  const plain = await fetch()
  if (!plain.ok) return fail(`${what} without count: ${plain.problem}`)
  const expected = Math.min(visible, defaultCount)
  const got = plain.page.records.length
  if (got !== expected) {
    return fail(
      `${what} without count returned ${got} records; count=${defaultCount + 1} returned ${visible}, so the default page of ${defaultCount} must hold ${expected}`,
    )
  }
  if (visible <= defaultCount) {
    return skip(
      `only ${visible} records are visible to the administrator, so a default of ${defaultCount} cannot be told from "everything"; the page without count did return all ${got}`,
    )
  }
  const following = await next(plain.page)
  if (following && !following.ok) return fail(`the page after the default page: ${following.problem}`)
  if (following && following.page.records.length > defaultCount) {
    return fail(`the next page without count returned ${following.page.records.length} records, more than ${defaultCount}`)
  }
  const tail = following ? `; the next page without count held ${following.page.records.length}` : ''
  return pass(`count=${defaultCount + 1} returned ${visible} records and the page without count ${got}${tail}`)
}

/** Counts that are numbers but not a number of records; the pages document only FIVE (D30). */
const outOfRangeCounts = ['0', '-1', '1.5']

export const paginationChecks: Check[] = [
  check({
    id: 'pagination.default-count',
    title: 'enum without count returns 1,000 records per page when more are visible, and honours a count above 1,000',
    level: 'MUST',
    requirements: ['COUNT-DEFAULT-ENUM', 'COUNT-ABOVE-DEFAULT'],
    tags: ['count', 'enum'],
    needs: { accounts: ['administrator'] },
    run: (ctx) =>
      defaultCountVerdict(
        (count) => getEnumPage(ctx, admin, 'json', count),
        async (page) => (page.mark ? nextEnumPage(ctx, admin, page.mark, 'json') : undefined),
        'GET enum',
        ctx.contract.defaultCount,
      ),
  }),

  check({
    id: 'pagination.search-default-count',
    title: 'search without count returns at most 1,000 records per page',
    level: 'SHOULD',
    decision: 'D35',
    requirements: ['COUNT-DEFAULT-SEARCH'],
    tags: ['count', 'search'],
    needs: { accounts: ['administrator'] },
    run: (ctx) =>
      defaultCountVerdict(
        (count) => searchPage(ctx, admin, matchAll(ctx), 'json', count),
        async () => undefined,
        'search',
        ctx.contract.defaultCount,
      ),
  }),

  check({
    id: 'pagination.count-honoured',
    title: 'count=3 returns at most 3 records, and exactly 3 when 3 exist (GET enum, POST enum, search)',
    level: 'MUST',
    requirements: ['COUNT-PARAM'],
    tags: ['count'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const first = await getEnumPage(ctx, admin, 'json', 3)
      if (!first.ok) return fail(`GET enum?count=3: ${first.problem}`)
      const shown = first.page.records.length
      const problems: string[] = []
      if (shown > 3) problems.push(`GET enum?count=3 returned ${shown} records`)
      if (shown < 3) {
        const more = await getEnumPage(ctx, admin, 'json', 4)
        if (more.ok && more.page.records.length > shown)
          problems.push(`GET enum?count=3 returned ${shown} records though count=4 returns ${more.page.records.length}`)
        if (!more.ok) problems.push(`GET enum?count=4: ${more.problem}`)
      }
      if (shown === 3 && first.page.mark) {
        const second = await nextEnumPage(ctx, admin, first.page.mark, 'json', 3)
        if (!second.ok) problems.push(`POST enum?count=3: ${second.problem}`)
        else if (second.page.records.length > 3) problems.push(`POST enum?count=3 returned ${second.page.records.length} records`)
      }
      const searched = await searchPage(ctx, admin, matchAll(ctx), 'json', 3)
      if (!searched.ok) problems.push(`search?count=3: ${searched.problem}`)
      else if (searched.page.records.length > 3) problems.push(`search?count=3 returned ${searched.page.records.length} records`)
      else if (searched.page.records.length < 3 && shown === 3) {
        problems.push(`search?count=3 matching every record returned ${searched.page.records.length} records though enum shows at least 3`)
      }
      return verdict(problems, `count=3 gave ${shown} records on GET enum and ${searched.ok ? searched.page.records.length : '?'} on search`)
    },
  }),

  check({
    id: 'pagination.count-invalid',
    title: 'count=FIVE is answered 400 InputError with an ErrorList (GET enum in XML and JSON, and search)',
    level: 'MUST',
    requirements: ['COUNT-INVALID-400', 'STATUS-400-READ', 'ERR-CATEGORIES'],
    tags: ['count', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems: string[] = []
      for (const format of ['xml', 'json'] as const) {
        const exchange = await ctx.send({ method: 'GET', path: withQuery(endpoints.enum, { format: formatParam(format), count: 'FIVE' }), as: admin })
        problems.push(...errorListProblems(ctx.codec, exchange, { status: 400, format, category: 'InputError' }))
      }
      const search = await ctx.send({
        method: 'POST',
        path: withQuery(endpoints.search, { count: 'FIVE' }),
        headers: { 'Content-Type': 'application/xml; charset=UTF-8' },
        body: ctx.codec.encode('ActivityRecordSearch', { FilterList: matchAll(ctx) }, 'xml'),
        as: admin,
      })
      problems.push(...errorListProblems(ctx.codec, search, { status: 400, format: 'xml', category: 'InputError' }))
      return verdict(problems, 'count=FIVE was answered 400 InputError on GET enum (XML and JSON) and on search')
    },
  }),

  check({
    id: 'pagination.count-out-of-range',
    title: 'count of 0, -1 or 1.5 is answered 400 InputError with an ErrorList',
    level: 'SHOULD',
    decision: 'D30',
    requirements: ['COUNT-INVALID-400', 'STATUS-400-READ'],
    tags: ['count', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems: string[] = []
      for (const count of outOfRangeCounts) {
        const exchange = await ctx.send({ method: 'GET', path: withQuery(endpoints.enum, { count }), as: admin })
        problems.push(...errorListProblems(ctx.codec, exchange, { status: 400, format: 'xml', category: 'InputError' }))
      }
      return verdict(problems, `count=${outOfRangeCounts.join(', ')} on GET enum were answered 400 InputError`)
    },
  }),

  check({
    id: 'pagination.count-invalid-description',
    title: 'An invalid count is described as documented ("Invalid count parameter specified. Error details: 0x80040204 ...")',
    level: 'SHOULD',
    decision: 'D36',
    requirements: ['COUNT-INVALID-400'],
    tags: ['count', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems: string[] = []
      for (const format of ['xml', 'json'] as const) {
        const exchange = await ctx.send({ method: 'GET', path: withQuery(endpoints.enum, { format: formatParam(format), count: 'FIVE' }), as: admin })
        problems.push(...errorListProblems(ctx.codec, exchange, { status: 400, format, description: ctx.contract.invalidCountDescription }))
      }
      return verdict(problems, `count=FIVE is described as "${ctx.contract.invalidCountDescription}" in XML and JSON`)
    },
  }),

  check({
    id: 'pagination.mark-every-page',
    title: 'Every enum and search page with records carries a ContinuationMark',
    level: 'MUST',
    requirements: ['MARK-EVERY-RESPONSE'],
    tags: ['marks'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems: string[] = []
      const notes: string[] = []
      const walks: [string, Walk][] = [
        ['enum (XML, count=2)', await enumerateAll(ctx, admin, { format: 'xml', count: 2, maxPages: ctx.options.maxPages, stopWhen: (n) => n >= 10 })],
        [
          'search (JSON, count=2)',
          await searchAll(ctx, admin, matchAll(ctx), { format: 'json', count: 2, maxPages: ctx.options.maxPages, stopWhen: (n) => n >= 10 }),
        ],
      ]
      for (const [label, walk] of walks) {
        if (walk.problem) problems.push(`${label}: ${walk.problem}`)
        const last = walk.pages[walk.pages.length - 1]
        if (walk.ended && last && last.mark === undefined) notes.push(`${label}: the final empty page carries no mark`)
      }
      const pages = walks.reduce((sum, [, walk]) => sum + walk.pages.length, 0)
      return verdict(problems, `${pages} pages read, each page with records carried a mark${notes.length ? ` (${notes.join('; ')})` : ''}`)
    },
  }),

  check({
    id: 'pagination.enum-mark-xml',
    title: 'POST enum accepts the mark as <ContinuationMark xmlns="…/activity_records/"> and returns the next page',
    level: 'MUST',
    requirements: ['MARK-ENUM-POST-XML', 'ENUM-NEXT-PAGE', 'EP-ENUM-POST', 'XML-NAMESPACE'],
    tags: ['marks', 'xml'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => secondPageVerdict(ctx, 'xml', (mark) => postMark(ctx, admin, mark, 'xml', 3)),
  }),

  check({
    id: 'pagination.enum-mark-json',
    title: 'POST enum?format=json accepts the mark as a JSON string and returns the next page',
    level: 'MUST',
    requirements: ['MARK-ENUM-POST-JSON', 'ENUM-NEXT-PAGE', 'EP-ENUM-POST'],
    tags: ['marks', 'json'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => secondPageVerdict(ctx, 'json', (mark) => postMark(ctx, admin, mark, 'json', 3)),
  }),

  check({
    id: 'pagination.mark-whitespace',
    title: 'A mark with line breaks and spaces around it, as in the documented example, still continues',
    level: 'SHOULD',
    decision: 'D11',
    requirements: ['MARK-WHITESPACE'],
    tags: ['marks', 'xml'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => secondPageVerdict(ctx, 'xml', (mark) => postMark(ctx, admin, mark, 'xml', 3, paddedMarkBody(ctx.contract.namespaces.records, mark))),
  }),

  check({
    id: 'pagination.pages-join',
    title: 'Pages of count=k joined equal one large page: no duplicates, no gaps, same order',
    level: 'MUST',
    requirements: ['ENUM-COMPLETE-TRAVERSAL', 'ENUM-NEXT-PAGE', 'EP-ENUM-POST', 'MARK-ENUM-POST-JSON', 'COUNT-PARAM'],
    tags: ['enum', 'marks'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      let single = await getEnumPage(ctx, admin, 'json', SINGLE_PAGE)
      if (single.ok && (await ensureSomeRecords(ctx, single.page.records.length))) single = await getEnumPage(ctx, admin, 'json', SINGLE_PAGE)
      if (!single.ok) return fail(`GET enum?count=${SINGLE_PAGE}: ${single.problem}`)
      const rids = ridsOf(single.page.records)
      if (rids.length === 0) return skip('the administrator sees no records (run with --write to page through a few written ones)')
      const complete = rids.length < SINGLE_PAGE
      const k = pageSizeFor(rids.length)
      const walk = await enumerateAll(ctx, admin, {
        format: 'json',
        count: k,
        maxPages: ctx.options.maxPages,
        ...(complete ? {} : { stopWhen: (n: number) => n >= rids.length }),
      })
      const problems = judgeWalk(walk, rids, complete, `enum pages of count=${k}`)
      const scope = complete ? `all ${rids.length} records, ending with an empty page` : `the first ${rids.length} records`
      return verdict(problems, `${pageRids(walk).length} pages of count=${k} joined into ${scope} of GET enum?count=${SINGLE_PAGE}, in the same order`)
    },
  }),

  check({
    id: 'pagination.end-of-data',
    title: 'Following marks ends, within --max-pages pages and without a repeated mark, with 200 and an empty list (JSON and XML)',
    level: 'MUST',
    requirements: ['ENUM-END-OF-DATA', 'ENUM-COMPLETE-TRAVERSAL'],
    tags: ['enum', 'marks'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const count = ctx.contract.defaultCount
      const walk = await enumerateAll(ctx, admin, { format: 'json', count, maxPages: ctx.options.maxPages })
      const rids = ridsOf(walkRecords(walk))
      const problems = walk.problem ? [`enum pages of count=${count}: ${walk.problem}`] : comparePages(pageRids(walk), [...new Set(rids)], 'complete')
      if (problems.length) return fail(problems.join('; '))
      const withRecords = walk.pages.filter((page) => page.records.length > 0)
      const lastMark = withRecords[withRecords.length - 1]?.mark
      const xmlEnd =
        lastMark === undefined ? await getEnumPage(ctx, admin, 'xml', count) : readPage(ctx.codec, await postMark(ctx, admin, lastMark, 'xml', count))
      if (!xmlEnd.ok) return fail(`the end page in XML: ${xmlEnd.problem}`)
      if (xmlEnd.page.records.length > 0 && lastMark !== undefined) {
        return fail(`posting the last page's mark as XML returned ${xmlEnd.page.records.length} records instead of an empty ActivityRecordList`)
      }
      return pass(`${rids.length} records in ${withRecords.length} pages, then 200 with an empty list in JSON and in XML`)
    },
  }),

  check({
    id: 'pagination.search-pages',
    title: 'Search pages, continued with the mark inside the body (XML and JSON), join into the one-shot search',
    level: 'MUST',
    requirements: ['SEARCH-PAGING', 'MARK-SEARCH-BODY', 'SEARCH-XML-BODY', 'SEARCH-JSON-BODY', 'COUNT-PARAM'],
    tags: ['search', 'marks'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const filters = matchAll(ctx)
      let single = await searchPage(ctx, admin, filters, 'json', SINGLE_PAGE)
      if (single.ok && (await ensureSomeRecords(ctx, single.page.records.length))) single = await searchPage(ctx, admin, filters, 'json', SINGLE_PAGE)
      if (!single.ok) return fail(`search?count=${SINGLE_PAGE}: ${single.problem}`)
      const rids = ridsOf(single.page.records)
      if (rids.length === 0) return skip('the search matches no records (run with --write to page through a few written ones)')
      const complete = rids.length < SINGLE_PAGE
      const k = pageSizeFor(rids.length)
      const problems: string[] = []
      for (const format of ['xml', 'json'] as const) {
        const walk = await searchAll(ctx, admin, filters, {
          format,
          count: k,
          maxPages: ctx.options.maxPages,
          ...(complete ? {} : { stopWhen: (n: number) => n >= rids.length }),
        })
        problems.push(...judgeWalk(walk, rids, complete, `${format.toUpperCase()} search pages of count=${k}`))
      }
      return verdict(problems, `search pages of count=${k}, in XML and in JSON, joined into the ${rids.length} records of the one-shot search`)
    },
  }),

  check({
    id: 'pagination.walk-while-writing',
    title: 'Records another client writes between pages neither hide nor repeat the records that were there before (enum and search)',
    level: 'MUST',
    requirements: ['ENUM-COMPLETE-TRAVERSAL', 'ENUM-NEXT-PAGE', 'SEARCH-PAGING'],
    tags: ['enum', 'search', 'marks', 'write'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      // A mark is a checkpoint (api/postdata/continuationmark.md), and an Audit Database takes writes all the time:
      // what was there when the walk began must come back exactly once, whatever is written meanwhile.
      const writer: AccountRole = ctx.accounts.contributor ? 'contributor' : admin
      const marker = `${ctx.runMarker}-page-writes`
      const problems: string[] = []
      let pagesRead = 0
      for (const [label, format, read] of [
        [
          'enum',
          'json',
          (count: number, mark?: string) => (mark === undefined ? getEnumPage(ctx, admin, 'json', count) : nextEnumPage(ctx, admin, mark, 'json', count)),
        ],
        [
          'search',
          'xml',
          async (count: number, mark?: string) =>
            readPage(ctx.codec, await postSearch(ctx, admin, matchAll(ctx), 'xml', mark === undefined ? { count } : { count, mark })),
        ],
      ] as const) {
        let before = await read(WRITE_WINDOW)
        if (before.ok && (await ensureSomeRecords(ctx, before.page.records.length))) before = await read(WRITE_WINDOW)
        if (!before.ok) return fail(`${label}?count=${WRITE_WINDOW}: ${before.problem}`)
        const rids = ridsOf(before.page.records.filter((record) => !record.What.includes(marker)))
        if (rids.length < 2) return skip(`only ${rids.length} records are visible to ${label}; a walk of several pages needs more`)
        const complete = before.page.records.length < WRITE_WINDOW
        const k = pageSizeFor(rids.length)
        let written = 0
        const walk = await followMarks(
          () => read(k),
          async (mark) => {
            written += 1
            const exchange = await writeRecords(ctx, writer, [sampleRecord(marker, { What: `written between pages (${label} ${written}) ${marker}` })], 'json')
            if (exchange.response.status !== 200)
              return { ok: false, problem: `the ${writer}'s write between pages: expected 200, got ${describeResponse(exchange)}` }
            return read(k, mark)
          },
          { maxPages: ctx.options.maxPages, ...(complete ? {} : { stopWhen: (n: number) => n >= rids.length + written }) },
        )
        pagesRead += walk.pages.length
        const described = `${format.toUpperCase()} ${label} pages of count=${k} with a write by the ${writer} before each`
        const kept: Walk = { ...walk, pages: walk.pages.map((page) => ({ ...page, records: page.records.filter((record) => !record.What.includes(marker)) })) }
        problems.push(...judgeWalk(kept, rids, complete, described))
      }
      return verdict(
        problems,
        `${pagesRead} enum and search pages, with a record written before each continuation, returned every earlier record once, in order`,
      )
    },
  }),

  check({
    id: 'pagination.search-mark-on-enum',
    title: "A search's mark posted to enum continues that search, in JSON and XML (as the official MCP client does)",
    level: 'SHOULD',
    decision: 'D28',
    requirements: ['MARK-SEARCH-ON-ENUM', 'EP-ENUM-POST'],
    tags: ['marks', 'search'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const first = await getEnumPage(ctx, admin, 'json', 1)
      if (!first.ok) return fail(`GET enum?count=1: ${first.problem}`)
      const excluded = first.page.records[0]?.Who
      if (excluded === undefined) return skip('the administrator sees no records, so no search can be continued')
      // Leaving out enum's first account makes the search's pages differ from enum's, so a mark read as enum's shows.
      const filters = { Who: { NotEqualTo: excluded } }
      const problems: string[] = []
      for (const format of ['json', 'xml'] as const) {
        const six = await searchPage(ctx, admin, filters, format, 6)
        if (!six.ok) return fail(`search?count=6: ${six.problem}`)
        if (six.page.records.length < 4)
          return skip(`only ${six.page.records.length} records match Who NotEqualTo "${excluded}"; a second page of 3 needs at least 4`)
        const three = await searchPage(ctx, admin, filters, format, 3)
        if (!three.ok) return fail(`search?count=3: ${three.problem}`)
        if (!three.page.mark) return fail('search?count=3 returned no ContinuationMark')
        const next = await nextEnumPage(ctx, admin, three.page.mark, format, 3)
        const expected = ridsOf(six.page.records).slice(3)
        if (!next.ok) problems.push(`the search's mark posted to enum (${format}): ${next.problem}`)
        else if (ridsOf(next.page.records).join() !== expected.join()) {
          problems.push(
            `the search's mark posted to enum (${format}) returned [${ridsOf(next.page.records).join(', ')}], expected records 4-6 of the search: [${expected.join(', ')}]`,
          )
        }
      }
      return verdict(problems, `a search's mark posted to enum returned records 4-6 of that search, in JSON and XML`)
    },
  }),
]

/** GET a page of 6, then GET 3 and post its mark: the answer must be records 4-6 of the page of 6. */
async function secondPageVerdict(ctx: CheckContext, format: WireFormat, post: (mark: string) => Promise<Exchange>): Promise<CheckVerdict> {
  const six = await getEnumPage(ctx, admin, format, 6)
  if (!six.ok) return fail(`GET enum?count=6: ${six.problem}`)
  if (six.page.records.length < 4) return skip(`only ${six.page.records.length} records are visible; a second page of 3 needs at least 4`)
  const first = await getEnumPage(ctx, admin, format, 3)
  if (!first.ok) return fail(`GET enum?count=3: ${first.problem}`)
  if (!first.page.mark) return fail('GET enum?count=3 returned no ContinuationMark')
  const second = readPage(ctx.codec, await post(first.page.mark))
  if (!second.ok) return fail(`posting the mark: ${second.problem}`)
  const expected = ridsOf(six.page.records).slice(3)
  const got = ridsOf(second.page.records)
  return got.join() === expected.join()
    ? pass(`the posted mark returned records 4-${3 + got.length} of GET enum?count=6`)
    : fail(`the posted mark returned [${got.join(', ')}], expected records 4-6 of GET enum?count=6: [${expected.join(', ')}]`)
}
