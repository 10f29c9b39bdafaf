import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadContract } from '../openapi/contract.ts'
import { createPayloadCodec } from '../openapi/payload.ts'
import type { ActivityRecordOutput } from '../openapi/records.ts'
import { applySeed, demoSeedPath, loadSeedBatches, shiftToClock } from './seed.ts'
import { openMemoryState, storedRecords } from '../test/helpers/state.ts'
import { ridTime } from './state/rid.ts'

const codec = createPayloadCodec(await loadContract())
const [demoBatch] = loadSeedBatches(demoSeedPath, codec)
if (demoBatch?.kind !== 'records') throw new Error('the demo data set holds output records')
const demoRecords = demoBatch.records
const at = (iso: string) => Date.parse(iso)
const whenMs = (record: ActivityRecordOutput) => Date.parse(record.When)

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function stateAt(nowMs: number) {
  let counter = 0
  const { state } = await openMemoryState({ now: () => nowMs, random: (n) => Buffer.alloc(n, ++counter % 256), resolvePlan: () => undefined })
  return state
}

describe('shiftToClock', () => {
  const records = demoRecords
  const now = at('2031-05-17T09:30:12.780Z')
  const shifted = shiftToClock(records, now)

  it('ends the records at the clock, cut to the second', () => {
    expect(Math.max(...shifted.map(whenMs))).toBe(at('2031-05-17T09:30:12Z'))
    expect(shifted.every((record) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(record.When))).toBe(true)
  })

  it('moves every record by one whole-second delta and changes nothing else but When and the RID prefix', () => {
    const deltas = new Set(shifted.map((record, i) => whenMs(record) - whenMs(records[i]!)))
    expect(deltas.size).toBe(1)
    const [delta] = deltas
    expect(delta! % 1000).toBe(0)
    shifted.forEach((record, i) => {
      const { When: _w, RID: _r, ...rest } = record
      const { When: _ow, RID: _or, ...original } = records[i]!
      expect(rest).toEqual(original)
    })
  })

  it('[WRITE-RID-ASSIGNED] moves each RID prefix with its When (never before it), keeping the 32 hex digits, the order and uniqueness', () => {
    shifted.forEach((record, i) => {
      expect(ridTime(record.RID!)).toBe(whenMs(record))
      expect(record.RID!.slice(17)).toBe(records[i]!.RID!.slice(17))
    })
    const rids = shifted.map((record) => record.RID!)
    expect(new Set(rids).size).toBe(rids.length)
    const order = (list: readonly ActivityRecordOutput[]) => list.slice(1).map((record, i) => Math.sign(list[i]!.RID!.localeCompare(record.RID!)))
    expect(order(shifted)).toEqual(order(records))
  })

  it('is deterministic under a fixed clock and leaves its input alone', () => {
    const before = JSON.stringify(records)
    expect(shiftToClock(records, now)).toEqual(shifted)
    expect(JSON.stringify(records)).toBe(before)
    expect(shiftToClock(records, now + 1000)).not.toEqual(shifted)
  })

  it('moves records back too, when the clock is before the data', () => {
    const early = shiftToClock(records, at('2001-01-01T00:00:00Z'))
    expect(Math.max(...early.map(whenMs))).toBe(at('2001-01-01T00:00:00Z'))
  })

  it('answers nothing for nothing', () => {
    expect(shiftToClock([], now)).toEqual([])
  })
})

describe('loadSeedBatches and applySeed', () => {
  it('marks only the demo data set as ending at the clock', () => {
    expect(loadSeedBatches('demo', codec)).toEqual([{ kind: 'records', records: demoRecords, endsAtClock: true }])
    expect(loadSeedBatches(demoSeedPath, codec)[0]).not.toHaveProperty('endsAtClock')
    expect(loadSeedBatches('none', codec)).toEqual([])
  })

  it('stores the demo data set ending at the state clock, the same records for the same clock', async () => {
    const now = at('2027-01-01T00:00:07.500Z')
    const stored = async () => {
      const state = await stateAt(now)
      expect(await applySeed(state, loadSeedBatches('demo', codec))).toBe(5000)
      return (await storedRecords(state)).map((entry) => entry.record)
    }
    const first = await stored()
    expect(Math.max(...first.map(whenMs))).toBe(at('2027-01-01T00:00:07Z'))
    expect(await stored()).toEqual(first)
  })

  it("keeps a user's own seed file exactly as written", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nwa-seed-'))
    dirs.push(dir)
    const file = join(dir, 'mine.json')
    const own = demoRecords.slice(0, 3)
    writeFileSync(file, JSON.stringify(own))
    const state = await stateAt(at('2040-06-01T12:00:00Z'))
    await applySeed(state, loadSeedBatches(file, codec))
    expect((await storedRecords(state)).map((entry) => entry.record)).toEqual(own)
  })
})
