import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { type RunningMock, startMockServer } from '../../mock/server.ts'
import { api, basic } from './helpers.ts'

/**
 * The control endpoints beyond loopback (docs/control.md, D71), over real sockets. The servers listen on 0.0.0.0 or
 * 127.0.0.1 and every request goes to 127.0.0.1: what decides is the address the server listens on, not the address a
 * request comes from, which behind a port mapping or a proxy is 127.0.0.1 too.
 */
const running: RunningMock[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()))
})

async function start(options: Parameters<typeof startMockServer>[0]): Promise<{ server: RunningMock; agent: ReturnType<typeof request> }> {
  const server = await startMockServer({ port: 0, tls: false, control: true, seed: 'demo', ...options })
  running.push(server)
  const { port } = server.server.address() as AddressInfo
  return { server, agent: request(`http://127.0.0.1:${port}`) }
}

const records = async (agent: ReturnType<typeof request>): Promise<number> => (await agent.get('/nwa/health').expect(200)).body.records as number

describe('listening on 0.0.0.0 (every interface)', () => {
  it('makes a token when none is given, and without it every control endpoint but health answers 401 and changes nothing', async () => {
    const { server, agent } = await start({ host: '0.0.0.0' })
    expect(server.controlToken).toEqual({ value: expect.stringMatching(/^[\w-]{43}$/), generated: true })
    expect(await records(agent)).toBe(5000)

    const reset = await agent.post('/nwa/reset')
    expect(reset.status).toBe(401)
    expect(reset.headers['www-authenticate']).toBe('Bearer realm="nwa-control"')
    expect(reset.body).toEqual({ errors: ['the control endpoints need the control token: Authorization: Bearer <token>, or a browser signed in at /nwa/'] })
    expect((await agent.post('/nwa/reset').set('Authorization', 'Bearer not-the-token-at-all')).status).toBe(401)
    expect((await agent.post('/nwa/clock').send({ at: '2030-01-02T03:04:05Z' })).status).toBe(401)
    expect((await agent.post('/nwa/faults').send({ licenseExpired: true })).status).toBe(401)
    expect((await agent.post('/nwa/defects').send({ on: [] })).status).toBe(401)
    expect((await agent.get('/nwa/requests')).status).toBe(401)
    const upload = await agent
      .post('/nwa/fixtures')
      .set('Content-Type', 'application/json')
      .send([{ Who: 'x' }])
    expect(upload.status).toBe(401)
    const after = (await agent.get('/nwa/health').expect(200)).body
    expect(after.records).toBe(5000)
    expect(after.faults.licenseExpired).toBe(false)
    expect(after.clock.mode).toBe('real')
    // The API itself is untouched by the token.
    await agent.get(`${api}/activity_records/enum?count=1`).set('Authorization', basic('ENTERPRISE\\NetwrixUser')).expect(200)

    const bearer = `Bearer ${server.controlToken?.value}`
    const journal = (await agent.get('/nwa/requests?status=401').set('Authorization', bearer).expect(200)).body.requests as { path: string; notes: string[] }[]
    // Every refusal is journalled with its reason, the journal's own refused reader too; its answered reads are not (control.ts).
    expect(journal.map((entry) => entry.path)).toEqual([
      '/nwa/reset',
      '/nwa/reset',
      '/nwa/clock',
      '/nwa/faults',
      '/nwa/defects',
      '/nwa/requests',
      '/nwa/fixtures',
    ])
    expect(journal[1]?.notes).toEqual(['the control token presented is not the one in force'])
    expect((await agent.post('/nwa/reset').set('Authorization', bearer).expect(200)).body.records).toBe(0)
  })

  it('takes the token given instead of making one', async () => {
    const { server, agent } = await start({ host: '0.0.0.0', controlToken: 'given-token-for-the-team' })
    expect(server.controlToken).toEqual({ value: 'given-token-for-the-team', generated: false })
    expect((await agent.post('/nwa/reset')).status).toBe(401)
    await agent.post('/nwa/reset').set('Authorization', 'Bearer given-token-for-the-team').expect(200)
    expect(await records(agent)).toBe(0)
  })

  it("refuses a browser's request from another site even with the token", async () => {
    const { server, agent } = await start({ host: '0.0.0.0' })
    const refused = await agent.post('/nwa/reset').set('Authorization', `Bearer ${server.controlToken?.value}`).set('Origin', 'https://evil.example')
    expect(refused.status).toBe(403)
    expect(await records(agent)).toBe(5000)
  })
})

describe('listening on 127.0.0.1 (loopback)', () => {
  it('needs no token, as before', async () => {
    const { server, agent } = await start({ host: '127.0.0.1' })
    expect(server.controlToken).toBeUndefined()
    await agent.post('/nwa/reset').expect(200)
    expect(await records(agent)).toBe(0)
  })

  it('refuses a request whose Host is not loopback (a name rebound to 127.0.0.1) and one from a web page, with 403', async () => {
    const { agent } = await start({ host: '127.0.0.1' })
    const rebound = await agent.post('/nwa/reset').set('Host', 'attacker.example:9699')
    expect(rebound.status).toBe(403)
    expect((await agent.post('/nwa/reset').set('Origin', 'https://evil.example')).status).toBe(403)
    expect(await records(agent)).toBe(5000)
  })

  it('requires a token when one is given', async () => {
    const { agent } = await start({ host: '127.0.0.1', controlToken: 'given-token-for-the-team' })
    expect((await agent.post('/nwa/reset')).status).toBe(401)
    expect(await records(agent)).toBe(5000)
    await agent.post('/nwa/reset').set('Authorization', 'Bearer given-token-for-the-team').expect(200)
  })
})
