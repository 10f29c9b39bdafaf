import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { captureOutput } from '../test/helpers/capture.ts'
import { main } from './main.ts'

const capture = captureOutput()

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
