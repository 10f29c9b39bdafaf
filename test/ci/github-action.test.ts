import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { defectCatalogue } from '../../mock/defects/index.ts'
import { type RunningMock, startMockServer } from '../../mock/server.ts'
import { tempDir } from '../interop/support.ts'
import { copyOfKit, root } from './kit-copy.ts'

/**
 * action.yml run as a GitHub runner runs a composite action, minus the runner: its `run:` steps, parsed from the file,
 * each in `bash --noprofile --norc -eo pipefail` (the runner's bash), with the runner's files (GITHUB_OUTPUT per step,
 * GITHUB_ENV and GITHUB_PATH carried to later steps, GITHUB_STEP_SUMMARY), the expressions of its `env:` and
 * `outputs:` evaluated from the inputs and the steps' outputs, and the action checked out in a copy of this kit
 * (GITHUB_ACTION_PATH). Steps that use other actions are the runner's business: the only one is actions/setup-node,
 * which the test stands in for with the Node that runs it.
 */
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>
  outputs: Record<string, { value: string }>
  runs: { using: string; steps: { id?: string; name: string; uses?: string; run?: string; shell?: string; if?: string; env?: Record<string, string> }[] }
}

type Values = Record<string, string>

/** The temporary directories of the file: runner homes, the kit's copy, tarballs. */
const runners: { remove(): void }[] = []
afterAll(() => {
  for (const runner of runners.splice(0)) runner.remove()
})

/** `${{ inputs.x }}` and `${{ steps.id.outputs.y }}`: the only expressions the action may use; any other fails the test. */
function evaluate(text: string, inputs: Values, steps: Record<string, Values>): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_whole, expression: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expression)
    if (input) return inputs[input[1] as string] ?? ''
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression)
    if (output) return steps[output[1] as string]?.[output[2] as string] ?? ''
    throw new Error(`action.yml uses an expression this test does not evaluate: ${expression}`)
  })
}

/** A GITHUB_OUTPUT or GITHUB_ENV file: `name=value` lines and `name<<DELIMITER` blocks. */
function readKeyValues(file: string): Values {
  const values: Values = {}
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const block = /^([^=<]+)<<(.+)$/.exec(line)
    if (block) {
      const end = lines.indexOf(block[2] as string, i + 1)
      values[block[1] as string] = lines.slice(i + 1, end).join('\n')
      i = end
    } else if (line.includes('=')) values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
  }
  return values
}

interface ActionRun {
  outputs: Values
  summary: string
  /** The exit code of the last step that ran: a failing step ends the action, as on a runner. */
  exitCode: number
  log: string
  workspace: string
}

function bash(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; log: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script],
      { env, cwd, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, log: stdout + stderr }),
    )
  })
}

/** Runs the action's steps in order, as the runner would, with these inputs (defaults filled in from action.yml). */
async function runAction(
  given: Values,
  options: { actionPath: string; env?: Values; only?: string[]; carriedEnv?: Values },
): Promise<ActionRun & { env: Values }> {
  const inputs: Values = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, given[name] ?? input.default ?? '']))
  const runner = tempDir('gh-runner')
  runners.push(runner)
  const workspace = join(runner.path, 'workspace')
  const temp = join(runner.path, 'temp')
  for (const dir of [workspace, temp]) mkdirSync(dir)
  const summaryFile = join(runner.path, 'step_summary.md')
  const envFile = join(runner.path, 'env')
  const pathFile = join(runner.path, 'path')
  writeFileSync(summaryFile, '')
  writeFileSync(envFile, '')
  writeFileSync(pathFile, '')
  const steps: Record<string, Values> = {}
  let carried: Values = { ...options.carriedEnv }
  let log = ''
  let exitCode = 0
  for (const [index, step] of action.runs.steps.entries()) {
    if (step.uses !== undefined || (options.only && !options.only.includes(step.id ?? ''))) continue
    const outputFile = join(runner.path, `output-${index}`)
    writeFileSync(outputFile, '')
    const extraPath = readFileSync(pathFile, 'utf8').split('\n').filter(Boolean).reverse()
    // The machine's environment, as a runner's steps have theirs (a proxy's or registry's settings among it).
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: [...extraPath, process.env['PATH']].join(':'),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTION_PATH: options.actionPath,
      RUNNER_TEMP: temp,
      GITHUB_OUTPUT: outputFile,
      GITHUB_ENV: envFile,
      GITHUB_PATH: pathFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...options.env,
      ...carried,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, evaluate(value, inputs, steps)])),
    }
    const result = await bash(step.run as string, env, workspace)
    log += result.log
    steps[step.id ?? `step-${index}`] = readKeyValues(outputFile)
    carried = { ...carried, ...readKeyValues(envFile) }
    exitCode = result.code
    if (result.code !== 0) break
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, output]) => [name, evaluate(output.value, inputs, steps)]))
  return { outputs, summary: readFileSync(summaryFile, 'utf8'), exitCode, log, workspace, env: carried }
}

