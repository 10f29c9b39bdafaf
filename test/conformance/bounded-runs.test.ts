import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportFiles, runCheckCommand, type CheckCommandOptions } from '../../conformance/command.ts'
import type { JsonReport } from '../../conformance/reporters/json.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { captureStream } from '../helpers/capture.ts'
import { validateReport } from '../helpers/report-schema.ts'

/**
 * A broken target gets a bounded run (docs/evidence.md, "Run bounds"): servers on 127.0.0.1 that pass pre-flight and
 * then hang, trickle or stream without end, and a 401 without a challenge (D50). Timeouts are small so the file is quick;
 * the bounds are asserted by what the servers received, never by time.
 */
const password = 'NetwrixIsCool'
const administrator = { user: 'ENTERPRISE\\NetwrixUser', password }
const work = mkdtempSync(join(tmpdir(), 'nwa-bounded-'))
const page = '<?xml version="1.0" encoding="utf-8"?><ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/"/>'

afterAll(() => rmSync(work, { recursive: true, force: true }))

type Behaviour = (res: http.ServerResponse) => void

const behaviours: Readonly<Record<string, Behaviour>> = {
  hang: () => undefined,
  trickle: (res) => {
    res.writeHead(200, { 'Content-Type': 'application/xml' })
    const timer = setInterval(() => res.write(' '), 10)
    res.on('close', () => clearInterval(timer))
  },
  endless: (res) => {
    res.writeHead(200, { 'Content-Type': 'application/xml' })
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
    }
    res.on('drain', pump)
    pump()
  },
}

