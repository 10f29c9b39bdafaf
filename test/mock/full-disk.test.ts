import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockProcess, startMockProcess } from '../helpers/mock-process.ts'

/**
 * A full disk on a real filesystem: a tmpfs of 1 MiB, mostly taken by a filler file, under `nwa mock --data-dir`.
 * Writes fill it and get the documented 503; reads go on; /nwa/health says why; once the filler is deleted, writes
 * resume without a restart; after a kill -9 every acknowledged batch is there, once, and no refused one (D44).
 * Mounting needs root (CI runs as root); elsewhere the test is skipped with its reason, and the journal's own
 * tests (mock/state/journal.test.ts) cover the same with a simulated disk.
 */
const mountPoint = mkdtempSync(join(tmpdir(), 'nwa-full-disk-'))
const unavailable = (() => {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux'
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'pipe' })
    return undefined
  } catch (error) {
    return `cannot mount a tmpfs (root is needed): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
  }
})()
if (unavailable) {
  console.info(`skipped: the full-disk test, because ${unavailable}`)
  rmSync(mountPoint, { recursive: true, force: true })
}

const auth = `Basic ${Buffer.from('ENTERPRISE\\NetwrixUser:NetwrixIsCool').toString('base64')}`
const filler = join(mountPoint, 'filler')

async function post(base: string, path: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: auth }, body })
  return { status: res.status, text: await res.text() }
}

function batch(n: number): { body: string; whats: string[] } {
  const whats = Array.from({ length: 50 }, (_, i) => `full-disk batch ${n} record ${i} ${'x'.repeat(300)}`)
  const records = whats.map((What) => ({ Who: 'ENTERPRISE\\Anna', Action: 'Added', What, When: '2026-12-01T10:00:00Z', Where: 'srv', ObjectType: 'file' }))
  return { body: JSON.stringify(records), whats }
}

async function allWhats(base: string): Promise<string[]> {
  const res = await fetch(`${base}/netwrix/api/v1/activity_records/enum?format=json&count=10000`, { headers: { authorization: auth } })
  const page = (await res.json()) as { ActivityRecordList: { What: string }[] }
  return page.ActivityRecordList.map((record) => record.What)
}

describe.skipIf(unavailable !== undefined)('a full disk under --data-dir', () => {
  let mock: MockProcess
  const args = ['--seed', 'none', '--auth', 'Basic', '--control', '--data-dir', mountPoint]
  beforeAll(async () => {
    writeFileSync(filler, Buffer.alloc(900 * 1024))
    mock = await startMockProcess(args)
  })
  afterAll(() => {
    mock?.stop()
    execFileSync('umount', ['-l', mountPoint])
    rmSync(mountPoint, { recursive: true, force: true })
  })

  it('[STATUS-503-WRITE] answers writes 503 while the disk is full, keeps reading, and resumes writes once it has room, losing nothing acknowledged', async () => {
    const acknowledged: string[] = []
    const refused: string[] = []
    let refusal: { status: number; text: string } | undefined
    for (let n = 0; n < 100 && !refusal; n++) {
      const { body, whats } = batch(n)
      const answer = await post(mock.base, '/netwrix/api/v1/activity_records/?format=json', body)
      if (answer.status === 200) acknowledged.push(...whats)
      else {
        refusal = answer
        refused.push(...whats)
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0)
    expect(refusal?.status).toBe(503)
    expect(JSON.parse(refusal?.text ?? '{}')).toEqual({
      ErrorList: [
        {
          Category: 'ServerError',
          Description:
            'The Netwrix Auditor Archive Service is busy or unreachable. Try restarting the service on the computer that hosts Netwrix Auditor Server.',
        },
      ],
    })
    // Reads go on from the Audit Database, which holds exactly what was acknowledged.
    expect((await allWhats(mock.base)).sort()).toEqual([...acknowledged].sort())
    const degraded = (await (await fetch(`${mock.base}/nwa/health`)).json()) as Record<string, unknown>
    expect(degraded).toMatchObject({ status: 'degraded', longTermArchive: { writable: false, reason: expect.stringMatching(/ENOSPC/) } })

    rmSync(filler)
    const after = batch(1000)
    expect((await post(mock.base, '/netwrix/api/v1/activity_records/?format=json', after.body)).status).toBe(200)
    acknowledged.push(...after.whats)
    expect(await (await fetch(`${mock.base}/nwa/health`)).json()).toMatchObject({ status: 'ok', longTermArchive: { writable: true } })

    // kill -9, then the same data dir: every acknowledged record once, nothing of a refused batch.
    mock.child.kill('SIGKILL')
    await new Promise((resolve) => mock.child.once('exit', resolve))
    mock = await startMockProcess(args)
    const replayed = await allWhats(mock.base)
    expect(replayed.sort()).toEqual([...acknowledged].sort())
    expect(replayed.filter((what) => refused.includes(what))).toEqual([])
  })
})
