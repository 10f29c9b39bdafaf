import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunResult } from '../runner.ts'
import { createJsonReporter } from './json.ts'
import { validateReport as validate } from '../../test/helpers/report-schema.ts'
import { sampleRunForFile } from './sample-run.ts'

const dir = mkdtempSync(join(tmpdir(), 'nwa-json-'))
let result: RunResult

sampleRunForFile((run) => {
  result = run.result
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('JSON reporter', () => {
  it('writes conformance.json that validates against report.schema.json', async () => {
    const file = join(dir, 'nested', 'conformance.json')
    const reporter = createJsonReporter(file)
    await reporter.finish(result)
    const report = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    const valid = validate(report)
    expect(validate.errors ?? []).toEqual([])
    expect(valid).toBe(true)
    expect(report['exitCode']).toBe(1)
    expect((report['checks'] as unknown[]).length).toBe(8)
    expect(report['verdict']).toMatchObject({ verdict: 'NOT CONFORMANT', exitCode: 1, mustFailed: ['formats.json-query', 'auth.legacy'] })
    expect(report['meta']).toEqual(result.meta)
    expect(report['preflight']).toMatchObject({ identity: { server: 'Microsoft-HTTPAPI/2.0' }, offeredSchemes: ['basic'] })
  })

  it('has a schema strict enough to refuse a broken report', () => {
    const report = JSON.parse(JSON.stringify({ format: 'nwa-conformance-report', version: 2, ...result })) as {
      checks: { status: string; evidence: { exchanges: unknown[] } }[]
    }
    report.checks[0]!.status = 'passed'
    expect(validate(report)).toBe(false)
    const tooMany = JSON.parse(JSON.stringify({ format: 'nwa-conformance-report', version: 2, ...result })) as typeof report
    tooMany.checks[0]!.evidence.exchanges = Array.from({ length: 21 }, () => tooMany.checks[0]!.evidence.exchanges[0])
    expect(validate(tooMany)).toBe(false)
    const unsure = JSON.parse(JSON.stringify({ format: 'nwa-conformance-report', version: 2, ...result })) as { verdict: { verdict: string } }
    unsure.verdict.verdict = 'PROBABLY FINE'
    expect(validate(unsure)).toBe(false)
  })
})
