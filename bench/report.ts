/** One line of the benchmark table, and the table itself: pure, so the orchestrator only prints. */

export interface Row {
  measure: string
  figure: string
  /** Empty for figures printed for information only. */
  target: string
  /** undefined: informational, or the measure could not run. */
  met?: boolean
  /** A line printed under the table, e.g. why a measure could not run. */
  notice?: string
}

export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((row) => [row.measure, row.figure, row.target || '-', row.met === undefined ? '-' : row.met ? 'yes' : 'NO'])
  const header = ['measure', 'figure', 'target', 'met']
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => (line[column] as string).length)))
  const line = (values: readonly string[]) => `| ${values.map((value, column) => value.padEnd(widths[column] as number)).join(' | ')} |`
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`
  return [line(header), rule, ...cells.map(line)].join('\n')
}

export function missedLines(rows: readonly Row[]): string[] {
  return rows.filter((row) => row.met === false).map((row) => `MISSED: ${row.measure}: ${row.figure} (target ${row.target})`)
}
