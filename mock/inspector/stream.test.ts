import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createRequestJournal, type UnnumberedEntry } from '../request-journal.ts'
import { createGradePanel } from './grade-panel.ts'
import { createEventStreams, sseEvent, startingPoint } from './stream.ts'

const entry = (i: number): UnnumberedEntry => ({
  time: '2026-12-06T10:00:00.000Z',
  method: 'POST',
  path: `/netwrix/api/v1/activity_records/?n=${i}`,
  status: 400,
  notes: ['n'.repeat(300)],
  durationMs: 1,
})

/** A response whose reader is as slow as the test says: what is written stays unsent until `drain()`. */
class SlowResponse extends EventEmitter {
  written: string[] = []
  writableLength = 0
  destroyed = false
  write(chunk: string): boolean {
    this.written.push(chunk)
    this.writableLength += Buffer.byteLength(chunk)
    return this.writableLength < 16 * 1024
  }
  drain(): void {
    this.writableLength = 0
    this.emit('drain')
  }
  close(): void {
    this.destroyed = true
    this.emit('close')
  }
  events(name: string): string[] {
    return this.written.filter((chunk) => chunk.includes(`event: ${name}\n`))
  }
}

async function openStream(streams: ReturnType<typeof createEventStreams>, lastEventId?: string) {
  const response = streams.open(lastEventId)
  const res = new SlowResponse()
  const done = response.stream?.(res as unknown as ServerResponse)
  await new Promise((resolve) => setImmediate(resolve))
  return { response, res, done }
}

describe('sseEvent and startingPoint', () => {
  it('writes one event per record, its data JSON on one line whatever the text holds', () => {
    expect(sseEvent('request', { path: 'a\nb\r\nc' }, 7)).toBe('id: 7\nevent: request\ndata: {"path":"a\\nb\\r\\nc"}\n\n')
    expect(sseEvent('gap', { missed: 2 })).toBe('event: gap\ndata: {"missed":2}\n\n')
  })

  it('resumes after the Last-Event-ID a reconnecting browser sends, else starts a backlog back', () => {
    expect(startingPoint('40', 50, 200)).toBe(40)
    expect(startingPoint(undefined, 500, 200)).toBe(300)
    expect(startingPoint(undefined, 5, 200)).toBe(0)
    expect(startingPoint('999', 50, 200)).toBe(0)
    expect(startingPoint('x', 500, 200)).toBe(300)
  })
})

describe('createEventStreams: bounded however slow the reader', () => {
  const setup = (bounds = {}) => {
    const journal = createRequestJournal({ capacity: 1000 })
    const grade = createGradePanel()
    const streams = createEventStreams({ journal, grade, state: async () => ({ records: 1 }), bounds: { heartbeatMs: 60_000, ...bounds } })
    return { journal, grade, streams }
  }

  it('sends the backlog, each new entry, the state and the grade', async () => {
    const { journal, grade, streams } = setup({ backlog: 2 })
    for (let i = 0; i < 5; i++) journal.record(entry(i))
    const { res, response, done } = await openStream(streams)
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(res.events('request').map((chunk) => /^id: (\d+)/.exec(chunk)?.[1])).toEqual(['4', '5'])
    expect(res.events('state')).toEqual(['event: state\ndata: {"records":1}\n\n'])
    journal.record(entry(5))
    grade.show({ verdict: 'INCOMPLETE', summary: 's', checks: [] })
    expect(res.events('request')).toHaveLength(3)
    expect(res.events('grade')).toEqual([sseEvent('grade', { verdict: 'INCOMPLETE', summary: 's', checks: [] })])
    res.close()
    await done
    expect(streams.count()).toBe(0)
  })

  it('stops pulling from the journal while the reader lags, and tells it what it missed once it reads again', async () => {
    const highWater = 8 * 1024
    const { journal, streams } = setup({ highWater, backlog: 0 })
    const { res } = await openStream(streams)
    for (let i = 0; i < 5000; i++) journal.record(entry(i))
    // One batch of at most 50 entries past the mark, never the 5,000.
    expect(res.writableLength).toBeLessThan(highWater + 50 * 1024)
    const sentBefore = res.events('request').length
    expect(sentBefore).toBeLessThan(100)
    res.drain()
    const gap = res.events('gap')
    expect(gap).toHaveLength(1)
    const missed = JSON.parse(gap[0]?.split('data: ')[1] ?? '{}').missed
    // The journal kept the newest 1,000: the rest were dropped before the reader could read them.
    expect(sentBefore + missed).toBe(4000)
    res.close()
  })

  it('resumes a reconnecting reader after its Last-Event-ID, and refuses a stream beyond the most it serves', async () => {
    const { journal, streams } = setup({ maxStreams: 1 })
    for (let i = 0; i < 10; i++) journal.record(entry(i))
    const { res } = await openStream(streams, '8')
    expect(res.events('request').map((chunk) => /^id: (\d+)/.exec(chunk)?.[1])).toEqual(['9', '10'])
    const refused = streams.open(undefined)
    expect(refused.status).toBe(503)
    expect(refused.stream).toBeUndefined()
    res.close()
  })
})
