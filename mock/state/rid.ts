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
/** The random part as four 32-bit words, most significant first: plain numbers compare and carry without BigInt. */
type Words = [number, number, number, number]
const WORD_MAX = 0xffff_ffff

export const RID_PATTERN = /^[0-9]{17}[0-9A-F]{32}$/

function timestampDigits(epochMs: number): string {
  // toISOString covers years 0000..9999 in the four-digit form the RID needs; beyond that it
  // prints a sign and six digits, which would break the fixed width.
  const iso = new Date(epochMs).toISOString()
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`clock value ${epochMs} is outside the years a RID can hold`)
  return iso.replace(/\D/g, '')
}

function compareWords(a: Words, b: Words): number {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return 0
}

/** The next value, or undefined when the 128-bit part is at its maximum. */
function incrementWords(words: Words): Words | undefined {
  const next: Words = [...words]
  for (let i = 3; i >= 0; i--) {
    if (next[i] !== WORD_MAX) {
      next[i] = (next[i] as number) + 1
      return next
    }
    next[i] = 0
  }
  return undefined
}

function wordsHex(words: Words): string {
  let hex = ''
  for (const word of words) hex += word.toString(16).padStart(8, '0')
  return hex.toUpperCase()
}

export function createRidGenerator(deps: RidDeps): RidGenerator {
  let lastMs = Number.NEGATIVE_INFINITY
  let lastRandom: Words = [0, 0, 0, 0]
  // A write mints a RID per record within one millisecond; the timestamp digits are formatted once per millisecond.
  let digitsMs = Number.NaN
  let digits = ''

  const mint = (nowMs: number, randomPart: Words): string => {
    let ms = nowMs
    let value = randomPart
    if (ms < lastMs || (ms === lastMs && compareWords(value, lastRandom) <= 0)) {
      ms = lastMs
      const next = incrementWords(lastRandom)
      if (next) value = next
      else {
        ms += 1
        value = [0, 0, 0, 0]
      }
    }
    if (ms !== digitsMs) {
      digits = timestampDigits(ms)
      digitsMs = ms
    }
    lastMs = ms
    lastRandom = value
    return digits + wordsHex(value)
  }

  const many = (count: number): string[] => {
    const nowMs = Math.floor(deps.now())
    const bytes = deps.random(RANDOM_BYTES * count)
    if (bytes.length < RANDOM_BYTES * count) {
      throw new RangeError(`random source returned ${bytes.length} bytes, ${RANDOM_BYTES * count} needed`)
    }
    const rids = new Array<string>(count)
    for (let i = 0; i < count; i++) {
      const at = i * RANDOM_BYTES
      rids[i] = mint(nowMs, [bytes.readUInt32BE(at), bytes.readUInt32BE(at + 4), bytes.readUInt32BE(at + 8), bytes.readUInt32BE(at + 12)])
    }
    return rids
  }

  return Object.assign(() => many(1)[0] as string, { many })
}
