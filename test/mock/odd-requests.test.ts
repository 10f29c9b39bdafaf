import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readUnknownMethodLine } from '../../mock/http/odd-requests.ts'
import { type RunningMock, startMockServer } from '../../mock/server.ts'

/**
 * Requests Node's HTTP server would drop without a word (CONNECT, methods its parser does not know) and clients slow to
 * send their headers, over raw sockets, against a server listening as `nwa mock` does.
 */
let running: RunningMock
let port: number
beforeAll(async () => {
  running = await startMockServer({ tls: false, port: 0, seed: 'none', authSchemes: ['Basic'], headerTimeoutMs: 1000 })
  port = Number(new URL(running.url).port)
})
afterAll(() => running.close())

/** Everything the server sends on one connection until it closes it (or 10 s pass). */
function exchange(request: string, { end = true }: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => (end ? socket.end(request) : socket.write(request)))
    let received = ''
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
    })
    socket.on('close', () => resolve(received))
    socket.on('error', reject)
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no close within 10 s; got ${JSON.stringify(received)}`)))
  })
}

const statusLine = (answer: string) => answer.split('\r\n')[0]
const header = (answer: string, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(answer)?.[1]
const bodyOf = (answer: string) => answer.slice(answer.indexOf('\r\n\r\n') + 4)

describe('methods Node does not hand to the request listener', () => {
  it('[STATUS-405-READ] answers CONNECT to an endpoint path with 405, Allow and an empty body', async () => {
    const answer = await exchange('CONNECT /netwrix/api/v1/activity_records/enum HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(statusLine(answer)).toBe('HTTP/1.1 405 Method Not Allowed')
    expect(header(answer, 'allow')).toBe('GET, POST')
    expect(header(answer, 'server')).toBe('Microsoft-HTTPAPI/2.0')
    expect(bodyOf(answer)).toBe('')
  })

  it('[STATUS-405-WRITE] [STATUS-404] answers a method the parser does not know with 405 on an endpoint and 404 elsewhere', async () => {
    const onWrite = await exchange('BREW /netwrix/api/v1/activity_records/ HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(statusLine(onWrite)).toBe('HTTP/1.1 405 Method Not Allowed')
    expect(header(onWrite, 'allow')).toBe('POST')
    expect(bodyOf(onWrite)).toBe('')
    const elsewhere = await exchange('BREW /netwrix/api/v1/mynewendpoint/ HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(statusLine(elsewhere)).toBe('HTTP/1.1 404 Not Found')
    expect(bodyOf(elsewhere)).toBe('')
  })

  it('journals them like any other request', async () => {
    await exchange('CONNECT /netwrix/api/v1/activity_records/search HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(running.app.requests.recent({ limit: 1 })[0]).toMatchObject({ method: 'CONNECT', path: '/netwrix/api/v1/activity_records/search', status: 405 })
  })

  it('refuses CONNECT to a host and port (a tunnel: the API is no proxy) and a request line that is not HTTP with 400', async () => {
    expect(statusLine(await exchange('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request')
    expect(statusLine(await exchange('BREW nowhere HTTP/1.1\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request')
  })

  it('reads the request line of a refused method only when it is a method token and a path', () => {
    expect(readUnknownMethodLine(Buffer.from('BREW /x?y=1 HTTP/1.1\r\nHost: x\r\n\r\n'))).toEqual({ method: 'BREW', target: '/x?y=1' })
    expect(readUnknownMethodLine(Buffer.from('BR(EW /x HTTP/1.1\r\n'))).toBeUndefined()
    expect(readUnknownMethodLine(Buffer.from('BREW /x HTTP/2\r\n'))).toBeUndefined()
    expect(readUnknownMethodLine(Buffer.from(`BREW /${'x'.repeat(20_000)} HTTP/1.1\r\n`))).toBeUndefined()
    expect(readUnknownMethodLine(undefined)).toBeUndefined()
  })
})

describe('slow clients', () => {
  it('answers a client that has not finished its headers within the header timeout with 408 and closes', async () => {
    // The header timeout is 1 s here; the client would wait 10 s for the close, and fails if the server never closes.
    const answer = await exchange('GET /netwrix/api/v1/activity_records/enum HTTP/1.1\r\nHost: x\r\nX-Slow: ', { end: false })
    expect(statusLine(answer)).toBe('HTTP/1.1 408 Request Timeout')
  })
})
