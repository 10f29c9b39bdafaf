/**
 * `nwa diff OLD NEW`, pure: what changed between two reports of `nwa check` (or of any command writing the same report,
 * `nwa grade`): checks newly failing and fixed, checks added and removed, level and decision changes, other status
 * changes, the verdict, and a different target identity. A regression (exit 1) is a check that fails or warns now and
 * did not before, unless an unexpired baseline entry excuses it, or a verdict that got worse.
 */
import { escapeMarkdown } from './reporters/markdown.ts'
import type { CheckStatus } from './types.ts'

/** What diff reads of a report: the fields every nwa report has. */
export interface DiffableReport {
  verdict: { verdict: string; exitCode: number; summary: string }
  summary: { target?: string; finishedAt?: string }
  preflight?: { identity?: { server?: string; certificateSha256?: string } }
  subject?: Record<string, unknown>
  checks: DiffableCheck[]
}

export interface DiffableCheck {
  id: string
  title: string
  level: string
  decision?: string
  status: CheckStatus
  message: string
  baselined?: boolean
}

export interface CheckChange {
  id: string
  title: string
  level: string
  from?: CheckStatus
  to?: CheckStatus
  /** The new result's message, first line. */
  message?: string
  baselined?: boolean
}

export interface FieldChange {
  id: string
  from: string
  to: string
}

export interface ReportDiff {
  old: { source: string; verdict: string; exitCode: number }
  new: { source: string; verdict: string; exitCode: number }
  verdictChanged: boolean
  verdictWorse: boolean
  /** Target URL, Server header, certificate, or the judged subject, where they differ. */
  identity: { field: string; from: string; to: string }[]
  newlyFailing: CheckChange[]
  fixed: CheckChange[]
  added: CheckChange[]
  removed: CheckChange[]
  levels: FieldChange[]
  decisions: FieldChange[]
  /** Status changes that are neither a new failure nor a fix (pass to skip, error to pass, fail to warn). */
  otherStatus: CheckChange[]
  regression: boolean
}

const failing: ReadonlySet<CheckStatus> = new Set(['fail', 'warn'])
const verdictRank: Readonly<Record<string, number>> = { CONFORMANT: 0, INCOMPLETE: 1, 'NOT CONFORMANT': 2 }

const firstLine = (text: string): string => (text.split('\n')[0] ?? '').slice(0, 300)

function identityOf(report: DiffableReport): Record<string, string> {
  const identity = report.preflight?.identity ?? {}
  return {
    target: report.summary.target ?? '(none)',
    server: identity.server ?? '(no Server header)',
    certificate: identity.certificateSha256 ?? '(none)',
    ...(report.subject === undefined ? {} : { subject: JSON.stringify(report.subject) }),
  }
}

function change(check: DiffableCheck, from: CheckStatus | undefined, to: CheckStatus | undefined): CheckChange {
  return {
    id: check.id,
    title: check.title,
    level: check.level,
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    message: firstLine(check.message),
    ...(check.baselined ? { baselined: true } : {}),
  }
}

