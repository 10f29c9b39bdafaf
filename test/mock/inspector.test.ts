import { get, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { type RunningMock, startMockServer } from '../../mock/server.ts'
import { api, basic, record } from './helpers.ts'

/**
 * The inspector page on the control endpoints (docs/inspector.md), over real sockets on 127.0.0.1: the page and its
 * files with their Content-Security-Policy, the live journal as server-sent events, one exchange with its credentials
 * redacted, the grade panel's hook, and the sign-in a browser needs when a token is in force (D73).
 */
const running: RunningMock[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()))
})

async function start(options: Parameters<typeof startMockServer>[0] = {}) {
  const server = await startMockServer({ port: 0, tls: false, control: true, seed: 'none', authSchemes: ['Basic'], ...options })
  running.push(server)
  const { port } = server.server.address() as AddressInfo
  return { server, base: `http://127.0.0.1:${port}`, agent: request(`http://127.0.0.1:${port}`) }
}

/** An event stream read as it arrives: `next(name)` waits for the next event of that name. */
function openEvents(url: string, headers: Record<string, string> = {}) {
  const events: { event: string; data: unknown; id?: string }[] = []
  let buffer = ''
  let waiting: (() => void) | undefined
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    const req = get(url, { headers }, (res) => {
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data), id: /^id: (.*)$/m.exec(block)?.[1] })
          end = buffer.indexOf('\n\n')
        }
        waiting?.()
      })
      resolve(res)
    })
    req.on('error', reject)
  })
  let read = 0
  return {
    response,
    events,
    async next(name: string): Promise<{ event: string; data: unknown; id?: string }> {
      for (;;) {
        const found = events.slice(read).findIndex((one) => one.event === name)
        if (found >= 0) {
          read += found + 1
          return events[read - 1] as { event: string; data: unknown }
        }
        await new Promise<void>((resolve) => {
          waiting = resolve
          setTimeout(resolve, 200)
        })
      }
    },
    close: async () => (await response).destroy(),
  }
}

