import { describe, it, expect } from 'vitest'
import { createHash } from 'node:crypto'
import { DigestAuthenticator } from './digest-authenticator.ts'
import type { AccountLookup, AuthOptions } from './types.ts'

/** The documented AccountLookup contract, for these tests: 'DOMAIN\\user', 'user@domain' or 'user', case-insensitive. */
const accounts: AccountLookup = {
  find(userName, domain) {
    const [, fromName, user = userName] = /^(?:([^\\]+)\\)?(.*)$/.exec(userName) ?? []
    const bare = user.replace(/@.*$/, '')
    const dom = (domain ?? fromName ?? 'ENTERPRISE').toUpperCase()
    if (bare.toLowerCase() === 'netwrixuser' && dom === 'ENTERPRISE') return { account: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool' }
    return undefined
  },
}

function setup(overrides: Partial<AuthOptions> = {}) {
  let clock = Date.UTC(2025, 0, 1)
  let counter = 0
  const options: AuthOptions = {
    realm: 'Netwrix Auditor',
    domain: 'ENTERPRISE',
    serverName: 'NWXSRV',
    now: () => clock,
    random: (bytes) => Buffer.alloc(bytes, ++counter),
    ...overrides,
  }
  return { authenticator: new DigestAuthenticator(accounts, options), advance: (ms: number) => (clock += ms) }
}

const param = (challenge: string, name: string): string => {
  const match = new RegExp(`${name}="([^"]*)"`).exec(challenge)
  if (match?.[1] === undefined) throw new Error(`no ${name} in ${challenge}`)
  return match[1]
}

/** An independent client: RFC 7616 section 3.4.1 spelled out with node:crypto. */
function clientHeader(
  challenge: string,
  fields: { user?: string; sentUser?: string; password?: string; uri?: string; method?: string; nc?: string; realm?: string; algorithm?: string },
): string {
  const algorithm = fields.algorithm ?? /algorithm=([\w-]+)/.exec(challenge)?.[1] ?? 'MD5'
  const h = (text: string) =>
    createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
      .update(text)
      .digest('hex')
  const realm = fields.realm ?? param(challenge, 'realm')
  const nonce = param(challenge, 'nonce')
  const user = fields.user ?? 'ENTERPRISE\\NetwrixUser'
  const uri = fields.uri ?? '/netwrix/api/v1/activity_records/enum'
  const nc = fields.nc ?? '00000001'
  const cnonce = '0a4f113b'
  const userHash = h(`${user}:${realm}:${fields.password ?? 'NetwrixIsCool'}`)
  const ha1 = algorithm.endsWith('-sess') ? h(`${userHash}:${nonce}:${cnonce}`) : userHash
  const ha2 = h(`${fields.method ?? 'GET'}:${uri}`)
  const response = h(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)
  const sentUser = fields.sentUser ?? user.replace(/\\/g, '\\\\')
  return (
    `Digest username="${sentUser}", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=${algorithm}, ` +
    `response="${response}", qop=auth, nc=${nc}, cnonce="${cnonce}", opaque="${param(challenge, 'opaque')}"`
  )
}

const input = (authorization: string | undefined, uri = '/netwrix/api/v1/activity_records/enum') => ({
  method: 'GET',
  uri,
  authorization,
  connection: {},
})

describe('DigestAuthenticator', () => {
  it('offers SHA-256 then MD5 by default, each with its own nonce', () => {
    const { authenticator } = setup()
    const [sha, md5, ...rest] = authenticator.challenges()
    expect(rest).toEqual([])
    expect(sha).toMatch(/^Digest realm="Netwrix Auditor", qop="auth", algorithm=SHA-256, nonce="[^"]+", opaque="[^"]+"$/)
    expect(md5).toMatch(/algorithm=MD5, /)
    expect(param(sha ?? '', 'nonce')).not.toBe(param(md5 ?? '', 'nonce'))
    expect(authenticator.challenge()).toMatch(/algorithm=SHA-256/)
  })

  it('honours the configured algorithm order', () => {
    const { authenticator } = setup({ digestAlgorithms: ['MD5'] })
    expect(authenticator.challenges().map((c) => /algorithm=([\w-]+)/.exec(c)?.[1])).toEqual(['MD5'])
  })

  it('authenticates a correct SHA-256 and a correct MD5 response', async () => {
    const { authenticator } = setup()
    for (const challenge of authenticator.challenges()) {
      const result = await authenticator.authenticate(input(clientHeader(challenge, {})))
      expect(result).toEqual({ outcome: 'authenticated', account: 'ENTERPRISE\\NetwrixUser', scheme: 'Digest' })
    }
  })

  it('accepts a DOMAIN\\user name sent without escaping the backslash (as Python requests does)', async () => {
    const { authenticator } = setup()
    const header = clientHeader(authenticator.challenge(), { sentUser: 'ENTERPRISE\\NetwrixUser' })
    expect((await authenticator.authenticate(input(header))).outcome).toBe('authenticated')
  })

  it('accepts a case-variant user name, hashing it as sent', async () => {
    const { authenticator } = setup()
    const header = clientHeader(authenticator.challenge(), { user: 'netwrixuser' })
    expect(await authenticator.authenticate(input(header))).toMatchObject({ outcome: 'authenticated', account: 'ENTERPRISE\\NetwrixUser' })
  })

  it('fails a wrong password without stale', async () => {
    const { authenticator } = setup()
    expect(await authenticator.authenticate(input(clientHeader(authenticator.challenge(), { password: 'wrong' })))).toEqual({ outcome: 'failed' })
  })

  it('fails when the uri parameter is not the request-target', async () => {
    const { authenticator } = setup()
    const header = clientHeader(authenticator.challenge(), { uri: '/netwrix/api/v1/activity_records/search' })
    expect((await authenticator.authenticate(input(header))).outcome).toBe('failed')
  })

  it('fails another realm, an algorithm not offered, a missing qop, and a foreign nonce', async () => {
    const { authenticator } = setup()
    const challenge = authenticator.challenge()
    expect((await authenticator.authenticate(input(clientHeader(challenge, { realm: 'Elsewhere' })))).outcome).toBe('failed')
    expect((await authenticator.authenticate(input(clientHeader(challenge, { algorithm: 'SHA-256-sess' })))).outcome).toBe('failed')
    const noQop = clientHeader(challenge, {}).replace('qop=auth, ', '')
    expect((await authenticator.authenticate(input(noQop))).outcome).toBe('failed')
    const foreign = clientHeader(challenge.replace(/nonce="[^"]*"/, 'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"'), {})
    expect(await authenticator.authenticate(input(foreign))).toEqual({ outcome: 'failed' })
  })

  it('refuses a replayed nonce-count and accepts the next one', async () => {
    const { authenticator } = setup()
    const challenge = authenticator.challenge()
    const first = clientHeader(challenge, { nc: '00000001' })
    expect((await authenticator.authenticate(input(first))).outcome).toBe('authenticated')
    expect((await authenticator.authenticate(input(first))).outcome).toBe('failed')
    expect((await authenticator.authenticate(input(clientHeader(challenge, { nc: '00000002' })))).outcome).toBe('authenticated')
  })

  it('answers stale=true for a right response on an expired nonce, plain failure for a wrong one', async () => {
    const { authenticator, advance } = setup({ nonceLifetimeMs: 60_000 })
    const challenge = authenticator.challenge()
    advance(60_001)
    expect(await authenticator.authenticate(input(clientHeader(challenge, {})))).toEqual({ outcome: 'failed', stale: true })
    expect(await authenticator.authenticate(input(clientHeader(challenge, { password: 'wrong' })))).toEqual({ outcome: 'failed' })
    expect(authenticator.challenge({ stale: true })).toMatch(/, stale=true$/)
  })

  it('leaves other schemes and missing headers alone, and fails malformed Digest', async () => {
    const { authenticator } = setup()
    expect(await authenticator.authenticate(input(undefined))).toEqual({ outcome: 'absent' })
    expect(await authenticator.authenticate(input('Basic dXNlcjpwYXNz'))).toEqual({ outcome: 'absent' })
    expect(await authenticator.authenticate(input('Digest username="x'))).toEqual({ outcome: 'failed' })
  })
})
