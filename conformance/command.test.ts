import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseDuration, reportFiles, runCheckCommand, type CheckCommandOptions } from './command.ts'
import { parseBaseline } from './baseline.ts'
import type { JsonReport } from './reporters/json.ts'
import { makeCheck } from './test-support.ts'
import { fail, pass } from './types.ts'
import { captureStream } from '../test/helpers/capture.ts'
import { validateReport } from '../test/helpers/report-schema.ts'

const origin = 'http://nwa-cmd.test:9699'
const dir = mkdtempSync(join(tmpdir(), 'nwa-command-'))

beforeAll(() => {
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
})
afterEach(() => {
  nock.cleanAll()
})
afterAll(() => {
  nock.enableNetConnect()
  rmSync(dir, { recursive: true, force: true })
})

function io(env: Record<string, string> = {}) {
  const stdout = captureStream()
  const stderr = captureStream()
  let tick = Date.UTC(2024, 0, 1)
  return {
    io: { stdout: stdout.stream, stderr: stderr.stream, env, now: () => (tick += 5), random: (n: number) => Buffer.alloc(n, 1) },
    stdout: stdout.text,
    stderr: stderr.text,
  }
}

const checks = [
  makeCheck({
    id: 'formats.enum',
    requirements: ['EP-ENUM-GET'],
    run: async (ctx) => {
      const exchange = await ctx.send({ method: 'GET', path: '/activity_records/enum', as: 'administrator' })
      return exchange.response.status === 200 ? pass('200') : fail(`got ${exchange.response.status}`)
    },
  }),
  makeCheck({ id: 'errors.shape', category: 'errors', run: async () => fail('ErrorList missing') }),
]

const emptyPage = '<ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/"/>'

/** The anonymous 401 and the administrator's pre-flight probe; the stand-in check's own GET enum when `withCheck`. */
function target(withCheck = true) {
  const authorization = `Basic ${Buffer.from('ENTERPRISE\\NetwrixUser:NetwrixIsCool').toString('base64')}`
  nock(origin).get('/netwrix/api/v1/activity_records/enum').reply(401, '', { 'WWW-Authenticate': 'Basic realm="Netwrix Auditor"' })
  nock(origin)
    .get('/netwrix/api/v1/activity_records/enum?count=1')
    .matchHeader('authorization', authorization)
    .reply(200, emptyPage, { 'Content-Type': 'application/xml' })
  if (withCheck) {
    nock(origin)
      .get('/netwrix/api/v1/activity_records/enum')
      .matchHeader('authorization', authorization)
      .reply(200, emptyPage, { 'Content-Type': 'application/xml' })
  }
}

const base = (reportDir: string): CheckCommandOptions => ({
  target: origin,
  user: 'ENTERPRISE\\NetwrixUser',
  password: 'env:NWA_ADMIN_PASSWORD',
  auth: 'basic',
  reportDir,
  checks,
})

