import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../cli/main.ts'
import { demoAccounts, demoGroups } from '../../cli/demo.ts'
import { runCheckCommand } from '../../conformance/command.ts'
import type { Har } from '../../conformance/recording/har.ts'
import { startRecordingProxy } from '../../conformance/recording/proxy.ts'
import type { ReplayReport } from '../../conformance/recording/replay.ts'
import type { JsonReport } from '../../conformance/reporters/json.ts'
import { defectCatalogue } from '../../mock/defects/index.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { captureOutput, captureStream } from '../helpers/capture.ts'

/**
 * Done when of issue 21: the whole suite, run by `nwa check` through `nwa record`'s proxy against one mock, is recorded;
 * replayed against a second mock it shows no difference, and against that mock with a seeded defect it shows that
 * defect's differences and no other. Both mocks' clocks stand still at the same instant, so the demo data and every
 * timeframe are the same on both; their RIDs and marks still differ (they are random and keyed), which replay maps.
 *
 * auth.wrong-password is left out of the recording: it sends wrong passwords with NTLM and Digest, whose messages do
 * not tell a proxy that never sees the password that it was wrong, so replay would send the right one (D53).
 */
const capture = captureOutput()
const work = mkdtempSync(join(tmpdir(), 'nwa-record-'))
const har = join(work, 'suite.har')
const clock = Date.UTC(2026, 5, 15, 12, 0, 0)
const password = 'NetwrixIsCool'
let recorded: RunningMock
let second: RunningMock
let checkReport: JsonReport

