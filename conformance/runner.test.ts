import http from 'node:http'
import type { AddressInfo } from 'node:net'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadContract, type Contract } from '../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../openapi/payload.ts'
import { basicScheme } from './auth/basic.ts'
import { createSchemeRegistry } from './auth/scheme.ts'
import type { ContextFactoryOptions } from './context.ts'
import { isConformanceError } from './errors.ts'
import { runChecks, trimStack, type CheckResult, type RunEvent, type RunPlan } from './runner.ts'
import { makeCheck } from './test-support.ts'
import { fail, notApplicable, pass, skip, type Check, type CheckContext } from './types.ts'

const origin = 'http://nwa.test:9699'
const apiBase = `${origin}/netwrix/api/v1`
let contract: Contract
let codec: PayloadCodec

beforeAll(async () => {
  contract = await loadContract()
  codec = createPayloadCodec(contract)
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
})
afterEach(() => {
  nock.cleanAll()
})
afterAll(() => {
  nock.enableNetConnect()
})

/** The preflight GET enum gets a 401, as an API that demands credentials answers. */
function target(): nock.Scope {
  return nock(origin).get('/netwrix/api/v1/activity_records/enum').reply(401, '', { 'WWW-Authenticate': 'Basic realm="Netwrix Auditor"' })
}

