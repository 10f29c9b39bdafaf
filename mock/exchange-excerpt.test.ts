import { describe, expect, it } from 'vitest'
import { exchangeBounds, exchangeBytes, excerptRequest, excerptResponse, redactHeader } from './exchange-excerpt.ts'

describe('redactHeader: no secret reaches the journal', () => {
  it('keeps the scheme of an Authorization and nothing of its credentials or of a cookie', () => {
    expect(redactHeader('Authorization', 'Basic RU5URVJQUklTRVxOZXR3cml4VXNlcjpOZXR3cml4SXNDb29s')).toBe('Basic [redacted]')
    expect(redactHeader('authorization', 'NTLM TlRMTVNTUAADAAAAGAAYAH')).toBe('NTLM [redacted]')
    expect(redactHeader('Proxy-Authorization', 'Bearer abc')).toBe('Bearer [redacted]')
    expect(redactHeader('Cookie', 'nwa-control=123.abc')).toBe('[redacted]')
    expect(redactHeader('Set-Cookie', 'nwa-control=123.abc; HttpOnly')).toBe('[redacted]')
    expect(redactHeader('Content-Type', 'application/json')).toBe('application/json')
  })
})

describe('excerptRequest and excerptResponse: bounded however large the exchange', () => {
  it('keeps the headers in order, redacted, and the body that was read', () => {
    const request = excerptRequest(['Host', '127.0.0.1', 'Authorization', 'Basic c2VjcmV0', 'Content-Length', '2'], Buffer.from('[]'))
    expect(request).toEqual({
      headers: [
        ['Host', '127.0.0.1'],
        ['Authorization', 'Basic [redacted]'],
        ['Content-Length', '2'],
      ],
      headersOmitted: 0,
      body: '[]',
      bodyBytes: 2,
      bodyRead: true,
    })
  })

  it('says a body was not read, with its declared size, when the mock answered first', () => {
    expect(excerptRequest(['Content-Length', '52428801'], undefined)).toMatchObject({ bodyRead: false, bodyBytes: 52_428_801 })
    expect(excerptRequest(['Content-Length', 'lots'], undefined)).toMatchObject({ bodyRead: false, bodyBytes: 0 })
    expect(excerptRequest([], Buffer.alloc(0))).not.toHaveProperty('body')
  })

  it('cuts bodies, header values and the number of headers to exchangeBounds, never splitting a character', () => {
    const raw: string[] = []
    for (let i = 0; i < 100; i++) raw.push(`X-${'h'.repeat(200)}-${i}`, 'v'.repeat(100_000))
    const body = Buffer.from('😀'.repeat(10_000_000))
    const request = excerptRequest(raw, body)
    expect(request.headers).toHaveLength(exchangeBounds.headers)
    expect(request.headersOmitted).toBe(100 - exchangeBounds.headers)
    expect(request.headers[0]?.[0]).toHaveLength(exchangeBounds.name + 1)
    expect(request.headers[0]?.[1]).toHaveLength(exchangeBounds.value + 1)
    expect(request.body).toHaveLength(exchangeBounds.body + 1)
    expect(request.body?.endsWith('😀…')).toBe(true)
    expect(request.bodyBytes).toBe(body.length)
    const response = excerptResponse(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] }, 'x'.repeat(1_000_000))
    expect(response.headers).toEqual([
      ['content-type', 'application/json'],
      ['set-cookie', '[redacted]'],
      ['set-cookie', '[redacted]'],
    ])
    expect(response.body).toHaveLength(exchangeBounds.body + 1)
    expect(response.bodyBytes).toBe(1_000_000)
    // The worst exchange weighs a few tens of kilobytes against the journal's budget.
    expect(exchangeBytes({ request, response })).toBeLessThan(64 * 1024)
  })

  it('shows bytes that are not UTF-8 as U+FFFD rather than refusing to show them', () => {
    expect(excerptRequest([], Buffer.from([0x41, 0xff, 0x42])).body).toBe('A\uFFFDB')
  })
})
