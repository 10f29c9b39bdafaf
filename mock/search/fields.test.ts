import { describe, it, expect } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import { whenToEpochMs } from '../../openapi/timestamp.ts'
import { createAuditDatabase } from '../state/audit-database.ts'
import { detailValues, fieldSources } from './fields.ts'

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

/** What a text filter sees in a record, read through the Audit Database's columns as a search reads it. */
function valuesFor(name: string, subject: ActivityRecordOutput): string[] {
  const source = fieldSources[name]
  if (!source) throw new Error(`no source for ${name}`)
  const database = createAuditDatabase()
  database.append([subject], [whenToEpochMs(subject.When)])
  let seen: string[] = []
  const probe = {
    bind: (rows: Parameters<import('../model.ts').CompiledQuery['bind']>[0]) => (row: number) => {
      if (source.kind === 'details') seen = detailValues(source, rows.details(row))
      else {
        const column = rows.column(source.field)
        if (column.kind === 'plain') {
          const value = column.lower(row)
          seen = value === undefined ? [] : [value]
        } else {
          const id = column.ids[row] as number
          seen = id < 0 ? [] : [column.lower[id] as string]
        }
      }
      return true
    },
    equalityHints: [],
    valueHints: [],
  }
  database.page({ afterSeq: 0, count: 1, scope: { kind: 'all' }, query: probe })
  return seen
}

describe('field sources', () => {
  it('cover every text filter of the contract', () => {
    const textFilters = contract.filters.filter((filter) => filter.kind === 'text').map((filter) => filter.name)
    expect(Object.keys(fieldSources).sort()).toEqual(textFilters.sort())
  })

  it('[FILTER-MONITORINGPLAN][FILTER-ITEM] read the plan name and the item name with its type, lower-cased', () => {
    expect(valuesFor('MonitoringPlan', record)).toEqual(['ad monitoring'])
    expect(valuesFor('Item', record)).toEqual(['enterprise.local (domain)'])
    expect(valuesFor('Who', record)).toEqual(['enterprise\\jason.smith'])
    expect(valuesFor('What', record)).toEqual(['\\local\\enterprise\\users\\anna smith'])
    expect(valuesFor('RID', record)).toEqual([record.RID?.toLowerCase()])
  })

  it('[FILTER-DETAIL] Detail sees PropertyName, Message, Before and After of every entry; Before and After only their own', () => {
    expect(valuesFor('Detail', record)).toEqual(['description', 'Sales', 'Marketing', 'Password Reset', 'The password was reset by an administrator.'])
    expect(valuesFor('Before', record)).toEqual(['Sales'])
    expect(valuesFor('After', record)).toEqual(['Marketing'])
  })

  it('give no value for an absent field', () => {
    for (const name of ['RID', 'MonitoringPlan', 'DataSource', 'Item', 'Workstation', 'Detail', 'Before', 'After']) {
      expect(valuesFor(name, bare), name).toEqual([])
    }
  })
})