describe('runCheckCommand', () => {
  it('runs the checks, writes the four reports and exits 1 on a MUST failure', async () => {
    target()
    const reportDir = join(dir, 'run1', 'reports')
    const t = io({ NWA_ADMIN_PASSWORD: 'NetwrixIsCool' })
    expect(await runCheckCommand(base(reportDir), t.io)).toBe(1)
    for (const file of Object.values(reportFiles)) expect(existsSync(join(reportDir, file))).toBe(true)
    const report = JSON.parse(readFileSync(join(reportDir, reportFiles.json), 'utf8')) as { checks: { id: string; status: string }[] }
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['formats.enum', 'pass'],
      ['errors.shape', 'fail'],
    ])
    expect(readFileSync(join(reportDir, reportFiles.html), 'utf8')).toContain('ErrorList missing')
    expect(t.stdout()).toContain('✓ pass  [1/2] formats.enum')
    expect(t.stdout()).toContain(`reports: ${join(reportDir, reportFiles.json)}`)
    expect(t.stderr()).toBe('')
  })

  it('still exits 1 when the only MUST failure is in the baseline, and warns about baseline ids that are not checks', async () => {
    target()
    const baseline = join(dir, 'baseline.txt')
    writeFileSync(baseline, '# accepted until the vendor fixes it\nerrors.shape   # ticket 42\n\nformats.gone\n')
    const t = io({ NWA_ADMIN_PASSWORD: 'NetwrixIsCool' })
    expect(await runCheckCommand({ ...base(join(dir, 'run2')), baseline }, t.io)).toBe(1)
    expect(t.stdout()).toContain('VERDICT: NOT CONFORMANT  1 of 2 MUST checks failed (1 of them in the baseline): errors.shape')
    expect(t.stderr()).toContain('baseline names formats.gone, which is not a check')
  })

  it('calls a run that selected only some MUST checks INCOMPLETE (exit 3), 0 with --allow-incomplete, 1 on a warning with --fail-on warn', async () => {
    const should = makeCheck({ id: 'errors.soft', level: 'SHOULD', run: async () => fail('soft') })
    const options = { ...base(join(dir, 'run3')), checks: [...checks, should], only: 'errors.soft' }
    const exits: number[] = []
    for (const extra of [{}, { allowIncomplete: true }, { failOn: 'warn' as const }]) {
      target(false)
      const t = io({ NWA_ADMIN_PASSWORD: 'NetwrixIsCool' })
      exits.push(await runCheckCommand({ ...options, ...extra }, t.io))
      expect(t.stdout()).toContain('VERDICT: INCOMPLETE  no MUST check failed, but 2 of 2 MUST checks did not run: 2 not selected (--only/--skip)')
    }
    expect(exits).toEqual([3, 0, 1])
  })

  it('exits 2 with a message for usage and config errors', async () => {
    const cases: [CheckCommandOptions, Record<string, string>, RegExp][] = [
      [{ ...base(dir), target: undefined }, { NWA_ADMIN_PASSWORD: 'x' }, /no target/],
      [{ ...base(dir), target: 'ftp://host' }, { NWA_ADMIN_PASSWORD: 'x' }, /scheme ftp/],
      [base(dir), {}, /NWA_ADMIN_PASSWORD is not set/],
      [{ ...base(dir), failOn: 'never' as 'must' }, { NWA_ADMIN_PASSWORD: 'x' }, /--fail-on never/],
      [{ ...base(dir), maxPages: Number('abc') }, { NWA_ADMIN_PASSWORD: 'x' }, /--max-pages NaN/],
      [{ ...base(dir), only: ['formats.enmu'] }, { NWA_ADMIN_PASSWORD: 'x' }, /--only formats.enmu: matches no check/],
      [{ ...base(dir), baseline: join(dir, 'absent.txt') }, { NWA_ADMIN_PASSWORD: 'x' }, /--baseline .*absent.txt/],
      [{ ...base(dir), config: join(dir, 'absent.yaml') }, { NWA_ADMIN_PASSWORD: 'x' }, /config .*absent.yaml/],
    ]
    for (const [options, env, message] of cases) {
      const t = io(env)
      expect(await runCheckCommand(options, t.io)).toBe(2)
      expect(t.stderr()).toMatch(message)
    }
  })

  it('takes target and accounts from --config, --user overriding its administrator', async () => {
    target()
    const config = join(dir, 'nwa.yaml')
    writeFileSync(config, `target: ${origin}/\naccounts:\n  administrator:\n    user: someone\n    password: env:NOPE_UNUSED\n`)
    const t = io({ NOPE_UNUSED: 'y', NWA_ADMIN_PASSWORD: 'NetwrixIsCool' })
    const options = { ...base(join(dir, 'run5')), target: undefined, config, only: ['formats.enum'], allowIncomplete: true }
    expect(await runCheckCommand(options, t.io)).toBe(0)
  })

  it('exits 2 when the target refuses connections', async () => {
    const server = http.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const t = io({ NWA_ADMIN_PASSWORD: 'x' })
    expect(await runCheckCommand({ ...base(join(dir, 'run6')), target: `http://127.0.0.1:${port}` }, t.io)).toBe(2)
    expect(t.stderr()).toMatch(new RegExp(`cannot reach http://127.0.0.1:${port}/netwrix/api/v1`))
  })
})

