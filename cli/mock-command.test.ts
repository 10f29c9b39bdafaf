import { describe, expect, it } from 'vitest'
import { captureOutput } from '../test/helpers/capture.ts'
import { defectCatalogue } from '../mock/defects/index.ts'
import { startMockServer } from '../mock/server.ts'
import type { RequestEntry } from '../mock/request-journal.ts'
import { main } from './main.ts'
import { banner, requestPrinter } from './mock.ts'

const capture = captureOutput()

describe('nwa mock: mistakes stop the start with one line per mistake, naming the option', () => {
  it('a directory file that does not exist', async () => {
    const output = capture()
    expect(await main(['mock', '--port', '0', '--directory', 'nope.yaml'])).toBe(2)
    expect(output.stderr()).toMatch(/^nwa mock: --directory nope\.yaml: cannot load directory nope\.yaml: .*ENOENT.*\n$/)
  })

  it('a seed that does not exist', async () => {
    const output = capture()
    expect(await main(['mock', '--port', '0', '--seed', 'nope.json'])).toBe(2)
    expect(output.stderr()).toMatch(/^nwa mock: --seed nope\.json: cannot load seed nope\.json: .*\n$/)
  })

  it('certificate files that do not exist', async () => {
    const output = capture()
    expect(await main(['mock', '--port', '0', '--cert', 'no-cert.pem', '--key', 'no-key.pem'])).toBe(2)
    expect(output.stderr()).toMatch(/^nwa mock: invalid option --cert no-cert\.pem --key no-key\.pem: ENOENT.*\n$/)
  })

  it('every bad value at once, each on its own line', async () => {
    const output = capture()
    expect(await main(['mock', '--port', 'abc', '--fault-rate', '2', '--max-count', '-3'])).toBe(2)
    expect(output.stderr().split('\n').filter(Boolean)).toEqual([
      'nwa mock: --port abc: must be a whole number from 0 to 65535',
      'nwa mock: --fault-rate: must be a number from 0 to 1 (got 2)',
      'nwa mock: --max-count -3: must be a whole number from 1 to 9007199254740991',
    ])
  })

  it('a seeded defect that does not exist', async () => {
    const output = capture()
    expect(await main(['mock', '--port', '0', '--defect', 'nope'])).toBe(2)
    expect(output.stderr()).toBe("nwa mock: --defect nope: unknown defect 'nope' (nwa selftest --list names them)\n")
  })

  it('a store that is neither memory nor a postgres URL, from the flag or from NWA_STORE', async () => {
    const output = capture()
    expect(await main(['mock', '--port', '0', '--store', 'mysql://root@db/nwa'])).toBe(2)
    expect(output.stderr()).toBe('nwa mock: --store mysql://root@db/nwa: takes memory or a postgres://user@host:port/db URL\n')
    const saved = process.env['NWA_STORE']
    process.env['NWA_STORE'] = 'redis://cache'
    try {
      expect(await main(['mock', '--port', '0'])).toBe(2)
      expect(output.stderr()).toContain('nwa mock: --store redis://cache: takes memory or a postgres://user@host:port/db URL\n')
    } finally {
      if (saved === undefined) delete process.env['NWA_STORE']
      else process.env['NWA_STORE'] = saved
    }
  })

  it('a PostgreSQL store that cannot be reached, its password masked', async () => {
    const output = capture()
    expect(await main(['mock', '--port', '0', '--store', 'postgres://nwa:secret@127.0.0.1:1/nwa'])).toBe(2)
    expect(output.stderr()).toMatch(/^nwa mock: cannot open the store postgres:\/\/nwa:\*\*\*@127\.0\.0\.1:1\/nwa: .*\n$/)
    expect(output.stderr()).not.toContain('secret')
  })

  it('a choice that does not exist, in the same voice', async () => {
    const output = capture()
    expect(await main(['mock', '--log', 'xml'])).toBe(2)
    expect(output.stderr().split('\n')[0]).toBe("nwa mock: option '--log <format>' argument 'xml' is invalid. Allowed choices are pretty, json.")
  })
})

describe('nwa check: a bad number stops it before anything starts', () => {
  it('--max-pages abc', async () => {
    const output = capture()
    expect(await main(['check', '--max-pages', 'abc'])).toBe(2)
    expect(output.stderr().split('\n')[0]).toBe("nwa check: option '--max-pages <n>' argument 'abc' is invalid. It must be a whole number from 1.")
    expect(output.stdout()).not.toContain('embedded reference mock')
  })
})

