/**
 * A throwaway PostgreSQL cluster for tests, the bench and `npm run pg`: initdb in a temporary directory, a free
 * port on 127.0.0.1, the socket in that directory, and everything removed after. PostgreSQL refuses to run as
 * root, so as root the cluster runs as the unprivileged `nobody`, owning its temporary directory. The binaries
 * come from Debian's postgresql package (on PATH, or /usr/lib/postgresql/<version>/bin), pg_trgm from
 * postgresql-contrib; when they are missing, `findPostgres` says why instead of failing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import pg from 'pg'

export interface PostgresBinaries {
  bin: string
  version: string
}

/** The PostgreSQL server binaries, or the reason there are none. */
export function findPostgres(): { ok: true; binaries: PostgresBinaries } | { ok: false; reason: string } {
  const candidates = [
    ...(process.env['PATH'] ?? '').split(delimiter),
    ...versionDirs('/usr/lib/postgresql').map((version) => join('/usr/lib/postgresql', version, 'bin')),
  ]
  const onPath = candidates.find((dir) => dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')))
  // Links on PATH lead to the version's own directory, which also holds pg_config.
  const bin = onPath === undefined ? undefined : dirname(realpathSync(join(onPath, 'postgres')))
  if (bin === undefined)
    return { ok: false, reason: 'PostgreSQL is not installed (initdb and postgres not found; apt-get install postgresql postgresql-contrib)' }
  const version = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim()
  const share = execFileSync(join(bin, 'pg_config'), ['--sharedir'], { encoding: 'utf8' }).trim()
  if (!existsSync(join(share, 'extension', 'pg_trgm.control'))) {
    return { ok: false, reason: `${version} has no pg_trgm extension (apt-get install postgresql-contrib)` }
  }
  return { ok: true, binaries: { bin, version } }
}

function versionDirs(root: string): string[] {
  try {
    return readdirSync(root).sort((a, b) => Number(b) - Number(a))
  } catch {
    return []
  }
}

export interface Cluster {
  /** postgres://nwa@127.0.0.1:<port>/<database> */
  url(database?: string): string
  /** Creates a database of this name and answers its URL. */
  createDatabase(name: string): Promise<string>
  version: string
  port: number
  /** Stops the server (SIGKILL when `crash`) and removes the directory. */
  stop(options?: { crash?: boolean }): Promise<void>
}

export interface ClusterOptions {
  /**
   * fsync and synchronous commit on, as a production database runs (the bench). Tests run without: what they prove
   * (a commit before an acknowledgement, a killed mock instance) does not depend on the disk, and two cores are shared.
   */
  durable?: boolean
  log?: (line: string) => void
}

const USER = 'nwa'

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const found = findPostgres()
  if (!found.ok) throw new Error(found.reason)
  const { bin, version } = found.binaries
  // initdb and postgres refuse root; as root they run as nobody, in a directory nobody owns, under /tmp, which nobody
  // can reach (a TMPDIR under /root it could not).
  const asRoot = process.getuid?.() === 0
  const dir = mkdtempSync(join(asRoot ? '/tmp' : tmpdir(), 'nwa-pg-'))
  const data = join(dir, 'data')
  const run = (command: string, args: string[]): [string, string[]] =>
    asRoot ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', command, ...args]] : [command, args]
  let server: ChildProcess | undefined
  const removeAll = () => rmSync(dir, { recursive: true, force: true })
  try {
    if (asRoot) chownSync(dir, uid('nobody'), gid('nogroup'))
    const [initdb, initArgs] = run(join(bin, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'])
    execFileSync(initdb, initArgs, { stdio: 'pipe', cwd: dir })
    const port = await freePort()
    const settings = [
      `listen_addresses=127.0.0.1`,
      `unix_socket_directories=${dir}`,
      `port=${port}`,
      'max_connections=100',
      // A machine with an SSD and memory to spare, as the bench's and a developer's are: without these costs the
      // planner walks a million rows in seq order rather than read the few thousand a trigram index names.
      // Tests hold a few thousand records, and several of their clusters run at once.
      `shared_buffers=${options.durable ? '512MB' : '128MB'}`,
      'effective_cache_size=4GB',
      'random_page_cost=1.1',
      // Fewer checkpoints while a million records load.
      'max_wal_size=4GB',
      ...(options.durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
    ]
    const [postgres, serverArgs] = run(join(bin, 'postgres'), ['-D', data, ...settings.flatMap((setting) => ['-c', setting])])
    server = spawn(postgres, serverArgs, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir })
    const exited = new Promise<void>((resolve) => server?.once('exit', () => resolve()))
    let stderr = ''
    server.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 8192) stderr += chunk.toString('utf8')
    })
    // A test process that dies must not leave a server or its files behind.
    const killOnExit = () => {
      server?.kill('SIGKILL')
      removeAll()
    }
    process.once('exit', killOnExit)
    await waitUntilReady(port, () => (server?.exitCode !== null ? `postgres exited: ${stderr.slice(-2000)}` : undefined))
    const url = (database = 'postgres') => `postgres://${USER}@127.0.0.1:${port}/${database}`
    options.log?.(`${version}: a throwaway cluster at 127.0.0.1:${port} in ${dir}`)
    let stopped = false
    return {
      url,
      version,
      port,
      async createDatabase(name) {
        const client = new pg.Client({ connectionString: url() })
        await client.connect()
        try {
          await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
        } finally {
          await client.end()
        }
        return url(name)
      },
      async stop({ crash = false } = {}) {
        if (stopped) return
        stopped = true
        process.removeListener('exit', killOnExit)
        if (server?.exitCode === null && server.signalCode === null) {
          // SIGINT is PostgreSQL's fast shutdown: it ends the sessions and stops without waiting for clients.
          server.kill(crash ? 'SIGKILL' : 'SIGINT')
          const timer = setTimeout(() => server?.kill('SIGKILL'), 10_000)
          await exited
          clearTimeout(timer)
        }
        removeAll()
      },
    }
  } catch (error) {
    server?.kill('SIGKILL')
    removeAll()
    throw error
  }
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim())
}

function gid(group: string): number {
  return Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2])
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

async function waitUntilReady(port: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const why = failed()
    if (why !== undefined) throw new Error(why)
    const client = new pg.Client({ host: '127.0.0.1', port, user: USER, database: 'postgres' })
    try {
      await client.connect()
      await client.end()
      return
    } catch (error) {
      await client.end().catch(() => undefined)
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections on port ${port} within 30 s: ${String(error)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