async function control(mock: RunningMock, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${mock.url}/nwa/${path}`, { method: 'POST', body: JSON.stringify(body) })
  expect(response.status, `POST /nwa/${path}`).toBe(200)
}

beforeAll(async () => {
  recorded = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo', now: () => clock })
  second = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo', now: () => clock, control: true, defects: defectCatalogue })
  const proxy = await startRecordingProxy({ target: recorded.url, port: 0, har, creator: { name: 'nwa-kit', version: 'test' } })
  const stdout = captureStream()
  const reportDir = join(work, 'reports')
  await runCheckCommand(
    { target: proxy.url, accounts: demoAccounts, groups: demoGroups, write: true, auth: 'auto', skip: ['auth.wrong-password'], reportDir },
    { stdout: stdout.stream, stderr: stdout.stream, env: {}, now: () => clock, random: (n) => Buffer.alloc(n, 0x21) },
  )
  await proxy.close()
  checkReport = JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as JsonReport
  process.env['NWA_REPLAY_TEST_PASSWORD'] = password
}, 180_000)

afterAll(async () => {
  delete process.env['NWA_REPLAY_TEST_PASSWORD']
  await Promise.all([recorded?.close(), second?.close()])
  rmSync(work, { recursive: true, force: true })
})

/** nwa replay as a user runs it, with every demo account's password from a config file. */
async function replayAgainst(mock: RunningMock, defects: string[]): Promise<{ exitCode: number; report: ReplayReport; stdout: string }> {
  await control(mock, 'defects', { on: defects })
  await control(mock, 'reset?seed=demo', {})
  const config = join(work, 'accounts.yaml')
  const accounts = Object.entries(demoAccounts).map(([role, account]) => `  ${role}: { user: '${account.user}', password: 'env:NWA_REPLAY_TEST_PASSWORD' }`)
  writeFileSync(config, `accounts:\n${accounts.join('\n')}\n`)
  const json = join(work, `replay-${defects.join('-') || 'clean'}.json`)
  const output = capture()
  const exitCode = await main(['replay', har, '--target', mock.url, '--config', config, '--write', '--json', json, '--markdown', `${json}.md`])
  return { exitCode, report: JSON.parse(readFileSync(json, 'utf8')) as ReplayReport, stdout: output.stdout() }
}

const differences = (report: ReplayReport) =>
  report.exchanges.flatMap((exchange) => (exchange.outcome.kind === 'different' ? exchange.outcome.differences : []))

describe('a recording of the suite through nwa record', () => {
  it('was transparent: through the proxy, NTLM handshakes included, no check failed', () => {
    expect(
      checkReport.checks.filter((check) => check.status === 'fail' || check.status === 'error' || check.status === 'warn').map((check) => check.id),
    ).toEqual([])
    expect(checkReport.checks.find((check) => check.id === 'auth.ntlm')?.status).toBe('pass')
  })

  it('is HAR 1.2 with every exchange and no credentials, NTLM or Digest material: only the scheme and the user are kept', () => {
    const text = readFileSync(har, 'utf8')
    const parsed = JSON.parse(text) as Har
    expect(parsed.log.version).toBe('1.2')
    expect(parsed.log.entries.length).toBeGreaterThan(300)
    for (const secret of [password, Buffer.from(`ENTERPRISE\\NetwrixUser:${password}`).toString('base64'), 'TlRMTVNT', 'nonce=', 'response=']) {
      expect(text, secret).not.toContain(secret)
    }
    const schemes = new Set(parsed.log.entries.map((entry) => entry._nwa?.auth?.scheme).filter(Boolean))
    // auth.basic, auth.digest and auth.ntlm each use a connection of their own, so every scheme is in the recording.
    expect([...schemes].sort()).toEqual(['Basic', 'Digest', 'NTLM'])
    const digest = parsed.log.entries.find((entry) => entry._nwa?.auth?.scheme === 'Digest')
    expect(digest?._nwa?.auth?.user).toBe('ENTERPRISE\\NetwrixUser')
    expect(digest?.request.headers.find((header) => header.name.toLowerCase() === 'authorization')?.value).toBe('Digest [removed]')
    const ntlm = parsed.log.entries.find((entry) => entry._nwa?.auth?.scheme === 'NTLM' && entry._nwa.auth.user !== undefined)
    expect(ntlm?._nwa?.auth?.user).toBe('ENTERPRISE\\NetwrixUser')
    expect(ntlm?.request.headers.find((header) => header.name.toLowerCase() === 'authorization')?.value).toBe('NTLM [removed]')
    const unauthorized = parsed.log.entries.find((entry) => entry.response.status === 401)!
    const offered = unauthorized.response.headers.filter((header) => header.name.toLowerCase() === 'www-authenticate').map((header) => header.value)
    expect(offered.join(', ')).toBe('Negotiate, NTLM, Digest realm="Netwrix Auditor", Digest realm="Netwrix Auditor", Basic realm="Netwrix Auditor"')
  })

  it('replays against a second mock with no differences', async () => {
    const { exitCode, report, stdout } = await replayAgainst(second, [])
    expect(differences(report)).toEqual([])
    expect(report.counts).toMatchObject({ different: 0, failed: 0, notReplayed: 0 })
    expect(report.counts.same).toBeGreaterThan(300)
    expect(report.counts.handshakeLegs).toBeGreaterThan(10)
    expect(stdout).toMatch(/nwa replay: \d+ requests replayed against http:\/\/127\.0\.0\.1:\d+: \d+ the same, 0 different, 0 not answered; 0 not replayed\n$/)
    expect(exitCode).toBe(0)
  }, 120_000)

  it.each([
    [
      'count-error-reworded',
      'error',
      /recorded "InputError: Invalid count parameter specified\. Error details: 0x80040204 .*", replayed "InputError: The count parameter is not valid\."/,
    ],
    ['no-allow-header', 'header', /^allow: recorded "[A-Z, ]+", replayed absent$/],
    [
      'xml-plan-name-before-id',
      'element-order',
      /^record \d+: recorded .*MonitoringPlan\/ID < MonitoringPlan\/Name.*, replayed .*MonitoringPlan\/Name < MonitoringPlan\/ID/,
    ],
    ['json-pages-labelled-xml', 'header', /^content-type: recorded "application\/json; charset=utf-8", replayed "application\/xml; charset=utf-8"$/],
  ])(
    "replays against the mock with %s: that defect's differences, and no other",
    async (defect, aspect, message) => {
      const { exitCode, report } = await replayAgainst(second, [defect])
      const found = differences(report)
      expect(found.length).toBeGreaterThan(0)
      // Every difference is the defect's own: any other is listed in full when the test fails.
      expect(found.filter((difference) => difference.aspect !== aspect || !message.test(difference.message))).toEqual([])
      expect(exitCode).toBe(1)
    },
    120_000,
  )
})
