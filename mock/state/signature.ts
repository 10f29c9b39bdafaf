/**
 * A 64-bit trigram signature of a text: each run of three characters sets one of 64 bits. A text contains a
 * needle only if its signature has every bit of the needle's, so a scan can pass over most records with two
 * integer tests instead of a string search. The test never misses a match (no false negatives); it lets through
 * a few texts that share the bits by chance, which the real test then refuses. Needles shorter than three
 * characters set no bit and pass everything.
 */
export type Signature = readonly [low: number, high: number]

const noBits: Signature = [0, 0]

export function signatureOf(text: string): Signature {
  if (text.length < 3) return noBits
  let low = 0
  let high = 0
  let a = text.charCodeAt(0)
  let b = text.charCodeAt(1)
  for (let i = 2; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // A small multiplicative hash of the three code units; its low six bits pick the bit.
    const bit = Math.imul((a * 961 + b * 31 + c) | 0, 0x9e3779b1) >>> 26
    if (bit < 32) low |= 1 << bit
    else high |= 1 << (bit - 32)
    a = b
    b = c
  }
  return [low | 0, high | 0]
}

/** Whether a text whose signature words are these may contain a needle of this signature. */
export function mayContain(low: number, high: number, needle: Signature): boolean {
  return (low & needle[0]) === needle[0] && (high & needle[1]) === needle[1]
}
