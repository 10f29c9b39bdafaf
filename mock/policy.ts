import type { Contract, OperationInfo } from '../openapi/contract.ts'
import type { Directory } from './directory.ts'
import type { ReadScope } from './model.ts'

export type Authorization = { allowed: false } | { allowed: true; scope: ReadScope }

/**
 * Who may call an operation (api/endpoints.md "Account Permissions", admin/monitoringplans/delegation.md
 * "Auditor Integration API" rows), read from the contract: a role outside the operation's x-nwa-roles
 * grants nothing; a role in x-nwa-scoped-roles grants the plans it was delegated on; any other listed role
 * grants everything. An account with several assignments gets the widest: one unscoped role means all
 * plans, else the union of the scoped ones. Configurator appears in no operation, so it is refused.
 */
export function authorize(account: string, operation: OperationInfo, directory: Directory, contract: Contract): Authorization {
  return decide(account, operation, directory, contract)
}

/**
 * The same decision, remembered per account and operation: the directory does not change while the server runs,
 * and walking nested groups for every request is the larger part of authorizing it.
 */
export function createAuthorizer(directory: Directory, contract: Contract): (account: string, operation: OperationInfo) => Authorization {
  const decided = new Map<string, Authorization>()
  return (account, operation) => {
    const key = `${account.toLowerCase()}\u0000${operation.operationId}`
    let decision = decided.get(key)
    if (decision === undefined) {
      decision = decide(account, operation, directory, contract)
      decided.set(key, decision)
    }
    return decision
  }
}

function decide(account: string, operation: OperationInfo, directory: Directory, contract: Contract): Authorization {
  const granting = directory.rolesOf(account).filter(({ role }) => operation.roles.includes(role) && role in contract.roles)
  if (granting.length === 0) return { allowed: false }
  if (granting.some(({ role }) => !operation.scopedRoles.includes(role))) return { allowed: true, scope: { kind: 'all' } }
  const plans = new Set(granting.flatMap((assignment) => assignment.plans.map((plan) => plan.toLowerCase())))
  return { allowed: true, scope: { kind: 'plans', plans } }
}