describe('the inspector page, on loopback without a token', () => {
  it('serves the page and its own files with a strict Content-Security-Policy, and lists itself in the banner', async () => {
    const { agent, server } = await start()
    const page = await agent.get('/nwa/').expect(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'",
    )
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.text).toContain('<script src="/nwa/inspector.js" defer></script>')
    // No inline script or style, nothing from elsewhere: the policy would refuse it anyway.
    expect(page.text).not.toMatch(/<script>|<style|style=|https?:\/\//)
    expect((await agent.get('/nwa/inspector.js').expect(200)).headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect((await agent.get('/nwa/inspector.css').expect(200)).headers['content-type']).toBe('text/css; charset=utf-8')
    expect(server.app.control?.endpoints.map((endpoint) => endpoint.route)).toEqual(
      expect.arrayContaining(['GET /nwa', 'GET /nwa/events', 'GET /nwa/requests/ID']),
    )
    expect(server.app.control?.endpoints.map((endpoint) => endpoint.route)).not.toContain('GET /nwa/inspector.js')
  })

  it('streams each request as it is answered, and the state after it', async () => {
    const { base, agent } = await start()
    const stream = openEvents(`${base}/nwa/events`)
    expect((await stream.response).headers['content-type']).toBe('text/event-stream; charset=utf-8')
    const first = (await stream.next('state')).data as { health: { records: number }; defects: { on: string[] }; tokenRequired: boolean }
    expect(first).toMatchObject({ health: { records: 0, store: 'memory' }, defects: { on: [] }, tokenRequired: false })
    await agent.post(`${api}/activity_records/?format=json`).set('Authorization', basic('ENTERPRISE\\NetwrixUser')).send([record()]).expect(200)
    const written = await stream.next('request')
    expect(written.data).toMatchObject({ method: 'POST', status: 200, account: 'ENTERPRISE\\NetwrixUser', operation: 'writeActivityRecords' })
    expect(written.id).toBe(String((written.data as { id: number }).id))
    expect(((await stream.next('state')).data as { health: { records: number } }).health.records).toBe(1)
    await stream.close()
  })

  it('shows one exchange: the request and response, the credentials redacted, the body that was read', async () => {
    const { agent } = await start()
    const body = JSON.stringify([record({ What: '<script>alert(1)</script>', When: 'yesterday' })])
    await agent.post(`${api}/activity_records/?format=json`).set('Authorization', basic('ENTERPRISE\\NetwrixUser')).send(body).expect(400)
    await agent.get(`${api}/activity_records/enum`).set('Authorization', basic('ENTERPRISE\\NetwrixUser', 'wrong')).expect(401)
    const entries = (await agent.get('/nwa/requests').expect(200)).body.requests as { id: number; status: number }[]
    const refused = entries.find((entry) => entry.status === 400)
    const shown = (await agent.get(`/nwa/requests/${refused?.id}`).expect(200)).body
    expect(shown.entry).toMatchObject({ id: refused?.id, status: 400, notes: expect.arrayContaining([expect.stringContaining('When')]) })
    const requestHeaders = Object.fromEntries(shown.exchange.request.headers.map(([name, value]: [string, string]) => [name.toLowerCase(), value]))
    expect(requestHeaders.authorization).toBe('Basic [redacted]')
    expect(shown.exchange.request).toMatchObject({ body, bodyBytes: Buffer.byteLength(body), bodyRead: true })
    expect(shown.exchange.response).toMatchObject({ status: 400, bodyRead: true })
    expect(shown.exchange.response.body).toContain('ErrorList')
    expect(JSON.stringify(shown)).not.toContain(Buffer.from('ENTERPRISE\\NetwrixUser:NetwrixIsCool').toString('base64'))
    const unauthorized = entries.find((entry) => entry.status === 401)
    expect((await agent.get(`/nwa/requests/${unauthorized?.id}`).expect(200)).body.exchange.request.bodyRead).toBe(false)
    const gone = await agent.get('/nwa/requests/999999').expect(404)
    expect(gone.body.errors[0]).toContain('is not in the journal')
    // The inspector's own reads are not journalled, so reading the journal does not fill it.
    expect((await agent.get('/nwa/requests').expect(200)).body.requests).toHaveLength(2)
  })

  it('sends the grade panel when something grades, and hides it when cleared', async () => {
    const { base, server } = await start()
    const stream = openEvents(`${base}/nwa/events`)
    await stream.next('state')
    server.app.gradePanel.show({
      verdict: 'NOT CONFORMANT',
      summary: 'scenario steady',
      checks: [{ id: 'client.pages-to-end', level: 'MUST', status: 'fail', message: 'stopped at a short page' }],
    })
    expect((await stream.next('grade')).data).toMatchObject({ verdict: 'NOT CONFORMANT', checks: [{ status: 'fail' }] })
    server.app.gradePanel.clear()
    expect((await stream.next('grade')).data).toBeNull()
    await stream.close()
  })

  it('refuses a page from another site, as every control endpoint does', async () => {
    const { agent } = await start()
    expect((await agent.get('/nwa/events').set('Origin', 'http://evil.example')).status).toBe(403)
    expect((await agent.get('/nwa/').set('Host', 'rebound.example:9699')).status).toBe(403)
  })
})

describe('the inspector page behind a control token', () => {
  const token = 'team-secret-of-the-staging-mock'

  it('answers a browser without a sign-in with the sign-in form, and signs it in with the token as an HttpOnly SameSite=Strict cookie', async () => {
    const { agent, base } = await start({ controlToken: token })
    const form = await agent.get('/nwa/').expect(401)
    expect(form.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(form.text).toContain('<form method="post" action="/nwa/login">')
    expect((await agent.get('/nwa/events')).status).toBe(401)
    // The page's own files hold no data, so the form can use them.
    await agent.get('/nwa/inspector.css').expect(200)

    const wrong = await agent.post('/nwa/login').type('form').send({ token: 'not-the-token-in-force' }).expect(401)
    expect(wrong.text).toContain('That is not the control token in force')
    expect(wrong.headers['set-cookie']).toBeUndefined()

    const signedIn = await agent.post('/nwa/login').type('form').send({ token }).expect(303)
    expect(signedIn.headers.location).toBe('/nwa/')
    const cookie = (signedIn.headers['set-cookie'] as unknown as string[])[0] ?? ''
    expect(cookie).toMatch(/^nwa-control=\d+\.[\w-]{43}; Path=\/nwa\/; Max-Age=43200; HttpOnly; SameSite=Strict$/)
    expect(cookie).not.toContain(token)
    const session = cookie.split(';')[0] ?? ''
    await agent.get('/nwa/').set('Cookie', session).expect(200)
    await agent.post('/nwa/faults').set('Cookie', session).send({ latencyMs: 1 }).expect(200)
    const stream = openEvents(`${base}/nwa/events`, { cookie: session })
    expect(((await stream.next('state')).data as { tokenRequired: boolean }).tokenRequired).toBe(true)
    await stream.close()
    // The cookie opens nothing to a page of another site, and a forged one opens nothing at all.
    expect((await agent.post('/nwa/reset').set('Cookie', session).set('Origin', 'http://evil.example')).status).toBe(403)
    expect((await agent.post('/nwa/reset').set('Cookie', `${session.slice(0, -2)}AA`)).status).toBe(401)

    const out = await agent.post('/nwa/logout').set('Cookie', session).expect(303)
    expect((out.headers['set-cookie'] as unknown as string[])[0]).toContain('Max-Age=0')
  })

  it('journals a sign-in without the token it carried', async () => {
    const { agent } = await start({ controlToken: token })
    await agent.post('/nwa/login').type('form').send({ token }).expect(303)
    const journal = await agent.get('/nwa/requests').set('Authorization', `Bearer ${token}`).expect(200)
    const login = (journal.body.requests as { id: number; path: string }[]).find((entry) => entry.path === '/nwa/login')
    const shown = await agent.get(`/nwa/requests/${login?.id}`).set('Authorization', `Bearer ${token}`).expect(200)
    expect(JSON.stringify(shown.body)).not.toContain(token)
    expect(shown.body.exchange.request.bodyRead).toBe(false)
  })
})
