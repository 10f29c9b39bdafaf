import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from './main.ts'

/** What main writes to stdout and stderr while it runs. */
function capture(): { stdout: () => string; stderr: () => string } {
  let out = ''
  let err = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString()
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += chunk.toString()
    return true
  })
  return { stdout: () => out, stderr: () => err }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('nwa', () => {
  it('--version prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    const output = capture()
    expect(await main(['--version'])).toBe(0)
    expect(output.stdout()).toBe(`${version}\n`)
  })

  it('check --target without --user: one line naming the missing administrator account, exit 2, before any request', async () => {
    const output = capture()
    // Nothing listens on port 9 of the loopback: a request would fail differently, so the line proves none was sent.
    expect(await main(['check', '--target', 'https://127.0.0.1:9', '--insecure', '--report-dir', 'reports/never-written'])).toBe(2)
    expect(output.stderr()).toBe(
      'nwa check: no administrator account: give --user and --password (or NWA_PASSWORD), or accounts.administrator in --config; every read check needs it\n',
    )
  })
})
