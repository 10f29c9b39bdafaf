/**
 * The picture at the top of report.html: the run's results by category and by level, and how the requirement
 * catalogue is covered, as stacked bars in one inline SVG. Pure text from a RunResult: no script, no external asset,
 * every label escaped, so report.html stays one self-contained file that any browser draws. Each bar segment carries
 * a <title>, which browsers show on hover, and the whole picture a title and description for screen readers.
 */
import { excerpt } from '../../openapi/excerpt.ts'
import { requirementLevels } from '../../openapi/requirements.ts'
import type { CoverageRow, CoverageStatus } from '../coverage.ts'
import { checkStatuses, emptyCounts, type RunResult } from '../runner.ts'
import type { CheckStatus } from '../types.ts'
import { escapeHtml } from './markup.ts'
import { byCategory } from './reporter.ts'

/** One stacked bar: a label and its segments, in drawing order. */
export interface BarRow {
  label: string
  segments: { key: string; count: number }[]
}

export const statusColours: Record<CheckStatus, string> = { pass: '#1a7f37', fail: '#cf222e', warn: '#bf8700', skip: '#8c959f', error: '#8250df' }
export const coverageColours: Record<CoverageStatus, string> = { covered: '#1a7f37', untestable: '#8c959f', 'not-covered': '#cf222e' }
const coverageStatuses: readonly CoverageStatus[] = ['covered', 'untestable', 'not-covered']
const coverageWords: Record<CoverageStatus, string> = { covered: 'covered', untestable: 'not testable from outside', 'not-covered': 'not covered' }

/** The layout, in SVG user units (CSS pixels at 100%). */
const layout = {
  panelWidth: 420,
  gap: 40,
  labelWidth: 110,
  countWidth: 44,
  rowHeight: 20,
  barHeight: 14,
  headingHeight: 24,
  legendHeight: 44,
} as const
const barSpace = layout.panelWidth - layout.labelWidth - layout.countWidth
/** What fits the label column at 12 px. */
const LABEL_CHARACTERS = 14

export function categoryRows(result: RunResult): BarRow[] {
  return [...byCategory(result.checks)].map(([category, checks]) => {
    const counts = emptyCounts()
    for (const check of checks) counts[check.status] += 1
    return { label: category, segments: checkStatuses.map((status) => ({ key: status, count: counts[status] })) }
  })
}

export function levelRows(result: RunResult): BarRow[] {
  return requirementLevels.map((level) => ({
    label: level,
    segments: checkStatuses.map((status) => ({ key: status, count: result.summary.byLevel[level][status] })),
  }))
}

export function coverageRows(coverage: readonly CoverageRow[]): BarRow[] {
  return requirementLevels.map((level) => {
    const ofLevel = coverage.filter((row) => row.level === level)
    return { label: level, segments: coverageStatuses.map((status) => ({ key: status, count: ofLevel.filter((row) => row.status === status).length })) }
  })
}

const total = (row: BarRow) => row.segments.reduce((sum, segment) => sum + segment.count, 0)

/** A number for an attribute: at most one decimal, no trailing zeros. */
const unit = (value: number) => String(Math.round(value * 10) / 10)

interface Panel {
  heading: string
  rows: BarRow[]
  /** How a segment is named in its tooltip: `formats: 3 pass`. */
  word: (key: string) => string
  colour: (key: string) => string
  /** What a row counts, for its tooltip: checks or requirements. */
  noun: string
}

/** A panel's heading and bars, from (x, y); bars share one scale, the longest row filling the bar space. */
function panelSvg(panel: Panel, x: number, y: number): string {
  const longest = Math.max(1, ...panel.rows.map(total))
  const parts = [`<text x="${x}" y="${y + 15}" font-weight="600">${escapeHtml(panel.heading)}</text>`]
  panel.rows.forEach((row, index) => {
    const top = y + layout.headingHeight + index * layout.rowHeight
    const label = escapeHtml(row.label)
    // The label column is narrow; a longer name is cut there and given whole in the tooltips.
    const shown = escapeHtml(excerpt(row.label, LABEL_CHARACTERS))
    parts.push(`<text x="${x + layout.labelWidth - 8}" y="${top + 12}" text-anchor="end">${shown}<title>${label}</title></text>`)
    let left = x + layout.labelWidth
    for (const segment of row.segments) {
      if (segment.count === 0) continue
      const width = (segment.count / longest) * barSpace
      parts.push(
        `<rect x="${unit(left)}" y="${top + 1}" width="${unit(width)}" height="${layout.barHeight}" fill="${panel.colour(segment.key)}"><title>${label}: ${segment.count} ${escapeHtml(panel.word(segment.key))}</title></rect>`,
      )
      left += width
    }
    parts.push(`<text x="${unit(left + 6)}" y="${top + 12}">${total(row)}<title>${label}: ${total(row)} ${panel.noun}</title></text>`)
  })
  return parts.join('')
}

function legendSvg(x: number, y: number, entries: { colour: string; word: string }[]): string {
  let left = x
  return entries
    .map(({ colour, word }) => {
      const item = `<rect x="${left}" y="${y}" width="10" height="10" fill="${colour}"/><text x="${left + 14}" y="${y + 9}">${escapeHtml(word)}</text>`
      left += 24 + word.length * 7
      return item
    })
    .join('')
}

/** The whole picture: results by category on the left, by level and the coverage of requirements on the right. */
export function renderRunPicture(result: RunResult): string {
  const byCategoryPanel: Panel = {
    heading: 'Results by category',
    rows: categoryRows(result),
    word: (key) => key,
    colour: (key) => statusColours[key as CheckStatus],
    noun: 'checks',
  }
  const byLevelPanel: Panel = { ...byCategoryPanel, heading: 'Results by level', rows: levelRows(result) }
  const coveragePanel: Panel = {
    heading: 'Requirements by level',
    rows: coverageRows(result.coverage),
    word: (key) => coverageWords[key as CoverageStatus],
    colour: (key) => coverageColours[key as CoverageStatus],
    noun: 'requirements',
  }
  const panelHeight = (panel: Panel) => layout.headingHeight + panel.rows.length * layout.rowHeight
  const right = layout.panelWidth + layout.gap
  const coverageTop = panelHeight(byLevelPanel) + 12
  const bodyHeight = Math.max(panelHeight(byCategoryPanel), coverageTop + panelHeight(coveragePanel))
  const width = 2 * layout.panelWidth + layout.gap
  const height = bodyHeight + layout.legendHeight
  const counts = result.summary.counts
  const covered = result.coverage.filter((row) => row.status !== 'not-covered').length
  const description = `${result.checks.length} checks: ${checkStatuses.map((status) => `${counts[status]} ${status}`).join(', ')}. ${covered} of ${result.coverage.length} requirements covered or explained.`
  return [
    `<svg role="img" aria-labelledby="run-picture-title run-picture-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif" font-size="12" fill="#1f2328">`,
    `<title id="run-picture-title">${escapeHtml(result.verdict.verdict)}: the run at a glance</title>`,
    `<desc id="run-picture-desc">${escapeHtml(description)}</desc>`,
    panelSvg(byCategoryPanel, 0, 0),
    panelSvg(byLevelPanel, right, 0),
    panelSvg(coveragePanel, right, coverageTop),
    legendSvg(
      0,
      bodyHeight + 8,
      checkStatuses.map((status) => ({ colour: statusColours[status], word: status })),
    ),
    legendSvg(
      right,
      bodyHeight + 8,
      coverageStatuses.map((status) => ({ colour: coverageColours[status], word: coverageWords[status] })),
    ),
    '</svg>',
  ].join('\n')
}
