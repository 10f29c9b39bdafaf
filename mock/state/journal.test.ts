import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, it, expect } from 'vitest'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import { crc32, encodeFrame, nodeJournalFs, openJournal, type JournalEntry, type JournalFs } from './journal.ts'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nwa-journal-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function record(n: number, extra: Partial<ActivityRecordOutput> = {}): ActivityRecordOutput {
  return {
    DataSource: 'Netwrix API',
    ObjectType: 'user',
    RID: `20170214154234000${n.toString(16).toUpperCase().padStart(32, '0')}`,
    What: `object ${n} – ünïcödé`,
    Action: 'Added',
    When: '2017-02-14T15:42:34Z',
    Where: 'dc1',
    Who: 'ENTERPRISE\\Administrator',
    ...extra,
  }
}
const write = (...ns: number[]): JournalEntry => ({ t: 'write', records: ns.map((n) => record(n)) })

/** The node facade with its fsyncs counted, and optionally held until released. */
function countingFs(hold = false) {
  const counts = { syncs: 0, appends: 0 }
  const held: (() => void)[] = []
  const fs: JournalFs = {
    syncDirectory: nodeJournalFs.syncDirectory,
    async open(path) {
      const file = await nodeJournalFs.open(path)
      return {
        ...file,
        append: async (chunks) => {
          counts.appends++
          await file.append(chunks)
        },
        sync: async () => {
          counts.syncs++
          if (hold) await new Promise<void>((resolve) => held.push(resolve))
          await file.sync()
        },
      }
    },
  }
  return {
    fs,
    counts,
    release: () => {
      for (const resolve of held.splice(0)) resolve()
    },
  }
}

/**
 * A disk of `capacity` bytes over the real file: an append writes what fits, then fails with ENOSPC as a full
 * filesystem does; truncating frees room, and `grow` adds it, as deleting other files would.
 */
function fillingDisk(capacity: number) {
  let room = capacity
  let used = 0
  const fs: JournalFs = {
    syncDirectory: nodeJournalFs.syncDirectory,
    async open(path) {
      const file = await nodeJournalFs.open(path)
      used = await file.size()
      return {
        ...file,
        async append(chunks) {
          for (const chunk of chunks) {
            const fits = Math.max(0, Math.min(chunk.length, room - used))
            await file.append([chunk.subarray(0, fits)])
            used += fits
            if (fits < chunk.length) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
          }
        },
        async truncate(length) {
          await file.truncate(length)
          used = length
        },
      }
    },
  }
  return { fs, used: () => used, grow: (bytes: number) => (room += bytes) }
}

