import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { RunEvent, RunResult } from '../runner.ts'
import { createConsoleReporter, wantsColor } from './console.ts'
import { sampleRunForFile } from './sample-run.ts'

let run: { result: RunResult; events: RunEvent[] }
sampleRunForFile((sample) => {
  run = sample
})

async function render(isTTY: boolean, env: Record<string, string | undefined>): Promise<string> {
  const stream = Object.assign(new PassThrough(), { isTTY })
  let text = ''
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const reporter = createConsoleReporter({ stream, env })
  for (const event of run.events) reporter.onEvent(event)
  await reporter.finish(run.result)
  return text
}

const ansi = /\x1b\[/

describe('console reporter', () => {
  it('prints a line per check with its symbol, the message under non-passing ones, and a summary per category', async () => {
    const text = await render(false, {})
    expect(text).not.toMatch(ansi)
    expect(text).toContain('✗ fail  [1/8] formats.json-query')
    expect(text).toContain('✓ pass  [2/8] formats.xml-default')
    expect(text).toContain('✓ pass  [3/8] formats.order  SHOULD D24')
    expect(text).toContain('! warn  [4/8] errors.body')
    expect(text).toContain('E error [5/8] errors.shape')
    expect(text).toContain('- skip  [6/8] write.basic')
    expect(text).toContain('    needs --write: writes to an audit database are permanent')
    expect(text).toContain('(baselined)')
    expect(text).toMatch(/\n {2}formats {6}2 pass, 1 fail\n/)
    expect(text).toMatch(/\n {2}auth {9}1 fail, 1 skip\n/)
    expect(text).toContain('exit 1')
  })

  it('starts with the tool, the contract hash, the target identity and the pre-flight', async () => {
    const text = await render(false, {})
    const head = text.slice(0, text.indexOf('[1/8]'))
    expect(head).toContain('tool        nwa-kit 9.8.7')
    expect(head).toContain('node        v20.0.0')
    expect(head).toContain(`contract    openapi/netwrix-auditor-api.yaml, SHA-256 of its bytes ${'ab'.repeat(32)}`)
    expect(head).toContain('server      Microsoft-HTTPAPI/2.0')
    expect(head).toContain('certificate none (plain HTTP)')
    expect(head).toMatch(/pre-flight\n {2}✓ connection +nwa-report\.test:9699 answered over plain HTTP\n/)
    expect(head).toMatch(/✓ account administrator +ENTERPRISE\\NetwrixUser: GET enum answered 200/)
  })

  it('ends with the verdict banner, the exit code and then the list of failed checks', async () => {
    const lines = (await render(false, {})).trimEnd().split('\n')
    const banner = lines.findIndex((line) => line.startsWith('VERDICT: '))
    expect(lines[banner]).toBe(
      'VERDICT: NOT CONFORMANT  2 of 6 MUST checks failed (1 of them in the baseline): formats.json-query, auth.legacy; 1 SHOULD/MAY check warned or broke',
    )
    expect(lines[banner + 1]).toBe('exit 1')
    const failed = lines.findIndex((line) => line.startsWith('failed checks'))
    expect(failed).toBeGreaterThan(banner)
    expect(lines.slice(failed)).toEqual([
      'failed checks (3):',
      '  ✗ formats.json-query  MUST  body is not JSON: <script>alert("x")</',
      '  E errors.shape  MUST  unexpected <ErrorList> shape',
      '  ✗ auth.legacy  MUST (baselined)  known issue',
    ])
    expect(lines.slice(banner, failed).join('\n')).toContain('MUST checks that did not run (3):')
  })

  it('colours and rewrites the running line only on a terminal, and honours NO_COLOR', async () => {
    const tty = await render(true, {})
    expect(tty).toMatch(ansi)
    expect(tty).toContain('  … formats.json-query\r')
    expect(tty).toMatch(/\x1b\[1m\x1b\[31mVERDICT: NOT CONFORMANT/)
    expect(await render(true, { NO_COLOR: '1' })).not.toMatch(/\x1b\[\d+m/)
    expect(wantsColor({ stream: Object.assign(new PassThrough(), { isTTY: true }), env: { NO_COLOR: '' } })).toBe(true)
  })
})
