/**
 * Figures over repeated runs and the mock set against the floor, pure: the phases measure, these functions
 * decide what the table says. A single run on a shared machine can be off by half, so every figure is a
 * median with the range of the runs beside it, and every target is judged on the median.
 */
import { median } from './stats.ts'

/** One measure repeated: the median of the runs and the lowest and highest run. */
export interface Spread {
  median: number
  min: number
  max: number
  runs: number
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('a spread of no runs')
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length }
}

/** A measure and its reference taken round by round in the same run (the mock and the floor, a deep page and the first). */
export interface Comparison {
  measured: Spread
  reference: Spread
  /** median(measured) / median(reference): what the targets judge. */
  ratio: number
  /** The ratio within each round, whose range shows how far one round's pair can be trusted. */
  roundRatios: Spread
}

export function compareRounds(measured: readonly number[], reference: readonly number[]): Comparison {
  if (measured.length !== reference.length) throw new RangeError(`${measured.length} measured rounds against ${reference.length} reference rounds`)
  const m = spreadOf(measured)
  const r = spreadOf(reference)
  return { measured: m, reference: r, ratio: m.median / r.median, roundRatios: spreadOf(measured.map((value, i) => value / (reference[i] as number))) }
}

/**
 * Who goes first in a round. Alternating cancels what comes from order alone: the first server of a round
 * meets a machine the previous round's load has just left, and the collector of a long-lived client.
 */
export function roundOrder<T>(round: number, first: T, second: T): [T, T] {
  return round % 2 === 0 ? [first, second] : [second, first]
}

/** A bound on the mock's own figure, or on its ratio to the reference. */
export interface Target {
  of: 'mock' | 'ratio'
  bound: 'max' | 'min'
  value: number
}

export function targetMet(target: Target, figures: { mock: number; ratio?: number }): boolean {
  const value = target.of === 'mock' ? figures.mock : figures.ratio
  if (value === undefined) return false
  return target.bound === 'max' ? value <= target.value : value >= target.value
}

/** How a figure is written: the number (grouped digits, fixed decimals) and the unit that follows it. */
export interface Unit {
  format(value: number): string
  suffix: string
}

export function ratioText(value: number): string {
  return `${value.toFixed(2)}×`
}

export function targetText(target: Target, unit: Unit): string {
  const sign = target.bound === 'max' ? '≤' : '≥'
  return target.of === 'ratio' ? `ratio ${sign} ${target.value}` : `${sign} ${unit.format(target.value)} ${unit.suffix}`.trimEnd()
}

/** `2 900 requests/s (2 850–2 960)`; one run is written without a range, since it has none. */
export function spreadText(spread: Spread, unit: Unit): string {
  const figure = `${unit.format(spread.median)} ${unit.suffix}`.trimEnd()
  return spread.runs === 1 ? figure : `${figure} (${unit.format(spread.min)}–${unit.format(spread.max)})`
}

export function ratioSpreadText(comparison: Comparison): string {
  const { min, max, runs } = comparison.roundRatios
  return runs === 1 ? ratioText(comparison.ratio) : `${ratioText(comparison.ratio)} (${min.toFixed(2)}–${max.toFixed(2)})`
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(0)}%`
}

/**
 * A load generator busy for most of a core may be what limits the floor's rate, and a capped floor flatters
 * the mock's ratio: say so under the table rather than let the ratio pass for the servers' own.
 */
export function generatorNotice(generatorCpu: readonly number[], busy = 0.9): string | undefined {
  const busiest = Math.max(...generatorCpu)
  if (generatorCpu.length === 0 || busiest < busy) return undefined
  return `note: autocannon used up to ${percent(busiest)} of a core against the floor: the floor's rate may be the generator's limit, and the small-request ratio then flatters the mock`
}
