import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createFloor, type FloorRecord, startFloorServer } from './floor.ts'

const base = '/netwrix/api/v1/activity_records'

const record = (index: number, what: string, who = 'ENTERPRISE\\Anna.Smith'): FloorRecord => ({ RID: `R${index}`, Who: who, What: what, Action: 'Read' })

function loaded(): ReturnType<typeof createFloor> {
  const floor = createFloor()
  floor.load([
    record(0, '\\\\fs1\\share\\Payroll-Export 2024.csv'),
    record(1, 'Budget.xlsx', 'ENTERPRISE\\Tom.Ward'),
    record(2, '\\\\fs1\\share\\PAYROLL-EXPORT 2025.csv', 'enterprise\\tom.ward'),
    record(3, 'payroll-export.csv'),
  ])
  return floor
}

const search = (filters: unknown, count = 10) => ({
  method: 'POST',
  url: `${base}/search?format=json&count=${count}`,
  body: JSON.stringify({ FilterList: filters }),
})
const rids = (body: string) => (JSON.parse(body) as { ActivityRecordList: FloorRecord[] }).ActivityRecordList.map((found) => found['RID'])

describe('the bench floor', () => {
  it('answers an enum page of the first records, as JSON, with a mark', () => {
    const answer = loaded().handle({ method: 'GET', url: `${base}/enum?format=json&count=2`, body: '' })
    expect(answer.status).toBe(200)
    expect(answer.contentType).toMatch(/^application\/json/)
    expect(JSON.parse(answer.body)).toEqual({
      ActivityRecordList: [record(0, '\\\\fs1\\share\\Payroll-Export 2024.csv'), expect.objectContaining({ RID: 'R1' })],
      ContinuationMark: 'x',
    })
  })

  it('scans for What Contains from the start, ignoring case, and stops at count', () => {
    const floor = loaded()
    expect(rids(floor.handle(search({ What: { Contains: 'payroll-EXPORT' } })).body)).toEqual(['R0', 'R2', 'R3'])
    expect(rids(floor.handle(search({ What: { Contains: 'Payroll-Export' } }, 2)).body)).toEqual(['R0', 'R2'])
  })

  it('scans for Who Equals on lower-cased values', () => {
    expect(rids(loaded().handle(search({ Who: { Equals: 'ENTERPRISE\\TOM.WARD' } })).body)).toEqual(['R1', 'R2'])
  })

  it('refuses a search it does not do instead of answering nothing', () => {
    expect(loaded().handle(search({ Where: { Contains: 'x' } })).status).toBe(400)
  })

  it('stores a JSON write as parsed, in order', () => {
    const floor = createFloor()
    const answer = floor.handle({ method: 'POST', url: `${base}/?format=json`, body: JSON.stringify([record(0, 'a'), record(1, 'b')]) })
    expect(answer).toMatchObject({ status: 200, body: '' })
    expect(floor.size()).toBe(2)
    expect(rids(floor.handle({ method: 'GET', url: `${base}/enum?format=json&count=5`, body: '' }).body)).toEqual(['R0', 'R1'])
  })

  it('stores an XML write with the plain parser, one record or many, with or without the trailing slash', () => {
    const floor = createFloor()
    const xml = (count: number) =>
      `<?xml version="1.0" encoding="utf-8"?><ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/">${'<ActivityRecord><Who>ENTERPRISE\\Anna.Smith</Who><What>a</What></ActivityRecord>'.repeat(count)}</ActivityRecordList>`
    expect(floor.handle({ method: 'POST', url: `${base}/`, body: xml(1) }).status).toBe(200)
    expect(floor.handle({ method: 'POST', url: base, body: xml(3) }).status).toBe(200)
    expect(floor.size()).toBe(4)
    expect(JSON.parse(floor.handle({ method: 'GET', url: `${base}/enum?format=json&count=1`, body: '' }).body).ActivityRecordList).toEqual([
      { Who: 'ENTERPRISE\\Anna.Smith', What: 'a' },
    ])
  })

  it('answers 404 to anything it does not measure', () => {
    const floor = loaded()
    expect(floor.handle({ method: 'GET', url: `${base}/enum?count=2`, body: '' }).status).toBe(404)
    expect(floor.handle({ method: 'DELETE', url: `${base}/`, body: '' }).status).toBe(404)
  })

  it('serves over keep-alive HTTP and ignores the Authorization header', async () => {
    const running = await startFloorServer({ host: '127.0.0.1', port: 0 })
    try {
      running.floor.load([record(0, 'a')])
      const answer = await new Promise<{ status: number; keepAlive: string | undefined; body: string }>((resolve, reject) => {
        const req = request(`${running.url}${base}/enum?format=json&count=1`, { headers: { authorization: 'Basic bm9ib2R5Om5vdGhpbmc=' } }, (res) => {
          let body = ''
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString('utf8')
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, keepAlive: res.headers.connection, body }))
        })
        req.on('error', reject)
        req.end()
      })
      expect(answer.status).toBe(200)
      expect(answer.keepAlive).toBe('keep-alive')
      expect(rids(answer.body)).toEqual(['R0'])
    } finally {
      await running.close()
    }
  })
})
