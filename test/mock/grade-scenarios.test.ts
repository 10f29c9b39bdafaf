import { request as httpRequest } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createGradeRecorder, type GradeRecorder, loadBacklog, scenarioByName, type ScenarioRun, troubleCounts } from '../../mock/grade/index.ts'
import { type RunningMock, startMockServer } from '../../mock/server.ts'
import { ARCHIVE_BUSY_WRITE_DESCRIPTION, INTERNAL_ERROR_DESCRIPTION } from '../../mock/faults.ts'
import { createPayloadCodec } from '../../openapi/payload.ts'
import { accounts, api, basic, record } from './helpers.ts'

/**
 * The trouble each grading scenario makes, seen from a client over real sockets (D68): the scenario's decorators on a
 * started mock, and requests a connector would send.
 */
interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** The answer arrived whole; false when the connection broke before its end or before any answer. */
  whole: boolean
}

function call(base: string, method: string, path: string, options: { body?: string; authorization?: string } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const url = new URL(`${base}${api}${path}`)
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        agent: false,
        headers: { authorization: options.authorization ?? basic(accounts.admin) },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), whole: res.complete })
        res.on('end', done)
        res.on('error', done)
        res.on('close', done)
      },
    )
    req.on('error', () => resolve({ status: 0, headers: {}, body: '', whole: false }))
    req.end(options.body)
  })
}

let running: RunningMock | undefined
let run: ScenarioRun | undefined
afterEach(async () => {
  run?.close()
  await running?.close()
  running = undefined
})

async function scenario(name: string, timeScale = 0.1): Promise<{ base: string; recorder: GradeRecorder; running: RunningMock }> {
  const recorder = createGradeRecorder({ now: () => performance.now(), wallClock: Date.now })
  running = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'none', observe: recorder })
  const definition = scenarioByName(name)
  if (definition === undefined) throw new Error(name)
  recorder.begin({ scenario: name, url: running.url, timeScale })
  await loadBacklog(running.app.state, createPayloadCodec(running.app.contract), definition.backlog)
  run = definition.start({ recorder, timeScale, random: (n) => Buffer.alloc(n, 7), launched: true })
  running.app.decorate(run.decorators)
  return { base: running.url, recorder, running }
}

const page = (answer: Answer) => JSON.parse(answer.body) as { ActivityRecordList: unknown[]; ContinuationMark: string }
const writeBody = (what: string) => JSON.stringify([record({ What: what })])

