import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract, type Contract } from '../../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../../openapi/payload.ts'
import { requirementLevels, serverRequirements, type RequirementLevel } from '../../openapi/requirements.ts'
import type { Check, CheckContext, Exchange, HttpRequestSpec } from '../types.ts'
import { authChecks } from './auth.ts'
import { errorsChecks } from './errors.ts'
import { fidelityChecks } from './fidelity.ts'
import { formatsChecks } from './formats.ts'
import { allChecks } from './index.ts'
import { paginationChecks } from './pagination.ts'
import { searchChecks } from './search.ts'
import { validationChecks } from './validation.ts'
import { writeChecks } from './write.ts'

const families: [string, Check[]][] = [
  ['formats', formatsChecks],
  ['pagination', paginationChecks],
  ['write', writeChecks],
  ['search', searchChecks],
  ['validation', validationChecks],
  ['errors', errorsChecks],
  ['auth', authChecks],
  ['fidelity', fidelityChecks],
]

// The server's statements: the client-side ones (CLIENT-…) are judged by nwa grade (conformance/grade/).
const catalogue = serverRequirements()
const byId = new Map(catalogue.map((requirement) => [requirement.id, requirement]))
const strength = (level: RequirementLevel): number => requirementLevels.length - requirementLevels.indexOf(level)

/** The decision ids of openapi/DECISIONS.md: the first cell of each table row (D24, S1, ...). */
const decisions = new Set(
  [...readFileSync(new URL('../../openapi/DECISIONS.md', import.meta.url), 'utf8').matchAll(/^\| ([DS]\d+) \|/gm)].map((match) => match[1]!),
)

describe('the check catalogue', () => {
  it('lists the families in order, each check carrying its family as category', () => {
    expect(allChecks).toEqual(families.flatMap(([, checks]) => checks))
    for (const [family, checks] of families) {
      expect(checks.length).toBeGreaterThan(0)
      for (const check of checks) {
        expect(check.category).toBe(family)
        expect(check.id).toMatch(new RegExp(`^${family}\\.[a-z0-9]+(-[a-z0-9]+)*$`))
      }
    }
  })

  it('gives every check a unique id, a title, tags and a level', () => {
    const ids = allChecks.map((check) => check.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const check of allChecks) {
      expect(check.title.length).toBeGreaterThan(10)
      expect(check.tags.length).toBeGreaterThan(0)
      expect(requirementLevels).toContain(check.level)
    }
  })

  it('cites at least one requirement per check, each in openapi/requirements.yaml', () => {
    const unknown = allChecks.flatMap((check) => check.requirements.filter((id) => !byId.has(id)).map((id) => `${check.id}: ${id}`))
    expect(unknown).toEqual([])
    expect(allChecks.filter((check) => check.requirements.length === 0).map((check) => check.id)).toEqual([])
  })

  it('never rates a check above the strongest requirement it cites', () => {
    for (const check of allChecks) {
      const strongest = Math.max(...check.requirements.map((id) => strength(byId.get(id)!.level)))
      expect(strength(check.level), `${check.id} claims more than it cites`).toBeLessThanOrEqual(strongest)
    }
  })

  it('makes a check MUST only where a page states its rule: it cites a MUST requirement, whose source is a page', () => {
    const unstated = allChecks.filter((check) => check.level === 'MUST' && !check.requirements.some((id) => byId.get(id)!.level === 'MUST'))
    expect(unstated.map((check) => check.id)).toEqual([])
    for (const requirement of catalogue) expect(requirement.source, requirement.id).toMatch(/^(api|admin)\//)
  })

  it('has every SHOULD and MAY check, and every check weaker than what it cites, name a decision of openapi/DECISIONS.md', () => {
    expect(decisions.size).toBeGreaterThan(30)
    const undecided = allChecks.filter((check) => {
      const strongest = Math.max(...check.requirements.map((id) => strength(byId.get(id)!.level)))
      return (check.level !== 'MUST' || strength(check.level) < strongest) && check.decision === undefined
    })
    expect(undecided.map((check) => check.id)).toEqual([])
    const unknown = allChecks.filter((check) => check.decision !== undefined && !decisions.has(check.decision)).map((check) => `${check.id}: ${check.decision}`)
    expect(unknown).toEqual([])
  })

  it('cites a large share of the catalogue together', () => {
    const cited = new Set(allChecks.flatMap((check) => check.requirements))
    const uncited = catalogue.filter((requirement) => !cited.has(requirement.id)).map((requirement) => requirement.id)
    console.log(`checks cite ${cited.size} of ${catalogue.length} requirements; not cited (${uncited.length}): ${uncited.join(', ')}`)
    expect(cited.size / catalogue.length).toBeGreaterThan(0.85)
  })
})

let contract: Contract
let codec: PayloadCodec

beforeAll(async () => {
  contract = await loadContract()
  codec = createPayloadCodec(contract)
})

/** A context over a fake server, built only from what CheckContext offers. */
function fakeContext(answer: (request: HttpRequestSpec) => { status: number; headers?: Record<string, string>; body?: string }): {
  ctx: CheckContext
  sent: HttpRequestSpec[]
} {
  const sent: HttpRequestSpec[] = []
  const memo = new Map<string, Promise<unknown>>()
  const account = { user: 'ENTERPRISE\\user', password: 'secret' }
  const ctx: CheckContext = {
    contract,
    codec,
    apiBase: 'https://127.0.0.1:9699/netwrix/api/v1',
    accounts: {
      administrator: account,
      reviewer: account,
      scopedReviewer: { ...account, monitoringPlans: ['Compliance'] },
      contributor: account,
      configurator: account,
      noAccess: account,
    },
    groups: { inGroup: 'ENTERPRISE\\Auditors', members: ['ENTERPRISE\\Auditor1'] },
    options: { write: true, destructive: false, auth: 'auto', maxPages: 5 },
    runMarker: 'nwa-20240510142000-abcdef',
    now: () => Date.parse('2024-05-10T14:20:00Z'),
    async send(request): Promise<Exchange> {
      sent.push(request)
      const response = answer(request)
      return {
        request: { method: request.method, url: `https://127.0.0.1:9699/netwrix/api/v1${request.path}`, headers: request.headers ?? {} },
        response: { status: response.status, headers: response.headers ?? {}, body: response.body ?? '' },
        durationMs: 1,
      }
    },
    format: (exchange) => (exchange.request.url.includes('format=json') ? 'json' : 'xml'),
    memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
      if (!memo.has(key)) memo.set(key, compute())
      return memo.get(key) as Promise<T>
    },
    note: () => undefined,
  }
  return { ctx, sent }
}

