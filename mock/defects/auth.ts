import type { RoleName } from '../../openapi/contract.ts'
import type { Stage } from '../pipeline/context.ts'
import { emptyResponse } from '../responses.ts'
import { aroundOperations, aroundStage, mapAnswers, moveStage, type PipelineServices } from '../pipeline/decorate.ts'
import { stageNames } from '../pipeline/context.ts'
import { callerOf, type Defect, rewriteMarks } from './support.ts'

/** The authorize stage, letting through callers it refused who hold one of `roles`, for the operations tagged `tag`. */
function grantAlso(stages: readonly Stage[], services: PipelineServices, tag: 'read' | 'write', roles: readonly RoleName[]): Stage[] {
  return aroundStage(stages, 'authorize', async (ctx, next) => {
    const answer = await next(ctx)
    if (answer?.status !== 401 || !ctx.operation?.tags.includes(tag) || ctx.account === undefined) return answer
    if (!services.directory.rolesOf(ctx.account).some(({ role }) => roles.includes(role))) return answer
    ctx.scope = { kind: 'all' }
    return undefined
  })
}

/** The account and password of a Basic Authorization header. */
function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '')
  if (!match) return undefined
  const text = Buffer.from(match[1]!, 'base64').toString('utf8')
  const colon = text.indexOf(':')
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) }
}

const unauthorizedPage = '<html><head><title>401 Unauthorized</title></head><body><h1>Access is denied.</h1></body></html>'

/** Who may call what: authentication, challenges, roles and scopes. */
export const authDefects: readonly Defect[] = [
  {
    name: 'anonymous-write',
    family: 'auth',
    requirements: ['AUTH-REQUIRED', 'STATUS-401'],
    description: 'A write without credentials runs as the first account that may write (anonymous access left on for collectors)',
    decorator: (stages, services) =>
      aroundStage(stages, 'authenticate', (ctx, next) => {
        if (ctx.req.headers.authorization !== undefined || !ctx.operation?.tags.includes('write')) return next(ctx)
        const roles = ctx.operation.roles
        const writer = services.directory.users().find((user) => user.roles.some((role) => roles.includes(role)))
        if (writer === undefined) return next(ctx)
        ctx.account = writer.account
        return Promise.resolve(undefined)
      }),
  },
  {
    name: 'basic-any-password',
    family: 'auth',
    requirements: ['AUTH-REQUIRED', 'AUTH-BASIC', 'STATUS-401'],
    description: 'Basic authentication checks that the account exists but not its password',
    decorator: (stages, services) =>
      aroundStage(stages, 'authenticate', (ctx, next) => {
        const credentials = basicCredentials(ctx.req.headers.authorization)
        const found = credentials === undefined ? undefined : services.directory.find(credentials.user)
        if (found === undefined) return next(ctx)
        ctx.account = found.account
        ctx.scheme = 'Basic'
        return Promise.resolve(undefined)
      }),
  },
  {
    name: 'challenge-basic-only',
    family: 'auth',
    requirements: ['AUTH-NTLM', 'AUTH-NEGOTIATE', 'AUTH-DIGEST'],
    decision: 'D27',
    description: 'The 401 challenge offers Basic only, though NTLM, Negotiate and Digest still work when a client tries them',
    decorator: (stages) =>
      mapAnswers(stages, stageNames, (response) => {
        const offered = response.status === 401 ? response.headers['www-authenticate'] : undefined
        if (!Array.isArray(offered) || !offered.some((challenge) => /^Basic\b/i.test(challenge))) return response
        return { ...response, headers: { ...response.headers, 'www-authenticate': offered.filter((challenge) => /^Basic\b/i.test(challenge)) } }
      }),
  },
  {
    name: 'digest-refused',
    family: 'auth',
    requirements: ['AUTH-OFFERED-WORKS', 'AUTH-DIGEST'],
    description: 'Digest is offered in the 401 challenge but every Digest response is refused (a broken nonce check); NTLM and Basic work',
    decorator: (stages) =>
      aroundStage(stages, 'authenticate', (ctx, next) => {
        if (!/^Digest\s/i.test(ctx.req.headers.authorization ?? '')) return next(ctx)
        const refused = Promise.resolve(next(ctx)).then((answer) => {
          if (answer !== undefined) return answer
          // Authenticated after all: refused with the challenges, as a failed Digest response is.
          delete ctx.account
          delete ctx.scheme
          return emptyResponse(401, { 'www-authenticate': ctx.challenges?.() ?? [] }, ['credentials refused'])
        })
        return refused
      }),
  },
  {
    name: 'unauthorized-with-body',
    family: 'auth',
    requirements: ['STATUS-401', 'AUTH-REQUIRED'],
    description: 'A 401 carries an HTML "Access is denied." page instead of an empty body',
    decorator: (stages) =>
      mapAnswers(stages, stageNames, (response) =>
        response.status === 401 ? { ...response, headers: { ...response.headers, 'content-type': 'text/html' }, body: unauthorizedPage } : response,
      ),
  },
  {
    name: 'contributor-reads',
    family: 'auth',
    requirements: ['ROLE-CONTRIBUTOR-NO-READ'],
    description: 'A Contributor may read everything through enum and search (the role table lets every global role read)',
    decorator: (stages, services) => grantAlso(stages, services, 'read', ['Contributor']),
  },
  {
    name: 'reviewer-writes',
    family: 'auth',
    requirements: ['ROLE-READERS-NO-WRITE'],
    description: 'A Global reviewer or Reviewer may write (the write is checked for an authenticated user only)',
    decorator: (stages, services) => grantAlso(stages, services, 'write', ['GlobalReviewer', 'Reviewer']),
  },
  {
    name: 'scope-leak-page-2',
    family: 'auth',
    requirements: ['ROLE-REVIEWER-SCOPE'],
    description: "A Reviewer's continuation pages (POST enum, search with a mark) are read without its plan scope; page 1 is right",
    decorator: (stages) =>
      aroundOperations(stages, ['continueEnumeration', 'searchActivityRecords'], (ctx, next) => {
        const continued = ctx.operation?.operationId === 'continueEnumeration' || (ctx.value as { ContinuationMark?: string }).ContinuationMark !== undefined
        if (continued) ctx.scope = { kind: 'all' }
        return next(ctx)
      }),
  },
  {
    name: 'mark-not-bound-to-user',
    family: 'auth',
    requirements: ['ROLE-REVIEWER-SCOPE', 'STATUS-400-READ'],
    decision: 'D29',
    description: "Another user's mark is accepted and continued within the caller's own scope instead of refused",
    decorator: (stages, services) =>
      rewriteMarks(stages, services, ['continueEnumeration', 'searchActivityRecords'], (payload, ctx) => ({ ...payload, user: callerOf(ctx) })),
  },
  {
    name: 'role-after-body',
    family: 'auth',
    requirements: ['ROLE-NONE-DENIED', 'ROLE-CONFIGURATOR-NONE', 'STATUS-401'],
    description: 'Roles are checked after the body is read and validated: a caller without rights gets 400 or 413 for a bad body instead of 401',
    decorator: (stages) => moveStage(stages, 'authorize', 'validate'),
  },
]
