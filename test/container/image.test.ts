import { execFile, execFileSync } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { validate } from 'dockerfile-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { copyOfKit, root } from '../ci/kit-copy.ts'
import { exampleBlocks } from '../helpers/doc-examples.ts'
import { httpsCall, probe, tempDir } from '../interop/support.ts'
import { type Instance, startListening } from '../helpers/mock-process.ts'
import { freshDatabase, useCluster, withoutPostgres } from '../postgres/support.ts'
import { readDockerfile } from './dockerfile.ts'
import { ownedBy, type StagedImage, stageImage } from './stage.ts'

/**
 * The container image (docs/container.md). Where a container engine answers, the image is built and run. Where none
 * does (this kind of machine: the docker client, no daemon), the Dockerfile is linted and read, and its last stage is
 * laid out in a folder from the same instructions (stage.ts) and run there as the image runs: its default command
 * under the image's unprivileged user, its HEALTHCHECK, and nwa check and nwa grade from the image's own files.
 */
const dockerfileText = readFileSync(join(root, 'Dockerfile'), 'utf8')
const plan = readDockerfile(dockerfileText)
const image = plan.image
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version

/** The image's user as uid:gid numbers (the Dockerfile names it by number, so no /etc/passwd entry is needed). */
const [uid, gid] = (image.user ?? '0').split(':').map(Number) as [number, number | undefined]
const asRoot = process.getuid?.() === 0
const setpriv = probe('setpriv', ['--version'])
/** As root with setpriv, commands run as the image's user; otherwise as whoever runs the tests, which is said. */
const switchUser = asRoot && setpriv.ok
if (!switchUser)
  console.warn(
    `the staged image runs as the tests' own user, not the image's ${image.user}: ${asRoot ? `setpriv is missing (${setpriv.ok ? '' : setpriv.reason})` : 'the tests do not run as root'}`,
  )

/** Who owns what the image's user writes: that user, or the tests' own when they cannot switch to it. */
const imageOwner: [number, number] = switchUser ? [uid, gid ?? uid] : [process.getuid?.() ?? 0, process.getgid?.() ?? 0]

/** `node ARGS` as the image runs it: as its user, in its working directory, with its environment. */
function imageCommand(args: string[]): [string, string[]] {
  return switchUser ? ['setpriv', [`--reuid=${uid}`, `--regid=${gid ?? uid}`, '--clear-groups', process.execPath, ...args]] : [process.execPath, args]
}

