import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import type { RunResult } from '../runner.ts'
import { escapeXml, renderJunit } from './junit.ts'
import { sampleRunForFile } from './sample-run.ts'

let result: RunResult
sampleRunForFile((run) => {
  result = run.result
})

interface Case {
  '@_name': string
  failure?: { '@_message': string; '#text': string }
  error?: { '@_message': string }
  skipped?: { '@_message': string }
  'system-out'?: string
  properties: { property: { '@_name': string; '@_value': string }[] }
}
interface Suite {
  '@_name': string
  properties?: { property: { '@_name': string; '@_value': string }[] }
  '@_tests': string
  '@_failures': string
  '@_errors': string
  '@_skipped': string
  testcase: Case[]
}

function parse(xml: string): { suites: Suite[]; root: Record<string, string> } {
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) })
  const doc = parser.parse(xml) as { testsuites: Record<string, string> & { testsuite: Suite[] } }
  return { suites: doc.testsuites.testsuite, root: doc.testsuites }
}

describe('JUnit reporter', () => {
  it('produces XML that XMLValidator accepts, even with hostile evidence', () => {
    expect(XMLValidator.validate(renderJunit(result))).toBe(true)
  })

  it('has a suite per category and counts that match the cases', () => {
    const { suites, root } = parse(renderJunit(result))
    expect(suites.map((s) => s['@_name'])).toEqual(['verdict', 'formats', 'errors', 'write', 'auth'])
    for (const suite of suites) {
      expect(Number(suite['@_tests'])).toBe(suite.testcase.length)
      expect(Number(suite['@_failures'])).toBe(suite.testcase.filter((c) => c.failure).length)
      expect(Number(suite['@_errors'])).toBe(suite.testcase.filter((c) => c.error).length)
      expect(Number(suite['@_skipped'])).toBe(suite.testcase.filter((c) => c.skipped).length)
    }
    expect([root['@_tests'], root['@_failures'], root['@_errors'], root['@_skipped']]).toEqual(['9', '3', '1', '2'])
  })

  it('puts level and requirement ids in properties, and the message and curl in the failure', () => {
    const { suites } = parse(renderJunit(result))
    const failed = suites[1]!.testcase[0]!
    expect(failed.properties.property.map((p) => [p['@_name'], p['@_value']])).toEqual([
      ['level', 'MUST'],
      ['status', 'fail'],
      ['requirement', 'FMT-JSON-QUERY'],
      ['requirement', 'FMT-CONTENT-TYPE'],
    ])
    expect(failed.failure!['@_message']).toBe('body is not JSON: <script>alert("x")</')
    expect(failed.failure!['#text']).toContain(`curl -i --insecure -u 'ENTERPRISE\\NetwrixUser':"$NWA_PASSWORD"`)
    expect(failed.failure!['#text']).toContain('expected an ActivityRecordList object')
  })

  it('reports a warning as a passing case with the text, and a baselined MUST failure still as a failure', () => {
    const cases = parse(renderJunit(result)).suites.flatMap((s) => s.testcase)
    const warned = cases.find((c) => c['@_name'].startsWith('errors.body'))!
    expect(warned.failure).toBeUndefined()
    expect(warned['system-out']).toContain('WARNING (SHOULD): empty 400 body')
    expect(cases.find((c) => c['@_name'].startsWith('auth.legacy'))!.failure!['@_message']).toBe('(baselined) known issue')
    const ordered = cases.find((c) => c['@_name'].startsWith('formats.order'))!
    expect(ordered.properties.property.find((p) => p['@_name'] === 'decision')?.['@_value']).toBe('D24')
    expect(cases.find((c) => c['@_name'].startsWith('write.basic'))!.skipped!['@_message']).toMatch(/^needs --write/)
  })

  it('opens with a verdict suite: the banner as a failing case, identity as properties, the pre-flight as output', () => {
    const xml = renderJunit(result)
    const { suites, root } = parse(xml)
    expect(root['@_name']).toBe('nwa check http://nwa-report.test:9699/netwrix/api/v1: NOT CONFORMANT')
    const verdict = suites[0]!.testcase[0]!
    expect(verdict['@_name']).toBe('verdict: NOT CONFORMANT')
    expect(verdict.failure!['@_message']).toMatch(/^NOT CONFORMANT: 2 of 6 MUST checks failed/)
    const properties = Object.fromEntries(suites[0]!.properties!.property.map((p) => [p['@_name'], p['@_value']]))
    expect(properties).toMatchObject({ verdict: 'NOT CONFORMANT', exitCode: '1', tool: 'nwa-kit 9.8.7', node: 'v20.0.0', server: 'Microsoft-HTTPAPI/2.0' })
    expect(properties['contract']).toContain('ab'.repeat(32))
    expect(verdict['system-out']).toContain('ok account administrator: ENTERPRISE\\NetwrixUser: GET enum answered 200')
  })

  it('escapes markup and replaces characters XML cannot hold', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0000`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\\u0000')
  })
})