describe('action.yml', () => {
  it('is a composite action whose scripts take inputs through env only, with the inputs and outputs docs/ci.md lists', () => {
    expect(action.runs.using).toBe('composite')
    expect(Object.keys(action.inputs)).toEqual([
      'command',
      'connector',
      'scenario',
      'target',
      'user',
      'password',
      'config',
      'fail-on',
      'allow-incomplete',
      'report-dir',
      'version',
      'args',
      'node-version',
    ])
    expect(Object.keys(action.outputs)).toEqual(['verdict', 'exit-code', 'report-dir', 'nwa-version'])
    expect(action.runs.steps.filter((step) => step.uses !== undefined).map((step) => step.uses)).toEqual(['actions/setup-node@v4'])
    for (const step of action.runs.steps.filter((one) => one.run !== undefined)) {
      expect(step.shell).toBe('bash')
      // An input spliced into a script's text could run as shell; through env it is only ever a value.
      expect(step.run).not.toContain('${{')
    }
    const docs = readFileSync(join(root, 'docs', 'ci.md'), 'utf8')
    for (const input of Object.keys(action.inputs)) expect(docs).toContain(`| \`${input}\``)
    for (const output of Object.keys(action.outputs)) expect(docs).toContain(`| \`${output}\``)
  })
})

