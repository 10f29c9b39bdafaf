import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../openapi/payload.ts'
import { basicScheme } from './auth/basic.ts'
import { createSchemeRegistry } from './auth/scheme.ts'
import { defaultSchemes } from './auth/with-auth.ts'
import { codes, type ConformanceError } from './errors.ts'
import { judgeAccount, judgeApiAnswer, schemeProblem, transportFailure } from './preflight.ts'
import type { Exchange } from './types.ts'

let codec: PayloadCodec
beforeAll(async () => {
  codec = createPayloadCodec(await loadContract())
})

const apiBase = 'https://nwa.example:9699/netwrix/api/v1'

function exchange(status: number, headers: Record<string, string> = {}, body = '', request = { method: 'GET', path: '/activity_records/enum' }): Exchange {
  return {
    request: { method: request.method, url: `${apiBase}${request.path}`, headers: {} },
    response: { status, headers, body },
    durationMs: 1,
  }
}

/** A socket error as node raises it, wrapped by the HTTP layer as CONF_ERR_CONNECT. */
function socketError(code: string, message: string): ConformanceError {
  return codes.CONF_ERR_CONNECT.wrap(Object.assign(new Error(message), { code }), 'https://nwa.example:9699', message)
}

describe('transportFailure', () => {
  it('tells a self-signed certificate apart and names --insecure and --ca', () => {
    const error = transportFailure(socketError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), apiBase)
    expect(error.code).toBe('CONF_ERR_TLS')
    expect(error.message).toBe(
      'TLS with nwa.example:9699 failed: its certificate is self-signed, as the API generates one by default (api/security.md) (DEPTH_ZERO_SELF_SIGNED_CERT); trust it with --ca FILE (the certificate or its CA, PEM), or skip verification with --insecure',
    )
  })

  it('names the other certificate failures, and a server that does not speak TLS', () => {
    expect(transportFailure(socketError('ERR_TLS_CERT_ALTNAME_INVALID', 'altname'), apiBase).message).toMatch(/does not name the host in --target/)
    expect(transportFailure(socketError('CERT_HAS_EXPIRED', 'expired'), apiBase).message).toMatch(/has expired \(CERT_HAS_EXPIRED\)/)
    const plain = transportFailure(socketError('EPROTO', 'SSL routines:ssl3_get_record:wrong version number'), apiBase)
    expect([plain.code, plain.message]).toEqual(['CONF_ERR_TLS', expect.stringMatching(/does not speak TLS on that port; .* use http:\/\/nwa\.example:9699$/)])
  })

  it('says what a connection failure means, keeping the API base in the line', () => {
    expect(transportFailure(socketError('ECONNREFUSED', 'connect ECONNREFUSED'), apiBase).message).toBe(
      `cannot reach ${apiBase}: connection refused: nothing listens on that port (ECONNREFUSED)`,
    )
    expect(transportFailure(socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND'), apiBase).message).toMatch(/the host name does not resolve \(ENOTFOUND\)$/)
    const http = transportFailure(socketError('ECONNRESET', 'socket hang up'), 'http://nwa.example:9699/netwrix/api/v1')
    expect(http.message).toMatch(/closed without an HTTP answer; if the server speaks HTTPS \(the default\), use https:\/\/nwa\.example:9699$/)
    expect(transportFailure(codes.CONF_ERR_TIMEOUT.create('GET', `${apiBase}/activity_records/enum`, '100'), apiBase).message).toMatch(
      /no response within 100 ms$/,
    )
  })
})

describe('judgeApiAnswer', () => {
  it('takes a 401 with a challenge, and notes one without', () => {
    const challenged = judgeApiAnswer(exchange(401, { 'www-authenticate': 'Negotiate, NTLM, Basic realm="x"' }), codec)
    expect(challenged).toMatchObject({ ok: true, offeredSchemes: ['negotiate', 'ntlm', 'basic'], step: { status: 'ok' } })
    expect(judgeApiAnswer(exchange(401), codec)).toMatchObject({ ok: true, offeredSchemes: [], step: { status: 'note' } })
  })

  it('takes an ActivityRecordList without credentials as the API (auth.required will judge it)', () => {
    const page = '<ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/"><ContinuationMark>m</ContinuationMark></ActivityRecordList>'
    expect(judgeApiAnswer(exchange(200, { 'content-type': 'application/xml' }, page), codec)).toMatchObject({ ok: true, step: { status: 'note' } })
  })

  it('refuses a 404 HTML page, another 200, and a redirect, in one line', () => {
    const html = judgeApiAnswer(exchange(404, { 'content-type': 'text/html; charset=utf-8' }, '<html><body><h1>404 Not Found</h1>\n</body></html>'), codec)
    expect(html).toEqual({
      ok: false,
      reason:
        'GET /netwrix/api/v1/activity_records/enum answered 404 with text/html "<html><body><h1>404 Not Found</h1> </body></html>", where the API answers 401 with a challenge (wrong host, port or path?)',
    })
    expect(judgeApiAnswer(exchange(200, { 'content-type': 'text/plain' }, 'hello'), codec)).toMatchObject({ ok: false })
    expect(judgeApiAnswer(exchange(301, { location: 'https://nwa.example:9699/' }), codec)).toEqual({
      ok: false,
      reason:
        'GET /netwrix/api/v1/activity_records/enum answered 301 with an empty body, redirecting to https://nwa.example:9699/: give that address as --target',
    })
  })
})

describe('schemeProblem', () => {
  const client = defaultSchemes()
  it('accepts auto when the client speaks one offered scheme, and a fixed mode the server offers', () => {
    expect(schemeProblem('auto', ['negotiate', 'ntlm'], client)).toBeUndefined()
    expect(schemeProblem('digest', ['digest', 'basic'], client)).toBeUndefined()
  })

  it('names a fixed mode the server does not offer, and a server offering only what the client cannot speak', () => {
    expect(schemeProblem('digest', ['ntlm', 'basic'], client)).toBe('--auth digest: the server does not offer Digest; its 401 offers NTLM, Basic')
    expect(schemeProblem('auto', ['negotiate'], createSchemeRegistry([basicScheme]))).toBe(
      'the server offers only Negotiate, and this client answers NTLM, Digest and Basic',
    )
  })

  it('without a challenge, lets only --auth basic through, which sends credentials up front', () => {
    expect(schemeProblem('basic', [], client)).toBeUndefined()
    expect(schemeProblem('auto', [], client)).toMatch(/no WWW-Authenticate challenge, so --auth auto has nothing to answer; --auth basic/)
  })
})

describe('judgeAccount', () => {
  const account = { user: 'ENTERPRISE\\Someone', password: 'x' }
  const write = { method: 'POST', path: '/activity_records/?format=json' }

  it('calls a 401 to a reader or writer refused credentials, naming role and account', () => {
    const refused = judgeAccount('reviewer', account, exchange(401))
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(refused.error.code).toBe('CONF_ERR_CREDENTIALS')
    expect(refused.error.message).toBe(
      'credentials refused for the reviewer account ENTERPRISE\\Someone: GET enum answered 401: a wrong user name or password, or the account is not a Global reviewer',
    )
    const writer = judgeAccount('contributor', account, exchange(401, {}, '', write))
    expect(writer.ok ? '' : writer.error.message).toMatch(/^credentials refused for the contributor account .*: an empty write .* answered 401/)
  })

  it('takes 200 for a reader, and 400 (or 200) to the empty write for a Contributor', () => {
    const page = '<ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/"/>'
    expect(judgeAccount('administrator', account, exchange(200, {}, page))).toMatchObject({ ok: true, step: { step: 'account administrator', status: 'ok' } })
    expect(judgeAccount('contributor', account, exchange(400, {}, '', write))).toMatchObject({ ok: true, step: { status: 'ok' } })
    expect(judgeAccount('contributor', account, exchange(200, {}, '', write))).toMatchObject({ ok: true, step: { status: 'ok' } })
  })

  it('cannot verify an account without API access: its 401 is a note that says so, and so is a 200', () => {
    for (const role of ['noAccess', 'configurator'] as const) {
      const refused = judgeAccount(role, account, exchange(401))
      expect(refused).toMatchObject({ ok: true, step: { status: 'note' } })
      expect(refused.ok && refused.step.message).toMatch(/a role refusal and a wrong password both give 401 .* its password is not verified/)
      expect(judgeAccount(role, account, exchange(200))).toMatchObject({ ok: true, step: { status: 'note' } })
    }
  })

  it('calls a 200 that is no ActivityRecordList (a web server with its own Basic authentication) not the API', () => {
    const judged = judgeAccount('administrator', account, exchange(200, { 'content-type': 'text/html' }, '<html>Router admin</html>'))
    expect(judged.ok ? '' : `${judged.error.code} ${judged.error.message}`).toBe(
      `CONF_ERR_NOT_API ${apiBase} is not the Netwrix Auditor Integration API: as ENTERPRISE\\Someone, GET /netwrix/api/v1/activity_records/enum answered 200 with text/html "<html>Router admin</html>", not an ActivityRecordList`,
    )
  })

  it('leaves other answers (a server fault) to the checks, as a note', () => {
    expect(judgeAccount('administrator', account, exchange(500, {}, 'license expired'))).toMatchObject({ ok: true, step: { status: 'note' } })
  })
})
