/**
 * A 64-bit trigram signature of a text: each run of three characters sets one of 64 bits. A text contains a
 * needle only if its signature has every bit of the needle's, so a scan can pass over most records with two
 * integer tests instead of a string search. The test never misses a match (no false negatives); it lets through
 * a few texts that share the bits by chance, which the real test then refuses. Needles shorter than three
 * characters set no bit and pass everything.
 */
export type Signature = readonly [low: number, high: number]

const noBits: Signature = [0, 0]

/**
 * The signature of `text.toLowerCase()`. ASCII letters are folded on the way, which saves making the lower-cased
 * copy for the common case; any other character sends the text through toLowerCase first, since lower-casing it
 * alone could differ from lower-casing the whole text (the length of some characters changes).
 */
export function lowerSignatureOf(text: string): Signature {
  return trigrams(text, true) ?? trigrams(text.toLowerCase(), false) ?? noBits
}

export function signatureOf(text: string): Signature {
  return trigrams(text, false) ?? noBits
}

/** The trigram bits of the text, ASCII letters folded when `fold`; undefined when folding meets a non-ASCII character. */
function trigrams(text: string, fold: boolean): Signature | undefined {
  if (text.length < 3) return noBits
  let low = 0
  let high = 0
  let a = 0
  let b = 0
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i)
    if (fold) {
      if (c > 127) return undefined
      if (c >= 65 && c <= 90) c += 32
    }
    if (i >= 2) {
      // A small multiplicative hash of the three code units; its top six bits pick the bit.
      const bit = Math.imul((a * 961 + b * 31 + c) | 0, 0x9e3779b1) >>> 26
      if (bit < 32) low |= 1 << bit
      else high |= 1 << (bit - 32)
    }
    a = b
    b = c
  }
  return [low | 0, high | 0]
}

/** Whether a text whose signature words are these may contain a needle of this signature. */
export function mayContain(low: number, high: number, needle: Signature): boolean {
  return (low & needle[0]) === needle[0] && (high & needle[1]) === needle[1]
}