describe('the action run with a simulated runner', () => {
  let kit: { path: string; remove(): void }
  let mock: RunningMock
  let installed: ActionRun & { env: Values }
  beforeAll(async () => {
    kit = copyOfKit('gh-action')
    runners.push(kit)
    mock = await startMockServer({ port: 0, tls: false, seed: 'demo', defects: defectCatalogue, defectsOn: ['unauthorized-with-body'] })
    // The whole suite against the embedded mock: the demo run of an empty target.
    installed = await runAction({}, { actionPath: kit.path })
  })
  afterAll(async () => {
    await mock?.close()
  })

  it('installs the kit from its own checkout, runs nwa check, and hands over the summary, the outputs and the reports', () => {
    expect(installed.exitCode, installed.log).toBe(0)
    expect(installed.log).toContain('nwa-kit 0.1.0')
    expect(installed.outputs).toEqual({ verdict: 'CONFORMANT', 'exit-code': '0', 'report-dir': 'nwa-reports', 'nwa-version': '0.1.0' })
    expect(installed.env['NWA_BIN']).toBe(join(kit.path, 'bin', 'nwa.js'))
    const reports = join(installed.workspace, 'nwa-reports')
    expect(readdirOrEmpty(reports)).toEqual(['conformance.json', 'junit.xml', 'report.html', 'summary.md'])
    expect(installed.summary).toBe(readFileSync(join(reports, 'summary.md'), 'utf8'))
    expect(installed.summary).toContain('CONFORMANT')
  })

  it('fails the step with the exit code when the server fails, and still sets the outputs and the summary', async () => {
    const target = `http://127.0.0.1:${(mock.server.address() as AddressInfo).port}`
    const run = await runAction(
      { target, user: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool', args: '--only\nauth.required\n', 'report-dir': 'out/nwa' },
      { actionPath: kit.path, only: ['run'], carriedEnv: { NWA_BIN: installed.env['NWA_BIN'] as string } },
    )
    expect(run.exitCode, run.log).toBe(1)
    expect(run.outputs).toMatchObject({ verdict: 'NOT CONFORMANT', 'exit-code': '1', 'report-dir': 'out/nwa' })
    expect(run.summary).toContain('NOT CONFORMANT')
    expect(run.summary).toContain('auth.required')
    expect(existsSync(join(run.workspace, 'out', 'nwa', 'junit.xml'))).toBe(true)
    // The secret went through the environment: it is on no command line and in no report.
    expect(readFileSync(join(run.workspace, 'out', 'nwa', 'conformance.json'), 'utf8')).not.toContain('NetwrixIsCool')
  })

  it('says nothing was checked when the command stops on a usage error, with verdict none and exit 2', async () => {
    const run = await runAction(
      { 'fail-on': 'sometimes' },
      { actionPath: kit.path, only: ['run'], carriedEnv: { NWA_BIN: installed.env['NWA_BIN'] as string } },
    )
    expect(run.exitCode).toBe(2)
    expect(run.outputs).toMatchObject({ verdict: 'none', 'exit-code': '2' })
    expect(run.summary).toBe('### nwa check: nothing was checked (exit 2); the log says why\n')
    const refused = await runAction(
      { 'allow-incomplete': 'yes' },
      { actionPath: kit.path, only: ['run'], carriedEnv: { NWA_BIN: installed.env['NWA_BIN'] as string } },
    )
    expect(refused.exitCode).toBe(2)
    expect(refused.log).toContain("::error::allow-incomplete takes true or false, not 'yes'")
  })

  it('grades a connector with command grade: the sample reader CONFORMANT, one that stops at a short page NOT CONFORMANT', { timeout: 300_000 }, async () => {
    const carriedEnv = { NWA_BIN: installed.env['NWA_BIN'] as string }
    const reader = join(kit.path, 'examples', 'connectors', 'node', 'reader.mjs')
    const clean = await runAction(
      { command: 'grade', connector: `node ${reader}`, scenario: 'steady', args: '--time-scale\n0.5\n' },
      { actionPath: kit.path, only: ['run'], carriedEnv },
    )
    expect(clean.exitCode, clean.log).toBe(0)
    expect(clean.outputs).toMatchObject({ verdict: 'CONFORMANT', 'exit-code': '0' })
    expect(clean.summary).toContain('connector')
    const broken = await runAction(
      { command: 'grade', connector: `NWA_SAMPLE_DEFECT=stop-at-short-page node ${reader}`, scenario: 'steady', args: '--time-scale\n0.5\n' },
      { actionPath: kit.path, only: ['run'], carriedEnv },
    )
    expect(broken.exitCode, broken.log).toBe(1)
    expect(broken.outputs).toMatchObject({ verdict: 'NOT CONFORMANT', 'exit-code': '1' })
    expect(existsSync(join(broken.workspace, 'nwa-reports', 'junit.xml'))).toBe(true)
  })

  it('refuses the inputs of the other command, and an unknown command, with verdict none and exit 2', async () => {
    const carriedEnv = { NWA_BIN: installed.env['NWA_BIN'] as string }
    const refusals: [Values, string][] = [
      [{ command: 'grade', connector: 'node c.mjs', target: 'https://nwa.example.com:9699' }, 'target, user, config and allow-incomplete are inputs of check'],
      [{ command: 'grade' }, 'grade needs the connector input'],
      [{ connector: 'node c.mjs' }, 'connector and scenario are inputs of grade, not check'],
      [{ command: 'serve' }, "command takes check or grade, not 'serve'"],
    ]
    for (const [inputs, message] of refusals) {
      const run = await runAction(inputs, { actionPath: kit.path, only: ['run'], carriedEnv })
      expect(run.exitCode).toBe(2)
      expect(run.log).toContain(`::error::${message}`)
      expect(run.outputs).toMatchObject({ verdict: 'none', 'exit-code': '2' })
      expect(run.summary).toContain('nothing was checked (exit 2)')
    }
  })

  it('installs another nwa-kit from an npm spec given as version (here a tarball of this kit) and runs it', { timeout: 300_000 }, async () => {
    const out = tempRunner().path
    const packed = await bash('npm pack --silent --pack-destination "$OUT"', { ...process.env, OUT: out }, kit.path)
    expect(packed.code, packed.log).toBe(0)
    const tarball = join(out, packed.log.trim().split('\n').at(-1) ?? '')
    const run = await runAction({ version: tarball, args: '--only\nformats.*\n', 'allow-incomplete': 'true' }, { actionPath: join(kit.path, 'no-such-dir') })
    expect(run.exitCode, run.log).toBe(0)
    expect(run.env['NWA_BIN']).toMatch(/nwa-kit\/node_modules\/\.bin\/nwa$/)
    expect(run.outputs).toMatchObject({ verdict: 'INCOMPLETE', 'exit-code': '0', 'nwa-version': '0.1.0' })
  })
})

function tempRunner(): { path: string; remove(): void } {
  const dir = tempDir('gh-pack')
  runners.push(dir)
  return dir
}

function readdirOrEmpty(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : []
}
