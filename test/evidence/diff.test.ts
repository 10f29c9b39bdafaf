import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../cli/main.ts'
import type { ReportDiff } from '../../conformance/diff.ts'
import { defectCatalogue } from '../../mock/defects/index.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { captureOutput } from '../helpers/capture.ts'

/**
 * `nwa diff` of a run against the clean mock and one against the mock with a seeded defect names the checks that
 * catch the defect (docs/selftest.md, the self-test matrix): the second run is read from a bundle, the first from its report dir.
 */
const capture = captureOutput()
const work = mkdtempSync(join(tmpdir(), 'nwa-diff-'))
const defect = 'count-plus-one'
/** The pagination checks that catch count-plus-one (the self-test matrix). */
const catchers = [
  'pagination.default-count',
  'pagination.search-default-count',
  'pagination.count-honoured',
  'pagination.enum-mark-xml',
  'pagination.enum-mark-json',
  'pagination.mark-whitespace',
  'pagination.search-mark-on-enum',
]
let clean: RunningMock
let broken: RunningMock

beforeAll(async () => {
  clean = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo' })
  broken = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo', defects: defectCatalogue, defectsOn: [defect] })
  process.env['NWA_DIFF_TEST_PASSWORD'] = 'NetwrixIsCool'
  const run = (url: string) => [
    'check',
    '--target',
    url,
    '--user',
    'ENTERPRISE\\NetwrixUser',
    '--password',
    'env:NWA_DIFF_TEST_PASSWORD',
    '--only',
    'pagination.*',
  ]
  capture()
  await main([...run(clean.url), '--report-dir', join(work, 'clean')])
  await main([...run(broken.url), '--report-dir', join(work, 'broken'), '--bundle', join(work, 'broken.tar')])
}, 120_000)

afterAll(async () => {
  delete process.env['NWA_DIFF_TEST_PASSWORD']
  await Promise.all([clean?.close(), broken?.close()])
  rmSync(work, { recursive: true, force: true })
})

describe('nwa diff of a clean and a defect run', () => {
  it("names the defect's checks as newly failing, the targets as different, and exits 1", async () => {
    const output = capture()
    expect(await main(['diff', join(work, 'clean'), join(work, 'broken.tar'), '--json', join(work, 'diff.json'), '--markdown', join(work, 'diff.md')])).toBe(1)
    const diff = JSON.parse(readFileSync(join(work, 'diff.json'), 'utf8')) as ReportDiff
    expect(diff.newlyFailing.map((item) => item.id).sort()).toEqual([...catchers].sort())
    expect(diff.fixed).toEqual([])
    expect(diff.identity.map((field) => field.field)).toEqual(['target'])
    expect(diff).toMatchObject({ regression: true, old: { verdict: 'INCOMPLETE' }, new: { verdict: 'NOT CONFORMANT' } })
    expect(output.stdout()).toBe(readFileSync(join(work, 'diff.md'), 'utf8'))
    for (const id of catchers) expect(output.stdout()).toContain(`- \`${id}\``)
  })

  it('the other way round, the same checks are fixed and it exits 0', async () => {
    const output = capture()
    expect(await main(['diff', join(work, 'broken', 'conformance.json'), join(work, 'clean')])).toBe(0)
    expect(output.stdout()).toContain(`### Fixed (${catchers.length})`)
    expect(output.stdout()).toContain('## nwa diff: ✅ no regression')
  })

  it('a file that is no report is exit 2, naming it', async () => {
    const output = capture()
    expect(await main(['diff', join(work, 'clean'), join(work, 'clean', 'summary.md')])).toBe(2)
    expect(output.stderr()).toMatch(/^nwa diff: .*summary\.md is neither a JSON report nor a bundle/)
  })
})