function run(staged: StagedImage, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  const [command, argv] = imageCommand(args)
  return new Promise((resolve) => {
    execFile(
      command,
      argv,
      { cwd: staged.workdir, env: { PATH: process.env['PATH'], HOME: '/tmp', ...image.env, ...env }, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    )
  })
}

/** The image laid out from the build context a clean clone of this checkout gives. */
function stageCleanClone(): StagedImage {
  const kit = copyOfKit('image-context')
  try {
    return stageImage(kit.path, plan, root)
  } finally {
    kit.remove()
  }
}

/** The image's mock command, but on loopback (tests listen on 127.0.0.1 only), a free port, and this test's /data. */
function onLoopback(cmd: readonly string[], dataDir: string): string[] {
  const replaced: Record<string, string> = { '--host': '127.0.0.1', '--port': '0', '--data-dir': dataDir }
  return cmd.map((word, i) => replaced[cmd[i - 1] ?? ''] ?? word)
}

describe('the Dockerfile', () => {
  it('has no problem dockerfile-utils (the linter of VS Code’s Docker support) reports', () => {
    // The Language Server Protocol's severities: 1 error, 2 warning, 3 information, 4 hint.
    const problems = validate(dockerfileText).filter((problem) => (problem.severity ?? 1) <= 3)
    expect(problems.map((problem) => `line ${problem.range.start.line + 1}: ${problem.message}`)).toEqual([])
  })

  it('builds in two stages on a slim Node base the kit supports, installing only the locked production dependencies', () => {
    expect(plan.stages.length).toBeGreaterThanOrEqual(2)
    for (const stage of plan.stages) {
      const major = Number(/^node:(\d+)[.-].*slim$/.exec(stage.base)?.[1])
      expect(major, stage.base).toBeGreaterThanOrEqual(20)
    }
    const deps = plan.stages.find((stage) => stage.name !== undefined && image.copies.some((copy) => copy.from === stage.name))
    expect(deps?.runs.some((command) => /npm ci\b.*--omit=dev/.test(command))).toBe(true)
  })

  it('runs in production mode', () => {
    expect(image.env).toEqual({ NODE_ENV: 'production' })
  })

  it('runs as an unprivileged user who owns the /data volume', () => {
    expect(uid).toBeGreaterThan(0)
    expect(image.volumes).toContain('/data')
    expect(image.runs.some((command) => command.includes(`chown ${image.user}`) && command.includes('/data'))).toBe(true)
  })

  it('starts nwa mock by default on every interface of the container, on 9699, with /data and the control endpoints', () => {
    expect(image.entrypoint).toEqual(['nwa'])
    const cmd = image.cmd ?? []
    expect(cmd[0]).toBe('mock')
    expect(cmd.join(' ')).toContain('--host 0.0.0.0')
    expect(cmd.join(' ')).toContain('--port 9699')
    expect(cmd.join(' ')).toContain('--data-dir /data')
    expect(cmd).toContain('--control')
    expect(image.exposed).toContain('9699')
  })

  it('checks its health with the probe it copies in', () => {
    expect(image.healthcheck?.slice(-2)).toEqual(['node', '/usr/local/bin/health.mjs'])
    expect(image.copies.some((copy) => copy.sources.includes('ci/container/health.mjs') && copy.destination === '/usr/local/bin/')).toBe(true)
  })
})

describe('the image, laid out from the Dockerfile and run without a container engine', () => {
  let staged: StagedImage
  let data: { path: string; remove(): void }
  let mock: Instance
  let port: string
  beforeAll(async () => {
    staged = stageCleanClone()
    data = tempDir('image-data')
    const dataDir = ownedBy(data.path, 'data', ...imageOwner)
    const [command, argv] = imageCommand([join(staged.workdir, 'bin/nwa.js'), ...onLoopback(image.cmd ?? [], dataDir)])
    mock = await startListening(command, argv, { cwd: staged.workdir, env: { PATH: process.env['PATH'], HOME: '/tmp', ...image.env } })
    port = new URL(mock.url).port
  }, 240_000)

  afterAll(async () => {
    await mock?.stop()
    staged?.remove()
    data?.remove()
  })

  it('puts an nwa on PATH that runs the kit in the working directory', async () => {
    expect(readFileSync(join(staged.root, 'usr/local/bin/nwa'), 'utf8')).toContain(`node ${image.workdir}/bin/nwa.js "$@"`)
    const result = await run(staged, [join(staged.workdir, 'bin/nwa.js'), '--version'])
    expect(result.output.trim()).toBe(version)
  })

  it('serves the default command over HTTPS with its own certificate, kept in /data and owned by the image’s user', () => {
    expect(mock.url.startsWith('https://')).toBe(true)
    const files = execFileSync('find', [join(data.path, 'data'), '-type', 'f'], { encoding: 'utf8' })
      .trim()
      .split('\n')
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) expect(statSync(file).uid, file).toBe(switchUser ? uid : process.getuid?.())
  })

  it('is healthy by its HEALTHCHECK while the mock answers', async () => {
    const result = await run(staged, [join(staged.root, 'usr/local/bin/health.mjs')], { NWA_HEALTH_PORT: port })
    expect(result).toEqual({ code: 0, output: '' })
  })

  it('runs nwa check from the image against the mock with every demo account (docs/check.md): CONFORMANT, exit 0', async () => {
    const out = ownedBy(data.path, 'check', ...imageOwner)
    const config = exampleBlocks(readFileSync(join(root, 'docs', 'check.md'), 'utf8')).find((block) => block.kind === 'config')?.text ?? ''
    writeFileSync(join(out, 'nwa-check.yaml'), config)
    const result = await run(
      staged,
      [
        join(staged.workdir, 'bin/nwa.js'),
        'check',
        '--config',
        join(out, 'nwa-check.yaml'),
        '--target',
        mock.url,
        '--insecure',
        '--write',
        '--destructive',
        '--report-dir',
        out,
      ],
      { NWA_PASSWORD: 'NetwrixIsCool' },
    )
    expect(result.output).toContain('VERDICT: CONFORMANT')
    expect(result.code, result.output.slice(-2000)).toBe(0)
  }, 240_000)

  it('runs nwa grade from the image on a sample connector it carries: CONFORMANT, exit 0', async () => {
    const out = ownedBy(data.path, 'grade', ...imageOwner)
    const result = await run(staged, [
      join(staged.workdir, 'bin/nwa.js'),
      'grade',
      '--connector',
      `node ${join(staged.workdir, 'examples/connectors/node/reader.mjs')}`,
      '--scenario',
      'steady',
      '--time-scale',
      '0.5',
      '--report-dir',
      out,
    ])
    expect(result.output).toContain('VERDICT: CONFORMANT')
    expect(result.code, result.output.slice(-2000)).toBe(0)
  }, 240_000)

  it('is unhealthy by its HEALTHCHECK once the mock has stopped, saying why', async () => {
    await mock.stop()
    const result = await run(staged, [join(staged.root, 'usr/local/bin/health.mjs')], { NWA_HEALTH_PORT: port })
    expect(result.code).toBe(1)
    expect(result.output).toMatch(/^unhealthy: https:\/\/127\.0\.0\.1:\d+\/nwa\/health: .*ECONNREFUSED/)
  })
})

const engine = probe('docker', ['info', '--format', '{{.ServerVersion}}'])
if (!engine.ok) console.warn(`skipped: building and running the image with an engine, because docker info fails (${engine.reason})`)

