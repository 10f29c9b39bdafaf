// In openapi/ because both the mock (server) and the conformance runner (client) hash NT passwords with it.
/**
 * MD4 (RFC 1320) in plain TypeScript. OpenSSL 3 moved MD4 to the legacy provider, so
 * `crypto.createHash('md4')` throws on stock Node 20/22/24; a synchronous local version keeps
 * the NT hash a pure function instead of an async WASM initialisation.
 */

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n))

const F = (x: number, y: number, z: number): number => (x & y) | (~x & z)
const G = (x: number, y: number, z: number): number => (x & y) | (x & z) | (y & z)
const H = (x: number, y: number, z: number): number => x ^ y ^ z

// Round 2 and 3 word orders and shifts, RFC 1320 section 3.4.
const ROUND2_ORDER = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15]
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15]
const ROUND1_SHIFTS = [3, 7, 11, 19]
const ROUND2_SHIFTS = [3, 5, 9, 13]
const ROUND3_SHIFTS = [3, 9, 11, 15]

function pad(message: Uint8Array): Buffer {
  const bitLength = BigInt(message.length) * 8n
  const padded = Buffer.alloc((((message.length + 8) >> 6) + 1) << 6)
  padded.set(message)
  padded[message.length] = 0x80
  padded.writeBigUInt64LE(bitLength & 0xffffffffffffffffn, padded.length - 8)
  return padded
}

export function md4(message: Uint8Array): Buffer {
  const data = pad(message)
  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
  const x = new Array<number>(16)

  for (let block = 0; block < data.length; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = data.readInt32LE(block + i * 4)
    const word = (i: number): number => x[i] ?? 0
    let [a, b, c, d] = state as [number, number, number, number]

    const step = (f: (p: number, q: number, r: number) => number, k: number, s: number, extra: number): void => {
      const next = rotl((a + f(b, c, d) + word(k) + extra) | 0, s)
      a = d
      d = c
      c = b
      b = next
    }

    for (let i = 0; i < 16; i++) step(F, i, ROUND1_SHIFTS[i % 4] ?? 0, 0)
    for (let i = 0; i < 16; i++) step(G, ROUND2_ORDER[i] ?? 0, ROUND2_SHIFTS[i % 4] ?? 0, 0x5a827999)
    for (let i = 0; i < 16; i++) step(H, ROUND3_ORDER[i] ?? 0, ROUND3_SHIFTS[i % 4] ?? 0, 0x6ed9eba1)

    state[0] = ((state[0] ?? 0) + a) | 0
    state[1] = ((state[1] ?? 0) + b) | 0
    state[2] = ((state[2] ?? 0) + c) | 0
    state[3] = ((state[3] ?? 0) + d) | 0
  }

  const digest = Buffer.alloc(16)
  for (const [i, value] of state.entries()) digest.writeInt32LE(value, i * 4)
  return digest
}
