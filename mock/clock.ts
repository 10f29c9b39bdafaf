/**
 * The server clock: real time by default; a test or the control endpoint can pin it or shift it, which
 * moves timeframe filters (Today, LastSevenDays) and the RIDs' timestamps together.
 */
export interface MockClock {
  now(): number
  /** Pin the clock at an instant (ms), or shift real time by an offset (ms); `reset()` returns to real time. */
  set(setting: { at: number } | { offsetMs: number }): void
  reset(): void
  describe(): { now: string; mode: 'real' | 'fixed' | 'offset'; offsetMs?: number }
}

export function createClock(source: () => number): MockClock {
  let mode: 'real' | 'fixed' | 'offset' = 'real'
  let value = 0
  const now = () => (mode === 'fixed' ? value : mode === 'offset' ? source() + value : source())
  return {
    now,
    set(setting) {
      if ('at' in setting) {
        mode = 'fixed'
        value = setting.at
      } else {
        mode = 'offset'
        value = setting.offsetMs
      }
    },
    reset() {
      mode = 'real'
      value = 0
    },
    describe() {
      const current = new Date(now()).toISOString()
      return mode === 'offset' ? { now: current, mode, offsetMs: value } : { now: current, mode }
    },
  }
}
