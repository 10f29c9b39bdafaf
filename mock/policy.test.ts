import { describe, it, expect } from 'vitest'
import { loadContract, type OperationInfo } from '../openapi/contract.ts'
import { demoDirectory, parseDirectory } from './directory.ts'
import { authorize, createAuthorizer, type Authorization } from './policy.ts'

const contract = await loadContract()
const demo = demoDirectory()

/** What each operation is, in the words of delegation.md's "Auditor Integration API" rows. */
const kindOf: Record<string, 'retrieve' | 'write'> = {
  enumerateActivityRecords: 'retrieve',
  continueEnumeration: 'retrieve',
  searchActivityRecords: 'retrieve',
  writeActivityRecords: 'write',
}

type Expected = 'denied' | 'all' | string[]
/**
 * delegation.md, "Compare Roles": Write Activity Records + for Global administrator and Contributor only;
 * Retrieve Activity Records + for Global administrator and Global reviewer, + "restricted to the delegated
 * scope" for Reviewer, – for Configurator and Contributor. api/endpoints.md: an account needs a role.
 */
const expected: Record<string, { retrieve: Expected; write: Expected; ids: { retrieve: string; write: string } }> = {
  'ENTERPRISE\\NetwrixUser': { retrieve: 'all', write: 'all', ids: { retrieve: 'ROLE-GLOBAL-ADMIN', write: 'ROLE-GLOBAL-ADMIN' } },
  'ENTERPRISE\\GlobalReviewer': { retrieve: 'all', write: 'denied', ids: { retrieve: 'ROLE-GLOBAL-REVIEWER-READ', write: 'ROLE-READERS-NO-WRITE' } },
  'ENTERPRISE\\PlanReviewer': { retrieve: ['ad monitoring'], write: 'denied', ids: { retrieve: 'ROLE-REVIEWER-SCOPE', write: 'ROLE-READERS-NO-WRITE' } },
  'ENTERPRISE\\FolderReviewer': {
    retrieve: ['exchange online', 'sharepoint'],
    write: 'denied',
    ids: { retrieve: 'ROLE-REVIEWER-SCOPE', write: 'ROLE-READERS-NO-WRITE' },
  },
  'ENTERPRISE\\Contributor': { retrieve: 'denied', write: 'all', ids: { retrieve: 'ROLE-CONTRIBUTOR-NO-READ', write: 'ROLE-CONTRIBUTOR-WRITE' } },
  'ENTERPRISE\\Configurator': { retrieve: 'denied', write: 'denied', ids: { retrieve: 'ROLE-CONFIGURATOR-NONE', write: 'ROLE-CONFIGURATOR-NONE' } },
  'ENTERPRISE\\NoRole': { retrieve: 'denied', write: 'denied', ids: { retrieve: 'ROLE-NONE-DENIED', write: 'ROLE-NONE-DENIED' } },
}

function summarise(result: Authorization): Expected {
  if (!result.allowed) return 'denied'
  return result.scope.kind === 'all' ? 'all' : [...result.scope.plans].sort()
}

const operation = (operationId: string): OperationInfo => {
  const found = contract.operations.find((candidate) => candidate.operationId === operationId)
  if (!found) throw new Error(`the contract has no operation ${operationId}`)
  return found
}

describe('the role × operation matrix of the demo directory', () => {
  it('knows what every operation of the contract is', () => {
    expect(contract.operations.map((candidate) => candidate.operationId).sort()).toEqual(Object.keys(kindOf).sort())
  })

  for (const [account, row] of Object.entries(expected)) {
    for (const [operationId, kind] of Object.entries(kindOf)) {
      it(`[${row.ids[kind]}] ${account} → ${operationId}: ${JSON.stringify(row[kind])}`, () => {
        expect(summarise(authorize(account, operation(operationId), demo, contract))).toEqual(row[kind])
      })
    }
  }

  it('[ROLE-GLOBAL-ADMIN] grants a role held through nested groups (Jason.Smith ⊂ Tier0 Admins ⊂ Domain Admins ⊂ Netwrix Auditor Administrators)', () => {
    for (const operationId of Object.keys(kindOf)) {
      expect(summarise(authorize('jason.smith@enterprise.local', operation(operationId), demo, contract)), operationId).toBe('all')
    }
  })

  it('[ROLE-REVIEWER-SCOPE] scopes a Reviewer held through a group on a folder to the plans under it', () => {
    expect(summarise(authorize('ENTERPRISE\\Anna.Smith', operation('searchActivityRecords'), demo, contract))).toEqual([
      'ad monitoring',
      'file servers',
      'logon activity',
      'sql server',
    ])
    expect(summarise(authorize('ENTERPRISE\\Anna.Smith', operation('writeActivityRecords'), demo, contract))).toBe('denied')
  })
})

describe('several assignments', () => {
  const directory = parseDirectory(`
domain: LAB
monitoringPlans:
  - { name: One, id: "{11111111-1111-1111-1111-111111111111}" }
  - { name: Two, id: "{22222222-2222-2222-2222-222222222222}" }
  - { name: Three, id: "{33333333-3333-3333-3333-333333333333}" }
users:
  - { name: 'LAB\\both', password: pw }
  - { name: 'LAB\\wide', password: pw }
  - { name: 'LAB\\mixed', password: pw }
groups: [{ name: 'LAB\\readers', members: ['LAB\\both', 'LAB\\wide'] }]
roles:
  - { principal: 'LAB\\readers', role: Reviewer, plans: [One] }
  - { principal: 'LAB\\both', role: Reviewer, plans: [Two] }
  - { principal: 'LAB\\wide', role: GlobalReviewer }
  - { principal: 'LAB\\mixed', role: Configurator, plans: [Three] }
  - { principal: 'LAB\\mixed', role: Reviewer, plans: [Two] }
`)
  const search = operation('searchActivityRecords')

  it('[ROLE-REVIEWER-SCOPE] unites the plans of several Reviewer assignments', () => {
    expect(summarise(authorize('LAB\\both', search, directory, contract))).toEqual(['one', 'two'])
  })

  it('[ROLE-GLOBAL-REVIEWER-READ] lets an unscoped role win over a scoped one', () => {
    expect(summarise(authorize('LAB\\wide', search, directory, contract))).toBe('all')
  })

  it('[ROLE-CONFIGURATOR-NONE] ignores a Configurator scope beside a Reviewer one', () => {
    expect(summarise(authorize('LAB\\mixed', search, directory, contract))).toEqual(['two'])
  })

  it('[ROLE-NONE-DENIED] refuses an account the directory does not know', () => {
    expect(summarise(authorize('LAB\\stranger', search, directory, contract))).toBe('denied')
  })
})

describe('the remembering authorizer', () => {
  it('decides as authorize does, for every demo account and operation, and remembers per account and operation', async () => {
    const contract = await loadContract()
    const directory = demoDirectory()
    let walks = 0
    const counting = {
      ...directory,
      rolesOf: (account: string) => {
        walks++
        return directory.rolesOf(account)
      },
    }
    const remembering = createAuthorizer(counting, contract)
    for (let pass = 0; pass < 2; pass++) {
      for (const { account } of directory.users()) {
        for (const operation of contract.operations) expect(remembering(account, operation)).toEqual(authorize(account, operation, directory, contract))
      }
    }
    expect(walks).toBe(directory.users().length * contract.operations.length)
    expect(remembering('enterprise\\netwrixuser', contract.operations[0] as OperationInfo)).toEqual({ allowed: true, scope: { kind: 'all' } })
    expect(walks).toBe(directory.users().length * contract.operations.length)
  })
})
