import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { findPython } from '../../cli/grade/selftest.ts'
import { mockOptionsFromFlags } from '../../cli/mock.ts'
import { validateReport } from '../helpers/report-schema.ts'
import { tempDir } from '../interop/support.ts'

/** `nwa grade` as a user runs it: usage mistakes, a connector that breaks a rule, one that does nothing, the Python sample. */
const root = fileURLToPath(new URL('../..', import.meta.url))
const scratch = tempDir('grade-command')
afterAll(() => scratch.remove())

function nwa(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [join(root, 'bin', 'nwa.js'), ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}

interface Report {
  verdict: { verdict: string; mustFailed: string[]; mustNotRun: { reason: string }[] }
  checks: { id: string; status: string; message: string; requirements: string[]; evidence: { exchanges: { request: { url: string } }[]; notes: string[] } }[]
  grade: { scenarios: { launches: { exitCode: number | null; stderr: string }[] }[] }
}
const report = (dir: string): Report => JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8')) as Report

describe('nwa grade, usage', () => {
  it.each([
    [[], '--connector "CMD" is required'],
    [['--connector', 'true', '--scenario', 'steady,storm'], '--scenario storm: no such scenario'],
    [['--connector', 'true', '--time-scale', '0'], '--time-scale 0: expected a number above 0'],
    [['--connector', 'true', '--timeout', 'soon'], '--timeout soon: expected a duration'],
    [['--connector', 'true', '--sign-key', 'k.pem'], '--sign-key signs a bundle: give --bundle FILE too'],
    [['--connector', 'true', '--list'], '--only, --list and --markdown go with --selftest'],
  ])('%j stops with exit 2 and one line naming the mistake', async (args, message) => {
    const result = await nwa(['grade', ...args])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('refuses passive grading of restart, an unknown scenario, and grading with seeded server defects', () => {
    const flags = { host: '127.0.0.1', port: '0', tls: false, seed: 'none', log: 'pretty' as const }
    expect(mockOptionsFromFlags({ ...flags, grade: 'restart' })).toMatchObject({ ok: false, errors: [expect.stringContaining('use nwa grade --connector')] })
    expect(mockOptionsFromFlags({ ...flags, grade: 'storm' })).toMatchObject({ ok: false, errors: [expect.stringContaining('no such scenario')] })
    expect(mockOptionsFromFlags({ ...flags, grade: true, defect: 'count-plus-one' })).toMatchObject({ ok: false })
    expect(mockOptionsFromFlags({ ...flags, grade: 'busy-archive' }).ok).toBe(true)
  })
})

describe('nwa grade, a run', () => {
  it('[CLIENT-MARK-NEXT] grades a connector that breaks a MUST rule NOT CONFORMANT (exit 1), naming the rule and the exchanges', async () => {
    const dir = join(scratch.path, 'broken')
    const result = await nwa(
      ['grade', '--connector', 'node examples/connectors/node/reader.mjs', '--scenario', 'steady', '--time-scale', '0.3', '--report-dir', dir],
      {
        NWA_SAMPLE_DEFECT: 'repost-first-mark',
      },
    )
    expect(result.code, result.stdout.slice(-2000)).toBe(1)
    expect(result.stdout).toContain('VERDICT: NOT CONFORMANT')
    const graded = report(dir)
    expect(validateReport(graded), JSON.stringify(validateReport.errors)).toBe(true)
    expect(graded.verdict.mustFailed).toContain('steady/read.mark-next')
    const failed = graded.checks.find((check) => check.id === 'steady/read.mark-next')
    expect(failed?.requirements).toEqual(['CLIENT-MARK-NEXT'])
    expect(failed?.message).toMatch(/#\d+ POST \/netwrix\/api\/v1\/activity_records\/enum\?format=json&count=1000 → 200: it posted the mark of an earlier page/)
    expect(failed?.evidence.exchanges[0]?.request.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/netwrix\/api\/v1\/activity_records\/enum/)
    expect(failed?.evidence.notes.some((note) => /^#\d+: run 1, connection \d+, phase backlog/.test(note))).toBe(true)
  })

  it('grades a connector that cannot even start INCOMPLETE (exit 3), never CONFORMANT, with its error output in the report', async () => {
    const dir = join(scratch.path, 'nothing')
    const result = await nwa([
      'grade',
      '--connector',
      'node examples/connectors/node/no-such-connector.mjs',
      '--scenario',
      'slow',
      '--time-scale',
      '0.3',
      '--report-dir',
      dir,
    ])
    expect(result.code, result.stdout.slice(-2000)).toBe(3)
    const graded = report(dir)
    expect(graded.verdict.verdict).toBe('INCOMPLETE')
    expect(graded.verdict.mustNotRun.map((item) => item.reason)).toContain('the connector sent no request to the API in this scenario')
    expect(graded.grade.scenarios[0]?.launches[0]?.stderr).toContain('no-such-connector.mjs')
  })
})

const python = findPython()
if (!python.ok) console.warn(`skipped: grading the Python sample connector, because ${python.reason}`)

describe.skipIf(!python.ok)('the Python sample connector', () => {
  it('[CLIENT-AUTH-NTLM, CLIENT-MARK-NEXT] grades CONFORMANT where the server offers NTLM, then Digest, and cuts a page', async () => {
    const dir = join(scratch.path, 'python')
    const command = python.ok ? `${python.python} examples/connectors/python/reader.py` : ''
    const result = await nwa([
      'grade',
      '--connector',
      command,
      '--role',
      'reader',
      '--scenario',
      'cut-connections,auth',
      '--time-scale',
      '0.5',
      '--report-dir',
      dir,
    ])
    expect(result.code, result.stdout.slice(-3000)).toBe(0)
    const graded = report(dir)
    expect(graded.checks.find((check) => check.id === 'auth/auth.ntlm')?.status).toBe('pass')
    expect(graded.checks.find((check) => check.id === 'cut-connections/read.mark-next')?.status).toBe('pass')
  })
})
