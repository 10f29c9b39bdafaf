/**
 * report.html: one self-contained file (inline CSS and SVG, no scripts, no external assets) to attach to a
 * ticket or a CI run. Every value from the run is escaped: bodies come from the server under test.
 */
import { describeCoverage, type CoverageRow } from '../coverage.ts'
import { checkStatuses, type CheckResult, type RunResult } from '../runner.ts'
import { requirementLevels } from '../../openapi/requirements.ts'
import type { Exchange } from '../types.ts'
import { launchLabel } from '../grade/report-text.ts'
import type { GradeReport } from '../grade/types.ts'
import type { RunSummary } from '../runner.ts'
import {
  baselineLine,
  byCategory,
  failedChecks,
  fileReporter,
  formatDuration,
  reportSubject,
  reportTitle,
  resultIdentityRows,
  type Reporter,
} from './reporter.ts'
import { groupReasons } from '../verdict.ts'
import { escapeHtml } from './markup.ts'
import { categoryRows, renderRunPicture } from './picture.ts'

const css = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;white-space:pre-wrap;word-break:break-all;font-size:12px}
.pass{color:#1a7f37}.fail{color:#cf222e}.warn{color:#9a6700}.skip{color:#6e7781}.error{color:#8250df}
tr.not-covered td{background:#ffebe9;color:#cf222e}tr.untestable td{color:#6e7781}
details{margin:.25rem 0 .75rem}summary{cursor:pointer}.meta{color:#6e7781}
.banner{padding:.75rem 1rem;border-radius:6px;font-size:1.1rem;margin:1rem 0}.banner strong{font-size:1.4rem;margin-right:.75rem}
.picture{margin:1rem 0;overflow-x:auto}.picture svg{max-width:100%;height:auto}
.banner.conformant{background:#dafbe1;color:#1a7f37}.banner.not-conformant{background:#ffebe9;color:#cf222e}.banner.incomplete{background:#fff8c5;color:#9a6700}
`.trim()

function countsTable(result: RunResult): string {
  const header = `<tr><th>status</th>${requirementLevels.map((level) => `<th>${level}</th>`).join('')}<th>total</th></tr>`
  const rows = checkStatuses.map(
    (status) =>
      `<tr><td class="${status}">${status}</td>${requirementLevels
        .map((level) => `<td>${result.summary.byLevel[level][status]}</td>`)
        .join('')}<td>${result.summary.counts[status]}</td></tr>`,
  )
  return `<table>${header}${rows.join('')}</table>`
}

function categoriesTable(result: RunResult): string {
  const rows = categoryRows(result).map(
    (row) => `<tr><td>${escapeHtml(row.label)}</td>${row.segments.map((segment) => `<td class="${segment.key}">${segment.count}</td>`).join('')}</tr>`,
  )
  return `<table><tr><th>category</th>${checkStatuses.map((s) => `<th>${s}</th>`).join('')}</tr>${rows.join('')}</table>`
}

function headersText(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n')
}

function bannerHtml(result: RunResult): string {
  const { verdict } = result
  const css = verdict.verdict.toLowerCase().replace(' ', '-')
  const notRun = groupReasons(verdict.mustNotRun).map(
    (group) => `<li>${group.ids.length} ${escapeHtml(group.reason)}: ${escapeHtml(group.ids.join(', '))}</li>`,
  )
  return `<div class="banner ${css}"><strong>${verdict.verdict}</strong>${escapeHtml(verdict.summary)} · exit ${result.exitCode}</div>${
    notRun.length === 0 ? '' : `<p>MUST checks that did not run:</p><ul>${notRun.join('')}</ul>`
  }`
}

function identityHtml(result: RunResult): string {
  const rows = resultIdentityRows(result).map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
  return `<table>${rows.join('')}</table>`
}

function preflightHtml(result: RunResult): string {
  const rows = result.preflight.steps.map(
    (step) =>
      `<tr><td class="${step.status === 'ok' ? 'pass' : 'skip'}">${step.status}</td><td>${escapeHtml(step.step)}</td><td>${escapeHtml(step.message)}</td></tr>`,
  )
  return `<table><tr><th>status</th><th>step</th><th>finding</th></tr>${rows.join('')}</table>`
}

function failedHtml(result: RunResult): string {
  const failed = failedChecks(result)
  if (failed.length === 0) return '<p>None.</p>'
  const items = failed.map(
    (check) =>
      `<li><a href="#${escapeHtml(check.id)}">${escapeHtml(check.id)}</a> <span class="${check.status}">${check.status}</span> ${check.level}${check.baselined ? ' (baselined)' : ''}: ${escapeHtml(check.message.split('\n')[0] ?? '')}</li>`,
  )
  return `<ul>${items.join('')}</ul>`
}

function exchangeHtml(exchange: Exchange, index: number): string {
  const { request, response } = exchange
  const requestText = [`${request.method} ${request.url}`, headersText(request.headers), ...(request.body === undefined ? [] : ['', request.body])].join('\n')
  const responseText = [`${response.status}`, headersText(response.headers), ...(response.body === '' ? [] : ['', response.body])].join('\n')
  return `<details><summary>#${index + 1} ${escapeHtml(request.method)} ${escapeHtml(request.url)} → ${response.status} <span class="meta">(${formatDuration(exchange.durationMs)})</span></summary><pre>${escapeHtml(requestText)}</pre><pre>${escapeHtml(responseText)}</pre></details>`
}

function checkHtml(check: CheckResult): string {
  const head = `<h3 id="${escapeHtml(check.id)}"><span class="${check.status}">${check.status.toUpperCase()}</span> ${escapeHtml(check.id)}${check.baselined ? ' <span class="meta">(baselined)</span>' : ''}</h3>`
  const decision = check.decision === undefined ? '' : ` · decision ${escapeHtml(check.decision)} (openapi/DECISIONS.md)`
  const applicable = check.applicable ? '' : ' · not applicable to this target'
  const meta = `<p>${escapeHtml(check.title)} <span class="meta">${check.level}${decision} · ${escapeHtml(check.requirements.join(', ') || 'no requirement')} · ${formatDuration(check.durationMs)}${applicable}</span></p>`
  const parts = [head, meta, `<pre>${escapeHtml(check.message)}</pre>`]
  if (check.evidence.notes.length > 0) parts.push(`<h4>Notes</h4><pre>${escapeHtml(check.evidence.notes.join('\n\n'))}</pre>`)
  if (check.evidence.curl.length > 0) parts.push(`<h4>Reproduce</h4>${check.evidence.curl.map((c) => `<pre>${escapeHtml(c)}</pre>`).join('')}`)
  if (check.evidence.exchanges.length > 0) parts.push(`<h4>Exchanges</h4>${check.evidence.exchanges.map(exchangeHtml).join('')}`)
  return `<section>${parts.join('\n')}</section>`
}

function checkListHtml(result: RunResult): string {
  return [...byCategory(result.checks)]
    .map(([category, checks]) => {
      const rows = checks.map(
        (c) =>
          `<tr><td class="${c.status}">${c.status}${c.baselined ? ' (baselined)' : ''}</td><td>${c.status === 'pass' ? '' : `<a href="#${escapeHtml(c.id)}">`}${escapeHtml(c.id)}${c.status === 'pass' ? '' : '</a>'}</td><td>${c.level}</td><td>${escapeHtml(c.title)}</td></tr>`,
      )
      return `<h3>${escapeHtml(category)}</h3><table><tr><th>status</th><th>check</th><th>level</th><th>title</th></tr>${rows.join('')}</table>`
    })
    .join('\n')
}

function coverageHtml(rows: readonly CoverageRow[]): string {
  const body = rows.map(
    (row) =>
      `<tr class="${row.status}"><td>${escapeHtml(row.requirement)}</td><td>${row.level}</td><td>${escapeHtml(row.text)}</td><td>${escapeHtml(describeCoverage(row))}</td></tr>`,
  )
  return `<table><tr><th>requirement</th><th>level</th><th>statement</th><th>checks</th></tr>${body.join('')}</table>`
}

/** What the run was told: a check run's auth and permissions, or a grade's scenarios, role and time scale. */
function optionsText(summary: RunSummary): string {
  const options = summary.options
  if ('kind' in options) return `scenarios ${options.scenarios.join(', ')} · role ${options.role} · time scale ${options.timeScale}`
  return `auth ${options.auth} · write ${options.write ? 'on' : 'off'} · destructive ${options.destructive ? 'on' : 'off'}`
}

/** A grade's scenarios: how each ended, and each run of the connector with what it printed. */
function scenariosHtml(grade: GradeReport): string {
  const rows = grade.scenarios.map(
    (scenario) =>
      `<tr><td>${escapeHtml(scenario.name)}</td><td>${escapeHtml(scenario.summary)}</td><td>${escapeHtml(scenario.endedBy)}${scenario.endNote === undefined ? '' : `: ${escapeHtml(scenario.endNote)}`}</td><td>${formatDuration(scenario.durationMs)}</td><td>${scenario.exchanges}${scenario.dropped > 0 ? ` (+${scenario.dropped} not recorded)` : ''}</td></tr>`,
  )
  const outputs = grade.scenarios.flatMap((scenario) =>
    scenario.launches.map(
      (launch) =>
        `<details><summary>${escapeHtml(scenario.name)}, ${escapeHtml(launchLabel(launch))} <span class="meta">(${formatDuration(launch.durationMs)})</span></summary><pre>${escapeHtml(launch.stdout || '(no output)')}</pre>${launch.stderr === '' ? '' : `<pre>${escapeHtml(launch.stderr)}</pre>`}</details>`,
    ),
  )
  return `<table><tr><th>scenario</th><th>what it does</th><th>ended</th><th>time</th><th>exchanges</th></tr>${rows.join('')}</table>${outputs.join('')}`
}

export function renderHtml(result: RunResult): string {
  const { summary } = result
  const problems = result.checks.filter((c) => c.status === 'fail' || c.status === 'error' || c.status === 'warn')
  const gaps = result.coverage.filter((row) => row.status === 'not-covered').length
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${reportSubject(result).command}: ${result.verdict.verdict}: ${escapeHtml(reportSubject(result).what)}</title><style>${css}</style></head>
<body>
<h1>${escapeHtml(reportTitle(result))}</h1>
${bannerHtml(result)}
<p class="meta">run ${escapeHtml(summary.runMarker)} · ${escapeHtml(summary.startedAt)} → ${escapeHtml(summary.finishedAt)} (${formatDuration(summary.durationMs)}) · ${escapeHtml(optionsText(summary))} · ${summary.baselined} baselined · exit ${result.exitCode}</p>${baselineLine(summary) === undefined ? '' : `\n<p class="warn">${escapeHtml(baselineLine(summary) ?? '')}</p>`}
<figure class="picture">${renderRunPicture(result)}</figure>
${identityHtml(result)}
${result.grade === undefined ? '' : `<h2>Scenarios</h2>\n${scenariosHtml(result.grade)}\n`}<h2>${result.grade === undefined ? 'Pre-flight' : 'Setup'}</h2>
${preflightHtml(result)}
<h2>Failed checks (${failedChecks(result).length})</h2>
${failedHtml(result)}
<h2>Summary</h2>
${countsTable(result)}
<h2>Categories</h2>
${categoriesTable(result)}
<h2>Failures and warnings (${problems.length})</h2>
${problems.length === 0 ? '<p>None.</p>' : problems.map(checkHtml).join('\n')}
<h2>All checks</h2>
${checkListHtml(result)}
<h2>Coverage (${result.coverage.length - gaps} of ${result.coverage.length} covered or explained)</h2>
${coverageHtml(result.coverage)}
</body></html>
`
}

export function createHtmlReporter(file: string): Reporter {
  return fileReporter(file, renderHtml)
}
