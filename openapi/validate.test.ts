import { beforeAll, describe, expect, it, vi } from 'vitest'
import { loadContract } from './contract.ts'
import { createValidators, type Validators } from './validate.ts'

let validators: Validators
beforeAll(async () => {
  validators = createValidators(await loadContract())
})

const record = (overrides: Record<string, unknown>) => [
  { Who: 'Admin', Action: 'Added', What: 'W', When: '2017-02-10T14:46:00Z', Where: 'S', ObjectType: 'T', ...overrides },
]

describe('validators: text XML 1.0 cannot carry (x-nwa-xml-text, D25)', () => {
  it.each([
    ['Who', { Who: 'a\u0001b' }, '/ActivityRecordList/ActivityRecord[1]/Who', 'U+0001 at character 2'],
    ['What', { What: 'x\uffff' }, '/ActivityRecordList/ActivityRecord[1]/What', 'U+FFFF at character 2'],
    [
      'a Detail Before',
      { DetailList: [{ PropertyName: 'P', Before: '😀\udc00' }] },
      '/ActivityRecordList/ActivityRecord[1]/DetailList/Detail[1]/Before',
      'U+DC00 at character 2',
    ],
    ['the Item name', { Item: { Name: '\u0008' } }, '/ActivityRecordList/ActivityRecord[1]/Item/Name', 'U+0008 at character 1'],
  ])('refuses a write whose %s holds one, naming the field and the character', (_field, overrides, location, detail) => {
    const result = validators.validate('ActivityRecordInputList', record(overrides))
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues).toHaveLength(1)
      expect(result.issues[0]?.location).toBe(location)
      expect(result.issues[0]?.message).toContain('contains a character XML 1.0 does not allow')
      expect(result.issues[0]?.message).toContain(detail)
    }
  })

  it('accepts tab, line breaks, astral characters and U+FFFD', () => {
    expect(validators.validate('ActivityRecordInputList', record({ What: 'a\tb\r\nc😀\ufffd' }))).toEqual({ ok: true })
  })

  it('refuses them in search values and marks too', () => {
    expect(validators.validate('ActivityRecordSearch', { FilterList: { Who: 'a\u0002' } }).ok).toBe(false)
    expect(validators.validate('ContinuationMark', 'abc\u0000').ok).toBe(false)
  })
})

describe('validators: lengths in UTF-16 code units, as nvarchar counts them (D38)', () => {
  it('counts a character outside the BMP as two', () => {
    const emoji = '😀'
    expect(validators.validate('ActivityRecordInputList', record({ Who: `${emoji.repeat(127)}a` })).ok).toBe(true)
    const tooLong = validators.validate('ActivityRecordInputList', record({ Who: emoji.repeat(128) }))
    expect(tooLong.ok).toBe(false)
    if (!tooLong.ok) expect(tooLong.issues[0]?.message).toBe('Who is longer than 255 characters')
  })
})

describe('validators: Ajv notices', () => {
  it("drop Ajv's deprecation notice for the unicode option, which nwa mock would print at every start, and pass others on", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const fresh = createValidators(await loadContract())
      expect(warn).not.toHaveBeenCalled()
      fresh.ajv.compile({ type: 'string', format: 'no-such-format' })
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('no-such-format'))
    } finally {
      warn.mockRestore()
    }
  })
})
