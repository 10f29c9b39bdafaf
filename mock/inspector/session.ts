/**
 * The inspector's way past the control token (docs/inspector.md, D73). A browser cannot send `Authorization: Bearer`
 * with a page load or an EventSource, so the token is typed once into the sign-in form, and the answer sets a cookie
 * that stands for it: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Path=/nwa/, for
 * twelve hours. The cookie holds its expiry and an HMAC of it keyed by the token, so the server keeps no sessions, a
 * new token voids every cookie, and the token itself never sits in the browser. Pure: time is given.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SESSION_COOKIE = 'nwa-control'

/** How long a sign-in lasts. */
export const SESSION_SECONDS = 12 * 60 * 60

/** The cookie's value for a sign-in at `nowMs`: `<expiry in seconds>.<HMAC-SHA256(token, expiry), base64url>`. */
export function sessionValue(token: string, nowMs: number): string {
  const expires = Math.floor(nowMs / 1000) + SESSION_SECONDS
  return `${expires}.${mac(token, expires)}`
}

/** The Set-Cookie header that signs a browser in; Secure when the page came over HTTPS. */
export function sessionCookie(token: string, nowMs: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${sessionValue(token, nowMs)}; Path=/nwa/; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

/** The Set-Cookie header that signs a browser out. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/nwa/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

/** Whether a Cookie header carries a sign-in for this token that has not expired. */
export function hasSession(cookieHeader: string | undefined, token: string, nowMs: number): boolean {
  if (cookieHeader === undefined) return false
  for (const part of cookieHeader.split(';')) {
    const [name, value] = part.trim().split('=', 2)
    if (name !== SESSION_COOKIE || value === undefined) continue
    const match = /^(\d{1,12})\.([\w-]{43})$/.exec(value)
    if (match === null) continue
    const expires = Number(match[1])
    if (expires * 1000 <= nowMs) continue
    if (timingSafeEqual(Buffer.from(match[2] as string), Buffer.from(mac(token, expires)))) return true
  }
  return false
}

function mac(token: string, expires: number): string {
  return createHmac('sha256', token).update(`nwa-inspector-session:${expires}`).digest('base64url')
}
