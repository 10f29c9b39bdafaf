import { describe, expect, it } from 'vitest'
import type { RunResult } from '../runner.ts'
import { escapeMarkdown, renderMarkdown } from './markdown.ts'
import { sampleRunForFile } from './sample-run.ts'

let result: RunResult
sampleRunForFile((run) => {
  result = run.result
})

describe('markdown reporter', () => {
  it('lists each failed, errored, warned and baselined check on one line, and nothing that passed or skipped', () => {
    const md = renderMarkdown(result)
    const listed = md.split('\n').filter((line) => /^- \S+ `[^`]+` (MUST|SHOULD|MAY) (pass|fail|warn|skip|error)\b/.test(line))
    expect(listed.map((line) => /`([^`]+)`/.exec(line)?.[1])).toEqual(['formats.json-query', 'errors.body', 'errors.shape', 'auth.legacy'])
    expect(md).toContain('- ❌ `formats.json-query` MUST fail: body is not JSON: \\<script\\>alert("x")\\</')
    expect(md).toContain('`auth.legacy` MUST fail (baselined): known issue')
    const problems = md.slice(md.indexOf('### Failed and warned checks'), md.indexOf('### Coverage gaps'))
    expect(problems).not.toContain('formats.xml-default')
    expect(problems).not.toContain('write.basic')
  })

  it('opens with the verdict banner, the MUST checks that did not run, the identity table and the pre-flight', () => {
    const md = renderMarkdown(result)
    const lines = md.split('\n')
    expect(lines[2]).toBe(
      '> **❌ NOT CONFORMANT**: 2 of 6 MUST checks failed (1 of them in the baseline): formats.json-query, auth.legacy; 1 SHOULD/MAY check warned or broke (exit 1)',
    )
    expect(md).toContain('- 1 MUST not run, needs --write: writes to an audit database are permanent: write.basic')
    expect(md).toContain('| tool | nwa-kit 9.8.7 |')
    expect(md).toContain(`| contract | openapi/netwrix-auditor-api.yaml, SHA-256 of its bytes ${'ab'.repeat(32)} |`)
    expect(md).toContain('| server | Microsoft-HTTPAPI/2.0 |')
    expect(md).toMatch(/### Pre-flight\n\n- ✅ connection: nwa-report.test:9699 answered over plain HTTP\n/)
  })

  it('has a counts table by level and lists the coverage gaps', () => {
    const md = renderMarkdown(result)
    expect(md).toContain('| ❌ fail | 2 | 0 | 0 | 2 |')
    expect(md).toContain('| ⚠️ warn | 0 | 1 | 0 | 1 |')
    const gaps = result.coverage.filter((row) => row.status === 'not-covered')
    expect(md).toContain(`### Coverage gaps (${gaps.length} of ${result.coverage.length} requirements not covered)`)
    expect(md).toContain('- `EP-ENUM-GET` MUST: ')
    expect(md).not.toContain('- `FMT-JSON-QUERY`')
  })

  it('escapes markdown so a message cannot break the list or table', () => {
    expect(escapeMarkdown('a|b *c* [d](e)\nnext')).toBe('a\\|b \\*c\\* \\[d\\](e) next')
  })
})