const entry: RequestEntry = {
  id: 1,
  time: '2026-12-03T10:00:00.123Z',
  method: 'POST',
  path: '/netwrix/api/v1/activity_records/search',
  account: 'ENTERPRISE\\Contributor',
  scheme: 'Basic',
  operation: 'searchActivityRecords',
  status: 401,
  notes: ['ENTERPRISE\\Contributor has no role that may call searchActivityRecords'],
  durationMs: 1.6,
}

describe('the request journal on stdout', () => {
  const sink = () => {
    let text = ''
    const write = (chunk: string) => {
      text += chunk
      return true
    }
    return { stream: { write, isTTY: false } as unknown as NodeJS.WritableStream, text: () => text }
  }

  it('--log json prints one NDJSON line per request', () => {
    const out = sink()
    requestPrinter({ log: 'json' }, out.stream)?.(entry)
    expect(JSON.parse(out.text())).toEqual(entry)
    expect(out.text().endsWith('\n')).toBe(true)
  })

  it('pretty lines (the default) say when, what, who, how long and why, without colour off a TTY', () => {
    const out = sink()
    requestPrinter({ log: 'pretty' }, out.stream)?.(entry)
    expect(out.text()).toBe(
      '10:00:00.123 401 POST /netwrix/api/v1/activity_records/search ENTERPRISE\\Contributor (Basic) searchActivityRecords 2 ms\n    ENTERPRISE\\Contributor has no role that may call searchActivityRecords\n',
    )
  })

  it('--quiet prints nothing', () => {
    expect(requestPrinter({ log: 'pretty', quiet: true }, sink().stream)).toBeUndefined()
  })
})

describe('the start banner', () => {
  it('says which seeded defects are on, and nothing of them when none is', async () => {
    for (const defectsOn of [['count-plus-one'], []]) {
      const running = await startMockServer({ port: 0, tls: false, seed: 'none', defects: defectCatalogue, defectsOn })
      try {
        const line = banner(running, await running.app.state.counts())
          .split('\n')
          .find((text) => text.includes('defects'))
        expect(line, defectsOn.join()).toBe(defectsOn.length ? '  defects     count-plus-one ON: a deliberately broken server, for nwa selftest' : undefined)
      } finally {
        await running.close()
      }
    }
  })

  it('lists the control endpoints only when they are on', async () => {
    for (const control of [true, false]) {
      const running = await startMockServer({ port: 0, tls: false, seed: 'none', control })
      try {
        const text = banner(running, await running.app.state.counts())
        expect(text.includes('GET /nwa/requests'), String(control)).toBe(control)
        expect(text.includes('POST /nwa/faults'), String(control)).toBe(control)
      } finally {
        await running.close()
      }
    }
  })
})

describe('the control token (docs/control.md)', () => {
  it('is made and printed when the mock listens beyond loopback, and named without its value when given', async () => {
    const made = await startMockServer({ host: '0.0.0.0', port: 0, tls: false, seed: 'none', control: true })
    try {
      const text = banner(made, await made.app.state.counts())
      expect(text).toContain('  control endpoints (token required, as Authorization: Bearer <token>):')
      expect(text).toMatch(/ {4}GET \/nwa\/health +status, record counts, clock, faults \(no token needed\)\n/)
      expect(text).toContain(`  control token ${made.controlToken?.value}\n`)
    } finally {
      await made.close()
    }
    const given = await startMockServer({ host: '0.0.0.0', port: 0, tls: false, seed: 'none', control: true, controlToken: 'given-token-for-the-team' })
    try {
      const text = banner(given, await given.app.state.counts())
      expect(text).toContain('  control token given (--control-token or NWA_CONTROL_TOKEN)')
      expect(text).not.toContain('given-token-for-the-team')
    } finally {
      await given.close()
    }
  })

  it('a token too short, or one without --control, stops the start without printing it', async () => {
    const output = capture()
    expect(await main(['mock', '--port', '0', '--control-token', 'short-secret'])).toBe(2)
    expect(output.stderr().split('\n').filter(Boolean)).toEqual([
      'nwa mock: --control-token (or NWA_CONTROL_TOKEN): needs --control, the endpoints it guards',
      'nwa mock: --control-token (or NWA_CONTROL_TOKEN): must be at least 16 characters',
    ])
  })
})