/** Resolves once `condition` holds, polling; fails the test after five seconds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in 5 s: ${condition.toString()}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

describe('crc32', () => {
  it('matches the published check values', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    expect(crc32(Buffer.alloc(0))).toBe(0)
    expect(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339)
  })
})

describe('encodeFrame', () => {
  it('writes length and CRC little-endian before the JSON payload', () => {
    const frame = encodeFrame({ t: 'reset' })
    const payload = Buffer.from('{"t":"reset"}')
    expect(frame.readUInt32LE(0)).toBe(payload.length)
    expect(frame.readUInt32LE(4)).toBe(crc32(payload))
    expect(frame.subarray(8)).toEqual(payload)
  })
})

describe('openJournal', () => {
  it('creates <dir>/archive.journal and reads back what was appended, in order', async () => {
    const dir = join(tempDir(), 'data')
    const first = await openJournal(dir)
    expect(first.entries).toEqual([])
    expect(first.journal.path).toBe(join(dir, 'archive.journal'))
    const entries: JournalEntry[] = [write(1, 2), { t: 'reset' }, { t: 'write', records: [record(3, { IsArchiveOnly: true })] }]
    for (const entry of entries) await first.journal.append(entry)
    await first.journal.close()

    const second = await openJournal(dir)
    expect(second.entries).toEqual(entries)
    expect(second.recovered).toEqual({ truncatedBytes: 0 })
    await second.journal.close()
  })

  it('keeps key order of the records', async () => {
    const dir = tempDir()
    const { journal } = await openJournal(dir)
    await journal.append(write(1))
    await journal.close()
    const { entries, journal: again } = await openJournal(dir)
    const [entry] = entries
    expect(entry?.t === 'write' && Object.keys(entry.records[0] ?? {})).toEqual(Object.keys(record(1)))
    await again.close()
  })

  describe('recovery from a crash mid-append', () => {
    const torn: [string, (frame: Buffer) => Buffer][] = [
      ['half a frame', (frame) => frame.subarray(0, frame.length >> 1)],
      ['a short header', (frame) => frame.subarray(0, 5)],
      ['a frame with a bad CRC', (frame) => Buffer.concat([frame.subarray(0, 4), Buffer.from([0, 0, 0, 0]), frame.subarray(8)])],
      ['zeros, as a file extended before its data reached the disk', () => Buffer.alloc(4096)],
      ['garbage bytes', () => Buffer.from('\xff\xfe garbage that is no frame at all', 'latin1')],
    ]
    for (const [name, damage] of torn) {
      it(`cuts away ${name} and keeps every earlier entry`, async () => {
        const dir = tempDir()
        const { journal } = await openJournal(dir)
        await journal.append(write(1))
        await journal.append(write(2, 3))
        await journal.close()
        const path = join(dir, 'archive.journal')
        const goodLength = statSync(path).size
        const tail = damage(encodeFrame(write(4)))
        appendFileSync(path, tail)

        const reopened = await openJournal(dir)
        expect(reopened.entries).toEqual([write(1), write(2, 3)])
        expect(reopened.recovered.truncatedBytes).toBe(tail.length)
        expect(statSync(path).size).toBe(goodLength)
        await reopened.journal.append(write(5))
        await reopened.journal.close()

        const again = await openJournal(dir)
        expect(again.entries).toEqual([write(1), write(2, 3), write(5)])
        expect(again.recovered.truncatedBytes).toBe(0)
        await again.journal.close()
      })
    }
  })

  it('refuses to open when a damaged frame is followed by valid ones, naming the offset', async () => {
    const dir = tempDir()
    const { journal } = await openJournal(dir)
    for (const n of [1, 2, 3]) await journal.append(write(n))
    await journal.close()
    const path = join(dir, 'archive.journal')
    const bytes = readFileSync(path)
    const secondFrameAt = encodeFrame(write(1)).length
    bytes[secondFrameAt + 20] = (bytes[secondFrameAt + 20] as number) ^ 0x01
    writeFileSync(path, bytes)
    await expect(openJournal(dir)).rejects.toThrow(new RegExp(`offset ${secondFrameAt}\\b.*followed by valid frames`))
    expect(statSync(path).size).toBe(bytes.length)
  })

  it('shares one fsync among appends made together, in order', async () => {
    const dir = tempDir()
    const { fs, counts } = countingFs()
    const { journal } = await openJournal(dir, { fs })
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append(write(i))))
    expect(counts.syncs).toBeLessThan(50)
    await journal.close()
    const { entries, journal: again } = await openJournal(dir)
    expect(entries).toEqual(Array.from({ length: 50 }, (_, i) => write(i)))
    await again.close()
  })

  it('writes appends that arrive during an fsync together, with the next fsync, and resolves each only after its fsync', async () => {
    const dir = tempDir()
    const { fs, counts, release } = countingFs(true)
    const { journal } = await openJournal(dir, { fs })
    const settled: number[] = []
    const first = journal.append(write(0)).then(() => settled.push(0))
    // File operations finish when they finish; on a busy machine a fixed pause is not enough.
    await until(() => counts.syncs === 1)
    expect(counts).toEqual({ syncs: 1, appends: 1 })
    const later = [1, 2, 3].map((n) => journal.append(write(n)).then(() => settled.push(n)))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(settled).toEqual([])
    release()
    await first
    await until(() => counts.syncs === 2)
    expect(counts).toEqual({ syncs: 2, appends: 2 })
    expect(settled).toEqual([0])
    release()
    await Promise.all(later)
    expect(settled).toEqual([0, 1, 2, 3])
    await journal.close()
    const { entries, journal: again } = await openJournal(dir)
    expect(entries).toEqual([0, 1, 2, 3].map((n) => write(n)))
    await again.close()
  })

  it('refuses appends while the disk is full, says why, and takes them again once it has room, holding exactly the acknowledged entries', async () => {
    const dir = tempDir()
    const disk = fillingDisk(4096)
    const { journal } = await openJournal(dir, { fs: disk.fs, now: () => 1_000 })
    await journal.append(write(1))
    expect(journal.health()).toEqual({ writable: true })
    // A batch larger than the room left: part of it reaches the file, then ENOSPC.
    const big = write(...Array.from({ length: 40 }, (_, i) => 100 + i))
    await expect(journal.append(big)).rejects.toMatchObject({ code: 'MOCK_ERR_ARCHIVE', message: expect.stringMatching(/ENOSPC: no space left on device/) })
    expect(journal.health()).toEqual({ writable: false, reason: expect.stringMatching(/ENOSPC/), since: 1_000 })
    expect(disk.used()).toBe(4096)
    // Still full: refused again, and the time it went wrong is kept.
    await expect(journal.append(big)).rejects.toMatchObject({ code: 'MOCK_ERR_ARCHIVE' })
    expect(journal.health()).toMatchObject({ writable: false, since: 1_000 })
    disk.grow(1 << 20)
    await journal.append(write(2))
    expect(journal.health()).toEqual({ writable: true })
    await journal.close()
    const { entries, journal: again, recovered } = await openJournal(dir)
    expect(entries).toEqual([write(1), write(2)])
    expect(recovered.truncatedBytes).toBe(0)
    await again.close()
  })

  it('recovers from a failed fsync on the next append, dropping only the batch it failed, and refuses appends after close', async () => {
    const dir = tempDir()
    let failNext = false
    const fs: JournalFs = {
      syncDirectory: nodeJournalFs.syncDirectory,
      async open(path) {
        const file = await nodeJournalFs.open(path)
        return {
          ...file,
          sync: async () => {
            if (failNext) {
              failNext = false
              throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })
            }
            await file.sync()
          },
        }
      },
    }
    const { journal } = await openJournal(dir, { fs })
    await journal.append(write(1))
    failNext = true
    await expect(journal.append(write(2))).rejects.toThrow(/EIO/)
    await journal.append(write(3))
    await journal.close()
    await expect(journal.append(write(4))).rejects.toThrow(/closed/)
    const { entries, journal: again } = await openJournal(dir)
    expect(entries).toEqual([write(1), write(3)])
    await again.close()
  })

  it('close waits for queued appends', async () => {
    const dir = tempDir()
    const { journal } = await openJournal(dir)
    const pending = journal.append(write(1))
    await journal.close()
    await pending
    const { entries, journal: again } = await openJournal(dir)
    expect(entries).toEqual([write(1)])
    await again.close()
  })
})
