/** Small pure helpers for turning samples into the figures the table prints. */
import type { Unit } from './compare.ts'

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples')
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** 12 345: digits grouped with plain spaces, as the targets are written. */
export function grouped(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ')
}

export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`
}

export function megabytes(bytes: number): string {
  return `${grouped(bytes / (1024 * 1024))} MB`
}

/** Cumulative CPU time counters of the first line of /proc/stat (USER_HZ ticks). */
export interface CpuTimes {
  steal: number
  total: number
}

/** Reads the text of /proc/stat; undefined when it is not Linux's (the fields differ or are missing). */
export function parseCpuTimes(procStat: string): CpuTimes | undefined {
  const fields = /^cpu\s+(.*)$/m.exec(procStat)?.[1]?.trim().split(/\s+/).map(Number)
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already in user.
  if (!fields || fields.length < 8 || fields.some(Number.isNaN)) return undefined
  const counted = fields.slice(0, 8)
  return { steal: counted[7] as number, total: counted.reduce((sum, value) => sum + value, 0) }
}

/**
 * The share of CPU time the hypervisor gave to other guests between two readings: on a shared virtual
 * machine this, more than the load average, says how far the wall-clock figures sit below the machine's own.
 */
export function stealShare(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total
  return total > 0 ? (after.steal - before.steal) / total : 0
}

/** The units of the table: a figure's number as the targets write it, and what follows it. */
export const units = {
  perSecond: (what: string): Unit => ({ format: grouped, suffix: `${what}/s` }),
  ms: { format: (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1)), suffix: 'ms' } satisfies Unit,
  /** Values in milliseconds, written in seconds. */
  seconds: { format: (value: number) => (value / 1000).toFixed(1), suffix: 's' } satisfies Unit,
  /** Values in bytes, written in MiB as `megabytes` does. */
  megabytes: { format: (bytes: number) => grouped(bytes / (1024 * 1024)), suffix: 'MB' } satisfies Unit,
  plain: { format: (value: number) => value.toFixed(2), suffix: '' } satisfies Unit,
}
