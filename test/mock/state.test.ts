import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { MockApp } from '../../mock/app.ts'
import { createPrng } from '../../openapi/prng.ts'
import { accounts, api, basic, mockApp, record } from './helpers.ts'
import { storedRecords } from '../helpers/state.ts'

const apps: MockApp[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
async function start(options = {}) {
  const started = await mockApp(options)
  apps.push(started.app)
  return started
}
const page = (res: { body: unknown }) => res.body as { ActivityRecordList: { What: string; RID: string }[]; ContinuationMark: string }

describe('state over HTTP', () => {
  it('[ENUM-COMPLETE-TRAVERSAL] pages exactly while others write: random page sizes, writes in between (property, 5 seeds)', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { agent, app } = await start()
      const { next: random } = createPrng(seed)
      const write = async (n: number, tag: string) =>
        agent
          .post(`${api}/activity_records/?format=json`)
          .set('authorization', basic(accounts.admin))
          .send(JSON.stringify(Array.from({ length: n }, (_, i) => record({ What: `${tag}-${i}` }))))
      await write(60, 'initial')
      const initial = new Set((await storedRecords(app.state)).map((stored) => stored.record.RID))
      const seen: string[] = []
      let res = await agent.get(`${api}/activity_records/enum?format=json&count=${1 + Math.floor(random() * 9)}`).set('authorization', basic(accounts.admin))
      for (let step = 0; step < 200; step++) {
        const body = page(res)
        if (!body.ActivityRecordList.length) break
        seen.push(...body.ActivityRecordList.map((r) => r.RID))
        if (random() < 0.4) await write(1 + Math.floor(random() * 4), `during-${step}`)
        res = await agent
          .post(`${api}/activity_records/enum?format=json&count=${1 + Math.floor(random() * 9)}`)
          .set('authorization', basic(accounts.admin))
          .send(JSON.stringify(body.ContinuationMark))
      }
      expect(new Set(seen).size, `seed ${seed}: no record twice`).toBe(seen.length)
      for (const rid of initial) expect(seen, `seed ${seed}: nothing that existed is skipped`).toContain(rid)
      // Records written meanwhile come on later pages: the walk ends having seen everything stored.
      expect(seen.length, `seed ${seed}`).toBe((await app.state.counts()).records)
      await app.close()
      apps.splice(apps.indexOf(app), 1)
    }
  })

  it('[WRITE-AVAILABLE-TO-READ] rebuilds the whole state from the journal after a restart, and cuts a torn last entry', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nwa-state-'))
    dirs.push(dataDir)
    const first = await start({ dataDir })
    await first.agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify([record({ What: 'kept-1' }), record({ What: 'archived', IsArchiveOnly: true })]))
    await first.agent
      .post(`${api}/activity_records/?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify([record({ What: 'kept-2' })]))
    const before = page(await first.agent.get(`${api}/activity_records/enum?format=json`).set('authorization', basic(accounts.admin)))
    await first.app.close()
    apps.splice(apps.indexOf(first.app), 1)

    // A crash in the middle of appending the next entry leaves half a frame behind.
    const journal = readdirSync(dataDir).find((name) => name.endsWith('.journal'))
    expect(journal).toBeDefined()
    appendFileSync(join(dataDir, journal!), Buffer.from([0x40, 0, 0, 0, 1, 2, 3]))

    const second = await start({ dataDir })
    expect(second.app.recovered.truncatedBytes).toBe(7)
    expect((await second.app.state.counts()).archive).toBe(3)
    const after = page(await second.agent.get(`${api}/activity_records/enum?format=json`).set('authorization', basic(accounts.admin)))
    expect(after.ActivityRecordList).toEqual(before.ActivityRecordList)
    // A mark issued before the restart still continues: its key is kept in the data dir.
    const resumed = await second.agent
      .post(`${api}/activity_records/enum?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify(before.ContinuationMark))
    expect(resumed.status).toBe(200)
  })

  it('seeds the deterministic demo data set by default, and not again over an existing journal', async () => {
    const { app } = await start({ seed: 'demo' })
    expect((await app.state.counts()).records).toBeGreaterThanOrEqual(4500)
    const dataSources = new Set((await storedRecords(app.state)).map((stored) => stored.record.DataSource))
    for (const source of ['Active Directory', 'Exchange Online', 'File Servers', 'SharePoint', 'SQL Server', 'Logon Activity', 'Netwrix API']) {
      expect(dataSources).toContain(source)
    }
  })

  it('[FILTER-WHEN-TIMEFRAME] ends the demo data set at the server clock, so every timeframe finds records, the same ones for the same clock', async () => {
    const search = async (agent: Awaited<ReturnType<typeof start>>['agent'], timeframe: string) =>
      page(
        await agent
          .post(`${api}/activity_records/search?format=json&count=5000`)
          .set('authorization', basic(accounts.admin))
          .send(JSON.stringify({ FilterList: { When: { [timeframe]: '' } } })),
      ).ActivityRecordList.map((r) => r.RID)
    for (const clock of ['2026-11-21T12:00:00Z', '2031-03-01T00:00:05.400Z']) {
      const found: Record<string, string[]> = {}
      for (const round of [1, 2]) {
        const { agent } = await start({ seed: 'demo', now: () => Date.parse(clock) })
        for (const timeframe of ['Today', 'Yesterday', 'LastSevenDays', 'LastThirtyDays']) {
          const rids = await search(agent, timeframe)
          expect(rids.length, `${clock} ${timeframe}`).toBeGreaterThan(0)
          if (round === 1) found[timeframe] = rids
          else expect(rids, `${clock} ${timeframe}, loaded again`).toEqual(found[timeframe])
        }
      }
    }
  })
})

