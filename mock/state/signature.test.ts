import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lowerSignatureOf, mayContain, signatureOf } from './signature.ts'

describe('trigram signatures', () => {
  it('never refuse a text that contains the needle (property, any text and any part of it)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.nat(), fc.nat(), (text, a, b) => {
        const from = a % (text.length + 1)
        const needle = text.slice(from, from + (b % (text.length - from + 1)))
        const [low, high] = signatureOf(text)
        expect(mayContain(low, high, signatureOf(needle))).toBe(true)
      }),
      { numRuns: 5000, seed: 7 },
    )
  })

  it('refuse most texts that do not contain a long needle', () => {
    const needle = signatureOf('payroll-export')
    const texts = Array.from({ length: 2000 }, (_, i) => `\\\\fs${i % 4}\\share\\finance\\budget ${2020 + (i % 7)}-${i}.xlsx`)
    const passed = texts.filter((text) => {
      const [low, high] = signatureOf(text)
      return mayContain(low, high, needle)
    })
    expect(passed.length).toBeLessThan(texts.length / 20)
  })

  it('give the signature of the lower-cased text, folding ASCII on the way and anything else through toLowerCase', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('AÄBİC', 'İİİ', 'ABCΣDEF')),
        (text) => {
          expect(lowerSignatureOf(text)).toEqual(signatureOf(text.toLowerCase()))
        },
      ),
      { numRuns: 3000, seed: 5 },
    )
  })

  it('let everything through for a needle too short to have a trigram', () => {
    const [low, high] = signatureOf('abcdef')
    expect(mayContain(low, high, signatureOf('xy'))).toBe(true)
    expect(signatureOf('')).toEqual([0, 0])
  })
})
