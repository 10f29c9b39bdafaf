/**
 * Test support for the reporter tests: a real run of stand-in checks against a nock target, with
 * every status, a baselined failure, and hostile text (markup, quotes, control bytes) in evidence.
 */
import nock from 'nock'
import { afterAll, beforeAll } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec } from '../../openapi/payload.ts'
import type { RunMeta } from '../meta.ts'
import { runChecks, type RunEvent, type RunResult } from '../runner.ts'
import { makeCheck } from '../test-support.ts'
import { fail, pass, skip } from '../types.ts'

export const sampleOrigin = 'http://nwa-report.test:9699'
export const sampleMeta: RunMeta = {
  tool: 'nwa-kit',
  version: '9.8.7',
  node: 'v20.0.0',
  contract: { file: 'openapi/netwrix-auditor-api.yaml', sha256: 'ab'.repeat(32) },
}
export const hostileBody = `<script>alert("x")</script> & 'quotes' ]]> \u0001`

export async function sampleRun(): Promise<{ result: RunResult; events: RunEvent[] }> {
  const contract = await loadContract()
  nock(sampleOrigin)
    .get('/netwrix/api/v1/activity_records/enum')
    .reply(401, '', { 'WWW-Authenticate': 'Basic realm="Netwrix Auditor"', Server: 'Microsoft-HTTPAPI/2.0' })
  nock(sampleOrigin)
    .get('/netwrix/api/v1/activity_records/enum?count=1')
    .reply(200, '<ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/"/>', { 'Content-Type': 'application/xml' })
  nock(sampleOrigin).get('/netwrix/api/v1/activity_records/enum?format=json').reply(200, hostileBody, { 'Content-Type': 'application/json' })
  let tick = Date.UTC(2024, 4, 6, 7, 8, 9)
  const events: RunEvent[] = []
  const result = await runChecks(
    {
      checks: [
        makeCheck({
          id: 'formats.json-query',
          title: 'JSON on ?format=json',
          requirements: ['FMT-JSON-QUERY', 'FMT-CONTENT-TYPE'],
          run: async (ctx) => {
            const exchange = await ctx.send({ method: 'GET', path: '/activity_records/enum?format=json', as: 'administrator' })
            ctx.note('expected an ActivityRecordList object')
            return fail(`body is not JSON: ${exchange.response.body.slice(0, 20)}`)
          },
        }),
        makeCheck({ id: 'formats.xml-default', requirements: ['FMT-XML-DEFAULT'], run: async () => pass('XML by default') }),
        makeCheck({ id: 'formats.order', level: 'SHOULD', decision: 'D24', requirements: ['FMT-XML-ELEMENT-ORDER'], run: async () => pass('in order') }),
        makeCheck({ id: 'errors.body', category: 'errors', level: 'SHOULD', requirements: ['ERR-BODY-ON-ERROR'], run: async () => fail('empty 400 body') }),
        makeCheck({
          id: 'errors.shape',
          category: 'errors',
          requirements: ['ERR-XML-SHAPE'],
          run: async () => {
            throw new Error('unexpected <ErrorList> shape')
          },
        }),
        makeCheck({ id: 'write.basic', category: 'write', needs: { write: true }, requirements: ['EP-WRITE-POST'] }),
        makeCheck({ id: 'auth.scoped', category: 'auth', requirements: ['ROLE-REVIEWER-SCOPE'], run: async () => skip('no records in scope') }),
        makeCheck({ id: 'auth.legacy', category: 'auth', requirements: ['AUTH-BASIC'], run: async () => fail('known issue') }),
      ],
      context: {
        apiBase: `${sampleOrigin}/netwrix/api/v1`,
        contract,
        codec: createPayloadCodec(contract),
        accounts: { administrator: { user: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool', passwordVar: 'NWA_PASSWORD' } },
        transport: { insecure: true },
        now: () => (tick += 7),
        random: (n) => Buffer.alloc(n, 0x5c),
      },
      options: { write: false, destructive: false, auth: 'basic', maxPages: 50 },
      baseline: [{ check: 'auth.legacy', reason: 'known issue' }],
      failOn: 'must',
      meta: sampleMeta,
    },
    (event) => events.push(event),
  )
  return { result, events }
}

/**
 * The sample run for one test file: made before its tests with every other connection held off by nock, and nock put
 * back after them. `use` receives it.
 */
export function sampleRunForFile(use: (run: { result: RunResult; events: RunEvent[] }) => void): void {
  beforeAll(async () => {
    nock.disableNetConnect()
    use(await sampleRun())
  })
  afterAll(() => {
    nock.cleanAll()
    nock.enableNetConnect()
  })
}
