import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadExamples, payloadForKind, readFixture } from '../test/helpers/contract.ts'
import { type Contract, loadContract, type PayloadName } from './contract.ts'
import { createPayloadCodec, type PayloadCodec } from './payload.ts'
import { encodeGeneralXml } from './xml.ts'
import { encodePlainXml, escapeText } from './xml-write.ts'

let contract: Contract
let codec: PayloadCodec
beforeAll(async () => {
  contract = await loadContract()
  codec = createPayloadCodec(contract)
})

const declaration = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>'
const plain = (name: PayloadName, value: unknown) => encodePlainXml(contract.schema(name), contract.schema(name).xml?.name ?? '', declaration, value)
const general = (name: PayloadName, value: unknown) => encodeGeneralXml(contract.schema(name), value)

/** Text of every kind: the five escaped characters, characters XML forbids, astral and empty. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', '&<>"\'', 'a&amp;b', ']]>', '\u0001\uffff\ud800'),
)
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined })

const outputRecord = fc
  .record({
    Action: text,
    MonitoringPlan: optional(fc.record({ ID: optional(text), Name: text }, { requiredKeys: ['Name'] })),
    DataSource: optional(text),
    Item: optional(fc.record({ Name: text })),
    ObjectType: text,
    RID: optional(text),
    What: text,
    When: fc.constant('2017-02-10T14:46:00Z'),
    Where: text,
    Who: text,
    Workstation: optional(text),
    IsArchiveOnly: optional(fc.boolean()),
    DetailList: optional(fc.array(fc.record({ Before: optional(text), After: optional(text), PropertyName: text, Message: optional(text) }), { maxLength: 3 })),
  })
  // Keys in shuffled order: the writers follow the schema, not the value.
  .chain((record) => fc.shuffledSubarray(Object.entries(record), { minLength: Object.keys(record).length }).map((entries) => Object.fromEntries(entries)))

describe('XML plain writer', () => {
  it('writes every documented output, error and mark byte for byte as the builder does', () => {
    let compared = 0
    for (const example of loadExamples()) {
      const payload = payloadForKind[example.kind]
      if (!payload || example.validate !== 'schema') continue
      const decoded = codec.decode(payload, readFixture(`examples/${example.file}`), example.format)
      if (!decoded.ok) continue
      const written = plain(payload, decoded.value)
      if (written === undefined) continue
      expect(written, example.file).toBe(general(payload, decoded.value))
      compared++
    }
    expect(compared).toBeGreaterThan(10)
  })

  it('writes generated pages byte for byte as the builder does (property, shuffled keys, every kind of text)', () => {
    fc.assert(
      fc.property(fc.array(outputRecord, { maxLength: 4 }), optional(text), (records, mark) => {
        const page = mark === undefined ? { ActivityRecordList: records } : { ContinuationMark: mark, ActivityRecordList: records }
        expect(plain('ActivityRecordListResponse', page)).toBe(general('ActivityRecordListResponse', page))
        expect(plain('ActivityRecordOutputArray', records)).toBe(general('ActivityRecordOutputArray', records))
      }),
      { numRuns: 500, seed: 11 },
    )
  })

  it('writes error lists as the builder does', () => {
    const errors = {
      ErrorList: [
        { Category: 'InputError', Description: 'a < b & "c"', Location: '/x' },
        { Category: 'XMLError', Description: '' },
      ],
    }
    expect(plain('ErrorList', errors)).toBe(general('ErrorList', errors))
  })

  it('leaves to the builder what it does not write: a key the schema does not name, a value of another shape, a schema with choices', () => {
    const record = { Action: 'a', What: 'w', When: '2017-02-10T14:46:00Z', Where: 'h', Who: 'u', ObjectType: 'o' }
    expect(plain('ActivityRecordOutputArray', [{ ...record, Extra: 'x' }])).toBeUndefined()
    expect(plain('ActivityRecordOutputArray', [{ ...record, What: { nested: true } }])).toBeUndefined()
    expect(plain('ActivityRecordListResponse', { ActivityRecordList: record })).toBeUndefined()
    expect(plain('ActivityRecordSearch', { FilterList: { Who: 'x' } })).toBeUndefined()
    expect(() => general('ActivityRecordOutputArray', [{ ...record, Extra: 'x' }])).toThrow(/no such field/)
  })

  it('escapes the five characters and replaces what XML 1.0 cannot carry', () => {
    expect(escapeText(`a&b<c>d'e"f`)).toBe('a&amp;b&lt;c&gt;d&apos;e&quot;f')
    expect(escapeText('x\u0001y\ud800')).toBe('x\ufffdy\ufffd')
    expect(escapeText('plain')).toBe('plain')
  })
})
