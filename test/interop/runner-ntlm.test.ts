// The runner's NTLM client against the mock's NTLM server: two implementations sharing only the
// pure protocol code in openapi/auth, meeting over a real TCP connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec } from '../../openapi/payload.ts'
import { createCheckSession, type CheckSession } from '../../conformance/context.ts'
import { createEvidenceLog } from '../../conformance/evidence.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'

let mock: RunningMock
let session: CheckSession
let connections = 0

beforeAll(async () => {
  mock = await startMockServer({ port: 0, tls: false, authSchemes: ['NTLM'], seed: 'none' })
  mock.server.on('connection', () => connections++)
  const contract = await loadContract()
  session = createCheckSession(
    {
      apiBase: `${mock.url}/netwrix/api/v1`,
      contract,
      codec: createPayloadCodec(contract),
      accounts: {
        administrator: { user: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool', passwordVar: 'NWA_ADMIN_PASSWORD' },
        contributor: { user: 'ENTERPRISE\\Contributor', password: 'NetwrixIsCool', passwordVar: 'NWA_CONTRIBUTOR_PASSWORD' },
      },
      now: Date.now,
      random: (n) => Buffer.alloc(n, 0x5a),
    },
    { write: false, destructive: false, auth: 'ntlm', maxPages: 50 },
  )
})

afterAll(async () => {
  session?.close()
  await mock?.close()
})

describe('runner --auth ntlm against the mock (NTLM only)', () => {
  it('[AUTH-NTLM] ENTERPRISE\\NetwrixUser reads enum: 200 after NEGOTIATE and AUTHENTICATE on one connection', async () => {
    const before = connections
    const evidence = createEvidenceLog()
    const exchange = await session.contextFor(evidence).send({ method: 'GET', path: '/activity_records/enum?format=json', as: 'administrator' })
    expect(exchange.response.status).toBe(200)
    const { exchanges, curl } = evidence.finish()
    expect(exchanges.map((e) => [e.response.status, e.request.headers['Authorization'] ?? 'none'])).toEqual([
      [401, 'none'],
      [401, 'NTLM ***'],
      [200, 'NTLM ***'],
    ])
    expect(connections - before).toBe(1)
    for (const command of curl) expect(command).toContain('--ntlm -u \'ENTERPRISE\\NetwrixUser\':"$NWA_ADMIN_PASSWORD"')
  })

  it('ENTERPRISE\\Contributor on enum: authenticated, yet refused with 401 after a single AUTHENTICATE', async () => {
    const evidence = createEvidenceLog()
    const exchange = await session.contextFor(evidence).send({ method: 'GET', path: '/activity_records/enum', as: 'contributor' })
    expect(exchange.response.status).toBe(401)
    expect(evidence.finish().exchanges.map((e) => e.request.headers['Authorization'] ?? 'none')).toEqual(['none', 'NTLM ***', 'NTLM ***'])
  })
})
