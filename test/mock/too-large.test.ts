import { request } from 'node:http'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningMock, startMockServer } from '../../mock/server.ts'
import { probe, run, tempDir } from '../interop/support.ts'

// Oversized uploads over real sockets: the 413 must reach the client, not a reset (RFC 9112 section 9.6).
const maxBody = 64 * 1024
const user = 'ENTERPRISE\\NetwrixUser:NetwrixIsCool'
const curl = probe('curl', ['--version'])
const python = probe('python3', ['-c', 'import http.client'])
const dir = tempDir('too-large')
const bodyFile = join(dir.path, 'body.xml')
let server: RunningMock
let url: string

beforeAll(async () => {
  writeFileSync(bodyFile, Buffer.alloc(2 * 1024 * 1024, 'x'))
  server = await startMockServer({ port: 0, tls: false, seed: 'none', authSchemes: ['Basic'], maxBody, drain: { bytes: 8 * 1024 * 1024, ms: 5_000 } })
  url = `${server.url}/netwrix/api/v1/activity_records/`
})
afterAll(async () => {
  await server.close()
  dir.remove()
})

if (!curl.ok) console.warn(`skipped: the curl 413 tests because ${curl.reason}`)
if (!python.ok) console.warn(`skipped: the Python http.client 413 test because ${python.reason}`)

describe.skipIf(!curl.ok)('[STATUS-413] curl reads the 413 of an oversized upload, 10 times out of 10', () => {
  it.each([
    ['waiting for 100 Continue (curl asks for it above 1 MB)', []],
    ['sending at once (no Expect)', ['-H', 'Expect:']],
    ['sending chunked, at once', ['-H', 'Expect:', '-H', 'Transfer-Encoding: chunked']],
  ])('%s', async (_name, extra) => {
    const statuses: string[] = []
    for (let attempt = 0; attempt < 10; attempt++) {
      const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-u', user, ...extra, '--data-binary', `@${bodyFile}`, url])
      statuses.push(stdout)
    }
    expect(statuses).toEqual(Array(10).fill('413'))
  })
})

// Python's http.client sends the whole body before it reads anything: a server that closes without draining
// makes its send fail with a reset, so it never sees the 413.
const pythonUploads = `
import http.client, sys
statuses = []
for _ in range(10):
    try:
        connection = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]))
        connection.request('POST', sys.argv[3], body=b'x' * (8 * 1024 * 1024), headers={'Authorization': sys.argv[4]})
        statuses.append(str(connection.getresponse().status))
    except Exception as error:
        statuses.append(type(error).__name__)
print(' '.join(statuses))
`

describe.skipIf(!python.ok)('[STATUS-413] a client that sends the whole body before reading', () => {
  it("reads the 413 of an 8 MB upload to a 64 KB limit, 10 times out of 10 (Python's http.client)", async () => {
    const target = new URL(url)
    const authorization = `Basic ${Buffer.from(user).toString('base64')}`
    const { stdout } = await run('python3', ['-c', pythonUploads, target.hostname, target.port, target.pathname, authorization], { timeoutMs: 60_000 })
    expect(stdout.trim().split(' ')).toEqual(Array(10).fill('413'))
  })
})

/** One upload with Node's client, the whole body written at once; answers the status or the socket error. */
function upload(bytes: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', auth: user, headers: { 'content-type': 'application/xml' } }, (res) => {
      res.resume()
      res.on('end', () => resolve(String(res.statusCode)))
    })
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    req.end(Buffer.alloc(bytes, 'x'))
  })
}

describe('[STATUS-413] the 413 of a streamed oversized body', () => {
  it('reaches a client that writes the whole body at once, 10 times out of 10, and the body is not stored', async () => {
    const statuses: string[] = []
    for (let attempt = 0; attempt < 10; attempt++) statuses.push(await upload(2 * 1024 * 1024))
    expect(statuses).toEqual(Array(10).fill('413'))
    expect((await server.app.state.counts()).archive).toBe(0)
  })

  it('stops draining at its bound: a client that never stops sending is cut off', async () => {
    const bounded = await startMockServer({ port: 0, tls: false, seed: 'none', authSchemes: ['Basic'], maxBody, drain: { bytes: 256 * 1024, ms: 600_000 } })
    try {
      let sent = 0
      const outcome = await new Promise<string>((resolve) => {
        const giveUp = setTimeout(() => resolve('still open after 20 s'), 20_000)
        const req = request(
          `${bounded.url}/netwrix/api/v1/activity_records/`,
          { method: 'POST', auth: user, headers: { 'transfer-encoding': 'chunked' } },
          (res) => res.resume(),
        )
        req.on('error', () => undefined)
        req.on('close', () => {
          clearTimeout(giveUp)
          resolve('closed')
        })
        const chunk = Buffer.alloc(64 * 1024, 'x')
        const pump = () => {
          while (!req.destroyed && req.write(chunk)) sent += chunk.length
          if (!req.destroyed) req.once('drain', pump)
        }
        pump()
      })
      // Closed by the byte bound (the time bound is ten minutes), long before the client would have stopped.
      expect(outcome).toBe('closed')
      expect(sent).toBeLessThan(64 * 1024 * 1024)
    } finally {
      await bounded.close()
    }
  })
})