describe.skipIf(!engine.ok)('the image, built and run by the container engine', () => {
  const tag = `nwa-kit-test:${process.pid}`
  afterAll(() => {
    execFileSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' })
  })

  it('builds, answers --version, and turns healthy running its default command', async () => {
    execFileSync('docker', ['build', '--tag', tag, root], { stdio: 'inherit', timeout: 900_000 })
    expect(execFileSync('docker', ['run', '--rm', tag, '--version'], { encoding: 'utf8' }).trim()).toBe(version)
    const id = execFileSync('docker', ['run', '--detach', '--rm', '--health-interval', '2s', tag], { encoding: 'utf8' }).trim()
    try {
      let health = ''
      for (let i = 0; i < 60 && health !== 'healthy'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        health = execFileSync('docker', ['inspect', '--format', '{{.State.Health.Status}}', id], { encoding: 'utf8' }).trim()
      }
      expect(health).toBe('healthy')
    } finally {
      execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' })
    }
  }, 960_000)
})

interface ComposeService {
  image?: string
  build?: { context: string; dockerfile: string }
  command?: string[]
  environment?: Record<string, string>
  depends_on?: Record<string, { condition: string }>
  ports?: string[]
  volumes?: string[]
}
const composeFile = join(root, 'ci', 'container', 'compose.yaml')
// The file shares the mock's settings between its instances with a YAML merge key (<<: *mock).
const compose = parseYaml(readFileSync(composeFile, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }

/** A POST to a mock with its own certificate, as the demo Global administrator. */
function apiRequest(url: string, path: string, body: string): Promise<{ status: number; body: string }> {
  const authorization = `Basic ${Buffer.from('ENTERPRISE\\NetwrixUser:NetwrixIsCool').toString('base64')}`
  return httpsCall(`${url}/netwrix/api/v1/${path}`, { method: 'POST', body, insecure: true, headers: { authorization, 'content-type': 'application/json' } })
}

describe('ci/container/compose.yaml', () => {
  const mocks = Object.entries(compose.services).filter(([, service]) => service.build !== undefined)

  it('builds the image from this Dockerfile for two mock instances on the PostgreSQL service, each with its own /data', () => {
    expect(mocks.map(([name]) => name)).toEqual(['mock-a', 'mock-b'])
    expect(compose.services['postgres']?.image).toMatch(/^postgres:\d+/)
    for (const [, service] of mocks) {
      expect(service.build).toEqual({ context: '../..', dockerfile: 'Dockerfile' })
      expect(service.command).toEqual(image.cmd)
      expect(service.depends_on).toEqual({ postgres: { condition: 'service_healthy' } })
      expect(service.environment?.['NWA_STORE']).toMatch(/^postgres:\/\/[^@]+@postgres:5432\/\w+$/)
      expect(service.environment?.['NWA_CONTROL_TOKEN']).toMatch(/^\$\{NWA_CONTROL_TOKEN:\?/)
      expect(service.ports?.[0]).toMatch(/^\d+:9699$/)
    }
    expect(new Set(mocks.map(([, service]) => service.volumes?.[0]?.split(':')[0])).size).toBe(2)
  })

  describe.skipIf(withoutPostgres)('its mock command, from the staged image, on a throwaway PostgreSQL cluster', () => {
    const cluster = useCluster()
    let staged: StagedImage
    let data: { path: string; remove(): void }
    const instances: Instance[] = []

    beforeAll(async () => {
      staged = stageCleanClone()
      data = tempDir('compose-data')
      const store = await freshDatabase(cluster())
      for (const [name, service] of mocks) {
        const dir = ownedBy(data.path, name, ...imageOwner)
        const [command, argv] = imageCommand([join(staged.workdir, 'bin/nwa.js'), ...onLoopback(service.command ?? [], dir), '--quiet'])
        instances.push(
          await startListening(command, argv, {
            cwd: staged.workdir,
            env: { PATH: process.env['PATH'], HOME: '/tmp', ...image.env, NWA_STORE: store, NWA_CONTROL_TOKEN: 'compose-test-token-0123456789' },
          }),
        )
      }
    }, 240_000)

    afterAll(async () => {
      for (const instance of instances) await instance.stop()
      staged?.remove()
      data?.remove()
    })

    it('one instance finds the records the other wrote', async () => {
      const [a, b] = instances as [Instance, Instance]
      const what = `compose-${process.pid}-${Date.now()}`
      const search = JSON.stringify({ FilterList: { What: what } })
      expect(JSON.parse((await apiRequest(b.url, 'activity_records/search?format=json', search)).body).ActivityRecordList ?? []).toEqual([])
      const record = { Who: 'ENTERPRISE\\compose', ObjectType: 'File', Action: 'Added', What: what, Where: 'fs1', When: '2026-01-02T03:04:05Z' }
      const written = await apiRequest(a.url, 'activity_records?format=json', JSON.stringify([record]))
      expect(written.status, written.body).toBe(200)
      const found = await apiRequest(b.url, 'activity_records/search?format=json', search)
      expect(found.status, found.body).toBe(200)
      expect(JSON.parse(found.body).ActivityRecordList).toMatchObject([{ What: what, Who: 'ENTERPRISE\\compose' }])
    })
  })
})
