import { describe, it, expect } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { parseTimeOfDay, timeframes, withinHours } from './time.ts'

const contract = await loadContract()

describe('parseTimeOfDay and withinHours', () => {
  it('reads HH:mm and HH:mm:ss', () => {
    expect(parseTimeOfDay('09:00')).toBe(9 * 3_600_000)
    expect(parseTimeOfDay('23:59:59')).toBe(86_399_000)
    expect(parseTimeOfDay('24:00')).toBeUndefined()
    expect(parseTimeOfDay('9:00')).toBeUndefined()
  })

  it('includes From, excludes To, and spans midnight when From is later', () => {
    const h = (text: string) => parseTimeOfDay(text) ?? NaN
    expect(withinHours(h('09:00'), h('09:00'), h('17:00'))).toBe(true)
    expect(withinHours(h('17:00'), h('09:00'), h('17:00'))).toBe(false)
    expect(withinHours(h('23:00'), h('22:00'), h('06:00'))).toBe(true)
    expect(withinHours(h('05:59:59'), h('22:00'), h('06:00'))).toBe(true)
    expect(withinHours(h('06:00'), h('22:00'), h('06:00'))).toBe(false)
    expect(withinHours(h('12:00'), h('12:00'), h('12:00'))).toBe(false)
  })
})

describe('timeframes', () => {
  it('implements every timeframe the contract names', () => {
    expect(Object.keys(timeframes).sort()).toEqual([...contract.timeframes].sort())
    const extension = contract.document['x-nwa-timeframes'] as { definitions: Record<string, unknown> }
    expect(Object.keys(extension.definitions).sort()).toEqual([...contract.timeframes].sort())
  })
})
