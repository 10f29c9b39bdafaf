import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract, type Contract } from '../openapi/contract.ts'
import { childSequences, describeFinding, elementModel, inconsistentPairs, orderFindings, parseElements, type ElementModel } from './xml-order.ts'

let contract: Contract
let model: ElementModel

beforeAll(async () => {
  contract = await loadContract()
  model = elementModel(contract.schema('ActivityRecordListResponse'), 'ActivityRecordList')
})

const namespace = 'http://schemas.netwrix.com/api/v1/activity_records/'
const page = (inner: string): string => `<?xml version="1.0" encoding="utf-8"?><ActivityRecordList xmlns="${namespace}">${inner}</ActivityRecordList>`
const inOrder =
  '<ActivityRecord><Action>Added</Action><MonitoringPlan><ID>{1}</ID><Name>P</Name></MonitoringPlan><ObjectType>user</ObjectType><RID>r</RID><What>w</What><When>2017-02-14T15:42:34Z</When><Where>h</Where><Who>a</Who><DetailList><Detail><Before>1</Before><After>2</After><PropertyName>p</PropertyName></Detail></DetailList></ActivityRecord>'

describe('elementModel', () => {
  it("reads the documented sequence from the contract's output schemas, nested parts included", () => {
    expect(model.name).toBe('ActivityRecordList')
    expect(model.children.map((child) => child.name)).toEqual(['ContinuationMark', 'ActivityRecord'])
    const record = model.children[1]!
    expect(record.children.map((child) => child.name)).toEqual(
      Object.keys(contract.schema('ActivityRecordListResponse').properties!['ActivityRecordList']!.items!.properties!),
    )
    expect(record.children.find((child) => child.name === 'MonitoringPlan')!.children.map((child) => child.name)).toEqual(['ID', 'Name'])
    const detailList = record.children.find((child) => child.name === 'DetailList')!
    expect(detailList.children.map((child) => child.name)).toEqual(['Detail'])
    expect(detailList.children[0]!.children.map((child) => child.name)).toEqual(['Before', 'After', 'PropertyName', 'Message'])
  })
})

describe('orderFindings', () => {
  it('finds nothing in a page in the documented order, with repeated records', () => {
    const root = parseElements(page(`<ContinuationMark>m</ContinuationMark>${inOrder}${inOrder}`))!
    expect(orderFindings(root, model)).toEqual([])
  })

  it('finds a ContinuationMark after the records', () => {
    const root = parseElements(page(`${inOrder}<ContinuationMark>m</ContinuationMark>`))!
    expect(orderFindings(root, model).map(describeFinding)).toEqual([
      '/ActivityRecordList has ActivityRecord, ContinuationMark; the documented order is ContinuationMark, ActivityRecord',
    ])
  })

  it('finds records, plans and details out of sequence, with their XML paths', () => {
    const shuffled = inOrder
      .replace('<Action>Added</Action>', '')
      .replace('<Who>a</Who>', '<Who>a</Who><Action>Added</Action>')
      .replace('<ID>{1}</ID><Name>P</Name>', '<Name>P</Name><ID>{1}</ID>')
      .replace('<Before>1</Before><After>2</After><PropertyName>p</PropertyName>', '<PropertyName>p</PropertyName><Before>1</Before><After>2</After>')
    const findings = orderFindings(parseElements(page(`<ContinuationMark>m</ContinuationMark>${inOrder}${shuffled}`))!, model)
    expect(findings.map((finding) => finding.path)).toEqual([
      '/ActivityRecordList/ActivityRecord[2]',
      '/ActivityRecordList/ActivityRecord[2]/MonitoringPlan[1]',
      '/ActivityRecordList/ActivityRecord[2]/DetailList[1]/Detail[1]',
    ])
    expect(findings[0]!.actual.slice(-3)).toEqual(['Who', 'Action', 'DetailList'])
    expect(findings[0]!.expected[0]).toBe('Action')
  })

  it('leaves elements the contract does not name to the schema checks, and reads prefixed names', () => {
    const prefixed = `<n:ActivityRecordList xmlns:n="${namespace}"><n:ContinuationMark>m</n:ContinuationMark><n:Extra/><n:ActivityRecord><n:Action>a</n:Action><n:Who>w</n:Who></n:ActivityRecord></n:ActivityRecordList>`
    expect(orderFindings(parseElements(prefixed)!, model)).toEqual([])
  })

  it('gives no tree for a text that is not well-formed', () => {
    expect(parseElements('<ActivityRecordList><What></ActivityRecordList>')).toBeUndefined()
  })
})

describe('inconsistentPairs and childSequences', () => {
  it('names pairs of elements that come in both orders across records, with counts', () => {
    expect(
      inconsistentPairs([
        ['Action', 'What', 'Who'],
        ['Who', 'Action'],
        ['Action', 'Who'],
      ]),
    ).toEqual(['Action before Who in 2, Who before Action in 1'])
    expect(
      inconsistentPairs([
        ['Action', 'Who'],
        ['Action', 'What'],
      ]),
    ).toEqual([])
  })

  it('lists the known child elements of each record of a page', () => {
    const root = parseElements(page(`<ContinuationMark>m</ContinuationMark><ActivityRecord><Who>a</Who><Nope/><Action>b</Action></ActivityRecord>`))!
    expect(childSequences(root, 'ActivityRecord', model)).toEqual([['Who', 'Action']])
  })
})
