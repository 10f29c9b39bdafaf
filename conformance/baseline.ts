/**
 * Known failures (`--baseline FILE`), pure: each entry names a check, why its failure is accepted, and optionally the
 * last day it is accepted. An expired entry no longer excuses its check; an entry that excused nothing is reported as
 * unused, so a known failure cannot hide for ever (docs/evidence.md, "Baselines").
 *
 * Two forms are read. The first, kept for files written before reasons existed, is one check id per line with `#`
 * comments. The second is a YAML list of `{ check, reason, expires }`, which `--baseline-update` writes; a file is in
 * the second form exactly when it parses as a YAML list, which a file of bare ids never does.
 */
import { parse, stringify } from 'yaml'
import { codes } from './errors.ts'
import type { CheckStatus } from './types.ts'

export interface BaselineEntry {
  check: string
  reason: string
  /** YYYY-MM-DD: the last UTC day the entry excuses its check. */
  expires?: string
}

/** What a check's result carries of the entry that names it. */
export interface BaselineMark {
  reason: string
  expires?: string
  /** Past its expiry: reported, but the check is not excused. */
  expired: boolean
}

export interface UnusedEntry {
  check: string
  /** Why it excused nothing: the check passed, did not run, or does not exist. */
  why: string
}

/** The baseline's findings for the summary of a run. */
export interface BaselineSummary {
  entries: number
  expired: string[]
  unused: UnusedEntry[]
}

/** Written for an entry of the first form, which had no place for one. */
export const noReason = '(no reason given: a line of a baseline file without reasons)'

const entryKeys = ['check', 'reason', 'expires']

function isRealDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const date = new Date(`${text}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text)
}

function listEntry(item: unknown, index: number, source: string): BaselineEntry {
  const where = `entry ${index + 1}`
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw codes.CONF_ERR_BASELINE.create(source, `${where} must be a mapping with check, reason and optionally expires`)
  }
  const fields = item as Record<string, unknown>
  const unknown = Object.keys(fields).find((key) => !entryKeys.includes(key))
  if (unknown !== undefined) throw codes.CONF_ERR_BASELINE.create(source, `${where}: unknown key "${unknown}" (allowed: ${entryKeys.join(', ')})`)
  const { check, reason, expires } = fields
  if (typeof check !== 'string' || check.trim() === '') throw codes.CONF_ERR_BASELINE.create(source, `${where}: check must be a check id`)
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw codes.CONF_ERR_BASELINE.create(source, `${where} (${check}): reason must say why the failure is accepted`)
  }
  const entry: BaselineEntry = { check: check.trim(), reason: reason.trim() }
  if (expires !== undefined && expires !== null) {
    const text = expires instanceof Date ? expires.toISOString().slice(0, 10) : String(expires)
    if (!isRealDate(text)) throw codes.CONF_ERR_BASELINE.create(source, `${where} (${check}): expires ${text} is not a date YYYY-MM-DD`)
    entry.expires = text
  }
  return entry
}

/** Either form; a check named twice is a mistake, since its two entries could disagree. */
export function parseBaseline(text: string, source: string): BaselineEntry[] {
  let document: unknown
  try {
    document = parse(text)
  } catch {
    document = undefined
  }
  const entries = Array.isArray(document)
    ? document.map((item, index) => listEntry(item, index, source))
    : text
        .split(/\r?\n/)
        .map((line) => line.replace(/#.*$/, '').trim())
        .filter((line) => line !== '')
        .map((check) => ({ check, reason: noReason }))
  const seen = new Set<string>()
  for (const entry of entries) {
    if (seen.has(entry.check)) throw codes.CONF_ERR_BASELINE.create(source, `${entry.check} is named twice`)
    seen.add(entry.check)
  }
  return entries
}

/** YYYY-MM-DD of an instant, in UTC. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** Each named check's mark at `now`: an entry expires at the end of its `expires` day, UTC. */
export function markBaseline(entries: readonly BaselineEntry[], now: number): Map<string, BaselineMark> {
  const today = utcDay(now)
  return new Map(
    entries.map((entry) => [
      entry.check,
      {
        reason: entry.reason,
        ...(entry.expires === undefined ? {} : { expires: entry.expires }),
        expired: entry.expires !== undefined && entry.expires < today,
      },
    ]),
  )
}

/** What a baseline entry can excuse: a failure or a warning. */
const excusable: ReadonlySet<CheckStatus> = new Set(['fail', 'warn'])

/** Expired entries, and entries that excused nothing in these results. */
export function summarizeBaseline(
  entries: readonly BaselineEntry[],
  marks: ReadonlyMap<string, BaselineMark>,
  results: readonly { id: string; status: CheckStatus }[],
  known: (id: string) => boolean,
): BaselineSummary {
  const byId = new Map(results.map((result) => [result.id, result.status]))
  const expired = entries.filter((entry) => marks.get(entry.check)?.expired).map((entry) => entry.check)
  const unused: UnusedEntry[] = []
  for (const entry of entries) {
    const status = byId.get(entry.check)
    if (status !== undefined && excusable.has(status)) continue
    const why = !known(entry.check) ? 'not a check' : status === undefined ? 'not selected' : status === 'pass' ? 'passed' : `did not run (${status})`
    unused.push({ check: entry.check, why })
  }
  return { entries: entries.length, expired, unused }
}

/**
 * The baseline `--baseline-update` writes: the checks that fail or warn now, each keeping its existing entry (reason and
 * expiry, even an expired one: renewing is a decision for a person), a new one saying when it was accepted.
 */
export function updateBaseline(
  entries: readonly BaselineEntry[],
  results: readonly { id: string; status: CheckStatus; message: string }[],
  now: number,
): BaselineEntry[] {
  const existing = new Map(entries.map((entry) => [entry.check, entry]))
  return results
    .filter((result) => excusable.has(result.status))
    .map((result) => {
      const kept = existing.get(result.id)
      if (kept !== undefined && kept.reason !== noReason) return kept
      const first = (result.message.split('\n')[0] ?? '').slice(0, 160)
      return { ...kept, check: result.id, reason: `accepted by --baseline-update on ${utcDay(now)}: ${first}` }
    })
}

export function renderBaseline(entries: readonly BaselineEntry[]): string {
  const header = [
    '# nwa check --baseline: known failures. Each entry needs a reason; `expires: YYYY-MM-DD` is the last day it excuses its check.',
    '# Written by --baseline-update; edit the reasons and expiry dates by hand.',
  ].join('\n')
  return `${header}\n${entries.length === 0 ? '[]\n' : stringify(entries.map((entry) => ({ ...entry })))}`
}