export function diffReports(older: DiffableReport, newer: DiffableReport, sources: { old: string; new: string }): ReportDiff {
  const before = new Map(older.checks.map((check) => [check.id, check]))
  const after = new Map(newer.checks.map((check) => [check.id, check]))
  const diff: ReportDiff = {
    old: { source: sources.old, verdict: older.verdict.verdict, exitCode: older.verdict.exitCode },
    new: { source: sources.new, verdict: newer.verdict.verdict, exitCode: newer.verdict.exitCode },
    verdictChanged: older.verdict.verdict !== newer.verdict.verdict,
    verdictWorse: (verdictRank[newer.verdict.verdict] ?? 0) > (verdictRank[older.verdict.verdict] ?? 0),
    identity: [],
    newlyFailing: [],
    fixed: [],
    added: [],
    removed: [],
    levels: [],
    decisions: [],
    otherStatus: [],
    regression: false,
  }
  const oldIdentity = identityOf(older)
  const newIdentity = identityOf(newer)
  for (const field of new Set([...Object.keys(oldIdentity), ...Object.keys(newIdentity)])) {
    const from = oldIdentity[field] ?? '(none)'
    const to = newIdentity[field] ?? '(none)'
    if (from !== to) diff.identity.push({ field, from, to })
  }
  for (const check of newer.checks) {
    const previous = before.get(check.id)
    if (previous === undefined) {
      diff.added.push(change(check, undefined, check.status))
      if (failing.has(check.status)) diff.newlyFailing.push(change(check, undefined, check.status))
      continue
    }
    if (previous.level !== check.level) diff.levels.push({ id: check.id, from: previous.level, to: check.level })
    if ((previous.decision ?? '') !== (check.decision ?? ''))
      diff.decisions.push({ id: check.id, from: previous.decision ?? '(none)', to: check.decision ?? '(none)' })
    if (previous.status === check.status) continue
    if (failing.has(check.status) && !failing.has(previous.status)) diff.newlyFailing.push(change(check, previous.status, check.status))
    else if (check.status === 'pass' && failing.has(previous.status)) diff.fixed.push(change(check, previous.status, check.status))
    else diff.otherStatus.push(change(check, previous.status, check.status))
  }
  for (const check of older.checks) if (!after.has(check.id)) diff.removed.push(change(check, check.status, undefined))
  diff.regression = diff.verdictWorse || diff.newlyFailing.some((item) => !item.baselined)
  return diff
}

function statusChange(item: CheckChange): string {
  const from = item.from ?? 'new'
  const to = item.to ?? 'removed'
  return `${from} → ${to}`
}

function changeLines(items: readonly CheckChange[]): string[] {
  return items.map(
    (item) =>
      `- \`${item.id}\` ${item.level} ${statusChange(item)}${item.baselined ? ' (baselined)' : ''}${item.message ? `: ${escapeMarkdown(item.message)}` : ''}`,
  )
}

/** For a pull-request comment: the verdicts, then each kind of change with its checks, empty sections left out. */
export function renderDiffMarkdown(diff: ReportDiff): string {
  const out = [
    `## nwa diff: ${diff.regression ? '❌ regression' : '✅ no regression'}`,
    '',
    '| | old | new |',
    '| --- | --- | --- |',
    `| report | ${escapeMarkdown(diff.old.source)} | ${escapeMarkdown(diff.new.source)} |`,
    `| verdict | ${diff.old.verdict} (exit ${diff.old.exitCode}) | ${diff.new.verdict} (exit ${diff.new.exitCode}) |`,
    ...diff.identity.map((field) => `| ${field.field} | ${escapeMarkdown(field.from)} | ${escapeMarkdown(field.to)} |`),
  ]
  if (diff.identity.length > 0) out.push('', `⚠️ The two reports judged different targets (${diff.identity.map((field) => field.field).join(', ')}).`)
  const section = (title: string, lines: string[]) => {
    if (lines.length > 0) out.push('', `### ${title} (${lines.length})`, '', ...lines)
  }
  section('Newly failing', changeLines(diff.newlyFailing))
  section('Fixed', changeLines(diff.fixed))
  section('New checks', changeLines(diff.added))
  section('Removed checks', changeLines(diff.removed))
  section(
    'Level changes',
    diff.levels.map((item) => `- \`${item.id}\` ${item.from} → ${item.to}`),
  )
  section(
    'Decision changes',
    diff.decisions.map((item) => `- \`${item.id}\` ${item.from} → ${item.to}`),
  )
  section('Other status changes', changeLines(diff.otherStatus))
  const nothing = [diff.newlyFailing, diff.fixed, diff.added, diff.removed, diff.levels, diff.decisions, diff.otherStatus].every((list) => list.length === 0)
  if (nothing) out.push('', 'No check changed.')
  return `${out.join('\n')}\n`
}
