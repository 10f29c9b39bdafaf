import { PassThrough } from 'node:stream'
import nock from 'nock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunEvent, RunResult } from '../runner.ts'
import { createConsoleReporter, wantsColor } from './console.ts'
import { sampleRun } from './sample-run.ts'

let run: { result: RunResult; events: RunEvent[] }
beforeAll(async () => {
  nock.disableNetConnect()
  run = await sampleRun()
})
afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
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
    expect(text).toContain('✗ fail  [1/7] formats.json-query')
    expect(text).toContain('✓ pass  [2/7] formats.xml-default')
    expect(text).toContain('! warn  [3/7] errors.body')
    expect(text).toContain('E error [4/7] errors.shape')
    expect(text).toContain('- skip  [5/7] write.basic')
    expect(text).toContain('    needs --write: writes to an audit database are permanent')
    expect(text).toContain('(baselined)')
    expect(text).toMatch(/\n {2}formats {6}1 pass, 1 fail\n/)
    expect(text).toMatch(/\n {2}auth {9}1 fail, 1 skip\n/)
    expect(text).toContain('exit 1')
  })

  it('colours and rewrites the running line only on a terminal, and honours NO_COLOR', async () => {
    const tty = await render(true, {})
    expect(tty).toMatch(ansi)
    expect(tty).toContain('  … formats.json-query\r')
    expect(await render(true, { NO_COLOR: '1' })).not.toMatch(/\x1b\[\d+m/)
    expect(wantsColor({ stream: Object.assign(new PassThrough(), { isTTY: true }), env: { NO_COLOR: '' } })).toBe(true)
  })
})
