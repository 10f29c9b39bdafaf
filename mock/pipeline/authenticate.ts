import { authenticate, type AuthResult, type Authenticator } from '../auth/index.ts'
import { emptyResponse } from '../responses.ts'
import type { Stage } from './context.ts'

const refusals: Record<Exclude<AuthResult['outcome'], 'authenticated'>, string> = {
  absent: 'no credentials for an enabled scheme',
  continue: 'handshake in progress: challenge sent',
  failed: 'credentials refused',
}

/**
 * Who is calling: the authenticator the Authorization header names answers (NTLM and Negotiate may also
 * recognise an already authenticated connection). Anything short of success is 401 with an empty body and
 * the challenges of every enabled scheme, or the one handshake token to continue with.
 */
export function createAuthenticateStage(authenticators: Authenticator[]): Stage {
  return {
    name: 'authenticate',
    run(ctx) {
      const authenticated = authenticate(authenticators, {
        method: ctx.method,
        uri: ctx.req.url ?? '/',
        authorization: ctx.req.headers.authorization,
        connection: ctx.req.socket,
      })
      const result = authenticated.result
      ctx.challenges = authenticated.challenges
      if (result.outcome === 'authenticated') {
        ctx.account = result.account
        ctx.scheme = result.scheme
        if (result.wwwAuthenticate) ctx.responseHeaders['www-authenticate'] = result.wwwAuthenticate
        return undefined
      }
      const challenge = result.outcome === 'continue' ? [result.wwwAuthenticate] : authenticated.challenges()
      return emptyResponse(401, { 'www-authenticate': challenge }, [refusals[result.outcome]])
    },
  }
}
