import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportFiles, runCheckCommand, type CheckCommandOptions } from '../../conformance/command.ts'
import type { JsonReport } from '../../conformance/reporters/json.ts'
import { makeCheck } from '../../conformance/test-support.ts'
import { pass } from '../../conformance/types.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { captureStream } from '../helpers/capture.ts'

/**
 * Pre-flight over real sockets, against the reference mock (plain HTTP and HTTPS with its self-signed
 * certificate) and against servers that are not the API: every client mistake is one line and exit 2.
 */
const password = 'NetwrixIsCool'
const administrator = { user: 'ENTERPRISE\\NetwrixUser', password }
const work = mkdtempSync(join(tmpdir(), 'nwa-preflight-'))
let plain: RunningMock
let secure: RunningMock
let basicOnly: RunningMock

beforeAll(async () => {
  plain = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo', control: true })
  secure = await startMockServer({ host: '127.0.0.1', port: 0, seed: 'none', dataDir: join(work, 'tls') })
  basicOnly = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'none', authSchemes: ['NTLM', 'Basic'] })
}, 60_000)

afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close(), basicOnly?.close()])
  rmSync(work, { recursive: true, force: true })
})

/** Stand-in checks: one that any account can run, and one that needs a Contributor. */
const checks = [
  makeCheck({ id: 'formats.stand-in', run: async () => pass('ran') }),
  makeCheck({ id: 'write.stand-in', category: 'write', needs: { accounts: ['contributor'] }, run: async () => pass('ran') }),
]

interface Outcome {
  exitCode: number
  stdout: string
  stderr: string
  reportDir: string
}

async function check(options: Partial<CheckCommandOptions>): Promise<Outcome> {
  const stdout = captureStream()
  const stderr = captureStream()
  const reportDir = mkdtempSync(join(work, 'reports-'))
  const exitCode = await runCheckCommand(
    { target: plain.url, accounts: { administrator }, auth: 'basic', checks, reportDir, timeoutMs: 10_000, ...options },
    { stdout: stdout.stream, stderr: stderr.stream, env: {}, now: Date.now, random: (n) => Buffer.alloc(n, 3) },
  )
  return { exitCode, stdout: stdout.text(), stderr: stderr.text(), reportDir }
}

function report(outcome: Outcome): JsonReport {
  return JSON.parse(readFileSync(join(outcome.reportDir, reportFiles.json), 'utf8')) as JsonReport
}

/** Exit 2 with exactly one line on stderr, and no report that could be mistaken for a verdict. */
function expectOneLine(outcome: Outcome, line: RegExp): void {
  expect(outcome.exitCode).toBe(2)
  expect(outcome.stderr.split('\n').filter(Boolean)).toHaveLength(1)
  expect(outcome.stderr).toMatch(line)
  expect(existsSync(join(outcome.reportDir, reportFiles.json))).toBe(false)
}

async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

describe('pre-flight: the target', () => {
  it('a plain web server (every path 404 HTML) is not the API: one line, exit 2', async () => {
    const web = await listen((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' })
      res.end('<html><body><h1>Not Found</h1></body></html>')
    })
    try {
      const outcome = await check({ target: web.url })
      expectOneLine(
        outcome,
        /^nwa check: http:\/\/127\.0\.0\.1:\d+\/netwrix\/api\/v1 is not the Netwrix Auditor Integration API: GET .* answered 404 with text\/html/,
      )
    } finally {
      await web.close()
    }
  })

  it('an address where nothing listens: one line, exit 2', async () => {
    const gone = await listen(() => undefined)
    await gone.close()
    expectOneLine(await check({ target: gone.url }), /^nwa check: cannot reach .*: connection refused: nothing listens on that port \(ECONNREFUSED\)$/m)
  })

  it("the API's self-signed certificate without --insecure or --ca: one line naming both, exit 2", async () => {
    expectOneLine(await check({ target: secure.url }), /^nwa check: TLS with 127\.0\.0\.1:\d+ failed: its certificate is self-signed.*--ca FILE.*--insecure$/m)
  })

  it('https:// to a plain HTTP server: one line saying to use http://, exit 2', async () => {
    expectOneLine(await check({ target: plain.url.replace('http:', 'https:') }), /does not speak TLS on that port; .* use http:\/\/127\.0\.0\.1:\d+$/m)
  })

  it('with --ca the certificate is trusted, and every report names the server and the certificate fingerprint', async () => {
    const outcome = await check({ target: secure.url, ca: secure.certificate!.certPath! })
    expect(outcome.stderr).toBe('')
    expect(outcome.exitCode).toBe(3)
    const json = report(outcome)
    expect(json.preflight.identity).toEqual({ server: 'Microsoft-HTTPAPI/2.0', certificateSha256: secure.certificate!.fingerprint256 })
    expect(outcome.stdout).toContain(`certificate SHA-256 ${secure.certificate!.fingerprint256}`)
    expect(readFileSync(join(outcome.reportDir, reportFiles.html), 'utf8')).toContain(secure.certificate!.fingerprint256)
    expect(readFileSync(join(outcome.reportDir, reportFiles.markdown), 'utf8')).toContain(secure.certificate!.fingerprint256)
    expect(readFileSync(join(outcome.reportDir, reportFiles.junit), 'utf8')).toContain(secure.certificate!.fingerprint256)
  })
})

