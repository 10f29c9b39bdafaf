import { aroundOperations, aroundStage, mapAnswers } from '../pipeline/decorate.ts'
import { contentTypes } from '../responses.ts'
import { type Defect, readOperations, withQuery, writeOperation } from './support.ts'

/** Bugs in how bodies are labelled, shaped and ordered, and in how the query string is read. */
export const formatsDefects: readonly Defect[] = [
  {
    name: 'json-pages-labelled-xml',
    family: 'formats',
    requirements: ['FMT-CONTENT-TYPE', 'FMT-JSON-QUERY'],
    description: 'JSON pages go out with Content-Type application/xml (the header is set once, before the format is read)',
    decorator: (stages) =>
      aroundOperations(stages, readOperations, async (ctx, next) => {
        const response = await next(ctx)
        if (ctx.format !== 'json' || response.status !== 200) return response
        return { ...response, headers: { ...response.headers, 'content-type': contentTypes.xml } }
      }),
  },
  {
    name: 'xml-pages-errors-namespace',
    family: 'formats',
    requirements: ['XML-NAMESPACE', 'FMT-READ-XML-ROOT'],
    description: 'XML pages declare the ErrorList namespace http://schemas.netwrix.com/api/v1/ instead of …/activity_records/',
    decorator: (stages, services) =>
      aroundOperations(stages, readOperations, async (ctx, next) => {
        const response = await next(ctx)
        if (ctx.format !== 'xml' || response.status !== 200) return response
        const { records, errors } = services.contract.namespaces
        return { ...response, body: response.body.replace(`xmlns="${records}"`, `xmlns="${errors}"`) }
      }),
  },
  {
    name: 'search-json-array-misnamed',
    family: 'formats',
    requirements: ['FMT-READ-JSON-OBJECT', 'SEARCH-JSON-BODY'],
    decision: 'D1',
    description: 'JSON search pages name their array ActivityRecordSearch, as step 4 of the search page misprints it',
    decorator: (stages) =>
      aroundOperations(stages, ['searchActivityRecords'], async (ctx, next) => {
        const response = await next(ctx)
        if (ctx.format !== 'json' || response.status !== 200) return response
        const { ActivityRecordList, ...rest } = JSON.parse(response.body) as { ActivityRecordList: unknown }
        return { ...response, body: JSON.stringify({ ActivityRecordSearch: ActivityRecordList, ...rest }) }
      }),
  },
  {
    name: 'write-200-with-body',
    family: 'formats',
    requirements: ['FMT-WRITE-200-TEXT-PLAIN', 'STATUS-200-WRITE'],
    description: 'A successful write answers 200 with the body "OK" instead of an empty one',
    decorator: (stages) =>
      aroundOperations(stages, [writeOperation], async (ctx, next) => {
        const response = await next(ctx)
        return response.status === 200 ? { ...response, body: 'OK' } : response
      }),
  },
  {
    name: 'count-before-format-ignored',
    family: 'formats',
    requirements: ['EP-QUERY-PARAMS-ANY-ORDER', 'COUNT-PARAM'],
    description: 'count is lost when it comes before format in the query (?count=3&format=json reads as the default page size)',
    decorator: (stages) =>
      aroundOperations(stages, readOperations, (ctx, next) => {
        const names = [...ctx.target.url.searchParams.keys()]
        if (names.indexOf('count') < 0 || names.indexOf('format') < 0 || names.indexOf('count') > names.indexOf('format')) return next(ctx)
        const { count: _lost, ...query } = ctx.query
        return next(withQuery(ctx, query))
      }),
  },
  {
    name: 'unknown-query-refused',
    family: 'formats',
    requirements: ['EP-ENUM-GET'],
    decision: 'D34',
    description: 'A query parameter other than format and count is refused with 400 InputError',
    decorator: (stages, services) =>
      aroundStage(stages, 'validate', async (ctx, next) => {
        const unknown = Object.keys(ctx.query).filter((name) => name !== 'format' && name !== 'count')
        if (unknown.length === 0) return next(ctx)
        return services.writer.errors(400, ctx.format, [{ Category: 'InputError', Description: `Unknown query parameter ${unknown.join(', ')}.` }])
      }),
  },
  {
    name: 'xml-plan-name-before-id',
    family: 'formats',
    requirements: ['FMT-XML-ELEMENT-ORDER'],
    decision: 'D24',
    description: 'XML pages write MonitoringPlan as Name then ID, the order the read pages print, not the contract sequence',
    decorator: (stages) =>
      mapAnswers(stages, ['operation'], (response, ctx) =>
        ctx.format === 'xml' && response.status === 200
          ? {
              ...response,
              body: response.body.replace(/<MonitoringPlan><ID>([^<]*)<\/ID><Name>([^<]*)<\/Name>/g, '<MonitoringPlan><Name>$2</Name><ID>$1</ID>'),
            }
          : response,
      ),
  },
]
