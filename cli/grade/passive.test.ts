import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningMock } from '../../mock/server.ts'
import { startMockServer } from '../../mock/server.ts'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec } from '../../openapi/payload.ts'
import { createPassiveSetup, feedGradePanel, type PanelFeed, type PassiveSetup } from './passive.ts'

/** Timers the test runs by hand, so "at most once per interval" is checked without waiting on a clock. */
function manualTimers() {
  const due: (() => void)[] = []
  return {
    due,
    timers: {
      setTimeout: ((callback: () => void) => {
        due.push(callback)
        return { unref() {} } as unknown as ReturnType<typeof setTimeout>
      }) as unknown as typeof setTimeout,
      clearTimeout: (() => undefined) as typeof clearTimeout,
    },
  }
}

describe('the inspector grade panel of nwa mock --grade --control', () => {
  let mock: RunningMock
  let setup: PassiveSetup
  let feed: PanelFeed
  let url: string
  const clock = { now: Date.now, monotonic: () => performance.now(), random: (n: number) => randomBytes(n) }
  const manual = manualTimers()

  beforeAll(async () => {
    setup = createPassiveSetup({ scenario: 'steady', timeScale: 0.2, reportDir: 'unused', codec: createPayloadCodec(await loadContract()) }, clock)
    feed = feedGradePanel(setup, 'steady', () => mock?.app.gradePanel, { everyMs: 1000, timers: manual.timers })
    mock = await startMockServer({ port: 0, tls: false, control: true, observe: feed.observer, controlRoutes: setup.grading.routes })
    url = `http://127.0.0.1:${(mock.server.address() as AddressInfo).port}`
    setup.grading.start(url, (decorators) => mock.app.decorate(decorators))
  })
  afterAll(async () => {
    feed.close()
    setup.grading.close()
    await mock?.close()
  })

  it('shows the grade at start: nothing done yet is INCOMPLETE, never CONFORMANT', () => {
    feed.refresh()
    expect(mock.app.gradePanel.current()).toMatchObject({ verdict: 'INCOMPLETE', summary: expect.stringMatching(/^scenario steady: /) })
  })

  it('grades again after requests arrive, once for a burst, with the judgments the grade report has', async () => {
    const shown: string[] = []
    const stop = mock.app.gradePanel.subscribe(() => shown.push(mock.app.gradePanel.current()?.verdict ?? 'hidden'))
    const basic = `Basic ${Buffer.from('ENTERPRISE\\GlobalReviewer:NetwrixIsCool').toString('base64')}`
    for (let i = 0; i < 5; i++) {
      const answer = await fetch(`${url}/netwrix/api/v1/activity_records/enum?format=json`, { headers: { authorization: basic } })
      expect(answer.status).toBe(200)
      await answer.arrayBuffer()
    }
    expect(shown).toEqual([])
    expect(manual.due).toHaveLength(1)
    manual.due.shift()?.()
    stop()
    expect(shown).toHaveLength(1)
    const panel = mock.app.gradePanel.current()
    const report = setup.grade()
    expect(panel?.verdict).toBe(report.verdict.verdict)
    expect(panel?.checks.map((check) => check.id).sort()).toEqual(report.checks.map((check) => check.id).sort())
    expect(setup.grading.session().exchanges.length).toBe(5)
  })
})
