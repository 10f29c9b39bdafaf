import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../cli/main.ts'
import type { Har } from '../../conformance/recording/har.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { captureOutput } from '../helpers/capture.ts'

/** `nwa record` as a process a user starts and stops with Ctrl-C, and the usage mistakes of record and replay. */
const capture = captureOutput()
const root = fileURLToPath(new URL('../..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'nwa-record-cli-'))
let mock: RunningMock

beforeAll(async () => {
  mock = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo' })
})

afterAll(async () => {
  await mock?.close()
  rmSync(work, { recursive: true, force: true })
})

describe('nwa record', () => {
  it('prints where to point the client, a line per exchange, and on Ctrl-C ends the HAR file and exits 0', async () => {
    const har = join(work, 'cli.har')
    const child = spawn(process.execPath, [join(root, 'bin/nwa.js'), 'record', '--target', mock.url, '--listen', '0', '--out', har], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${output}`)), 30_000)
      const poll = setInterval(() => {
        const found = /point the client at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
        if (found) {
          clearInterval(poll)
          clearTimeout(timer)
          resolve(found)
        }
      }, 20)
    })
    const answer = await fetch(`${url}/netwrix/api/v1/activity_records/enum?count=1`, {
      headers: { Authorization: `Basic ${Buffer.from('ENTERPRISE\\NetwrixUser:NetwrixIsCool').toString('base64')}` },
    })
    expect(answer.status).toBe(200)
    await answer.text()
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    await new Promise((resolve) => setTimeout(resolve, 100))
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(output).toMatch(/200 GET \/netwrix\/api\/v1\/activity_records\/enum\?count=1 ENTERPRISE\\NetwrixUser\n/)
    expect(output).toContain(`nwa record: 1 exchanges in ${har}`)
    const parsed = JSON.parse(readFileSync(har, 'utf8')) as Har
    expect(parsed.log.entries[0]?.request.headers.find((header) => header.name.toLowerCase() === 'authorization')?.value).toBe('Basic [removed]')
  }, 60_000)

  it('a target that is not a URL is a usage error (exit 2)', async () => {
    const output = capture()
    expect(await main(['record', '--target', 'nope', '--listen', '0', '--out', join(work, 'x.har')])).toBe(2)
    expect(output.stderr()).toBe('nwa record: --target nope: not a URL (expected https://host:9699)\n')
  })
})

describe('nwa replay', () => {
  it('a missing file, or one that is not a recording, is a usage error (exit 2)', async () => {
    const output = capture()
    expect(await main(['replay', join(work, 'absent.har'), '--target', mock.url])).toBe(2)
    expect(output.stderr()).toMatch(/^nwa replay: ENOENT/)
    expect(await main(['replay', join(root, 'package.json'), '--target', mock.url])).toBe(2)
    expect(output.stderr()).toMatch(/package\.json is not a HAR file: it has no log\.entries/)
  })
})
