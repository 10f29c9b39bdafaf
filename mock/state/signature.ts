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
  if (text.length < 3) return noBits
  let low = 0
  let high = 0
  let a = foldAscii(text.charCodeAt(0))
  let b = foldAscii(text.charCodeAt(1))
  if (a > 127 || b > 127) return signatureOf(text.toLowerCase())
  for (let i = 2; i < text.length; i++) {
    const c = foldAscii(text.charCodeAt(i))
    if (c > 127) return signatureOf(text.toLowerCase())
    const bit = trigramBit(a, b, c)
    if (bit < 32) low |= 1 << bit
    else high |= 1 << (bit - 32)
    a = b
    b = c
  }
  return [low | 0, high | 0]
}

function foldAscii(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code
}

/** A small multiplicative hash of three code units; its top six bits pick the bit. */
function trigramBit(a: number, b: number, c: number): number {
  return Math.imul((a * 961 + b * 31 + c) | 0, 0x9e3779b1) >>> 26
}

export function signatureOf(text: string): Signature {
  if (text.length < 3) return noBits
  let low = 0
  let high = 0
  let a = text.charCodeAt(0)
  let b = text.charCodeAt(1)
  for (let i = 2; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const bit = trigramBit(a, b, c)
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
