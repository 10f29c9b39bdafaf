import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Har } from './har.ts'
import { startRecordingProxy } from './proxy.ts'

/**
 * The recording proxy against a local upstream server: bodies stream through whole while the recording keeps a
 * bounded prefix, each client connection has its own upstream connection, the server closing one closes the client's,
 * a dead target is a 502, and Basic passwords are numbered, never kept.
 */
const work = mkdtempSync(join(tmpdir(), 'nwa-proxy-'))
let upstream: http.Server
let origin: string
const seen: { path: string; port: number; bytes: number; sha: string }[] = []

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    const hash = createHash('sha256')
    let bytes = 0
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      hash.update(chunk)
    })
    req.on('end', () => {
      seen.push({ path: req.url ?? '', port: req.socket.remotePort ?? 0, bytes, sha: hash.digest('hex') })
      if (req.url === '/big') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
        res.end(Buffer.alloc(3 * 1024 * 1024, 0x61))
      } else if (req.url === '/close') {
        res.writeHead(200, { Connection: 'close', 'Content-Type': 'text/plain' })
        res.end('bye')
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain' })
        res.end(`ok ${bytes}`)
      }
    })
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
})

afterAll(async () => {
  upstream.closeAllConnections()
  await new Promise<void>((resolve) => upstream.close(() => resolve()))
  rmSync(work, { recursive: true, force: true })
})

function send(
  agent: http.Agent,
  url: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Buffer; socketPort: number }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}${path}`, { method: body === undefined ? 'GET' : 'POST', agent, headers }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks), socketPort: request.socket?.localPort ?? 0 }))
    })
    request.on('error', reject)
    request.end(body)
  })
}

async function record(run: (url: string) => Promise<void>, maxBodyBytes = 1024): Promise<Har> {
  const har = join(work, `${Math.random().toString(36).slice(2)}.har`)
  const proxy = await startRecordingProxy({ target: origin, port: 0, har, maxBodyBytes, creator: { name: 'nwa-kit', version: 'test' } })
  try {
    await run(proxy.url)
  } finally {
    await proxy.close()
  }
  return JSON.parse(readFileSync(har, 'utf8')) as Har
}

describe('the recording proxy', () => {
  it('streams large bodies whole both ways, and records only a bounded prefix of each, with their full sizes', async () => {
    const upload = Buffer.alloc(5 * 1024 * 1024, 0x62)
    let answer: Buffer = Buffer.alloc(0)
    const har = await record(async (url) => {
      const agent = new http.Agent({ keepAlive: true })
      expect((await send(agent, url, '/upload', upload)).body.toString()).toBe(`ok ${upload.length}`)
      answer = (await send(agent, url, '/big')).body
      agent.destroy()
    })
    expect(seen.find((item) => item.path === '/upload')?.sha).toBe(createHash('sha256').update(upload).digest('hex'))
    expect(answer.length).toBe(3 * 1024 * 1024)
    const [up, down] = har.log.entries
    expect(up?.request).toMatchObject({ bodySize: upload.length, postData: { text: 'b'.repeat(1024) } })
    expect(up?._nwa).toEqual({ requestTruncated: true })
    expect(down?.response).toMatchObject({ status: 200, bodySize: 3 * 1024 * 1024, content: { size: 3 * 1024 * 1024, text: 'a'.repeat(1024) } })
    expect(down?._nwa).toEqual({ responseTruncated: true })
  })

  it("gives each client connection an upstream connection of its own, and closes the client's when the server closes its own", async () => {
    seen.length = 0
    const har = await record(async (url) => {
      const one = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const two = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const first = await send(one, url, '/a')
      await send(two, url, '/b')
      await send(one, url, '/c')
      await send(two, url, '/d')
      const closing = await send(one, url, '/close')
      const after = await send(one, url, '/e')
      expect(closing.socketPort).toBe(first.socketPort)
      expect(after.socketPort).not.toBe(first.socketPort)
      one.destroy()
      two.destroy()
    })
    const port = (path: string) => seen.find((item) => item.path === path)?.port
    expect(port('/a')).toBe(port('/c'))
    expect(port('/a')).toBe(port('/close'))
    expect(port('/b')).toBe(port('/d'))
    expect(port('/a')).not.toBe(port('/b'))
    expect(port('/e')).not.toBe(port('/a'))
    const connections = (paths: string[]) =>
      new Set(har.log.entries.filter((entry) => paths.some((path) => entry.request.url.endsWith(path))).map((entry) => entry.connection))
    expect(connections(['/a', '/c', '/close']).size).toBe(1)
    expect(connections(['/a', '/b']).size).toBe(2)
  })

  it('numbers the Basic passwords of a user without keeping them', async () => {
    const basic = (password: string) => ({ Authorization: `Basic ${Buffer.from(`D\\u:${password}`).toString('base64')}` })
    const har = await record(async (url) => {
      const agent = new http.Agent({ keepAlive: true })
      await send(agent, url, '/1', undefined, basic('right'))
      await send(agent, url, '/2', undefined, basic('wrong'))
      await send(agent, url, '/3', undefined, basic('right'))
      agent.destroy()
    })
    expect(har.log.entries.map((entry) => entry._nwa?.auth)).toEqual([
      { scheme: 'Basic', user: 'D\\u', credential: 1 },
      { scheme: 'Basic', user: 'D\\u', credential: 2 },
      { scheme: 'Basic', user: 'D\\u', credential: 1 },
    ])
    expect(JSON.stringify(har)).not.toMatch(/right|wrong|RFxcdTpy/)
  })

  it('answers 502 naming the failure when the target does not answer, and records it', async () => {
    const gone = http.createServer()
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve))
    const deadOrigin = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`
    await new Promise<void>((resolve) => gone.close(() => resolve()))
    const har = join(work, 'dead.har')
    const proxy = await startRecordingProxy({ target: deadOrigin, port: 0, har, creator: { name: 'nwa-kit', version: 'test' } })
    const answer = await send(new http.Agent(), proxy.url, '/x')
    await proxy.close()
    expect(answer.status).toBe(502)
    expect(answer.body.toString()).toMatch(/^nwa record: the target did not answer: connect ECONNREFUSED/)
    const entries = (JSON.parse(readFileSync(har, 'utf8')) as Har).log.entries
    expect(entries[0]).toMatchObject({ response: { status: 502 }, _nwa: { error: expect.stringMatching(/ECONNREFUSED/) } })
  })
})
