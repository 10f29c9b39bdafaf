/**
 * Activity Record IDs. The documented RIDs (api/retrieveactivityrecords.md, e.g.
 * 20160215110503420B9451771F5964A9EAC0A5F35307EA155) are 49 characters: a UTC timestamp
 * yyyyMMddHHmmssfff followed by 32 uppercase hex digits, which reads as a creation time plus a GUID.
 *
 * Both parts are fixed-width and uppercase hex sorts like its value in ASCII, so comparing RIDs as
 * strings compares them as numbers. The generator uses that to stay strictly increasing: when the
 * clock stands still or steps back, or the random part repeats, it issues the previous RID plus one.
 */

export interface RidDeps {
  now: () => number
  random: (bytes: number) => Buffer
}

export interface RidGenerator {
  /** One RID. */
  (): string
  /** `count` RIDs in increasing order, from one clock reading and one draw of randomness (a write's batch). */
  many(count: number): string[]
}

const RANDOM_BYTES = 16

export const RID_PATTERN = /^[0-9]{17}[0-9A-F]{32}$/

export function timestampDigits(epochMs: number): string {
  // toISOString covers years 0000..9999 in the four-digit form the RID needs; beyond that it
  // prints a sign and six digits, which would break the fixed width.
  const iso = new Date(epochMs).toISOString()
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`clock value ${epochMs} is outside the years a RID can hold`)
  return iso.replace(/\D/g, '')
}

/** The instant a RID's 17-digit prefix names (epoch ms), or undefined when the text is not a RID. */
export function ridTime(rid: string): number | undefined {
  if (!RID_PATTERN.test(rid)) return undefined
  const part = (from: number, to: number) => Number(rid.slice(from, to))
  const ms = Date.UTC(part(0, 4), part(4, 6) - 1, part(6, 8), part(8, 10), part(10, 12), part(12, 14), part(14, 17))
  // Date.UTC rolls 2026-02-30 over into March; such a prefix names no instant.
  return timestampDigits(ms) === rid.slice(0, 17) ? ms : undefined
}

/** Adds one to the big-endian number in place; false when it was at its maximum (it is then all zeros). */
function incrementInPlace(bytes: Buffer): boolean {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] !== 0xff) {
      bytes[i] = (bytes[i] as number) + 1
      return true
    }
    bytes[i] = 0
  }
  return false
}

export function createRidGenerator(deps: RidDeps): RidGenerator {
  let lastMs = Number.NEGATIVE_INFINITY
  // The random part of the last RID, as bytes: compared and incremented in place, with no BigInt and no
  // per-RID allocation beyond the RID's own text.
  const lastRandom = Buffer.alloc(RANDOM_BYTES)
  // A write mints a RID per record within one millisecond; the timestamp digits are formatted once per millisecond.
  let digitsMs = Number.NaN
  let digits = ''

  /** The RID for the 16 random bytes at `at` in `bytes`. */
  const mint = (nowMs: number, bytes: Buffer, at: number): string => {
    let ms = nowMs
    // Bytes compare as the big-endian number they hold.
    if (ms < lastMs || (ms === lastMs && bytes.compare(lastRandom, 0, RANDOM_BYTES, at, at + RANDOM_BYTES) <= 0)) {
      ms = lastMs
      if (!incrementInPlace(lastRandom)) ms += 1
    } else bytes.copy(lastRandom, 0, at, at + RANDOM_BYTES)
    if (ms !== digitsMs) {
      digits = timestampDigits(ms)
      digitsMs = ms
    }
    lastMs = ms
    return digits + lastRandom.toString('hex').toUpperCase()
  }

  const many = (count: number): string[] => {
    const nowMs = Math.floor(deps.now())
    const bytes = deps.random(RANDOM_BYTES * count)
    if (bytes.length < RANDOM_BYTES * count) {
      throw new RangeError(`random source returned ${bytes.length} bytes, ${RANDOM_BYTES * count} needed`)
    }
    const rids = new Array<string>(count)
    for (let i = 0; i < count; i++) rids[i] = mint(nowMs, bytes, i * RANDOM_BYTES)
    return rids
  }

  return Object.assign(() => many(1)[0] as string, { many })
}
