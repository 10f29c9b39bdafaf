import request from 'supertest'
import { describe, expect, it } from 'vitest'
import type { RecordingBounds } from '../../openapi/grade-session.ts'
import { noFaults } from '../faults.ts'
import { accounts, api, basic, mockPerTest, record } from '../../test/mock/helpers.ts'
import { createGradeRecorder, readChallenges, recordFingerprint, weigh } from './recorder.ts'

const mock = mockPerTest()
let tick = 0
const clock = { now: () => (tick += 1), wallClock: () => Date.UTC(2026, 0, 1) }

async function recorded(bounds: Partial<RecordingBounds> = {}) {
  const recorder = createGradeRecorder({ ...clock, bounds })
  recorder.begin({ scenario: 'test', url: 'http://127.0.0.1:1', timeScale: 1 })
  const { agent } = await mock.start({ seed: 'demo', observe: recorder, authSchemes: ['Basic', 'Digest'] })
  return { recorder, agent }
}

describe('the grading recorder', () => {
  it('[CLIENT-AUTHENTICATE] keeps each exchange: request line, headers without credentials, account, status, page facts, posted mark', async () => {
    const { recorder, agent } = await recorded()
    await agent.get(`${api}/activity_records/enum?format=json&count=2`).set('authorization', basic(accounts.admin)).set('cookie', 'secret=1').expect(200)
    const first = recorder.session().exchanges[0]!
    expect(first).toMatchObject({
      seq: 1,
      launch: 0,
      method: 'GET',
      target: `${api}/activity_records/enum?format=json&count=2`,
      format: 'json',
      status: 200,
      ending: 'complete',
    })
    expect(first.headers['authorization']).toBe('Basic')
    expect(first.headers['cookie']).toBe('[removed]')
    expect(first).toMatchObject({ authScheme: 'Basic', account: accounts.admin, scheme: 'Basic', operation: 'enumerateActivityRecords' })
    expect(first.page?.records).toBe(2)
    const mark = first.page?.mark ?? ''
    expect(JSON.parse(first.responseBody.text).ContinuationMark).toBe(mark)
    await agent.post(`${api}/activity_records/enum?format=json&count=2`).set('authorization', basic(accounts.admin)).send(JSON.stringify(mark)).expect(200)
    expect(recorder.session().exchanges[1]).toMatchObject({ postedMark: mark, operation: 'continueEnumeration', body: { kept: 'whole' } })
  })

  it('records a 401 with the schemes it offered, and a write with a fingerprint per record', async () => {
    const { recorder, agent } = await recorded()
    await agent.get(`${api}/activity_records/enum`).expect(401)
    expect(recorder.session().exchanges[0]?.challenge).toEqual({ schemes: ['Basic', 'Digest'], stale: false, continuation: false })
    expect(recorder.session().exchanges[0]?.responseHeaders['www-authenticate']).toMatch(/^Basic, Digest/)
    expect(recorder.session().exchanges[0]?.responseHeaders['www-authenticate']).not.toContain('nonce')
    await agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify([record({ What: 'a' }), record({ What: 'b' })]))
      .expect(200)
    const written = recorder.session().exchanges[1]!
    expect(written.write?.records).toBe(2)
    expect(written.write?.fingerprints).toEqual([recordFingerprint(record({ What: 'a' })), recordFingerprint(record({ What: 'b' }))])
  })

  it('fingerprints a record by its fields, whatever their order', () => {
    expect(recordFingerprint({ What: 'a', Who: 'b', DetailList: [{ After: '1', PropertyName: 'p' }] })).toBe(
      recordFingerprint({ Who: 'b', DetailList: [{ PropertyName: 'p', After: '1' }], What: 'a' }),
    )
    expect(recordFingerprint({ What: 'a' })).not.toBe(recordFingerprint({ What: 'b' }))
  })

  it('reads a challenge list: the scheme words, stale=true, and an NTLM CHALLENGE that continues a handshake', () => {
    expect(readChallenges(['Digest realm="x", nonce="n", stale=true', 'Basic realm="x"'])).toEqual({
      schemes: ['Digest', 'Basic'],
      stale: true,
      continuation: false,
    })
    expect(readChallenges(['NTLM TlRMTVNTUAACAAAA'])).toEqual({ schemes: ['NTLM'], stale: false, continuation: true })
    expect(readChallenges(['NTLM'])).toEqual({ schemes: ['NTLM'], stale: false, continuation: false })
  })

  it('keeps a body over bodyBytes as its first excerptBytes, with the page facts beside it', async () => {
    const { recorder, agent } = await recorded({ bodyBytes: 1000, excerptBytes: 100 })
    await agent.get(`${api}/activity_records/enum?format=json&count=20`).set('authorization', basic(accounts.admin)).expect(200)
    const first = recorder.session().exchanges[0]
    expect(first?.responseBody.kept).toBe('excerpt')
    expect(first?.responseBody.text.length).toBeLessThanOrEqual(100)
    expect(first?.responseBody.bytes).toBeGreaterThan(1000)
    expect(first?.page?.records).toBe(20)
  })

  it('keeps bodies as excerpts once the session weighs its byte budget', async () => {
    const { recorder, agent } = await recorded({ sessionBytes: 30_000 })
    for (let i = 0; i < 6; i++) await agent.get(`${api}/activity_records/enum?format=json&count=20`).set('authorization', basic(accounts.admin)).expect(200)
    const kept = recorder.session().exchanges.map((exchange) => exchange.responseBody.kept)
    expect(kept[0]).toBe('whole')
    expect(kept[kept.length - 1]).toBe('excerpt')
    expect(recorder.session().bytes).toBe(recorder.session().exchanges.reduce((sum, exchange) => sum + weigh(exchange), 0))
  })

  it('keeps whole a small body once the budget is spent only when it fits the excerpt, and drops exchanges past the cap, counting them', async () => {
    const { recorder, agent } = await recorded({ exchanges: 2, sessionBytes: 1 })
    for (let i = 0; i < 4; i++) await agent.get(`${api}/activity_records/enum?format=json&count=5`).set('authorization', basic(accounts.admin)).expect(200)
    const session = recorder.session()
    expect(session.exchanges).toHaveLength(2)
    expect(session.exchanges[1]?.responseBody.kept).toBe('excerpt')
    expect(session.dropped).toBe(2)
    expect(session.events.filter((event) => event.kind === 'recording-full')).toHaveLength(1)
  })

  it('leaves out a request that arrived before the session began, and the control endpoints', async () => {
    const recorder = createGradeRecorder(clock)
    const { app } = await mock.start({ seed: 'none', observe: recorder, authSchemes: ['Basic'], control: true, faults: { ...noFaults, latencyMs: 300 } })
    recorder.begin({ scenario: 'one', url: '', timeScale: 1 })
    const answer = request(app.handle)
      .get(`${api}/activity_records/enum`)
      .set('authorization', basic(accounts.admin))
      .then((response) => response.status)
    await new Promise((resolve) => setTimeout(resolve, 150))
    recorder.begin({ scenario: 'two', url: '', timeScale: 1 })
    expect(await answer).toBe(200)
    await request(app.handle).get('/nwa/health').expect(200)
    expect(recorder.session()).toMatchObject({ scenario: 'two', exchanges: [] })
  })

  it('marks each exchange with the launch and the phase current when it arrived', async () => {
    const { recorder, agent } = await recorded()
    recorder.setLaunch(2)
    recorder.setPhase('busy')
    await agent.get(`${api}/activity_records/enum?count=1`).set('authorization', basic(accounts.admin)).expect(200)
    expect(recorder.session().exchanges[0]).toMatchObject({ launch: 2, phase: 'busy', format: 'xml' })
    expect(recorder.session().events.map((event) => [event.kind, event.detail])).toEqual([['phase', 'busy']])
  })
})