describe('baselines with reasons and expiry, end to end', () => {
  const report = (run: string) => JSON.parse(readFileSync(join(dir, run, reportFiles.json), 'utf8')) as JsonReport

  it('an expired entry no longer excuses its check; an unused one is reported; --baseline-update writes the current failures', async () => {
    const should = makeCheck({ id: 'errors.soft', level: 'SHOULD', run: async () => fail('soft') })
    const file = join(dir, 'baseline.yaml')
    // The run's clock is 2024-01-01: the first entry expired the day before, the second is valid through that day.
    writeFileSync(
      file,
      [
        '- { check: errors.soft, reason: ticket 41, expires: 2023-12-31 }',
        '- { check: errors.shape, reason: ticket 42, expires: 2024-01-01 }',
        '- { check: formats.enum, reason: fixed since }',
      ].join('\n'),
    )
    target()
    const t = io({ NWA_ADMIN_PASSWORD: 'NetwrixIsCool' })
    const options = { ...base(join(dir, 'run-expiry')), checks: [...checks, should], baseline: file, failOn: 'warn' as const }
    // errors.soft's warning is no longer excused, so --fail-on warn exits 1 on it.
    expect(await runCheckCommand(options, t.io)).toBe(1)
    const json = report('run-expiry')
    const byId = Object.fromEntries(json.checks.map((check) => [check.id, check]))
    expect(byId['errors.soft']).toMatchObject({ status: 'warn', baselined: false, baseline: { reason: 'ticket 41', expires: '2023-12-31', expired: true } })
    expect(byId['errors.shape']).toMatchObject({ status: 'fail', baselined: true, baseline: { reason: 'ticket 42', expired: false } })
    expect(json.summary.baseline).toEqual({ entries: 3, expired: ['errors.soft'], unused: [{ check: 'formats.enum', why: 'passed' }] })
    expect(validateReport(json), JSON.stringify(validateReport.errors)).toBe(true)
    expect(t.stdout()).toContain('baseline: 1 entry expired (errors.soft); 1 excused nothing (formats.enum: passed)')

    target()
    const u = io({ NWA_ADMIN_PASSWORD: 'NetwrixIsCool' })
    expect(await runCheckCommand({ ...options, reportDir: join(dir, 'run-update'), baselineUpdate: true }, u.io)).toBe(1)
    expect(u.stdout()).toContain(`baseline: wrote 2 entries (the checks that fail or warn now) to ${file}`)
    expect(parseBaseline(readFileSync(file, 'utf8'), file)).toEqual([
      { check: 'errors.shape', reason: 'ticket 42', expires: '2024-01-01' },
      { check: 'errors.soft', reason: 'ticket 41', expires: '2023-12-31' },
    ])
  })

  it('--baseline-update without --baseline is a usage error; a file it names need not exist yet', async () => {
    const t = io({ NWA_ADMIN_PASSWORD: 'x' })
    expect(await runCheckCommand({ ...base(dir), baselineUpdate: true }, t.io)).toBe(2)
    expect(t.stderr()).toMatch(/--baseline-update needs --baseline FILE/)
    target()
    const fresh = join(dir, 'fresh-baseline.yaml')
    const u = io({ NWA_ADMIN_PASSWORD: 'NetwrixIsCool' })
    expect(await runCheckCommand({ ...base(join(dir, 'run-fresh')), baseline: fresh, baselineUpdate: true }, u.io)).toBe(1)
    const written = parseBaseline(readFileSync(fresh, 'utf8'), fresh)
    expect(written).toEqual([{ check: 'errors.shape', reason: 'accepted by --baseline-update on 2024-01-01: ErrorList missing' }])
  })
})

describe('parseDuration', () => {
  it('reads ms, s, m and h, a bare number as seconds, and refuses anything else naming the flag', () => {
    expect([
      parseDuration('500ms', '--t'),
      parseDuration('90s', '--t'),
      parseDuration('2m', '--t'),
      parseDuration('1h', '--t'),
      parseDuration('3', '--t'),
    ]).toEqual([500, 90_000, 120_000, 3_600_000, 3000])
    expect(parseDuration(250, '--t')).toBe(250)
    for (const bad of ['', '0', '-1s', '10 minutes', '1d']) expect(() => parseDuration(bad, '--deadline')).toThrow(/--deadline .*: expected a duration/)
  })
})