describe('every check against a server that answers 503 to everything', () => {
  const runnable = allChecks.filter((check) => !check.needs?.destructive)

  it.each([true, false])('returns a verdict with a message from its context alone, and never a pass (--write %s)', async (write) => {
    const passed: string[] = []
    for (const check of runnable.filter((candidate) => write || !candidate.needs?.write)) {
      // A context of its own: a data set another check failed to read (memo) would fail this one without a request.
      const { ctx, sent } = fakeContext(() => ({ status: 503 }))
      ctx.options.write = write
      const before = sent.length
      const verdict = await check.run(ctx)
      expect(['fail', 'skip'], `${check.id}: ${verdict.message}`).toContain(verdict.status)
      expect(verdict.message.length, check.id).toBeGreaterThan(0)
      if (verdict.status === 'pass') passed.push(check.id)
      if (verdict.status === 'fail') expect(sent.length, `${check.id} failed without asking the server`).toBeGreaterThan(before)
    }
    expect(passed).toEqual([])
  })

  it('[STATUS-401, AUTH-REQUIRED] sends requests without credentials only in the checks that test them', async () => {
    const anonymous: string[] = []
    for (const check of runnable) {
      const { ctx, sent } = fakeContext(() => ({ status: 503 }))
      await check.run(ctx)
      if (sent.some((request) => request.as === null)) anonymous.push(check.id)
    }
    // auth.wrong-password reads the challenge to try a wrong password with every scheme the server offers;
    // auth.certificate-host only reads the certificate of the TLS handshake, which needs no account.
    expect(anonymous.sort()).toEqual([
      'auth.basic',
      'auth.certificate-host',
      'auth.challenge-schemes',
      'auth.digest',
      'auth.expected-schemes',
      'auth.ntlm',
      'auth.required',
      'auth.wrong-password',
    ])
  })
})

describe('the authentication schemes a server offers (D27)', () => {
  const page = JSON.stringify({ ActivityRecordList: [], ContinuationMark: 'm' })
  const offering = (challenge: string) =>
    fakeContext((request): { status: number; headers: Record<string, string>; body?: string } =>
      request.as === null
        ? { status: 401, headers: { 'WWW-Authenticate': challenge } }
        : { status: 200, headers: { 'Content-Type': 'application/json' }, body: page },
    )
  const byId = (id: string) => allChecks.find((check) => check.id === id)!

  it('[AUTH-SCHEME-AVAILABLE] passes with one documented scheme offered and accepted, and fails with none', async () => {
    expect(await byId('auth.challenge-schemes').run(offering('Basic realm="x"').ctx)).toMatchObject({ status: 'pass' })
    expect(await byId('auth.challenge-schemes').run(offering('Bearer realm="x"').ctx)).toEqual({
      status: 'fail',
      message: 'the 401 offers bearer, none of the documented ntlm, negotiate, digest, basic',
    })
  })

  it('[AUTH-OFFERED-WORKS] calls a scheme the server does not offer not applicable, rather than skipped or passed', async () => {
    expect(await byId('auth.digest').run(offering('NTLM, Basic realm="x"').ctx)).toEqual({
      status: 'skip',
      message: 'the server does not offer DIGEST; its 401 offers ntlm, basic',
      notApplicable: true,
    })
  })

  it('[AUTH-NTLM, AUTH-DIGEST] compares the challenge with the expected schemes, all four unless configured', async () => {
    const partial = offering('NTLM, Basic realm="x"')
    expect(await byId('auth.expected-schemes').run(partial.ctx)).toMatchObject({ status: 'fail', message: expect.stringMatching(/missing negotiate, digest$/) })
    partial.ctx.expectedSchemes = ['ntlm', 'basic']
    expect(await byId('auth.expected-schemes').run(partial.ctx)).toMatchObject({ status: 'pass' })
  })
})

describe('without --write', () => {
  it('no check that the runner lets run posts anything storable to the write endpoint', async () => {
    const allowed = allChecks.filter((check) => !check.needs?.write && !check.needs?.destructive)
    const writers = new Map<string, string[]>()
    for (const check of allowed) {
      // A server that accepts everything: the checks' own caution is all that keeps records out.
      const { ctx, sent } = fakeContext(() => ({ status: 200 }))
      ctx.options.write = false
      await check.run(ctx)
      const bodies = sent
        .filter((request) => request.method === 'POST' && /^\/activity_records\/?(\?|$)/.test(request.path))
        .map((request) => String(request.body))
      if (bodies.length) writers.set(check.id, bodies)
    }
    expect([...writers.keys()].sort()).toEqual(['auth.configurator-no-access', 'auth.no-access', 'auth.required', 'auth.wrong-password'])
    for (const bodies of writers.values()) {
      for (const body of bodies) expect(codec.decode('ActivityRecordInputList', body, 'xml')).toMatchObject({ ok: false, stage: 'schema' })
    }
  })
})
