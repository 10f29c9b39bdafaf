import type { RequestContext } from '../pipeline/context.ts'
import { aroundOperations, aroundStage, mapAnswers, type StageNext } from '../pipeline/decorate.ts'
import {
  callerOf,
  type Defect,
  editPages,
  postedMark,
  readErrors,
  readOperations,
  remember,
  replacePostedMark,
  rewriteMarks,
  withQuery,
  writeOperation,
} from './support.ts'

/** A count of 0 or below means the default, a fraction is cut to its whole part: what parseInt-style reading does. */
function lenientCount(query: Readonly<Record<string, string>>): Record<string, string> {
  const { count, ...rest } = query
  if (count === undefined || !/^\s*-?\d+(\.\d+)?\s*$/.test(count)) return { ...query }
  const whole = Math.trunc(Number(count))
  return whole < 1 ? rest : { ...rest, count: String(whole) }
}

/** Page sizes, continuation marks and where a continuation starts. */
export const paginationDefects: readonly Defect[] = [
  {
    name: 'count-plus-one',
    family: 'pagination',
    requirements: ['COUNT-PARAM'],
    description: 'A page holds count + 1 records (a loop bound of <= instead of <)',
    decorator: (stages) =>
      aroundOperations(stages, readOperations, (ctx, next) => {
        const count = Number(ctx.query['count'])
        return next(Number.isInteger(count) && count > 0 ? withQuery(ctx, { ...ctx.query, count: String(count + 1) }) : ctx)
      }),
  },
  {
    name: 'default-count-100',
    family: 'pagination',
    requirements: ['COUNT-DEFAULT-ENUM'],
    description: 'enum without count returns 100 records per page instead of 1,000',
    decorator: (stages) =>
      aroundOperations(stages, ['enumerateActivityRecords', 'continueEnumeration'], (ctx, next) =>
        next(ctx.query['count'] === undefined ? withQuery(ctx, { ...ctx.query, count: '100' }) : ctx),
      ),
  },
  {
    name: 'search-default-unbounded',
    family: 'pagination',
    requirements: ['COUNT-DEFAULT-SEARCH'],
    decision: 'D35',
    description: 'search without count returns every match on one page (the default of 1,000 is applied to enum only)',
    decorator: (stages, services) =>
      aroundOperations(stages, ['searchActivityRecords'], (ctx, next) =>
        next(ctx.query['count'] === undefined ? withQuery(ctx, { ...ctx.query, count: String(services.limits.maxCount) }) : ctx),
      ),
  },
  {
    name: 'count-parsed-leniently',
    family: 'pagination',
    requirements: ['COUNT-INVALID-400'],
    decision: 'D30',
    description: 'count=0 and count=-1 give the default page size and count=1.5 a page of 1, instead of 400 InputError',
    decorator: (stages) => {
      const lenient = (ctx: RequestContext, next: StageNext) => next(withQuery(ctx, lenientCount(ctx.query)))
      return aroundStage(aroundStage(stages, 'validate', lenient), 'operation', lenient)
    },
  },
  {
    name: 'count-error-reworded',
    family: 'pagination',
    requirements: ['COUNT-INVALID-400'],
    decision: 'D36',
    description: 'An invalid count is described as "The count parameter is not valid." instead of the documented 0x80040204 text',
    decorator: (stages, services) =>
      mapAnswers(stages, ['validate', 'operation'], (response, ctx) => {
        const errors = readErrors(services, ctx.format, response)
        const documented = services.contract.invalidCountDescription
        if (!errors?.some((error) => error.Description === documented)) return response
        const reworded = errors.map((error) => (error.Description === documented ? { ...error, Description: 'The count parameter is not valid.' } : error))
        return services.writer.errors(response.status, ctx.format, reworded)
      }),
  },
  {
    name: 'mark-repeats-last-record',
    family: 'pagination',
    requirements: ['ENUM-NEXT-PAGE', 'ENUM-COMPLETE-TRAVERSAL', 'ENUM-END-OF-DATA'],
    description: 'POST enum starts at the last record of the previous page instead of the one after it (>= instead of >)',
    decorator: (stages, services) =>
      rewriteMarks(stages, services, ['continueEnumeration'], (payload) => ({ ...payload, after: Math.max(0, payload.after - 1) })),
  },
  {
    name: 'mark-omitted-on-short-page',
    family: 'pagination',
    requirements: ['MARK-EVERY-RESPONSE', 'SEARCH-PAGING'],
    description: 'A page with fewer records than count carries no ContinuationMark (the server takes it for the last page)',
    decorator: (stages, services) =>
      editPages(stages, services, (page, ctx) => {
        const count = Number(ctx.query['count'] ?? services.contract.defaultCount)
        return page.records.length < count ? { records: page.records, mark: undefined } : page
      }),
  },
  {
    name: 'mark-whitespace-refused',
    family: 'pagination',
    requirements: ['MARK-WHITESPACE'],
    decision: 'D11',
    description: 'An XML mark with line breaks or spaces around it, as in the documented example, is refused as invalid',
    decorator: (stages, services) =>
      aroundStage(stages, 'decode', (ctx, next) => {
        const text = ctx.operation?.operationId === 'continueEnumeration' && ctx.format === 'xml' ? (ctx.body?.toString('utf8') ?? '') : ''
        if (!/<ContinuationMark[^>]*>\s|\s<\/ContinuationMark>/.test(text)) return next(ctx)
        return Promise.resolve(
          services.writer.errors(400, 'xml', [{ Category: 'InputError', Description: 'Invalid continuation mark specified.', Location: '/ContinuationMark' }]),
        )
      }),
  },
  {
    name: 'search-mark-continues-enum',
    family: 'pagination',
    requirements: ['MARK-SEARCH-ON-ENUM'],
    decision: 'D28',
    description: "A search's mark posted to enum continues plain enumeration from its position instead of the search",
    decorator: (stages, services) =>
      rewriteMarks(stages, services, ['continueEnumeration'], (payload) =>
        payload.op === 'search' ? { v: payload.v, op: 'enum', user: payload.user, after: payload.after } : payload,
      ),
  },
  {
    name: 'page-skips-while-writing',
    family: 'pagination',
    requirements: ['ENUM-COMPLETE-TRAVERSAL', 'ENUM-NEXT-PAGE', 'SEARCH-PAGING'],
    description:
      'When others wrote since a caller read its last page, the next page skips as many records (the position is kept as records remaining, counted from the end)',
    decorator: (stages, services) => {
      let written = 0
      const seenAt = new Map<string, number>()
      const watched = aroundOperations(stages, [writeOperation], async (ctx, next) => {
        const response = await next(ctx)
        if (response.status === 200 && Array.isArray(ctx.value)) written += ctx.value.length
        return response
      })
      return aroundOperations(watched, readOperations, async (ctx, next) => {
        const since = written - (seenAt.get(callerOf(ctx)) ?? written)
        const mark = postedMark(ctx)
        const read = mark === undefined || since === 0 ? undefined : services.marks.read(mark)
        if (read?.ok) replacePostedMark(ctx, services.marks.issue({ ...read.payload, after: read.payload.after + since }))
        const response = await next(ctx)
        remember(seenAt, callerOf(ctx), written)
        return response
      })
    },
  },
]