function factory(overrides: Partial<ContextFactoryOptions> = {}): ContextFactoryOptions {
  let tick = Date.UTC(2024, 0, 2, 3, 4, 5)
  return {
    apiBase,
    contract,
    codec,
    accounts: { administrator: { user: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool', passwordVar: 'NWA_ADMIN_PASSWORD' } },
    now: () => (tick += 10),
    random: (n) => Buffer.alloc(n, 0xab),
    ...overrides,
  }
}

function plan(checks: Check[], overrides: Partial<RunPlan> = {}): RunPlan {
  return {
    checks,
    context: factory(),
    options: { write: false, destructive: false, auth: 'basic', maxPages: 50 },
    failOn: 'must',
    ...overrides,
  }
}

/** The administrator's pre-flight GET enum?count=1 gets a page. */
function administratorProbe(): nock.Scope {
  return nock(origin)
    .get('/netwrix/api/v1/activity_records/enum?count=1')
    .reply(200, '<ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/"/>', {
      'Content-Type': 'application/xml',
    })
}

async function run(p: RunPlan): Promise<{ results: Record<string, CheckResult>; events: RunEvent[]; exitCode: number; verdict: string }> {
  target()
  administratorProbe()
  const events: RunEvent[] = []
  const result = await runChecks(p, (e) => events.push(e))
  return { results: Object.fromEntries(result.checks.map((c) => [c.id, c])), events, exitCode: result.exitCode, verdict: result.verdict.verdict }
}

describe('runChecks: statuses', () => {
  it('turns a SHOULD or MAY failure into warn and keeps a MUST failure as fail', async () => {
    const { results } = await run(
      plan([
        makeCheck({ id: 'must', level: 'MUST', run: async () => fail('broken') }),
        makeCheck({ id: 'should', level: 'SHOULD', run: async () => fail('meh') }),
        makeCheck({ id: 'may', level: 'MAY', run: async () => fail('optional') }),
        makeCheck({ id: 'ok', level: 'SHOULD', run: async () => pass('fine') }),
        makeCheck({ id: 'self-skip', run: async () => skip('no data') }),
      ]),
    )
    expect(Object.values(results).map((r) => [r.id, r.status, r.message])).toEqual([
      ['must', 'fail', 'broken'],
      ['should', 'warn', 'meh'],
      ['may', 'warn', 'optional'],
      ['ok', 'pass', 'fine'],
      ['self-skip', 'skip', 'no data'],
    ])
  })

  it('turns a throw into error, with the stack trimmed to our own frames', async () => {
    const { results } = await run(
      plan([
        makeCheck({
          id: 'boom',
          run: async () => {
            throw new TypeError('cannot read ContinuationMark')
          },
        }),
        makeCheck({ id: 'garbage', run: async () => ({}) as never }),
      ]),
    )
    expect(results['boom']!.status).toBe('error')
    expect(results['boom']!.message).toBe('cannot read ContinuationMark')
    const stack = results['boom']!.evidence.notes.join('\n')
    expect(stack).toContain('TypeError: cannot read ContinuationMark')
    expect(stack).toContain('conformance/runner.test.ts')
    expect(stack).not.toMatch(/node_modules|node:internal|\/work\/main\//)
    expect(results['garbage']!.status).toBe('error')
  })

  it('skips with the reason: --write, --destructive, a missing account or group', async () => {
    let ran = 0
    const counting = async () => {
      ran++
      return pass('ran')
    }
    const { results } = await run(
      plan(
        [
          makeCheck({ id: 'w', needs: { write: true }, run: counting }),
          makeCheck({ id: 'd', needs: { destructive: true }, run: counting }),
          makeCheck({ id: 'a', needs: { accounts: ['administrator', 'contributor'] }, run: counting }),
          makeCheck({ id: 'g', needs: { groups: true }, run: counting }),
          makeCheck({
            id: 'undeclared',
            run: async (ctx) => {
              await ctx.send({ method: 'GET', path: '/x', as: 'reviewer' })
              return pass('x')
            },
          }),
          makeCheck({
            id: 'ntlm',
            run: async (ctx) => {
              await ctx.send({ method: 'GET', path: '/x', as: 'administrator', auth: 'ntlm' })
              return pass('x')
            },
          }),
        ],
        { context: factory({ schemes: createSchemeRegistry([basicScheme]) }) },
      ),
    )
    expect(ran).toBe(0)
    expect(Object.values(results).map((r) => [r.status, r.message])).toEqual([
      ['skip', 'needs --write: writes to an audit database are permanent'],
      ['skip', 'needs --destructive: it loads or disturbs the target beyond ordinary writes'],
      ['skip', 'no contributor account configured'],
      ['skip', 'no groups configured (groups.inGroup and groups.members in the config)'],
      ['skip', 'no reviewer account configured'],
      ['skip', 'no client implementation of NTLM authentication'],
    ])
  })

  it('runs write and group checks once allowed and configured', async () => {
    const { results } = await run(
      plan([makeCheck({ id: 'w', needs: { write: true, destructive: true, groups: true } })], {
        options: { write: true, destructive: true, auth: 'basic', maxPages: 50 },
        context: factory({ groups: { inGroup: 'ENTERPRISE\\Domain Admins', members: ['ENTERPRISE\\Administrator'] } }),
      }),
    )
    expect(results['w']!.status).toBe('pass')
  })
})

describe('runChecks: verdict, exit code and baseline', () => {
  const mustFail = makeCheck({ id: 'must', run: async () => fail('x') })
  const shouldFail = makeCheck({ id: 'should', level: 'SHOULD', run: async () => fail('x') })
  const passing = makeCheck({ id: 'fine' })
  const mustSkip = makeCheck({ id: 'needs-write', needs: { write: true } })

  it('is NOT CONFORMANT and 1 for a MUST failure, CONFORMANT and 0 for warnings alone unless --fail-on warn', async () => {
    expect(await run(plan([passing, mustFail]))).toMatchObject({ verdict: 'NOT CONFORMANT', exitCode: 1 })
    expect(await run(plan([passing, shouldFail]))).toMatchObject({ verdict: 'CONFORMANT', exitCode: 0 })
    expect(await run(plan([passing, shouldFail], { failOn: 'warn' }))).toMatchObject({ verdict: 'CONFORMANT', exitCode: 1 })
    expect(await run(plan([passing]))).toMatchObject({ verdict: 'CONFORMANT', exitCode: 0 })
  })

  it('is INCOMPLETE and 3 when a MUST check of the suite was skipped or not selected; 0 with --allow-incomplete', async () => {
    expect(await run(plan([passing, mustSkip]))).toMatchObject({ verdict: 'INCOMPLETE', exitCode: 3 })
    expect(await run(plan([passing, mustSkip], { allowIncomplete: true }))).toMatchObject({ verdict: 'INCOMPLETE', exitCode: 0 })
    expect(await run(plan([passing], { coverageChecks: [passing, mustFail] }))).toMatchObject({ verdict: 'INCOMPLETE', exitCode: 3 })
  })

  it('keeps a baselined status; a baselined MUST failure still fails, a baselined warning no longer counts for --fail-on warn', async () => {
    const { results, exitCode, verdict } = await run(
      plan([mustFail, shouldFail], {
        baseline: [
          { check: 'must', reason: 'r' },
          { check: 'should', reason: 'r' },
        ],
        failOn: 'warn',
      }),
    )
    expect([verdict, exitCode]).toEqual(['NOT CONFORMANT', 1])
    expect([results['must']!.status, results['must']!.baselined]).toEqual(['fail', true])
    expect([results['should']!.status, results['should']!.baselined]).toEqual(['warn', true])
    expect(await run(plan([passing, shouldFail], { baseline: [{ check: 'should', reason: 'r' }], failOn: 'warn' }))).toMatchObject({ exitCode: 0 })
  })

  it('counts a not-applicable skip neither as run nor as missing', async () => {
    const notApplicableCheck = makeCheck({ id: 'n-a', run: async () => notApplicable('the server does not offer it') })
    const { results, verdict, exitCode } = await run(plan([passing, notApplicableCheck]))
    expect([results['n-a']!.status, results['n-a']!.applicable]).toEqual(['skip', false])
    expect([verdict, exitCode]).toEqual(['CONFORMANT', 0])
  })
})

describe('runChecks: context', () => {
  it('shares memo across the checks of one run and computes it once', async () => {
    let computed = 0
    const memoCheck = (id: string) =>
      makeCheck({
        id,
        run: async (ctx) => pass(String(await ctx.memo('dataset', async () => ++computed))),
      })
    const { results } = await run(plan([memoCheck('one'), memoCheck('two')]))
    expect(computed).toBe(1)
    expect([results['one']!.message, results['two']!.message]).toEqual(['1', '1'])
  })

  it('stamps a run marker nwa-<yyyyMMddHHmmss>-<6 hex> from the injected clock and randomness', async () => {
    let marker = ''
    const { events } = await run(
      plan([
        makeCheck({
          id: 'm',
          run: async (ctx) => {
            marker = ctx.runMarker
            return pass('m')
          },
        }),
      ]),
    )
    expect(marker).toBe('nwa-20240102030405-ababab')
    expect(events[0]).toMatchObject({ type: 'run-started', runMarker: marker })
  })

  it('emits run-started, check-started/finished per check, then run-finished', async () => {
    const { events } = await run(plan([makeCheck({ id: 'a' }), makeCheck({ id: 'b', run: async () => fail('no') })]))
    expect(events.map((e) => `${e.type}${'id' in e ? `:${e.id}` : 'result' in e ? `:${e.result.id}` : ''}`)).toEqual([
      'run-started',
      'check-started:a',
      'check-finished:a',
      'check-started:b',
      'check-finished:b',
      'run-finished',
    ])
    const finished = events.at(-1)
    expect(finished).toMatchObject({ type: 'run-finished', exitCode: 1, summary: { counts: { pass: 1, fail: 1 }, byLevel: { MUST: { pass: 1, fail: 1 } } } })
  })

  it('sends as the account, records redacted evidence with a curl, and reports the format asked for', async () => {
    let seen: string | undefined
    nock(origin)
      .post('/netwrix/api/v1/activity_records/?format=json')
      .reply(function () {
        seen = this.req.headers['authorization'] as string
        return [200, '', { 'Content-Type': 'text/plain' }]
      })
    const sender = makeCheck({
      id: 'send',
      run: async (ctx: CheckContext) => {
        const exchange = await ctx.send({
          method: 'POST',
          path: '/activity_records/?format=json',
          as: 'administrator',
          body: '[]',
          headers: { 'Content-Type': 'application/json' },
        })
        ctx.note('expected nothing back')
        return pass(`${exchange.response.status} ${ctx.format(exchange)}`)
      },
    })
    const { results } = await run(plan([sender]))
    const result = results['send']!
    expect(result.message).toBe('200 json')
    expect(seen).toBe(`Basic ${Buffer.from('ENTERPRISE\\NetwrixUser:NetwrixIsCool').toString('base64')}`)
    expect(result.evidence.exchanges[0]!.request.headers['Authorization']).toBe('Basic ***')
    expect(JSON.stringify(result)).not.toContain('NetwrixIsCool')
    expect(result.evidence.curl).toEqual([
      `curl -i -u 'ENTERPRISE\\NetwrixUser':"$NWA_ADMIN_PASSWORD" -H 'Content-Type: application/json' '${apiBase}/activity_records/?format=json' --data-binary '[]'`,
    ])
    expect(result.evidence.notes).toEqual(['expected nothing back'])
  })

  it('keeps the last 20 exchanges and cuts bodies over 4 KB with a marker', async () => {
    nock(origin)
      .get(/\/netwrix\/api\/v1\/page\/\d+/)
      .times(25)
      .reply(200, (uri) => `${uri.split('/').pop()}:${'x'.repeat(5000)}`)
    const chatty = makeCheck({
      id: 'chatty',
      run: async (ctx) => {
        for (let i = 1; i <= 25; i++) await ctx.send({ method: 'GET', path: `/page/${i}`, as: null })
        return pass('done')
      },
    })
    const { results } = await run(plan([chatty]))
    const evidence = results['chatty']!.evidence
    expect(evidence.exchanges).toHaveLength(20)
    expect(evidence.exchanges[0]!.request.url).toBe(`${apiBase}/page/6`)
    expect(evidence.exchanges[19]!.request.url).toBe(`${apiBase}/page/25`)
    const body = evidence.exchanges[19]!.response.body
    expect(body.startsWith('25:xxx')).toBe(true)
    expect(Buffer.byteLength(body.split('\n…')[0]!)).toBe(4096)
    expect(body).toMatch(/…\[trimmed: 907 more bytes\]$/)
    expect(evidence.notes[0]).toBe('5 earlier exchange(s) not kept; these are the last 20')
    expect(evidence.curl).toHaveLength(20)
  })
})

describe('runChecks: connection', () => {
  it('throws CONF_ERR_CONNECT when the target refuses the preflight, before any event', async () => {
    const server = http.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const events: RunEvent[] = []
    const error = await runChecks(plan([makeCheck({ id: 'a' })], { context: factory({ apiBase: `http://127.0.0.1:${port}/netwrix/api/v1` }) }), (e) =>
      events.push(e),
    ).catch((e: unknown) => e)
    expect(isConformanceError(error, 'CONF_ERR_CONNECT')).toBe(true)
    expect(events).toEqual([])
  })
})

describe('trimStack', () => {
  it('keeps the message and our frames, relative to the root', () => {
    const error = new Error('x')
    error.stack = [
      'Error: x',
      '    at run (/repo/conformance/checks/a.ts:3:9)',
      '    at f (node:internal/process/task_queues:95:5)',
      '    at g (/repo/node_modules/vitest/x.js:1:1)',
    ].join('\n')
    expect(trimStack(error, '/repo/')).toBe('Error: x\n    at run (conformance/checks/a.ts:3:9)')
    expect(trimStack('plain')).toBe('plain')
  })
})
