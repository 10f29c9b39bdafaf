import { createBodyStage } from '../pipeline/body.ts'
import { stageNames } from '../pipeline/context.ts'
import { aroundStage, mapAnswers, wrapStage } from '../pipeline/decorate.ts'
import { emptyResponse } from '../responses.ts'
import { type Defect, operationById, readErrors } from './support.ts'

const notFoundPage = '<html><head><title>Not Found</title></head><body><h1>404 Not Found</h1></body></html>'

/** The status codes and error bodies of refusals. */
export const errorsDefects: readonly Defect[] = [
  {
    name: 'not-found-html',
    family: 'errors',
    requirements: ['STATUS-404'],
    description: 'An unknown path is answered 404 with an HTML page instead of an empty body',
    decorator: (stages) =>
      mapAnswers(stages, ['route'], (response) =>
        response.status === 404 ? { ...response, headers: { ...response.headers, 'content-type': 'text/html' }, body: notFoundPage } : response,
      ),
  },
  {
    name: 'wrong-method-404',
    family: 'errors',
    requirements: ['STATUS-405-READ', 'STATUS-405-WRITE'],
    description: 'A wrong method on an endpoint is answered 404, as if the path did not exist (routes are matched on method and path at once)',
    decorator: (stages) => mapAnswers(stages, ['route'], (response) => (response.status === 405 ? emptyResponse(404, {}, response.notes) : response)),
  },
  {
    name: 'search-get-served',
    family: 'errors',
    requirements: ['EP-SEARCH-METHODS', 'STATUS-405-READ'],
    decision: 'D3',
    description: 'GET on the search endpoint is served as enum (the 405 row\'s "GET or POST" read literally)',
    decorator: (stages, services) =>
      aroundStage(stages, 'route', (ctx, next) => {
        if (ctx.method !== 'GET' || ctx.target.path !== `${services.contract.basePath}/activity_records/search`) return next(ctx)
        ctx.operation = operationById(services, 'enumerateActivityRecords')
        return Promise.resolve(undefined)
      }),
  },
  {
    name: 'no-allow-header',
    family: 'errors',
    requirements: ['STATUS-405-READ', 'STATUS-405-WRITE'],
    decision: 'D33',
    description: 'A 405 carries no Allow header',
    decorator: (stages) =>
      mapAnswers(stages, ['route'], (response) => {
        if (response.status !== 405) return response
        const { allow: _dropped, ...headers } = response.headers
        return { ...response, headers }
      }),
  },
  {
    name: 'body-limit-missing',
    family: 'errors',
    requirements: ['STATUS-413'],
    description: 'No body size limit: a 51 MB write is read whole and judged on its records instead of refused with 413',
    decorator: (stages) => wrapStage(stages, 'body', () => createBodyStage({ maxBody: Number.MAX_SAFE_INTEGER })),
  },
  {
    name: 'json-errors-in-xml',
    family: 'errors',
    requirements: ['ERR-FORMAT-FOLLOWS-QUERY', 'ERR-JSON-SHAPE'],
    description: 'Errors are always written as an XML ErrorList, even for a request with format=json',
    decorator: (stages, services) =>
      mapAnswers(stages, stageNames, (response, ctx) => {
        const errors = ctx.format === 'json' ? readErrors(services, 'json', response) : undefined
        return errors === undefined ? response : { ...services.writer.errors(response.status, 'xml', errors), notes: response.notes ?? [] }
      }),
  },
]