describe('control endpoints (/nwa/)', () => {
  it('are off unless asked for', async () => {
    const { agent } = await start()
    expect((await agent.get('/nwa/health')).status).toBe(404)
  })

  it('report health, reset, load fixtures and set the clock', async () => {
    const { agent, app } = await start({ control: true })
    expect((await agent.get('/nwa/health')).body).toMatchObject({ status: 'ok', records: 0 })
    const loaded = await agent.post('/nwa/fixtures').send(JSON.stringify([record({ What: 'fixture' })]))
    expect(loaded.status).toBe(200)
    expect((await app.state.counts()).records).toBe(1)
    const clock = await agent.post('/nwa/clock').send(JSON.stringify({ at: '2030-01-02T03:04:05Z' }))
    expect(clock.body).toMatchObject({ now: '2030-01-02T03:04:05.000Z', mode: 'fixed' })
    // The clock drives timeframes: the record of 2026-11-20 is not "Today" in 2030.
    const today = await agent
      .post(`${api}/activity_records/search?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify({ FilterList: { When: { Today: '' } } }))
    expect(page(today).ActivityRecordList).toHaveLength(0)
    expect((await agent.post('/nwa/clock').send('{"bogus":1}')).status).toBe(400)
    expect((await agent.post('/nwa/reset')).body).toMatchObject({ records: 0 })
    expect((await app.state.counts()).records).toBe(0)
    expect((await agent.get('/nwa/reset')).status).toBe(405)
  })

  it('[FILTER-WHEN-TIMEFRAME] reseed the demo data set against the clock of that moment', async () => {
    const { agent, app } = await start({ control: true })
    await agent.post('/nwa/clock').send(JSON.stringify({ at: '2035-07-04T08:09:10Z' }))
    expect((await agent.post('/nwa/reset?seed=demo')).status).toBe(200)
    const latest = Math.max(...(await storedRecords(app.state)).map((stored) => stored.whenMs))
    expect(new Date(latest).toISOString()).toBe('2035-07-04T08:09:10.000Z')
    const today = await agent
      .post(`${api}/activity_records/search?format=json`)
      .set('authorization', basic(accounts.admin))
      .send(JSON.stringify({ FilterList: { When: { Today: '' } } }))
    expect(page(today).ActivityRecordList.length).toBeGreaterThan(0)
  })
})
