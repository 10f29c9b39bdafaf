import SwaggerParser from '@apidevtools/swagger-parser'
import { describe, expect, it } from 'vitest'
import { loadContract, payloadNames } from './contract.ts'
import { contractPath } from './load.ts'

describe('the contract file', () => {
  it('is a valid OpenAPI 3.1 document (swagger-parser)', async () => {
    const api = (await SwaggerParser.validate(contractPath)) as { openapi: string }
    expect(api.openapi).toBe('3.1.0')
  })

  it('[EP-ENUM-GET] [EP-ENUM-POST] [EP-SEARCH-POST] [EP-WRITE-POST] has the four documented operations with stable ids', async () => {
    const contract = await loadContract()
    const operations = contract.operations.map((op) => `${op.method} ${op.path} ${op.operationId}`).sort()
    expect(operations).toEqual([
      'GET /activity_records/enum enumerateActivityRecords',
      'POST /activity_records/ writeActivityRecords',
      'POST /activity_records/enum continueEnumeration',
      'POST /activity_records/search searchActivityRecords',
    ])
    expect(contract.basePath).toBe('/netwrix/api/v1')
    expect(contract.defaultPort).toBe(9699)
  })

  it('[EP-WRITE-TRAILING-SLASH-OPTIONAL] says how the write path without its trailing slash is treated', async () => {
    const contract = await loadContract()
    const write = contract.operations.find((op) => op.operationId === 'writeActivityRecords')
    expect(write?.aliases).toEqual(['/activity_records'])
  })

  it('[AUTH-NTLM] [AUTH-NEGOTIATE] [AUTH-DIGEST] [AUTH-BASIC] declares the four schemes, NTLM first', async () => {
    const contract = await loadContract()
    expect(contract.securitySchemes).toEqual(['ntlm', 'negotiate', 'digest', 'basic'])
  })

  it('[ROLE-GLOBAL-ADMIN] [ROLE-CONTRIBUTOR-WRITE] [ROLE-REVIEWER-SCOPE] gives each operation its roles', async () => {
    const contract = await loadContract()
    const roles = Object.fromEntries(contract.operations.map((op) => [op.operationId, [op.roles, op.scopedRoles]]))
    expect(roles['writeActivityRecords']).toEqual([['GlobalAdministrator', 'Contributor'], []])
    for (const read of ['enumerateActivityRecords', 'continueEnumeration', 'searchActivityRecords']) {
      expect(roles[read]).toEqual([['GlobalAdministrator', 'GlobalReviewer', 'Reviewer'], ['Reviewer']])
    }
    expect(contract.roles.Configurator.read || contract.roles.Configurator.write).toBe(false)
  })

  it('[STATUS-200-READ] [STATUS-400-READ] [STATUS-401] [STATUS-404] [STATUS-405-READ] [STATUS-413] [STATUS-500-WRITE] [STATUS-503-WRITE] documents every status-code row where it applies', async () => {
    const contract = await loadContract()
    const codes = Object.fromEntries(contract.operations.map((op) => [op.operationId, Object.keys(op.responses).sort()]))
    expect(codes['enumerateActivityRecords']).toEqual(['200', '400', '401', '404', '405', '500'])
    expect(codes['continueEnumeration']).toEqual(['200', '400', '401', '404', '405', '413', '500'])
    expect(codes['searchActivityRecords']).toEqual(['200', '400', '401', '404', '405', '413', '500'])
    expect(codes['writeActivityRecords']).toEqual(['200', '400', '401', '404', '405', '413', '500', '503'])
  })

  it('[FILTER-DEFAULT-CONTAINS] [FILTER-DEFAULT-EQUALS] carries every filter of filters.md with its operators, default and maximum length', async () => {
    const contract = await loadContract()
    const table = Object.fromEntries(contract.filters.map((f) => [f.name, `${f.defaultOperator}|${f.maxLength}|${f.operators.join(',')}`]))
    const text = 'Contains|%|Contains,DoesNotContain,Equals,NotEqualTo,StartsWith,EndsWith'
    expect(table).toEqual({
      RID: text.replace('%', '49'),
      Who: `${text.replace('%', '255')},InGroup,NotInGroup`,
      Where: text.replace('%', '255'),
      ObjectType: text.replace('%', '255'),
      What: text.replace('%', '1073741822'),
      DataSource: text.replace('%', '1073741822'),
      MonitoringPlan: text.replace('%', '255'),
      Item: text.replace('%', '1073741822'),
      Workstation: text.replace('%', '1073741822'),
      Detail: text.replace('%', '1073741822'),
      Before: text.replace('%', '536870911'),
      After: text.replace('%', '536870911'),
      Action: 'Equals|null|Equals,NotEqualTo',
      When: 'Equals|null|Equals,NotEqualTo',
      WorkingHours: 'Equals|null|Equals,NotEqualTo',
    })
  })

  it('[OP-REPEATED-OR] [OP-NEGATED-AND] records how repeated entries combine for each operator', async () => {
    const contract = await loadContract()
    const combine = Object.fromEntries(Object.values(contract.operators).map((op) => [op.name, op.combine]))
    expect(combine).toEqual({
      Contains: 'or',
      Equals: 'or',
      StartsWith: 'or',
      EndsWith: 'or',
      InGroup: 'or',
      NotEqualTo: 'and',
      DoesNotContain: 'and',
      NotInGroup: 'and',
    })
  })

  it('[XML-NAMESPACE] [ERR-XML-NAMESPACE] gives every payload an XML name and the documented namespaces', async () => {
    const contract = await loadContract()
    for (const name of payloadNames) {
      const schema = contract.schema(name)
      expect(schema.xml?.name, name).toBeTruthy()
      expect(schema.xml?.namespace, name).toBe(
        name === 'ErrorList' ? 'http://schemas.netwrix.com/api/v1/' : 'http://schemas.netwrix.com/api/v1/activity_records/',
      )
    }
  })

  it('[COUNT-DEFAULT-ENUM] [COUNT-INVALID-400] carries the default count and the documented invalid-count description', async () => {
    const contract = await loadContract()
    expect(contract.defaultCount).toBe(1000)
    expect(contract.invalidCountDescription).toBe('Invalid count parameter specified. Error details: 0x80040204 Cannot convert the attribute data type')
  })
})
