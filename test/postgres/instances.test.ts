/**
 * Several `nwa mock` processes on one PostgreSQL database behave as one server: the same records, each other's
 * marks, exact paging while others write, a conformance run through a round-robin proxy, and a killed instance
 * that loses no acknowledged record, leaves no partial batch and leaves the others serving.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, useCluster, withoutPostgres } from './support.ts'
import { type Instance, startInstance } from '../helpers/mock-process.ts'
import { startRoundRobin } from './instance.ts'

const api = '/netwrix/api/v1'
const admin = `Basic ${Buffer.from('ENTERPRISE\\NetwrixUser:NetwrixIsCool').toString('base64')}`
const nwa = fileURLToPath(new URL('../../bin/nwa.js', import.meta.url))

const cluster = useCluster()
const instances: Instance[] = []
let store: string
let first: Instance
let second: Instance

const call = async (base: string, path: string, body?: unknown, format: 'json' | 'xml' = 'json') => {
  const response = await fetch(`${base}${api}${path}${path.includes('?') ? '&' : '?'}${format === 'json' ? 'format=json' : ''}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: admin },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, json: text && format === 'json' ? (JSON.parse(text) as Record<string, unknown>) : undefined, text }
}
const pageOf = (answer: Awaited<ReturnType<typeof call>>) => answer.json as { ActivityRecordList: { RID: string; What: string }[]; ContinuationMark: string }
const health = async (base: string) => (await (await fetch(`${base}/nwa/health`)).json()) as { records: number; archive: number; store: string }
const record = (what: string) => ({
  Who: 'ENTERPRISE\\Jason.Smith',
  Action: 'Added',
  What: what,
  When: '2026-11-20T10:00:00Z',
  Where: 'SQL01',
  ObjectType: 'Table',
})

describe.skipIf(withoutPostgres)('two nwa mock instances on one PostgreSQL database', () => {
  beforeAll(async () => {
    store = await freshDatabase(cluster())
    // Started together on an empty database: it is migrated once and seeded once.
    const started = await Promise.all([0, 1].map(() => startInstance(['--store', store, '--auth', 'Basic', '--control', '--seed', 'demo'])))
    instances.push(...started)
    ;[first, second] = started as [Instance, Instance]
  }, 120_000)
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()))
  })

  it('[WRITE-AVAILABLE-TO-READ] see the same records, seeded once, and continue each other’s marks', async () => {
    const [a, b] = [await health(first.url), await health(second.url)]
    expect(a.records).toBe(5000)
    expect(b).toEqual(expect.objectContaining({ records: a.records, archive: a.archive, store: 'postgres' }))
    const whole = pageOf(await call(first.url, '/activity_records/enum?count=14')).ActivityRecordList
    const page1 = pageOf(await call(first.url, '/activity_records/enum?count=7'))
    const page2 = pageOf(await call(second.url, '/activity_records/enum?count=7', JSON.stringify(page1.ContinuationMark)))
    expect([...page1.ActivityRecordList, ...page2.ActivityRecordList]).toEqual(whole)
    const search = { FilterList: { DataSource: 'Active Directory' } }
    const found = pageOf(await call(second.url, '/activity_records/search?count=5', search))
    const more = pageOf(await call(first.url, '/activity_records/search?count=5', { ...search, ContinuationMark: found.ContinuationMark }))
    const both = pageOf(await call(first.url, '/activity_records/search?count=10', search)).ActivityRecordList
    expect([...found.ActivityRecordList, ...more.ActivityRecordList]).toEqual(both)
    expect((await call(first.url, '/activity_records/', [record('written on the first')])).status).toBe(200)
    const read = pageOf(await call(second.url, '/activity_records/search', { FilterList: { What: 'written on the first' } }))
    expect(read.ActivityRecordList.map((r) => r.What)).toEqual(['written on the first'])
  })

  it('[ENUM-COMPLETE-TRAVERSAL] page exactly while both write: nothing that was there is skipped or repeated', async () => {
    const before = (await health(first.url)).records
    const seen: string[] = []
    let answer = await call(first.url, '/activity_records/enum?count=400')
    for (let step = 0; step < 100; step++) {
      const page = pageOf(answer)
      if (page.ActivityRecordList.length === 0) break
      seen.push(...page.ActivityRecordList.map((r) => r.RID))
      // Writes to both instances at once while the walk goes through what was there, then the next page from the other one.
      if (seen.length < before)
        await Promise.all(
          [first, second].map((instance, i) => call(instance.url, '/activity_records/', [record(`walk ${step} ${i}`), record(`walk ${step} ${i}b`)])),
        )
      answer = await call((step % 2 === 0 ? second : first).url, '/activity_records/enum?count=400', JSON.stringify(page.ContinuationMark))
    }
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length).toBeGreaterThanOrEqual(before)
    expect(seen.length).toBe((await health(second.url)).records)
  })

  it('[STATUS-200-WRITE] kill -9 during writes loses no acknowledged record, leaves no partial batch, and the other instance keeps serving', async () => {
    const victim = await startInstance(['--store', store, '--auth', 'Basic', '--seed', 'none'])
    instances.push(victim)
    const batches = 40
    const size = 200
    const acknowledged: number[] = []
    const writes = Array.from({ length: batches }, (_, i) => i)
    let killed = false
    const writer = async () => {
      for (let i = writes.shift(); i !== undefined; i = writes.shift()) {
        try {
          const answer = await call(
            victim.url,
            '/activity_records/',
            Array.from({ length: size }, (_, n) => record(`killed-batch-${i}-record-${n}`)),
          )
          if (answer.status === 200) acknowledged.push(i)
          if (acknowledged.length >= 5 && !killed) {
            killed = true
            victim.process.kill('SIGKILL')
          }
        } catch {
          // The connection died with the process: not acknowledged.
        }
      }
    }
    await Promise.all(Array.from({ length: 6 }, writer))
    await victim.exited
    expect(killed).toBe(true)
    expect(acknowledged.length).toBeLessThan(batches)

    const stored = pageOf(
      await call(second.url, '/activity_records/search?count=10000', { FilterList: { What: { StartsWith: 'killed-batch-' } } }),
    ).ActivityRecordList
    const perBatch = new Map<number, number>()
    for (const r of stored) {
      const batch = Number(/killed-batch-(\d+)-/.exec(r.What)?.[1])
      perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1)
    }
    for (const batch of acknowledged) expect(perBatch.get(batch), `acknowledged batch ${batch}`).toBe(size)
    for (const [batch, count] of perBatch) expect(count, `batch ${batch} is whole or absent`).toBe(size)

    expect((await call(second.url, '/activity_records/', [record('after the kill')])).status).toBe(200)
    expect(pageOf(await call(first.url, '/activity_records/search', { FilterList: { What: 'after the kill' } })).ActivityRecordList).toHaveLength(1)
  })

  it('[SEARCH-MATCHES-ONLY] nwa check through a proxy that sends each request to the other instance: CONFORMANT', async () => {
    const proxy = await startRoundRobin([first.url, second.url])
    const dir = mkdtempSync(join(tmpdir(), 'nwa-instances-'))
    try {
      const account = (user: string) => ({ user, password: 'env:NWA_PASSWORD' })
      writeFileSync(
        join(dir, 'nwa-check.json'),
        JSON.stringify({
          target: proxy.url,
          accounts: {
            administrator: account('ENTERPRISE\\NetwrixUser'),
            reviewer: account('ENTERPRISE\\GlobalReviewer'),
            scopedReviewer: { ...account('ENTERPRISE\\PlanReviewer'), monitoringPlans: ['AD Monitoring'] },
            contributor: account('ENTERPRISE\\Contributor'),
            configurator: account('ENTERPRISE\\Configurator'),
            noAccess: account('ENTERPRISE\\NoRole'),
          },
          groups: { inGroup: 'ENTERPRISE\\Domain Admins', members: ['ENTERPRISE\\Administrator', 'ENTERPRISE\\Jason.Smith'] },
          // Basic only: NTLM binds its handshake and Digest its nonces to one instance (D57).
          expectedSchemes: ['Basic'],
        }),
      )
      // Not spawnSync: the proxy runs in this process, and must go on answering while the run lasts.
      const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [nwa, 'check', '--config', join(dir, 'nwa-check.json'), '--write', '--destructive', '--report-dir', join(dir, 'reports')],
          { encoding: 'utf8', env: { ...process.env, NWA_PASSWORD: 'NetwrixIsCool', NO_COLOR: '1' }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
          (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
        )
      })
      expect(run.status, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0)
      const report = JSON.parse(readFileSync(join(dir, 'reports', 'conformance.json'), 'utf8')) as { verdict: { verdict: string } }
      expect(report.verdict.verdict).toBe('CONFORMANT')
      expect(Math.min(...proxy.sent)).toBeGreaterThan(50)
    } finally {
      await proxy.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000)
})
