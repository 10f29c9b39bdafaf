/** Resident memory after a full collection, when the process was started with --expose-gc. */
export interface MemoryFigure {
  rss: number
  heapUsed: number
  /** The most the process has held so far, loading included: what a machine must have to spare. */
  peakRss: number
  /** False when global.gc was missing: the figures then include garbage not yet collected. */
  collected: boolean
}

export function residentMemory(): MemoryFigure {
  const gc = (globalThis as { gc?: () => void }).gc
  // Twice: the first pass can leave objects whose finalisers only free them on the next.
  gc?.()
  gc?.()
  const usage = process.memoryUsage()
  return { rss: usage.rss, heapUsed: usage.heapUsed, peakRss: process.resourceUsage().maxRSS * 1024, collected: gc !== undefined }
}
