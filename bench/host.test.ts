import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ActivityRecordListResponse } from '../openapi/records.ts'
import { benchUsers, needle } from './data.ts'
import { type Host, startHost } from './host.ts'
import { createBenchClient } from './http.ts'
import { admin } from './measures/accounts.ts'

const base = '/netwrix/api/v1/activity_records'
const RECORDS = 3_000

async function page(host: Host, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ActivityRecordListResponse> {
  const client = createBenchClient({ baseUrl: host.url, ...admin, maxSockets: 1 })
  try {
    const data = body === undefined ? undefined : { data: Buffer.from(JSON.stringify(body)), contentType: 'application/json' }
    const response = await client.send(method, path, data)
    expect(response.status).toBe(200)
    return JSON.parse(response.body.toString('utf8')) as ActivityRecordListResponse
  } finally {
    client.close()
  }
}

const rids = (answer: ActivityRecordListResponse) => answer.ActivityRecordList.map((record) => record.RID)

// The floor is only a floor if it does the mock's job: the same records for every request the bench times.
describe('bench hosts: the mock and the floor in processes of their own', () => {
  let mock: Host
  let floor: Host

  beforeAll(async () => {
    ;[mock, floor] = await Promise.all([startHost('mock', { seed: 'none' }), startHost('floor')])
    for (const host of [mock, floor]) {
      const loaded = await host.call({ op: 'load-archive', seed: 7, first: 0, count: RECORDS, batch: 1_000 })
      expect(loaded.records).toBe(RECORDS)
    }
  })

  afterAll(async () => {
    await Promise.all([mock?.close(), floor?.close()])
  })

  it('holds the same archive, counted and measured over IPC', async () => {
    expect(await mock.call({ op: 'count' })).toBe(RECORDS)
    expect(await floor.call({ op: 'count' })).toBe(RECORDS)
    const memory = await floor.call({ op: 'memory' })
    expect(memory.collected).toBe(true)
    expect(memory.rss).toBeGreaterThan(0)
    expect(memory.peakRss).toBeGreaterThanOrEqual(memory.rss)
  })

  it('answers the same enum page and the same search results', async () => {
    const enumPath = `${base}/enum?format=json&count=10`
    expect(rids(await page(floor, 'GET', enumPath))).toEqual(rids(await page(mock, 'GET', enumPath)))
    const searchPath = `${base}/search?format=json&count=5`
    for (const filters of [{ What: { Contains: needle.toUpperCase() } }, { Who: { Equals: benchUsers[3] } }]) {
      const fromMock = await page(mock, 'POST', searchPath, { FilterList: filters })
      expect(fromMock.ActivityRecordList).toHaveLength(5)
      expect(rids(await page(floor, 'POST', searchPath, { FilterList: filters }))).toEqual(rids(fromMock))
    }
  })

  it('refuses an archive that does not go on from what the server holds', async () => {
    await expect(floor.call({ op: 'load-archive', seed: 7, first: 0, count: 10, batch: 10 })).rejects.toThrow(/holds 3000 records/)
  })

  it('exits when the phase lets go of it', async () => {
    const host = await startHost('floor')
    await host.close()
    await expect(host.call({ op: 'count' })).rejects.toThrow(/exited/)
  })
})
