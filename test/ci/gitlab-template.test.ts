import { execFile } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { defectCatalogue } from '../../mock/defects/index.ts'
import { type RunningMock, startMockServer } from '../../mock/server.ts'
import { probe, tempDir } from '../interop/support.ts'
import { root } from './kit-copy.ts'

/**
 * ci/gitlab/nwa.gitlab-ci.yml as far as it can be run without GitLab: parsed, its job's variables merged as `extends:`
 * merges them (the job's own win), and its script run in a project directory as a runner runs it, in bash with
 * -eo pipefail and in a POSIX sh, with CI variables set and `nwa` on the PATH as the kit's image has it. What only
 * GitLab does is not run: pulling the image and uploading the artifacts; the test checks that they name the
 * report the script wrote.
 */
interface Job {
  extends?: string
  stage?: string
  image?: { name: string; entrypoint: string[] }
  variables?: Record<string, string>
  script?: string[]
  artifacts?: { when: string; paths: string[]; reports: { junit: string } }
}
const template = parse(readFileSync(join(root, 'ci', 'gitlab', 'nwa.gitlab-ci.yml'), 'utf8')) as Record<string, Job>
const base = template['.nwa'] as Job
const dash = probe('dash', ['-c', 'true'])
if (!dash.ok) console.warn(`skipped: the GitLab template's script in a POSIX sh because ${dash.reason}`)

/** The job as GitLab resolves `extends: .nwa`: hashes merged key by key, the job's own keys winning. */
function resolved(name: string, overrides: Record<string, string> = {}): Job & { variables: Record<string, string> } {
  const job = template[name] as Job
  const parent = job.extends ? (template[job.extends] as Job) : {}
  return { ...parent, ...job, variables: { ...parent.variables, ...job.variables, ...overrides } }
}

const dirs: { remove(): void }[] = []
afterAll(() => {
  for (const dir of dirs.splice(0)) dir.remove()
})

/** The job's script in a fresh project directory, as the runner runs it; `nwa` is this checkout's bin/nwa.js. */
function runJob(job: ReturnType<typeof resolved>, shell: 'bash' | 'dash'): Promise<{ code: number; log: string; project: string }> {
  const project = tempDir('gitlab-project')
  dirs.push(project)
  const bin = join(project.path, '.bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'nwa'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin', 'nwa.js')}" "$@"\n`)
  chmodSync(join(bin, 'nwa'), 0o755)
  const env = {
    ...process.env,
    ...job.variables,
    PATH: `${bin}:${process.env['PATH']}`,
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PROJECT_DIR: project.path,
    CI_JOB_NAME: 'nwa-check',
  }
  const flags = shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail', '-c'] : ['-e', '-c']
  return new Promise((resolve) => {
    execFile(
      shell,
      [...flags, (job.script ?? []).join('\n')],
      { cwd: project.path, env, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, log: stdout + stderr, project: project.path }),
    )
  })
}

