import { randomBytes } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scenarioByName } from '../../mock/grade/index.ts'
import { tempDir } from '../../test/interop/support.ts'
import { accountFor, type GradeServer, runScenarios, startGradeServer } from './engine.ts'

/**
 * How the grader drives a connector through a scenario, with small connectors as real processes: relaunching one that
 * ended by itself, giving up on one that keeps ending, stopping one at the timeout or as a runaway, and stopping the
 * whole process group.
 */
const clock = { now: Date.now, monotonic: () => performance.now(), random: (n: number) => randomBytes(n) }
const scratch = tempDir('grade-orchestrate')
let server: GradeServer
// The grader's own settings, as a shell that runs nwa grade may hold them: they must not reach the connector.
const graderSettings = { NWA_CONTROL_TOKEN: 'a-control-token-of-the-operator', NWA_STORE: 'postgres://grader@127.0.0.1/db' }
beforeAll(async () => {
  Object.assign(process.env, graderSettings)
  server = await startGradeServer({ tls: false }, clock)
})
afterAll(async () => {
  for (const name of Object.keys(graderSettings)) delete process.env[name]
  await server.close()
  scratch.remove()
})

/** A connector script in the scratch directory, run with node. */
function connector(name: string, source: string): string {
  const file = join(scratch.path, `${name}.mjs`)
  writeFileSync(file, source)
  return `node '${file}'`
}

const steady = scenarioByName('steady')!

describe('running a scenario', () => {
  it('hands the connector the documented environment, and the least account its declared role needs', async () => {
    const command = connector(
      'env',
      "console.log(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('NWA_')))))\n",
    )
    const [outcome] = await runScenarios(server, { command, scenarios: [steady], role: 'reader', timeScale: 0.2, timeoutMs: 20_000 }, clock)
    const env = JSON.parse(outcome?.launches[0]?.stdout ?? '{}') as Record<string, string>
    // The documented five, and none of the grader's own settings (set for this test in beforeAll).
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['NWA_CA_FILE', 'NWA_PASSWORD', 'NWA_STATE_DIR', 'NWA_URL', 'NWA_USER']))
    expect(env).not.toHaveProperty('NWA_CONTROL_TOKEN')
    expect(env).not.toHaveProperty('NWA_STORE')
    expect(env).toMatchObject({ NWA_URL: server.running.url, NWA_USER: 'ENTERPRISE\\GlobalReviewer', NWA_PASSWORD: 'NetwrixIsCool', NWA_CA_FILE: '' })
    expect(existsSync(env['NWA_STATE_DIR'] ?? '')).toBe(true)
    // A connector that ends at once, sending nothing, is started again as a scheduled task would be, then given up on.
    expect(outcome?.endedBy).toBe('launches-spent')
    expect(outcome?.launches.map((launch) => [launch.endedBy, launch.exitCode])).toEqual([
      ['self', 0],
      ['self', 0],
      ['self', 0],
    ])
    expect(accountFor('writer').user).toBe('ENTERPRISE\\Contributor')
    expect(accountFor(undefined).user).toBe('ENTERPRISE\\NetwrixUser')
  })

  it('gives the same state directory to every run of one scenario', async () => {
    const command = connector(
      'count',
      "import { existsSync, readFileSync, writeFileSync } from 'node:fs'\nconst f = process.env.NWA_STATE_DIR + '/runs'\nconst n = existsSync(f) ? Number(readFileSync(f, 'utf8')) + 1 : 1\nwriteFileSync(f, String(n))\nconsole.log('run', n, process.env.NWA_URL, process.env.NWA_USER)\n",
    )
    const [outcome] = await runScenarios(server, { command, scenarios: [steady], timeScale: 0.2, timeoutMs: 20_000 }, clock)
    expect(outcome?.launches.map((launch) => launch.stdout.trim().split(' ').slice(0, 2).join(' '))).toEqual(['run 1', 'run 2', 'run 3'])
    expect(outcome?.launches[0]?.stdout).toContain(`${server.running.url} ENTERPRISE\\NetwrixUser`)
  })

  it('stops a connector at the timeout, with its child processes, and keeps its output', async () => {
    const marker = join(scratch.path, 'child-alive')
    const command = connector(
      'hang',
      `import { spawn } from 'node:child_process'\nspawn('sh', ['-c', 'sleep 30; touch ${marker}'], { stdio: 'ignore' })\nconsole.log('waiting forever')\nsetInterval(() => {}, 1000)\n`,
    )
    const [outcome] = await runScenarios(server, { command, scenarios: [steady], timeScale: 0.2, timeoutMs: 1500 }, clock)
    expect(outcome?.endedBy).toBe('timeout')
    expect(outcome?.endNote).toBe('not done within 2 s')
    expect(outcome?.launches[0]).toMatchObject({ endedBy: 'timeout', signal: 'SIGTERM', stdout: 'waiting forever\n' })
    expect(outcome?.session.events.some((event) => event.kind === 'stop-requested')).toBe(true)
    // The group went with it: the child's sleep never finished to leave its marker.
    expect(existsSync(marker)).toBe(false)
  })

  it('stops a connector that asks for the same page again and again as a runaway', async () => {
    const command = connector(
      'loop',
      [
        `const base = process.env.NWA_URL + '/netwrix/api/v1/activity_records/enum?format=json&count=10'`,
        `const auth = { authorization: 'Basic ' + Buffer.from(process.env.NWA_USER + ':' + process.env.NWA_PASSWORD).toString('base64') }`,
        'const first = await (await fetch(base, { headers: auth })).json()',
        "for (;;) await (await fetch(base, { method: 'POST', headers: auth, body: JSON.stringify(first.ContinuationMark) })).text()",
      ].join('\n'),
    )
    const [outcome] = await runScenarios(server, { command, scenarios: [steady], timeScale: 0.2, timeoutMs: 20_000 }, clock)
    expect(outcome?.endedBy).toBe('runaway')
    expect(outcome?.endNote).toMatch(/answered the same page 5 times in one run/)
  })
})
