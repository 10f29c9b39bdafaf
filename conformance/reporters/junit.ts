/**
 * JUnit XML for CI test views: first a `verdict` suite whose one testcase carries the verdict banner (a
 * failure unless the run exits 0) with the identity of tool, contract and target as properties and the
 * pre-flight as output; then a testsuite per category, a testcase per check. A MUST failure is a <failure>
 * (baselined or not: the baseline never makes one pass), a thrown check an <error>, a skip <skipped>; a
 * warning passes with the warning in <system-out>, since it does not fail the run unless --fail-on warn.
 */
import { escapeText } from '../../openapi/xml-write.ts'
import type { CheckResult, RunResult } from '../runner.ts'
import { scenarioLines } from '../grade/report-text.ts'
import { byCategory, fileReporter, reportSubject, resultIdentityRows, type Reporter } from './reporter.ts'

// Characters XML 1.0 cannot carry at all, even escaped.
const invalidXmlChars = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g

/** A control character is shown as \uXXXX, so the report says which one a server sent; the codec's writer escapes the rest. */
export function escapeXml(text: string): string {
  return escapeText(text.replace(invalidXmlChars, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`))
}

const seconds = (ms: number) => (ms / 1000).toFixed(3)

function detail(check: CheckResult): string {
  const parts = [check.message, `level: ${check.level}`, `requirements: ${check.requirements.join(', ') || '(none)'}`]
  if (check.evidence.notes.length > 0) parts.push(`notes:\n${check.evidence.notes.join('\n')}`)
  if (check.evidence.curl.length > 0) parts.push(`reproduce:\n${check.evidence.curl.join('\n\n')}`)
  return parts.join('\n\n')
}

function outcome(check: CheckResult): string {
  const message = escapeXml(`${check.baselined ? '(baselined) ' : ''}${check.message}`)
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
    ...(check.decision === undefined ? [] : [`<property name="decision" value="${escapeXml(check.decision)}"/>`]),
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
  return {
    tests: checks.length,
    failures: checks.filter((c) => c.status === 'fail').length,
    errors: checks.filter((c) => c.status === 'error').length,
    skipped: checks.filter((c) => c.status === 'skip').length,
    time: checks.reduce((sum, c) => sum + c.durationMs, 0),
  }
}

const tallyAttributes = (t: Tally) => `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(t.time)}"`

/** The verdict as a testcase, so a CI test view shows it beside the checks and fails with the run. */
function verdictSuite(result: RunResult): { xml: string; tally: Tally } {
  const { verdict, summary } = result
  const properties = [['verdict', verdict.verdict], ['exitCode', String(result.exitCode)], ...resultIdentityRows(result)].map(
    ([name, value]) => `<property name="${escapeXml(name!)}" value="${escapeXml(value!)}"/>`,
  )
  const preflight = [
    ...result.preflight.steps.map((step) => `${step.status} ${step.step}: ${step.message}`),
    ...(result.grade === undefined
      ? []
      : [
          '',
          'scenarios:',
          ...scenarioLines(result.grade),
          ...result.grade.scenarios.flatMap((scenario) =>
            scenario.launches.flatMap((launch) => [`--- ${scenario.name}, run ${launch.launch}, output:`, launch.stdout, launch.stderr].filter(Boolean)),
          ),
        ]),
  ].join('\n')
  const message = escapeXml(`${verdict.verdict}: ${verdict.summary}`)
  // A run that exits 0 passes the case, or skips it when it is an INCOMPLETE accepted with --allow-incomplete.
  const kind = result.exitCode !== 0 ? 'failure' : verdict.verdict === 'CONFORMANT' ? 'pass' : 'skipped'
  const outcomeXml =
    kind === 'failure' ? `<failure message="${message}" type="${verdict.verdict}"/>` : kind === 'skipped' ? `<skipped message="${message}"/>` : ''
  const counts: Tally = { tests: 1, failures: kind === 'failure' ? 1 : 0, errors: 0, skipped: kind === 'skipped' ? 1 : 0, time: 0 }
  const xml = [
    `  <testsuite name="verdict" ${tallyAttributes(counts)} timestamp="${escapeXml(summary.startedAt)}">`,
    `    <properties>${properties.join('')}</properties>`,
    `    <testcase name="${escapeXml(`verdict: ${verdict.verdict}`)}" classname="nwa.verdict" time="0.000">`,
    ...(outcomeXml === '' ? [] : [`      ${outcomeXml}`]),
    `      <system-out>${escapeXml(`pre-flight:\n${preflight}`)}</system-out>`,
    '    </testcase>',
    '  </testsuite>',
  ].join('\n')
  return { xml, tally: counts }
}

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
  const verdict = verdictSuite(result)
  const checks = tally(result.checks)
  const all: Tally = {
    tests: checks.tests + verdict.tally.tests,
    failures: checks.failures + verdict.tally.failures,
    errors: checks.errors,
    skipped: checks.skipped + verdict.tally.skipped,
    time: summary.durationMs,
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(`${reportSubject(result).command} ${reportSubject(result).what}: ${result.verdict.verdict}`)}" ${tallyAttributes(all)}>`,
    verdict.xml,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n')
}

export function createJunitReporter(file: string): Reporter {
  return fileReporter(file, renderJunit)
}
