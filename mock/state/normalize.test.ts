import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import type { ActivityRecordInput, ActivityRecordOutput } from '../../openapi/records.ts'
import type { JsonSchema } from '../../openapi/types.ts'
import { readFixture } from '../../test/helpers/contract.ts'
import { createPrng } from '../../openapi/prng.ts'
import { canonicalOutputRecord, formatWhen, normalizeInputRecord, whenToEpochMs, whenToUtc } from './normalize.ts'

const RID = '20160215110503420B9451771F5964A9EAC0A5F35307EA155'
const PLAN_ID = '{42F64379-163E-4A43-A9C5-4514C5A23798}'
const plans = new Map([['integrations and custom sources', { name: 'Integrations and custom sources', id: PLAN_ID }]])
const deps = { rid: RID, resolvePlan: (name: string) => plans.get(name.toLowerCase()) }

// The two records of the JSON example in api/writeactivityrecords.md, as the fixtures keep it.
const [documentedFirst, documentedSecond] = JSON.parse(readFixture('examples/writeactivityrecords/write-request.json')) as [
  ActivityRecordInput,
  ActivityRecordInput,
]

// The output order is the contract's (openapi/DECISIONS.md D24): the property order of the output schemas.
let recordSchema: JsonSchema
beforeAll(async () => {
  recordSchema = (await loadContract()).schema('ActivityRecordOutputArray').items as JsonSchema
})
const orderOf = (schema: JsonSchema | undefined, present: object) => Object.keys(schema?.properties ?? {}).filter((key) => key in present)
const expectContractOrder = (output: ActivityRecordOutput) => {
  expect(Object.keys(output)).toEqual(orderOf(recordSchema, output))
  if (output.MonitoringPlan) expect(Object.keys(output.MonitoringPlan)).toEqual(orderOf(recordSchema.properties?.['MonitoringPlan'], output.MonitoringPlan))
  for (const detail of output.DetailList ?? []) expect(Object.keys(detail)).toEqual(orderOf(recordSchema.properties?.['DetailList']?.items, detail))
}

describe('normalizeInputRecord', () => {
  it('[WRITE-RID-ASSIGNED] [WRITE-DATASOURCE-NETWRIX-API] [WRITE-MONITORINGPLAN-ID-ASSIGNED] turns the documented input into an output record', () => {
    expect(normalizeInputRecord(documentedFirst, deps)).toEqual({
      MonitoringPlan: { Name: 'Integrations and custom sources', ID: PLAN_ID },
      DataSource: 'Netwrix API',
      ObjectType: 'Stored Procedure',
      RID,
      What: 'Databases\\ReportServer\\Stored Procedures\\dbo.sp_New',
      Action: 'Added',
      When: '2017-02-19T14:43:49Z',
      Where: 'WKSWin12SQL',
      Who: 'Admin',
    })
  })

  it('keeps the DetailList of the second documented record and adds no plan', () => {
    const output = normalizeInputRecord(documentedSecond, deps)
    expect(output.MonitoringPlan).toBeUndefined()
    expect(output.DetailList).toEqual([{ PropertyName: 'Custom_Attribute', Before: '1', After: '2' }])
    expect(output.When).toBe('2017-02-10T14:46:00Z')
  })

  it('orders keys as the contract orders output records, whatever order they were sent in', () => {
    const output = normalizeInputRecord(
      {
        IsArchiveOnly: true,
        DetailList: [{ After: 'b', PropertyName: 'p' }],
        Workstation: 'ws',
        Who: 'w',
        Where: 'h',
        When: '2017-02-10T14:46:00Z',
        Action: 'a',
        What: 'x',
        ObjectType: 'o',
        Item: { Name: 'feed' },
        DataSource: 'ignored',
        MonitoringPlan: { Name: 'INTEGRATIONS AND CUSTOM SOURCES' },
      },
      deps,
    )
    expect(Object.keys(output)).toHaveLength(13)
    expectContractOrder(output)
  })

  it('rebuilds a seeded record in the same order, keeping every value', () => {
    const seeded = {
      DetailList: [{ Message: 'm', PropertyName: 'p', After: 'a', Before: 'b' }],
      Workstation: 'ws',
      Who: 'w',
      Where: 'h',
      When: '2017-02-10T14:46:00Z',
      What: 'x',
      RID,
      ObjectType: 'o',
      Item: { Name: 'i (Domain)' },
      DataSource: 'Active Directory',
      MonitoringPlan: { Name: 'AD Monitoring', ID: PLAN_ID },
      Action: 'a',
    } satisfies ActivityRecordOutput
    const output = canonicalOutputRecord(seeded)
    expect(output).toEqual(seeded)
    expectContractOrder(output)
  })

  it('omits IsArchiveOnly when it is false', () => {
    expect(normalizeInputRecord({ ...documentedSecond, IsArchiveOnly: false }, deps)).not.toHaveProperty('IsArchiveOnly')
  })

  it('[WRITE-DATASOURCE-NETWRIX-API] replaces a DataSource the writer sent', () => {
    expect(normalizeInputRecord({ ...documentedSecond, DataSource: 'Active Directory' }, deps).DataSource).toBe('Netwrix API')
  })

  describe('[WRITE-ITEM-INTEGRATION] item names', () => {
    const item = (name: string) => normalizeInputRecord({ ...documentedSecond, Item: { Name: name } }, deps).Item?.Name
    it('appends the Integration type', () => expect(item('Payroll feed')).toBe('Payroll feed (Integration)'))
    it('leaves a name that already carries it', () => expect(item('Payroll feed (Integration)')).toBe('Payroll feed (Integration)'))
    it('treats another bracketed type as part of the name', () => expect(item('enterprise.local (Domain)')).toBe('enterprise.local (Domain) (Integration)'))
  })

  describe('[WRITE-MONITORINGPLAN-ID-ASSIGNED] monitoring plans', () => {
    const plan = (name: string, id?: string) =>
      normalizeInputRecord({ ...documentedSecond, MonitoringPlan: id ? { Name: name, ID: id } : { Name: name } }, deps).MonitoringPlan
    it('resolves the name case-insensitively to the canonical name and ID', () =>
      expect(plan('integrations AND custom sources')).toEqual({ Name: 'Integrations and custom sources', ID: PLAN_ID }))
    it('replaces an ID the writer made up', () => expect(plan('Integrations and custom sources', '{X}')?.ID).toBe(PLAN_ID))
    it('keeps an unknown plan by name only', () => expect(plan('No such plan', '{X}')).toEqual({ Name: 'No such plan' }))
  })
})