describe('the GitLab CI template', () => {
  it('runs in the kit image with its entrypoint cleared, and keeps the reports and the JUnit report even when the job fails', () => {
    const job = resolved('nwa-check')
    expect(job.stage).toBe('test')
    expect(job.image).toEqual({ name: '$NWA_IMAGE', entrypoint: [''] })
    expect(job.artifacts).toEqual({ when: 'always', expire_in: '30 days', paths: ['nwa-reports/'], reports: { junit: 'nwa-reports/junit.xml' } })
    expect(Object.keys(base.variables ?? {})).toEqual([
      'NWA_IMAGE',
      'NWA_COMMAND',
      'NWA_CONNECTOR',
      'NWA_SCENARIO',
      'NWA_TARGET',
      'NWA_USER',
      'NWA_CONFIG',
      'NWA_FAIL_ON',
      'NWA_ALLOW_INCOMPLETE',
      'NWA_ARGS',
    ])
    const docs = readFileSync(join(root, 'docs', 'ci.md'), 'utf8')
    for (const variable of Object.keys(base.variables ?? {})) expect(docs).toContain(`| \`${variable}\``)
  })

  describe('its script, run as a runner runs it', () => {
    let mock: RunningMock
    let target: string
    beforeAll(async () => {
      mock = await startMockServer({ port: 0, tls: false, seed: 'demo', defects: defectCatalogue, defectsOn: ['unauthorized-with-body'] })
      target = `http://127.0.0.1:${(mock.server.address() as AddressInfo).port}`
    })
    afterAll(async () => {
      await mock?.close()
    })

    it('fails the job with nwa check exit code and leaves the JUnit report the artifacts name, with the failing check in it', async () => {
      const job = resolved('nwa-check', {
        NWA_TARGET: target,
        NWA_USER: 'ENTERPRISE\\NetwrixUser',
        NWA_PASSWORD: 'NetwrixIsCool',
        NWA_ARGS: '--only\nauth.required\nerrors.*\n',
      })
      const run = await runJob(job, 'bash')
      expect(run.code, run.log).toBe(1)
      expect(run.log).toContain('VERDICT: NOT CONFORMANT')
      const junit = readFileSync(join(run.project, job.artifacts?.reports.junit ?? ''), 'utf8')
      expect(junit).toMatch(
        /<testcase name="auth\.required: [^"]*" classname="nwa\.auth"[^>]*>\s*<properties>.*?<property name="status" value="fail"\/>.*?<\/properties>\s*<failure /,
      )
      for (const path of job.artifacts?.paths ?? []) expect(existsSync(join(run.project, path, 'report.html'))).toBe(true)
    })

    it.skipIf(!dash.ok)('runs in a POSIX sh too, passing each line of NWA_ARGS as one argument', async () => {
      const job = resolved('nwa-check', {
        NWA_TARGET: target,
        NWA_USER: 'ENTERPRISE\\NetwrixUser',
        NWA_PASSWORD: 'NetwrixIsCool',
        NWA_ALLOW_INCOMPLETE: 'true',
        NWA_ARGS: '--only\nformats.xml-default\n--skip\ntag:roles\n',
      })
      const run = await runJob(job, 'dash')
      expect(run.code, run.log).toBe(0)
      expect(run.log).toContain('VERDICT: INCOMPLETE')
      expect(JSON.parse(readFileSync(join(run.project, 'nwa-reports', 'conformance.json'), 'utf8')).checks.map((check: { id: string }) => check.id)).toEqual([
        'formats.xml-default',
      ])
    })

    it('grades a connector with NWA_COMMAND grade, failing the job on a connector that stops at a short page', { timeout: 180_000 }, async () => {
      const reader = join(root, 'examples', 'connectors', 'node', 'reader.mjs')
      const job = resolved('nwa-check', {
        NWA_COMMAND: 'grade',
        NWA_CONNECTOR: `NWA_SAMPLE_DEFECT=stop-at-short-page node ${reader}`,
        NWA_SCENARIO: 'steady',
        NWA_ARGS: '--time-scale\n0.5\n',
      })
      const run = await runJob(job, 'bash')
      expect(run.code, run.log).toBe(1)
      expect(run.log).toContain('VERDICT: NOT CONFORMANT')
      expect(readFileSync(join(run.project, job.artifacts?.reports.junit ?? ''), 'utf8')).toContain('<failure ')
    })

    it('refuses the variables of the other command before running anything', async () => {
      for (const [variables, message] of [
        [{ NWA_COMMAND: 'grade', NWA_CONNECTOR: 'node c.mjs', NWA_TARGET: 'https://nwa.example.com:9699' }, 'are for check; grade takes NWA_CONNECTOR'],
        [{ NWA_COMMAND: 'grade' }, 'grade needs NWA_CONNECTOR'],
        [{ NWA_CONNECTOR: 'node c.mjs' }, 'NWA_CONNECTOR and NWA_SCENARIO are for grade, not check'],
      ] as const) {
        const run = await runJob(resolved('nwa-check', variables), 'bash')
        expect(run.code).toBe(2)
        expect(run.log).toContain(message)
        expect(existsSync(join(run.project, 'nwa-reports'))).toBe(false)
      }
    })

    it('stops on a wrong NWA_ALLOW_INCOMPLETE before running anything', async () => {
      const run = await runJob(resolved('nwa-check', { NWA_ALLOW_INCOMPLETE: 'yes' }), 'bash')
      expect(run.code).toBe(2)
      expect(run.log).toContain("NWA_ALLOW_INCOMPLETE takes true or false, not 'yes'")
      expect(existsSync(join(run.project, 'nwa-reports'))).toBe(false)
    })
  })
})