describe('grading scenarios', () => {
  it('[STATUS-503-WRITE] busy-archive answers the first writes 503 with the documented ErrorList and stores none of them', async () => {
    const { base, running: server, recorder } = await scenario('busy-archive')
    const before = (await server.app.state.counts()).records
    for (let i = 0; i < troubleCounts.busyWrites; i++) {
      const busy = await call(base, 'POST', '/activity_records/?format=json', { body: writeBody(`w${i}`) })
      expect(busy.status).toBe(503)
      expect(JSON.parse(busy.body)).toEqual({ ErrorList: [{ Category: 'ServerError', Description: ARCHIVE_BUSY_WRITE_DESCRIPTION }] })
    }
    expect((await server.app.state.counts()).records).toBe(before)
    expect((await call(base, 'POST', '/activity_records/?format=json', { body: writeBody('ok') })).status).toBe(200)
    expect((await server.app.state.counts()).records).toBe(before + 1)
    expect(recorder.session().events.filter((event) => event.kind === 'trouble')).toHaveLength(troubleCounts.busyWrites)
    expect(recorder.session().exchanges.map((exchange) => exchange.write?.records)).toEqual([1, 1, 1, 1, 1])
  })

  it('[STATUS-500-READ] server-errors answers the second to fourth read 500 ServerError', async () => {
    const { base } = await scenario('server-errors')
    const answers: Answer[] = []
    for (let i = 0; i < 5; i++) answers.push(await call(base, 'GET', '/activity_records/enum?format=json&count=1'))
    expect(answers.map((answer) => answer.status)).toEqual([200, 500, 500, 500, 200])
    expect(JSON.parse(answers[1]?.body ?? '').ErrorList[0].Description).toBe(INTERNAL_ERROR_DESCRIPTION)
  })

  it('cut-connections cuts the second page mid-body and resets the second write before it is stored', async () => {
    const { base, running: server, recorder } = await scenario('cut-connections')
    const first = await call(base, 'GET', '/activity_records/enum?format=json&count=2')
    expect(first.whole).toBe(true)
    const cut = await call(base, 'POST', '/activity_records/enum?format=json&count=2', { body: JSON.stringify(page(first).ContinuationMark) })
    expect(cut.whole).toBe(false)
    expect(cut.status).toBe(200)
    expect(Number(cut.headers['content-length'])).toBeGreaterThan(Buffer.byteLength(cut.body))
    const again = await call(base, 'POST', '/activity_records/enum?format=json&count=2', { body: JSON.stringify(page(first).ContinuationMark) })
    expect(page(again).ActivityRecordList).toHaveLength(2)
    const before = (await server.app.state.counts()).records
    expect((await call(base, 'POST', '/activity_records/?format=json', { body: writeBody('one') })).status).toBe(200)
    const reset = await call(base, 'POST', '/activity_records/?format=json', { body: writeBody('two') })
    expect(reset).toMatchObject({ status: 0, whole: false })
    expect((await server.app.state.counts()).records).toBe(before + 1)
    expect(recorder.session().exchanges.map((exchange) => exchange.ending)).toEqual(['complete', 'cut', 'complete', 'complete', 'reset'])
  })

  it('restart asks for the connector to be stopped after two pages, and holds what arrives meanwhile until then, unanswered', async () => {
    const { base, recorder } = await scenario('restart')
    const first = await call(base, 'GET', '/activity_records/enum?format=json&count=2')
    await call(base, 'POST', '/activity_records/enum?format=json&count=2', { body: JSON.stringify(page(first).ContinuationMark) })
    run?.tick()
    expect(run?.wantsStop()).toBe(true)
    const held = call(base, 'GET', '/activity_records/enum?format=json&count=2')
    await new Promise((resolve) => setTimeout(resolve, 50))
    run?.stopped()
    expect(await held).toMatchObject({ status: 0, whole: false })
    expect(run?.wantsStop()).toBe(false)
    expect(recorder.session().events.map((event) => event.kind)).toContain('stop-requested')
  })

  it('[AUTH-NTLM, AUTH-DIGEST] auth offers NTLM only, then, once a pass reached the end, Digest only, with expiring nonces', async () => {
    const { base } = await scenario('auth')
    const ntlmOnly = await call(base, 'GET', '/activity_records/enum?format=json')
    expect(ntlmOnly.status).toBe(401)
    expect(ntlmOnly.headers['www-authenticate']).toBe('NTLM')
    // A Basic reader is refused, so no pass ends: the scenario moves on when the connector ends by itself.
    run?.connectorEnded()
    const digest = await call(base, 'GET', '/activity_records/enum?format=json')
    expect(String(digest.headers['www-authenticate'])).toMatch(/^Digest /)
  })

  it('slow adds its delay to every answer, scaled', async () => {
    const { base } = await scenario('slow', 0.1)
    const started = performance.now()
    expect((await call(base, 'GET', '/activity_records/enum?format=json&count=1')).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(190)
  })

  it('steady adds new records once a reader reached the end, and is finished when it read to the end again', async () => {
    const { base, running: server, recorder } = await scenario('steady')
    let answer = await call(base, 'GET', '/activity_records/enum?format=json&count=1000')
    while (page(answer).ActivityRecordList.length > 0)
      answer = await call(base, 'POST', '/activity_records/enum?format=json&count=1000', { body: JSON.stringify(page(answer).ContinuationMark) })
    const size = (await server.app.state.counts()).records
    run?.tick()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await server.app.state.counts()).records).toBe(size + troubleCounts.arrivals)
    expect(run?.finished()).toBe(false)
    const fresh = await call(base, 'POST', '/activity_records/enum?format=json&count=1000', { body: JSON.stringify(page(answer).ContinuationMark) })
    expect(page(fresh).ActivityRecordList).toHaveLength(troubleCounts.arrivals)
    await call(base, 'POST', '/activity_records/enum?format=json&count=1000', { body: JSON.stringify(page(fresh).ContinuationMark) })
    expect(run?.finished()).toBe(true)
    expect(recorder.session().events.map((event) => event.kind)).toContain('arrivals')
  })
})
