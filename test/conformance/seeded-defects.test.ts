import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoAccounts, demoGroups } from '../../cli/demo.ts'
import { runCheckCommand } from '../../conformance/command.ts'
import { defectCatalogue } from '../../mock/defects/index.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'

/**
 * The checks written or sharpened because `nwa selftest` found the suite blind to a seeded defect: each fails
 * (or, at SHOULD, warns) with its defect on and passes on the clean mock, so the blind spot stays closed even when
 * only `npm test` runs.
 */
const closed: readonly { defect: string; check: string; status: 'fail' | 'warn' }[] = [
  { defect: 'page-skips-while-writing', check: 'pagination.walk-while-writing', status: 'fail' },
  { defect: 'basic-any-password', check: 'auth.wrong-password', status: 'fail' },
  { defect: 'when-filter-offset-ignored', check: 'search.filter-when-range', status: 'fail' },
  { defect: 'timeframes-rolling', check: 'search.timeframe-utc', status: 'warn' },
  { defect: 'detail-first-entry-only', check: 'search.filter-detail', status: 'warn' },
  // Pre-flight authenticates the administrator's connection with NTLM (--auth auto), which the mock, as HTTP.sys does,
  // keeps authenticated: a Digest request sent on it was answered without Digest ever being tried.
  { defect: 'digest-refused', check: 'auth.digest', status: 'fail' },
]

/**
 * Each data-fidelity defect with the check that catches it: a change no reading allows fails a MUST check, one the
 * pages leave open warns on the SHOULD check of its decision.
 */
const fidelity: readonly { defect: string; check: string; status: 'fail' | 'warn' }[] = [
  { defect: 'utf8-read-as-latin1', check: 'fidelity.xml-written', status: 'fail' },
  { defect: 'astral-replaced', check: 'fidelity.json-written', status: 'fail' },
  { defect: 'xml-char-refs-literal', check: 'fidelity.xml-written', status: 'fail' },
  { defect: 'json-surrogate-escapes-broken', check: 'fidelity.json-written', status: 'fail' },
  { defect: 'xml-pages-raw-cr', check: 'fidelity.json-written', status: 'fail' },
  { defect: 'text-nfc-normalised', check: 'fidelity.xml-written', status: 'fail' },
  { defect: 'inner-white-space-collapsed', check: 'fidelity.json-written', status: 'fail' },
  { defect: 'unicode-spaces-trimmed', check: 'fidelity.xml-written', status: 'fail' },
  { defect: 'json-edges-trimmed', check: 'fidelity.json-exact', status: 'warn' },
  { defect: 'long-text-truncated-4000', check: 'fidelity.xml-written', status: 'fail' },
  { defect: 'limit-counted-in-bytes', check: 'fidelity.json-written', status: 'fail' },
  { defect: 'workstation-lost-in-json', check: 'fidelity.json-written', status: 'fail' },
  { defect: 'detail-after-stored-as-before', check: 'fidelity.xml-written', status: 'fail' },
  { defect: 'details-sorted', check: 'fidelity.detail-order', status: 'warn' },
  { defect: 'when-offset-minutes-dropped', check: 'fidelity.xml-written', status: 'fail' },
  { defect: 'when-fraction-dropped', check: 'fidelity.when-fraction', status: 'warn' },
  { defect: 'batch-stops-at-500', check: 'fidelity.batch-1000', status: 'fail' },
  { defect: 'batch-chunk-repeated', check: 'fidelity.batch-1000', status: 'fail' },
  { defect: 'batch-over-partly-stored', check: 'fidelity.batch-over', status: 'warn' },
]

interface Report {
  checks: { id: string; status: string; message: string }[]
}

let mock: RunningMock
let reportDir: string
/** Each run its own marker: runs within one second would otherwise write records another run finds. */
let runs = 0

/** The given checks against the mock as it is now, as `nwa check --write` would run them. */
async function statuses(only: readonly string[]): Promise<Record<string, string>> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() })
  await runCheckCommand(
    { target: mock.url, accounts: demoAccounts, groups: demoGroups, write: true, only: [...only], reportDir },
    { stdout: sink, stderr: sink, env: {}, now: Date.now, random: (n) => Buffer.alloc(n, ++runs) },
  )
  const report = JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as Report
  return Object.fromEntries(report.checks.map((check) => [check.id, check.status]))
}

beforeAll(async () => {
  mock = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo', defects: defectCatalogue })
  reportDir = mkdtempSync(join(tmpdir(), 'nwa-seeded-'))
}, 60_000)

afterAll(async () => {
  await mock?.close()
  if (reportDir) rmSync(reportDir, { recursive: true, force: true })
})

/** A test per defect: with it on, its check fails or warns as listed. */
function pinned(list: readonly { defect: string; check: string; status: 'fail' | 'warn' }[]): void {
  for (const { defect, check, status } of list) {
    it(`${check} ${status === 'fail' ? 'fails' : 'warns'} with ${defect} on`, async () => {
      expect(mock.app.defects.switch([defect]).ok).toBe(true)
      try {
        expect((await statuses([check]))[check]).toBe(status)
      } finally {
        mock.app.defects.switch([])
      }
    }, 120_000)
  }
}

describe('the blind spots nwa selftest found stay closed', () => {
  it('every such check passes on the clean mock', async () => {
    mock.app.defects.switch([])
    const clean = await statuses(closed.map((item) => item.check))
    expect(clean).toEqual(Object.fromEntries(closed.map((item) => [item.check, 'pass'])))
  }, 120_000)

  pinned(closed)
})

describe('every data-fidelity defect is caught by the check meant for it', () => {
  it('covers each defect of the fidelity family, and every such check passes on the clean mock', async () => {
    expect(fidelity.map((item) => item.defect).sort()).toEqual(
      defectCatalogue
        .filter((defect) => defect.family === 'fidelity')
        .map((defect) => defect.name)
        .sort(),
    )
    mock.app.defects.switch([])
    const checks = [...new Set(fidelity.map((item) => item.check))]
    expect(await statuses(checks)).toEqual(Object.fromEntries(checks.map((check) => [check, 'pass'])))
  }, 120_000)

  pinned(fidelity)
})
