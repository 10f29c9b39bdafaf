import { XMLParser, XMLValidator } from 'fast-xml-parser'
import nock from 'nock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunResult } from '../runner.ts'
import { escapeXml, renderJunit } from './junit.ts'
import { sampleRun } from './sample-run.ts'

let result: RunResult
beforeAll(async () => {
  nock.disableNetConnect()
  result = (await sampleRun()).result
})
afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
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
    expect(suites.map((s) => s['@_name'])).toEqual(['formats', 'errors', 'write', 'auth'])
    for (const suite of suites) {
      expect(Number(suite['@_tests'])).toBe(suite.testcase.length)
      expect(Number(suite['@_failures'])).toBe(suite.testcase.filter((c) => c.failure).length)
      expect(Number(suite['@_errors'])).toBe(suite.testcase.filter((c) => c.error).length)
      expect(Number(suite['@_skipped'])).toBe(suite.testcase.filter((c) => c.skipped).length)
    }
    expect([root['@_tests'], root['@_failures'], root['@_errors'], root['@_skipped']]).toEqual(['7', '1', '1', '3'])
  })

  it('puts level and requirement ids in properties, and the message and curl in the failure', () => {
    const { suites } = parse(renderJunit(result))
    const failed = suites[0]!.testcase[0]!
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

  it('reports a warning as a passing case with the text, and a baselined failure as skipped', () => {
    const cases = parse(renderJunit(result)).suites.flatMap((s) => s.testcase)
    const warned = cases.find((c) => c['@_name'].startsWith('errors.body'))!
    expect(warned.failure).toBeUndefined()
    expect(warned['system-out']).toContain('WARNING (SHOULD): empty 400 body')
    expect(cases.find((c) => c['@_name'].startsWith('auth.legacy'))!.skipped!['@_message']).toBe('baselined fail: known issue')
    expect(cases.find((c) => c['@_name'].startsWith('write.basic'))!.skipped!['@_message']).toMatch(/^needs --write/)
  })

  it('escapes markup and replaces characters XML cannot hold', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0000`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\\u0000')
  })
})
