/**
 * JUnit XML for CI test views: a testsuite per category, a testcase per check. A MUST failure is a
 * <failure>, a thrown check an <error>, a skip or a baselined result <skipped>; a warning passes
 * with the warning in <system-out>, since it does not fail the run unless --fail-on warn.
 */
import type { CheckResult, RunResult } from '../runner.ts'
import { byCategory, fileReporter, type Reporter } from './reporter.ts'

// Characters XML 1.0 cannot carry at all, even escaped.
const invalidXmlChars = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g

export function escapeXml(text: string): string {
  return text
    .replace(invalidXmlChars, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

const seconds = (ms: number) => (ms / 1000).toFixed(3)

function detail(check: CheckResult): string {
  const parts = [check.message, `level: ${check.level}`, `requirements: ${check.requirements.join(', ') || '(none)'}`]
  if (check.evidence.notes.length > 0) parts.push(`notes:\n${check.evidence.notes.join('\n')}`)
  if (check.evidence.curl.length > 0) parts.push(`reproduce:\n${check.evidence.curl.join('\n\n')}`)
  return parts.join('\n\n')
}

function outcome(check: CheckResult): string {
  const message = escapeXml(check.message)
  if (check.baselined && check.status !== 'pass') {
    return `<skipped message="${escapeXml(`baselined ${check.status}: ${check.message}`)}">${escapeXml(detail(check))}</skipped>`
  }
  switch (check.status) {
    case 'pass':
      return ''
    case 'fail':
      return `<failure message="${message}" type="${check.level}">${escapeXml(detail(check))}</failure>`
    case 'error':
      return `<error message="${message}" type="error">${escapeXml(detail(check))}</error>`
    case 'skip':
      return `<skipped message="${message}"/>`
    case 'warn':
      return `<system-out>${escapeXml(`WARNING (${check.level}): ${detail(check)}`)}</system-out>`
  }
}

function testcase(check: CheckResult): string {
  const properties = [
    `<property name="level" value="${check.level}"/>`,
    `<property name="status" value="${check.status}"/>`,
    ...check.requirements.map((id) => `<property name="requirement" value="${escapeXml(id)}"/>`),
  ]
  return [
    `    <testcase name="${escapeXml(`${check.id}: ${check.title}`)}" classname="nwa.${escapeXml(check.category)}" time="${seconds(check.durationMs)}">`,
    `      <properties>${properties.join('')}</properties>`,
    ...(outcome(check) === '' ? [] : [`      ${outcome(check)}`]),
    '    </testcase>',
  ].join('\n')
}

interface Tally {
  tests: number
  failures: number
  errors: number
  skipped: number
  time: number
}

function tally(checks: readonly CheckResult[]): Tally {
  const counted = (check: CheckResult) => !check.baselined || check.status === 'pass'
  return {
    tests: checks.length,
    failures: checks.filter((c) => counted(c) && c.status === 'fail').length,
    errors: checks.filter((c) => counted(c) && c.status === 'error').length,
    skipped: checks.filter((c) => c.status === 'skip' || (c.baselined && c.status !== 'pass')).length,
    time: checks.reduce((sum, c) => sum + c.durationMs, 0),
  }
}

const tallyAttributes = (t: Tally) => `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(t.time)}"`

export function renderJunit(result: RunResult): string {
  const { summary } = result
  const suites = [...byCategory(result.checks)].map(([category, checks]) =>
    [
      `  <testsuite name="${escapeXml(category)}" ${tallyAttributes(tally(checks))} timestamp="${escapeXml(summary.startedAt)}">`,
      `    <properties><property name="target" value="${escapeXml(summary.target)}"/><property name="runMarker" value="${escapeXml(summary.runMarker)}"/></properties>`,
      ...checks.map(testcase),
      '  </testsuite>',
    ].join('\n'),
  )
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="nwa check ${escapeXml(summary.target)}" ${tallyAttributes({ ...tally(result.checks), time: summary.durationMs })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n')
}

export function createJunitReporter(file: string): Reporter {
  return fileReporter(file, renderJunit)
}
