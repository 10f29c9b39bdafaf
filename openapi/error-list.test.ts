import { describe, expect, it } from 'vitest'
import { boundErrorList, ERRORS_LISTED, FIELD_LENGTH } from './error-list.ts'

describe('boundErrorList', () => {
  it('keeps a short list as it is', () => {
    const errors = [{ Category: 'InputError', Description: 'Who is mandatory but missing', Location: '/ActivityRecordList/ActivityRecord[1]/Who' }]
    expect(boundErrorList(errors)).toEqual(errors)
  })

  it('[ERR-BODY-ON-ERROR] lists ten errors, then one counting the others, those it was given and those only counted', () => {
    const errors = Array.from({ length: 25 }, (_, i) => ({ Category: 'InputError', Description: `problem ${i}` }))
    const bounded = boundErrorList(errors, 1000)
    expect(bounded).toHaveLength(ERRORS_LISTED + 1)
    expect(bounded.at(-1)).toEqual({ Category: 'InputError', Description: '1015 more errors were found and not listed.' })
    expect(boundErrorList(errors.slice(0, 1), 1).at(-1)?.Description).toBe('1 more error was found and not listed.')
  })

  it('cuts every field to its bound with an ellipsis', () => {
    const long = 'z'.repeat(10_000)
    const [bounded] = boundErrorList([{ Category: long, Description: long, Location: long }])
    expect(bounded?.Description).toHaveLength(FIELD_LENGTH + 1)
    expect(bounded?.Location).toHaveLength(FIELD_LENGTH + 1)
    expect(bounded?.Category).toHaveLength(FIELD_LENGTH + 1)
  })
})
