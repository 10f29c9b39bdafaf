import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCheckCommand } from '../../conformance/command.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { validateReport } from '../helpers/report-schema.ts'

/** Every check of the runner against the reference mock, in-process (ARCHITECTURE.md, "Tests"). */
const accounts = {
  administrator: { user: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool' },
  reviewer: { user: 'ENTERPRISE\\GlobalReviewer', password: 'NetwrixIsCool' },
  scopedReviewer: { user: 'ENTERPRISE\\PlanReviewer', password: 'NetwrixIsCool', monitoringPlans: ['AD Monitoring'] },
  contributor: { user: 'ENTERPRISE\\Contributor', password: 'NetwrixIsCool' },
  configurator: { user: 'ENTERPRISE\\Configurator', password: 'NetwrixIsCool' },
  noAccess: { user: 'ENTERPRISE\\NoRole', password: 'NetwrixIsCool' },
}
const groups = { inGroup: 'ENTERPRISE\\Domain Admins', members: ['ENTERPRISE\\Administrator', 'ENTERPRISE\\Jason.Smith'] }

interface Report {
  verdict: { verdict: string; mustNotRun: unknown[]; mustNotApplicable: string[] }
  summary: { counts: Record<string, number> }
  checks: { id: string; level: string; status: string; message: string }[]
}

let running: RunningMock
let reportDir: string
let exitCode: number
let report: Report

beforeAll(async () => {
  running = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo' })
  reportDir = mkdtempSync(join(tmpdir(), 'nwa-suite-'))
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() })
  exitCode = await runCheckCommand(
    { target: running.url, accounts, groups, write: true, destructive: true, reportDir, auth: 'auto' },
    { stdout: sink, stderr: sink, env: {}, now: Date.now, random: (n) => Buffer.alloc(n, 7) },
  )
  report = JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as Report
}, 300_000)

afterAll(async () => {
  await running?.close()
  if (reportDir) rmSync(reportDir, { recursive: true, force: true })
})

describe('the conformance suite against the reference mock', () => {
  it('passes: CONFORMANT, exit code 0, no check failed, warned or broke, and every MUST check ran', () => {
    const bad = report.checks
      .filter((check) => ['fail', 'warn', 'error'].includes(check.status))
      .map((check) => `${check.id}: ${check.status} ${check.message}`)
    expect(bad).toEqual([])
    expect(report.verdict).toMatchObject({ verdict: 'CONFORMANT', mustNotRun: [], mustNotApplicable: [] })
    expect(exitCode).toBe(0)
  })

  it('runs almost every check; a skip carries its reason', () => {
    const skipped = report.checks.filter((check) => check.status === 'skip')
    for (const check of skipped) expect(check.message, check.id).toMatch(/\w/)
    expect(report.checks.length).toBeGreaterThan(60)
    expect(skipped.length).toBeLessThanOrEqual(3)
  })

  it('writes the four reports: the JSON validates against its schema, the JUnit XML parses', () => {
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true)
    expect(XMLValidator.validate(readFileSync(join(reportDir, 'junit.xml'), 'utf8'))).toBe(true)
    const html = readFileSync(join(reportDir, 'report.html'), 'utf8')
    expect(html).toContain('<html')
    expect(html).not.toMatch(/(src|href)="https?:/)
    expect(readFileSync(join(reportDir, 'summary.md'), 'utf8')).toMatch(/\|/)
  })
})