/** Answers pre-flight as the API does (a Basic challenge, then a page for the administrator), then misbehaves. */
async function brokenTarget(behaviour: Behaviour): Promise<{ url: string; afterPreflight: () => number; close: () => Promise<void> }> {
  let preflightDone = false
  let after = 0
  const server = http.createServer((req, res) => {
    req.resume()
    if (!preflightDone && req.headers.authorization === undefined) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Netwrix Auditor"', 'Content-Length': '0' })
      res.end()
      return
    }
    if (!preflightDone) {
      preflightDone = true
      res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8' })
      res.end(page)
      return
    }
    after += 1
    behaviour(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    afterPreflight: () => after,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function check(options: Partial<CheckCommandOptions>): Promise<{ exitCode: number; stderr: string; report: JsonReport }> {
  const stdout = captureStream()
  const stderr = captureStream()
  const reportDir = mkdtempSync(join(work, 'reports-'))
  const exitCode = await runCheckCommand(
    { accounts: { administrator }, auth: 'basic', reportDir, ...options },
    { stdout: stdout.stream, stderr: stderr.stream, env: {}, now: Date.now, random: (n) => Buffer.alloc(n, 7) },
  )
  const report = JSON.parse(readFileSync(join(reportDir, reportFiles.json), 'utf8')) as JsonReport
  return { exitCode, stderr: stderr.text(), report }
}

describe('a target that stops answering after pre-flight', () => {
  it.each([
    ['hangs', 'hang', { timeoutMs: 200 }, /no response within 200 ms/],
    ['trickles a byte every 10 ms', 'trickle', { timeoutMs: 200 }, /no response within 200 ms/],
    ['streams a page without end', 'endless', { timeoutMs: 10_000, maxResponseBytes: 1024 * 1024 }, /the response exceeded 1048576 bytes/],
  ] as const)(
    '%s: three checks in a row break on it, the rest are not run, and the verdict says so',
    async (_name, behaviour, options, cause) => {
      const target = await brokenTarget(behaviours[behaviour]!)
      try {
        const { exitCode, report } = await check({ target: target.url, ...options })
        expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true)
        // Each broken check stopped at its first request: three requests reached the target after pre-flight.
        expect(target.afterPreflight()).toBe(3)
        const broke = report.checks.filter((item) => item.status === 'error')
        expect(broke).toHaveLength(3)
        for (const item of broke) expect(item.message).toMatch(cause)
        const notRun = report.checks.filter((item) => item.message.startsWith('not run: the target stopped answering'))
        expect(notRun.length).toBeGreaterThan(50)
        expect(broke.length + notRun.length + report.checks.filter((item) => item.message.startsWith('needs ')).length).toBe(report.checks.length)
        expect(report.verdict.verdict).toBe('INCOMPLETE')
        expect(report.verdict.stopped).toMatch(/^the target stopped answering: 3 checks in a row broke on it/)
        expect(report.verdict.summary).toMatch(/^the run stopped early, the target stopped answering/)
        expect(report.verdict.mustNotRun.filter((item) => item.kind === 'stopped').length).toBeGreaterThan(20)
        expect(exitCode).toBe(3)
      } finally {
        await target.close()
      }
    },
    60_000,
  )

  it('--allow-incomplete does not accept a run that stopped', async () => {
    const target = await brokenTarget(behaviours['hang']!)
    try {
      const { exitCode, report } = await check({ target: target.url, timeoutMs: 100, allowIncomplete: true })
      expect(report.verdict.stopped).toBeDefined()
      expect(exitCode).toBe(3)
    } finally {
      await target.close()
    }
  }, 60_000)

  it('--deadline cuts the check that is waiting and does not run the rest', async () => {
    const target = await brokenTarget(behaviours['hang']!)
    try {
      const { exitCode, report } = await check({ target: target.url, timeoutMs: 30_000, deadline: '1s' })
      expect(target.afterPreflight()).toBe(1)
      expect(report.checks[0]?.message).toMatch(/^not run: the run reached its --deadline \(.*\) while it ran$/)
      expect(report.checks.slice(1).every((item) => item.status === 'skip')).toBe(true)
      expect(report.verdict.stopped).toMatch(/^the run reached its --deadline/)
      expect(exitCode).toBe(3)
    } finally {
      await target.close()
    }
  }, 60_000)
})

describe('a 401 without a WWW-Authenticate challenge (D50)', () => {
  let mock: RunningMock
  let stripped: { url: string; close: () => Promise<void> }

  beforeAll(async () => {
    mock = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo' })
    // Forwards to the mock and drops the challenge from every 401.
    const server = http.createServer((req, res) => {
      const upstream = http.request(new URL(req.url ?? '/', mock.url), { method: req.method, headers: req.headers }, (answer) => {
        const headers = { ...answer.headers }
        if (answer.statusCode === 401) delete headers['www-authenticate']
        res.writeHead(answer.statusCode ?? 502, headers)
        answer.pipe(res)
      })
      req.pipe(upstream)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    stripped = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    }
  }, 60_000)

  afterAll(async () => {
    await stripped?.close()
    await mock?.close()
  })

  it('is NOT CONFORMANT with a report: auth.required fails, and the checks that needed an account did not run, for that reason', async () => {
    const { exitCode, stderr, report } = await check({ target: stripped.url, auth: 'auto', only: ['formats.*', 'auth.required', 'auth.certificate-host'] })
    expect(stderr).toBe('')
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true)
    expect(exitCode).toBe(1)
    expect(report.verdict.verdict).toBe('NOT CONFORMANT')
    expect(report.verdict.mustFailed).toEqual(['auth.required'])
    expect(report.preflight.unauthenticated).toMatch(/no WWW-Authenticate challenge, so --auth auto has nothing to answer; --auth basic/)
    const reason = `not run: ${report.preflight.unauthenticated}`
    const formats = report.verdict.mustNotRun.filter((item) => item.id.startsWith('formats.') && !item.reason.startsWith('needs --write'))
    expect(formats.length).toBeGreaterThan(3)
    expect(formats.every((item) => item.kind === 'skipped' && item.reason === reason)).toBe(true)
    expect(report.checks.find((item) => item.id === 'auth.required')?.message).toMatch(/the 401 has no WWW-Authenticate header/)
  }, 60_000)

  it('with --auth basic the rest of the suite still runs', async () => {
    const { exitCode, report } = await check({ target: stripped.url, auth: 'basic', only: ['formats.*', 'auth.required'] })
    expect(exitCode).toBe(1)
    expect(report.preflight.unauthenticated).toBeUndefined()
    expect(report.verdict.mustFailed).toEqual(['auth.required'])
    expect(report.checks.find((item) => item.id === 'formats.xml-default')?.status).toBe('pass')
  }, 60_000)
})
