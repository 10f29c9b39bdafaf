import type { Check } from './types.ts'

/** The check catalogue as a Markdown table, for docs/check.md; a test keeps that copy in step. */
export function renderCatalogue(checks: readonly Check[]): string {
  const escapeCell = (text: string) => text.replace(/\|/g, '\\|')
  const rows = checks.map((check) => {
    const needs = [check.needs?.write ? '--write' : '', check.needs?.destructive ? '--destructive' : ''].filter(Boolean).join(' ')
    return `| \`${check.id}\` | ${check.level} | ${check.decision ?? ''} | ${escapeCell(check.title)} | ${check.requirements.join(', ')} | ${needs} |`
  })
  return ['| id | level | decision | verifies | requirements | needs |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n')
}

export const catalogueMarkers = { start: '<!-- checks:start -->', end: '<!-- checks:end -->' } as const

/** Replaces the block between the markers; used by `npm run catalogue` to refresh docs/check.md. */
export function replaceCatalogue(page: string, table: string): string {
  return replaceMarkedBlock(page, catalogueMarkers, 'check catalogue', table)
}

/** A docs page with the block between two marker comments replaced; the generated tables of the docs use it. */
export function replaceMarkedBlock(page: string, markers: { start: string; end: string }, what: string, block: string): string {
  const start = page.indexOf(markers.start)
  const end = page.indexOf(markers.end)
  if (start < 0 || end < start) throw new Error(`the page has no ${what} markers`)
  return `${page.slice(0, start + markers.start.length)}\n${block}\n${page.slice(end)}`
}

/** The lines between two marker comments of a README, and its table rows split into cells (escaped pipes kept). */
export function readMarkedBlock(readme: string, markers: { start: string; end: string }): { lines: string[]; rows: string[][] } {
  const lines = readme
    .slice(readme.indexOf(markers.start) + markers.start.length, readme.indexOf(markers.end))
    .trim()
    .split('\n')
  return { lines, rows: lines.filter((line) => line.startsWith('| `')).map((line) => line.slice(2, -2).split(/ (?<!\\)\| /)) }
}
