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

const RANDOM_BYTES = 16
const RANDOM_MAX = (1n << 128n) - 1n

export const RID_PATTERN = /^[0-9]{17}[0-9A-F]{32}$/

function formatRid(epochMs: number, randomPart: bigint): string {
  return timestampDigits(epochMs) + randomPart.toString(16).toUpperCase().padStart(32, '0')
}

function timestampDigits(epochMs: number): string {
  // toISOString covers years 0000..9999 in the four-digit form the RID needs; beyond that it
  // prints a sign and six digits, which would break the fixed width.
  const iso = new Date(epochMs).toISOString()
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`clock value ${epochMs} is outside the years a RID can hold`)
  return iso.replace(/\D/g, '')
}

export function createRidGenerator(deps: RidDeps): () => string {
  let lastMs = Number.NEGATIVE_INFINITY
  let lastRandom = 0n

  return () => {
    const nowMs = Math.floor(deps.now())
    const bytes = deps.random(RANDOM_BYTES)
    if (bytes.length < RANDOM_BYTES) throw new RangeError(`random source returned ${bytes.length} bytes, ${RANDOM_BYTES} needed`)
    const randomPart = BigInt('0x' + bytes.subarray(0, RANDOM_BYTES).toString('hex'))

    let ms = nowMs
    let value = randomPart
    if (ms < lastMs || (ms === lastMs && value <= lastRandom)) {
      ms = lastMs
      value = lastRandom + 1n
      if (value > RANDOM_MAX) {
        ms += 1
        value = 0n
      }
    }
    const rid = formatRid(ms, value)
    lastMs = ms
    lastRandom = value
    return rid
  }
}