describe('whenToUtc and whenToEpochMs', () => {
  it('converts the documented negative offset', () => expect(whenToUtc('2017-02-19T03:43:49-11:00')).toBe('2017-02-19T14:43:49Z'))
  it('keeps fractional seconds digit for digit', () => {
    expect(whenToUtc('2017-02-19T03:43:49.1234567+01:30')).toBe('2017-02-19T02:13:49.1234567Z')
    expect(whenToUtc('2017-02-19T03:43:49.50Z')).toBe('2017-02-19T03:43:49.50Z')
  })
  it('crosses day, month and year boundaries', () => {
    expect(whenToUtc('2017-01-01T00:30:00+01:00')).toBe('2016-12-31T23:30:00Z')
    expect(whenToUtc('2016-02-28T23:00:00-02:00')).toBe('2016-02-29T01:00:00Z')
    expect(whenToUtc('0050-06-01T12:00:00Z')).toBe('0050-06-01T12:00:00Z')
  })
  it('rejects impossible dates and the forms the documentation does not list', () => {
    const malformed = [
      '2017-02-29T00:00:00Z',
      '2017-13-01T00:00:00Z',
      '2017-02-19T24:00:00Z',
      '2017-02-19T03:43:49',
      '2017-02-19 03:43:49Z',
      '2017-02-19T03:43Z',
      '0001-01-01T00:00:00+01:00',
      '2017-02-19T03:43:49.Z',
      '2017-02-19T03:43:49.12345678Z',
      '2017-02-19T03:43:49+0100',
      '2017-02-19T03:43:49z',
      '2017-02-19T03:43:49Z ',
      ' 2017-02-19T03:43:49Z',
      '2017-2-19T03:43:49Z',
      '2017-02-19T03:43:49+01:00:00',
      '2017-02-19T03:43:49+1:00',
      '2017/02/19T03:43:49Z',
      '2017-02-19T03-43-49Z',
      '٢٠١٧-02-19T03:43:49Z',
      '2017-02-19T03:43:49+15:00',
      '2017-02-19T03:43:49-01:60',
      '',
      'Z',
    ]
    for (const bad of malformed) {
      expect(() => whenToUtc(bad), bad).toThrow(RangeError)
      // An instant before year 1 in UTC still has epoch milliseconds; only its UTC form is out of range.
      if (!bad.startsWith('0001-')) expect(() => whenToEpochMs(bad), bad).toThrow(RangeError)
    }
  })
  it('agrees with Date for many instants and offsets', () => {
    let seed = 12345
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31)
    for (let i = 0; i < 2000; i++) {
      const instant = (next() % 4_000_000) * 1_000_000 + (next() % 1000)
      const offsetMinutes = (next() % 57) * 30 - 840
      const local = new Date(instant + offsetMinutes * 60_000).toISOString().slice(0, 23)
      const sign = offsetMinutes < 0 ? '-' : '+'
      const abs = Math.abs(offsetMinutes)
      const when = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
      expect(whenToEpochMs(when), when).toBe(instant)
      expect(whenToEpochMs(when), when).toBe(Date.parse(when))
      expect(whenToUtc(when), when).toBe(new Date(instant).toISOString())
    }
  })
  it('drops digits below the millisecond', () => expect(whenToEpochMs('1970-01-01T00:00:01.2349999Z')).toBe(1234))
})

describe('formatWhen', () => {
  it('writes epoch milliseconds as toISOString does, without the fraction when the second is whole', () => {
    const rand = createPrng(3).int
    for (let i = 0; i < 2000; i++) {
      // Years 1 to 9999 and whole seconds as often as not, since records carry both.
      const ms = Date.UTC(1 + rand(9999), rand(12), 1 + rand(28), rand(24), rand(60), rand(60), rand(2) === 0 ? 0 : rand(1000))
      const iso = new Date(ms).toISOString()
      expect(formatWhen(ms)).toBe(iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso)
    }
    expect(formatWhen(Date.UTC(2017, 1, 19, 14, 43, 49))).toBe('2017-02-19T14:43:49Z')
  })

  it('reads back as the same instant', () => {
    for (const when of ['2017-02-19T14:43:49Z', '1970-01-01T00:00:00Z', '2024-02-29T23:59:59.999Z']) expect(formatWhen(whenToEpochMs(when))).toBe(when)
  })
})
