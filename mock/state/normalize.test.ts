import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import type { ActivityRecordInput, ActivityRecordOutput } from '../../openapi/records.ts'
import type { JsonSchema } from '../../openapi/types.ts'
import { readFixture } from '../../test/helpers/contract.ts'
import { readWhenValue } from '../../openapi/timestamp.ts'
import { canonicalOutputRecord, normalizeInputRecord } from './normalize.ts'

const RID = '20160215110503420B9451771F5964A9EAC0A5F35307EA155'
const PLAN_ID = '{42F64379-163E-4A43-A9C5-4514C5A23798}'
const plans = new Map([['integrations and custom sources', { name: 'Integrations and custom sources', id: PLAN_ID }]])
const deps = { rid: RID, resolvePlan: (name: string) => plans.get(name.toLowerCase()) }
/** As the write path does: the When read once, then the record normalised with it. */
const normalized = (input: ActivityRecordInput, given = deps) => normalizeInputRecord(input, { ...given, when: readWhenValue(input.When) })

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
    expect(normalized(documentedFirst, deps)).toEqual({
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
    const output = normalized(documentedSecond, deps)
    expect(output.MonitoringPlan).toBeUndefined()
    expect(output.DetailList).toEqual([{ PropertyName: 'Custom_Attribute', Before: '1', After: '2' }])
    expect(output.When).toBe('2017-02-10T14:46:00Z')
  })

  it('orders keys as the contract orders output records, whatever order they were sent in', () => {
    const output = normalized(
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
    expect(normalized({ ...documentedSecond, IsArchiveOnly: false }, deps)).not.toHaveProperty('IsArchiveOnly')
  })

  it('[WRITE-DATASOURCE-NETWRIX-API] replaces a DataSource the writer sent', () => {
    expect(normalized({ ...documentedSecond, DataSource: 'Active Directory' }, deps).DataSource).toBe('Netwrix API')
  })

  describe('[WRITE-ITEM-INTEGRATION] item names', () => {
    const item = (name: string) => normalized({ ...documentedSecond, Item: { Name: name } }, deps).Item?.Name
    it('appends the Integration type', () => expect(item('Payroll feed')).toBe('Payroll feed (Integration)'))
    it('leaves a name that already carries it', () => expect(item('Payroll feed (Integration)')).toBe('Payroll feed (Integration)'))
    it('treats another bracketed type as part of the name', () => expect(item('enterprise.local (Domain)')).toBe('enterprise.local (Domain) (Integration)'))
  })

  describe('[WRITE-MONITORINGPLAN-ID-ASSIGNED] monitoring plans', () => {
    const plan = (name: string, id?: string) =>
      normalized({ ...documentedSecond, MonitoringPlan: id ? { Name: name, ID: id } : { Name: name } }, deps).MonitoringPlan
    it('resolves the name case-insensitively to the canonical name and ID', () =>
      expect(plan('integrations AND custom sources')).toEqual({ Name: 'Integrations and custom sources', ID: PLAN_ID }))
    it('replaces an ID the writer made up', () => expect(plan('Integrations and custom sources', '{X}')?.ID).toBe(PLAN_ID))
    it('keeps an unknown plan by name only', () => expect(plan('No such plan', '{X}')).toEqual({ Name: 'No such plan' }))
  })
})
