import { describe, expect, it } from 'vitest'
import { clearedSessionCookie, hasSession, SESSION_COOKIE, SESSION_SECONDS, sessionCookie, sessionValue } from './session.ts'

const token = 'team-secret-of-the-staging-mock'
const at = Date.UTC(2026, 11, 6, 10, 0, 0)

describe('the sign-in cookie', () => {
  it('is HttpOnly, SameSite=Strict, for /nwa/ only, twelve hours long, and Secure over HTTPS', () => {
    const cookie = sessionCookie(token, at, false)
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=\\d+\\.[\\w-]{43}; Path=/nwa/; Max-Age=43200; HttpOnly; SameSite=Strict$`))
    expect(sessionCookie(token, at, true).endsWith('; Secure')).toBe(true)
    expect(clearedSessionCookie(false)).toContain('Max-Age=0')
    expect(cookie).not.toContain(token)
  })

  it('stands for the token until it expires, among other cookies', () => {
    const value = sessionValue(token, at)
    expect(hasSession(`a=1; ${SESSION_COOKIE}=${value}; b=2`, token, at + 1000)).toBe(true)
    expect(hasSession(`${SESSION_COOKIE}=${value}`, token, at + SESSION_SECONDS * 1000 - 1000)).toBe(true)
    expect(hasSession(`${SESSION_COOKIE}=${value}`, token, at + SESSION_SECONDS * 1000)).toBe(false)
  })

  it('is void for another token, and when its expiry or its MAC is changed', () => {
    const value = sessionValue(token, at)
    const [expires, mac] = value.split('.') as [string, string]
    expect(hasSession(`${SESSION_COOKIE}=${value}`, `${token}-rotated`, at)).toBe(false)
    expect(hasSession(`${SESSION_COOKIE}=${Number(expires) + 3600}.${mac}`, token, at)).toBe(false)
    expect(hasSession(`${SESSION_COOKIE}=${expires}.${mac.slice(0, -1)}A`, token, at)).toBe(false)
    expect(hasSession(`${SESSION_COOKIE}=${token}`, token, at)).toBe(false)
    expect(hasSession(undefined, token, at)).toBe(false)
  })
})