describe('pre-flight: the accounts', () => {
  it('no administrator account: one line, exit 2', async () => {
    expectOneLine(await check({ accounts: {} }), /^nwa check: no administrator account: give --user and --password/)
  })

  it("a wrong administrator password: one line naming the account, 'credentials refused', exit 2", async () => {
    expectOneLine(
      await check({ accounts: { administrator: { ...administrator, password: 'wrong' } } }),
      /^nwa check: credentials refused for the administrator account ENTERPRISE\\NetwrixUser: GET enum answered 401: a wrong user name or password/,
    )
  })

  it('a wrong contributor password, or a reviewer account that cannot read: one line naming it, exit 2', async () => {
    expectOneLine(
      await check({ accounts: { administrator, contributor: { user: 'ENTERPRISE\\Contributor', password: 'wrong' } } }),
      /^nwa check: credentials refused for the contributor account ENTERPRISE\\Contributor: an empty write \(\[\], nothing to store\) answered 401/,
    )
    expectOneLine(
      await check({ accounts: { administrator, reviewer: { user: 'ENTERPRISE\\Contributor', password } } }),
      /^nwa check: credentials refused for the reviewer account ENTERPRISE\\Contributor: .* or the account is not a Global reviewer$/m,
    )
  })

  it('a missing optional account is not an error: its checks skip and the verdict is INCOMPLETE (exit 3; 0 with --allow-incomplete)', async () => {
    const outcome = await check({})
    expect([outcome.exitCode, outcome.stderr]).toEqual([3, ''])
    expect(report(outcome).verdict).toMatchObject({
      verdict: 'INCOMPLETE',
      mustNotRun: [{ id: 'write.stand-in', reason: 'no contributor account configured' }],
    })
    expect(outcome.stdout).toMatch(/VERDICT: INCOMPLETE {2}no MUST check failed, but 1 of 2 MUST checks did not run: 1 no contributor account configured/)
    expect((await check({ allowIncomplete: true })).exitCode).toBe(0)
  })

  it('cannot verify an account without a role: a wrong password there is a note, not an error', async () => {
    const outcome = await check({ accounts: { administrator, noAccess: { user: 'ENTERPRISE\\NoRole', password: 'wrong' } } })
    expect(outcome.exitCode).toBe(3)
    const step = report(outcome).preflight.steps.find((item) => item.step === 'account noAccess')
    expect(step).toMatchObject({ status: 'note', message: expect.stringMatching(/its password is not verified/) })
  })

  it('never writes a record, even with every account', async () => {
    const count = async () => {
      const health = (await (await fetch(`${plain.url}/nwa/health`)).json()) as { records: number; archive: number }
      return { records: health.records, archive: health.archive }
    }
    const before = await count()
    const outcome = await check({
      accounts: {
        administrator,
        reviewer: { user: 'ENTERPRISE\\GlobalReviewer', password },
        scopedReviewer: { user: 'ENTERPRISE\\PlanReviewer', password, monitoringPlans: ['AD Monitoring'] },
        contributor: { user: 'ENTERPRISE\\Contributor', password },
        configurator: { user: 'ENTERPRISE\\Configurator', password },
        noAccess: { user: 'ENTERPRISE\\NoRole', password },
      },
    })
    expect([outcome.exitCode, outcome.stderr]).toEqual([0, ''])
    expect(report(outcome).preflight.steps.map((step) => [step.step, step.status])).toEqual([
      ['connection', 'ok'],
      ['api', 'ok'],
      ['account administrator', 'ok'],
      ['account reviewer', 'ok'],
      ['account scopedReviewer', 'ok'],
      ['account contributor', 'ok'],
      ['account configurator', 'note'],
      ['account noAccess', 'note'],
    ])
    expect(await count()).toEqual(before)
  })

  it('--auth digest against a server that does not offer Digest: one line naming what it offers, exit 2', async () => {
    expectOneLine(
      await check({ target: basicOnly.url, auth: 'digest' }),
      /^nwa check: cannot authenticate at .*: --auth digest: the server does not offer Digest; its 401 offers NTLM, Basic$/m,
    )
  })
})
