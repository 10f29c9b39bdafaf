import { describe, it, expect } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import { fieldAccessors } from './fields.ts'

const contract = await loadContract()

const record: ActivityRecordOutput = {
  RID: '20261012081542000' + '0123456789ABCDEF0123456789ABCDEF',
  Who: 'ENTERPRISE\\Jason.Smith',
  Action: 'Modified',
  What: '\\local\\enterprise\\Users\\Anna Smith',
  When: '2026-10-12T08:15:42Z',
  Where: 'dc1.enterprise.local',
  ObjectType: 'user',
  MonitoringPlan: { Name: 'AD Monitoring', ID: '{42F64379-163E-4A43-A9C5-4514C5A23798}' },
  DataSource: 'Active Directory',
  Item: { Name: 'enterprise.local (Domain)' },
  Workstation: 'wks12.enterprise.local',
  DetailList: [
    { PropertyName: 'description', Before: 'Sales', After: 'Marketing' },
    { PropertyName: 'Password Reset', Message: 'The password was reset by an administrator.' },
  ],
}
const bare: ActivityRecordOutput = { Who: 'w', Action: 'a', What: 'x', When: '2026-10-12T08:15:42Z', Where: 'h', ObjectType: 'o' }

describe('field accessors', () => {
  it('cover every text filter of the contract', () => {
    const textFilters = contract.filters.filter((filter) => filter.kind === 'text').map((filter) => filter.name)
    expect(Object.keys(fieldAccessors).sort()).toEqual(textFilters.sort())
  })

  it('[FILTER-MONITORINGPLAN][FILTER-ITEM] read the plan name and the item name with its type', () => {
    expect(fieldAccessors['MonitoringPlan']?.(record)).toEqual(['AD Monitoring'])
    expect(fieldAccessors['Item']?.(record)).toEqual(['enterprise.local (Domain)'])
    expect(fieldAccessors['Who']?.(record)).toEqual(['ENTERPRISE\\Jason.Smith'])
  })

  it('[FILTER-DETAIL] Detail sees PropertyName, Message, Before and After of every entry; Before and After only their own', () => {
    expect(fieldAccessors['Detail']?.(record)).toEqual(['description', 'Sales', 'Marketing', 'Password Reset', 'The password was reset by an administrator.'])
    expect(fieldAccessors['Before']?.(record)).toEqual(['Sales'])
    expect(fieldAccessors['After']?.(record)).toEqual(['Marketing'])
  })

  it('give no value for an absent field', () => {
    for (const name of ['RID', 'MonitoringPlan', 'DataSource', 'Item', 'Workstation', 'Detail', 'Before', 'After']) {
      expect(fieldAccessors[name]?.(bare), name).toEqual([])
    }
  })
})
