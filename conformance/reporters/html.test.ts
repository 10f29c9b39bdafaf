import { describe, expect, it } from 'vitest'
import type { RunResult } from '../runner.ts'
import { renderHtml } from './html.ts'
import { escapeHtml } from './markup.ts'
import { sampleRunForFile } from './sample-run.ts'

let result: RunResult
let html: string
sampleRunForFile((run) => {
  result = run.result
  html = renderHtml(result)
})

describe('HTML reporter', () => {
  it('contains the failure with its message, notes, exchanges and curl, escaped', () => {
    const failed = result.checks.find((c) => c.id === 'formats.json-query')!
    expect(failed.evidence.curl).toHaveLength(1)
    expect(html).toContain(escapeHtml(failed.evidence.curl[0]!))
    expect(html).toContain('expected an ActivityRecordList object')
    expect(html).toContain(escapeHtml('GET http://nwa-report.test:9699/netwrix/api/v1/activity_records/enum?format=json'))
    expect(html).toContain('unexpected &#60;ErrorList&#62; shape')
  })

  it('shows the verdict banner first, then tool, contract, target identity, pre-flight and the failed checks', () => {
    const banner = html.indexOf('<div class="banner not-conformant"><strong>NOT CONFORMANT</strong>')
    expect(banner).toBeGreaterThan(0)
    expect(banner).toBeLessThan(html.indexOf('<h2>Summary</h2>'))
    expect(html).toContain('<tr><th>tool</th><td>nwa-kit 9.8.7</td></tr>')
    expect(html).toContain(`SHA-256 of its bytes ${'ab'.repeat(32)}`)
    expect(html).toContain('<tr><th>server</th><td>Microsoft-HTTPAPI/2.0</td></tr>')
    expect(html).toMatch(/<h2>Pre-flight<\/h2>\n<table>.*account administrator/)
    expect(html).toMatch(/<h2>Failed checks \(3\)<\/h2>\n<ul><li><a href="#formats.json-query">/)
    expect(html).toContain('<title>nwa check: NOT CONFORMANT: http://nwa-report.test:9699/netwrix/api/v1</title>')
  })

  it('is self-contained: no scripts, no external stylesheets, images or links', () => {
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i)
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i)
    expect(html).toContain('<style>')
  })

  it('never lets evidence from the server become markup', () => {
    expect(html).not.toContain('<script>alert')
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;')
  })

  it('shows the counts, the categories and the coverage table with gaps marked', () => {
    expect(html).toMatch(/<tr><td class="fail">fail<\/td><td>2<\/td><td>0<\/td><td>0<\/td><td>2<\/td><\/tr>/)
    expect(html).toMatch(/<tr><td class="warn">warn<\/td><td>0<\/td><td>1<\/td><td>0<\/td><td>1<\/td><\/tr>/)
    for (const category of ['formats', 'errors', 'write', 'auth']) expect(html).toContain(`<td>${category}</td>`)
    expect(html).toMatch(/<tr class="covered"><td>FMT-JSON-QUERY<\/td>/)
    expect(html).toMatch(/<tr class="not-covered"><td>EP-ENUM-GET<\/td>.*not covered/)
    expect(html).toMatch(/<tr class="untestable"><td>TLS-SELF-SIGNED<\/td>.*not testable from outside: /)
  })
})
