import { headerValue } from '../http.ts'
import type { ClientAuthScheme, Credentials } from './scheme.ts'

/** RFC 7617 with charset UTF-8, the only charset the RFC lets a server announce. */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`
}

export const basicScheme: ClientAuthScheme = {
  name: 'Basic',
  // Basic needs no challenge, so it is sent up front; a 401 to it means the credentials were refused.
  authorize: (_request, credentials) => basicAuthorization(credentials),
  respond(_challenge, request, credentials) {
    return /^\s*basic\s/i.test(headerValue(request.headers, 'authorization') ?? '') ? undefined : basicAuthorization(credentials)
  },
}
