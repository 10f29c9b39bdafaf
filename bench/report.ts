/** The benchmark's rows and table: pure, so the phases only measure and the orchestrator only prints. */
import { type Comparison, ratioSpreadText, type Spread, spreadText, type Target, targetMet, targetText, type Unit } from './compare.ts'

export interface Row {
  measure: string
  mock: string
  /** Empty when the measure has no floor. */
  floor: string
  /** mock / floor, with the range of the per-round ratios; empty without a floor. */
  ratio: string
  /** Empty for figures printed for information only. */
  target: string
  /** undefined: informational, or the measure could not run. */
  met?: boolean
  /** A line printed under the table, e.g. why a figure should be read with care. */
  notice?: string
}

function judged(targets: readonly Target[], unit: Unit, figures: { mock: number; ratio?: number }): Pick<Row, 'target' | 'met'> {
  if (targets.length === 0) return { target: '' }
  return {
    target: targets.map((target) => targetText(target, unit)).join('; '),
    met: targets.every((target) => targetMet(target, figures)),
  }
}

/** A measure of the mock alone (no floor does the job): its spread, judged on the median. */
export function mockRow(measure: string, unit: Unit, mock: Spread, targets: readonly Target[] = []): Row {
  return { measure, mock: spreadText(mock, unit), floor: '', ratio: '', ...judged(targets, unit, { mock: mock.median }) }
}

/** The mock (measured) against the floor (reference), same run, same method; targets on the medians and their ratio. */
export function floorRow(measure: string, unit: Unit, comparison: Comparison, targets: readonly Target[] = []): Row {
  return {
    measure,
    mock: spreadText(comparison.measured, unit),
    floor: spreadText(comparison.reference, unit),
    ratio: ratioSpreadText(comparison),
    ...judged(targets, unit, { mock: comparison.measured.median, ratio: comparison.ratio }),
  }
}

/** What a phase that did not finish leaves in the table: a failure, never a figure. */
export function failedRow(measure: string, why: string): Row {
  return { measure, mock: `failed: ${why}`, floor: '', ratio: '', target: 'completes', met: false }
}

/** Every run of a suite must end CONFORMANT: a time over a run that did not is no figure. */
export function verdictRow(measure: string, verdicts: readonly string[]): Row {
  const conformant = verdicts.length > 0 && verdicts.every((verdict) => verdict === 'CONFORMANT')
  return {
    measure,
    mock: conformant ? `CONFORMANT in ${verdicts.length} of ${verdicts.length}` : verdicts.join(', ') || 'no run',
    floor: '',
    ratio: '',
    target: 'CONFORMANT',
    met: conformant,
  }
}

const header = ['measure', 'mock', 'floor', 'mock/floor', 'target', 'met'] as const

export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((row) => [
    row.measure,
    row.mock,
    row.floor || '-',
    row.ratio || '-',
    row.target || '-',
    row.met === undefined ? '-' : row.met ? 'yes' : 'NO',
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => (line[column] as string).length)))
  const line = (values: readonly string[]) => `| ${values.map((value, column) => value.padEnd(widths[column] as number)).join(' | ')} |`
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`
  return [line(header), rule, ...cells.map(line)].join('\n')
}

export function missedLines(rows: readonly Row[]): string[] {
  return rows
    .filter((row) => row.met === false)
    .map((row) => `MISSED: ${row.measure}: mock ${row.mock}${row.floor ? `, floor ${row.floor}, ratio ${row.ratio}` : ''} (target ${row.target})`)
}
