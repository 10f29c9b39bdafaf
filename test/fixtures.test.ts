import { XMLValidator } from 'fast-xml-parser'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../openapi/contract.ts'
import { parseJson } from '../openapi/json.ts'
import { createPayloadCodec, describeRejection, type PayloadCodec } from '../openapi/payload.ts'
import { loadExamples, loadInvalid, payloadForKind, readFixture } from './helpers/contract.ts'

let codec: PayloadCodec
beforeAll(async () => {
  codec = createPayloadCodec(await loadContract())
})

describe('documented examples (fixtures/examples)', () => {
  const examples = loadExamples()

  it('covers every kind of body the pages print', () => {
    const kinds = new Set(examples.map((example) => example.kind))
    for (const kind of ['write-input', 'read-output', 'continuation-mark', 'search-parameters', 'error-list']) {
      expect(kinds, kind).toContain(kind)
    }
  })

  for (const example of examples.filter((entry) => entry.validate === 'schema')) {
    it(`[FMT-XML-DEFAULT] ${example.file} is accepted as ${example.kind}`, () => {
      const name = payloadForKind[example.kind]
      expect(name, `no payload schema for kind ${example.kind}`).toBeDefined()
      const result = codec.decode(name!, readFixture(`examples/${example.file}`), example.format)
      expect(result.ok ? 'accepted' : describeRejection(result)).toBe('accepted')
    })
  }

  for (const example of examples.filter((entry) => entry.validate === 'wellformed')) {
    it(`${example.file} (a template: ${example.note ?? 'placeholder values'}) is well-formed`, () => {
      const text = readFixture(`examples/${example.file}`)
      if (example.format === 'json') expect(parseJson(text).ok).toBe(true)
      else expect(XMLValidator.validate(text)).toBe(true)
    })
  }
})

describe('invalid corpus (fixtures/invalid)', () => {
  for (const entry of loadInvalid()) {
    it(`${entry.file} is rejected at the ${entry.stage} stage naming ${entry.expect.join(', ') || 'the fault'}`, () => {
      const name = payloadForKind[entry.kind]
      expect(name).toBeDefined()
      const result = codec.decode(name!, readFixture(`invalid/${entry.file}`), entry.format)
      expect(result.ok, entry.why).toBe(false)
      if (result.ok) return
      expect(result.stage).toBe(entry.stage)
      const message = describeRejection(result).toLowerCase()
      for (const expected of entry.expect) expect(message).toContain(expected.toLowerCase())
    })
  }
})
