import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { RoleName } from '../openapi/contract.ts'
import { codes } from './errors.ts'

/**
 * The roles of admin/monitoringplans/delegation.md ("Understanding Scopes"): global roles apply to all
 * monitoring plans, the others are delegated on plans or folders. The contract's x-nwa-roles says the same;
 * a test keeps the two in step (parsing a directory must not wait for the contract to load).
 */
export const roleScopes: Readonly<Record<RoleName, 'global' | 'plan-or-folder'>> = {
  GlobalAdministrator: 'global',
  GlobalReviewer: 'global',
  Reviewer: 'plan-or-folder',
  Contributor: 'global',
  Configurator: 'plan-or-folder',
}

export interface PlanInfo {
  name: string
  id: string
  folder?: string
}

export interface Directory {
  domain: string
  /** 'DOMAIN\\user', 'user@domain.tld' or a bare 'user' (default domain), ignoring case as Windows does. */
  find(userName: string, domain?: string): { account: string; password: string } | undefined
  /** Transitive through nested groups, ignoring case; an account is a member of itself. */
  isMember(account: string, group: string): boolean
  /**
   * InGroup as lists a database can compare with: every account name `isMember(name, group)` holds for, as its key
   * (qualifiedAccountKey: 'domain\\user', lower-cased), and as the bare user name (lower-cased) that means it in the
   * default domain. The group itself is among them.
   */
  membersOf(group: string): { keys: string[]; bare: string[] }
  /** Direct and through groups; folder scopes are expanded to the plans they and their sub-folders hold. */
  rolesOf(account: string): { role: RoleName; plans: string[] }[]
  resolvePlan(name: string): { name: string; id: string } | undefined
  plans(): PlanInfo[]
  users(): { account: string; roles: RoleName[] }[]
}

interface RoleAssignment {
  principal: string
  role: RoleName
  plans: string[]
}

type Fields = Record<string, unknown>

const guidInBraces = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/

/** Reads a directory file (YAML, or JSON, which YAML also reads). `source` names it in error messages. */
export function parseDirectory(text: string, source = '(text)'): Directory {
  const fail = (message: string): never => {
    throw codes.MOCK_ERR_DIRECTORY.create(source, message)
  }
  let document: unknown
  try {
    document = parse(text)
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error))
  }
  if (!isFields(document)) return fail('the top level must be a mapping')
  const domain = document['domain']
  if (typeof domain !== 'string' || !/^[^\\@\s]+$/.test(domain)) return fail('domain must be a NetBIOS domain name such as ENTERPRISE')

  const names = accountNames(domain)
  const section = (key: string): Fields[] => {
    const value = document[key] ?? []
    if (!Array.isArray(value)) return fail(`${key} must be a list`)
    return value.map((entry, index) => (isFields(entry) ? entry : fail(`${key}[${index}] must be a mapping`)))
  }
  const requiredText = (entry: Fields, key: string, where: string): string => {
    const value = entry[key]
    return typeof value === 'string' && value !== '' ? value : fail(`${where}: ${key} must be a non-empty string`)
  }
  const list = (entry: Fields, key: string, where: string): string[] => {
    const value = entry[key] ?? []
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return fail(`${where}: ${key} must be a list of names`)
    return value as string[]
  }

  const folders = new Map<string, { name: string; parent: string | undefined }>()
  for (const [index, entry] of section('folders').entries()) {
    const name = requiredText(entry, 'name', `folders[${index}]`)
    const where = `folders[${index}] (${name})`
    if (folders.has(name.toLowerCase())) fail(`${where}: duplicate folder`)
    const parent = entry['parent'] ?? null
    if (parent !== null && typeof parent !== 'string') return fail(`${where}: parent must be a folder name or null`)
    folders.set(name.toLowerCase(), { name, parent: parent === null ? undefined : parent.toLowerCase() })
  }
  for (const [key, folder] of folders) {
    const seen = new Set([key])
    for (let parent = folder.parent; parent !== undefined; parent = folders.get(parent)?.parent) {
      if (!folders.has(parent)) fail(`folder ${folder.name}: unknown parent folder ${parent}`)
      if (seen.has(parent)) fail(`folder ${folder.name}: its parents form a cycle`)
      seen.add(parent)
    }
  }

  const plans = new Map<string, PlanInfo>()
  const planIds = new Set<string>()
  section('monitoringPlans').forEach((entry, index) => {
    const name = requiredText(entry, 'name', `monitoringPlans[${index}]`)
    const where = `monitoringPlans[${index}] (${name})`
    const id = requiredText(entry, 'id', where)
    if (!guidInBraces.test(id)) fail(`${where}: id must be a GUID in braces, e.g. {42F64379-163E-4A43-A9C5-4514C5A23798}`)
    if (plans.has(name.toLowerCase())) fail(`${where}: duplicate monitoring plan`)
    if (planIds.has(id.toUpperCase())) fail(`${where}: id ${id} is already used`)
    planIds.add(id.toUpperCase())
    const folder = entry['folder'] ?? null
    if (folder === null) {
      plans.set(name.toLowerCase(), { name, id })
    } else {
      const folderName = typeof folder === 'string' ? folders.get(folder.toLowerCase())?.name : undefined
      plans.set(name.toLowerCase(), { name, id, folder: folderName ?? fail(`${where}: unknown folder ${String(folder)}`) })
    }
  })

  const users = new Map<string, { account: string; password: string }>()
  section('users').forEach((entry, index) => {
    const name = requiredText(entry, 'name', `users[${index}]`)
    const where = `users[${index}] (${name})`
    const password = entry['password']
    if (typeof password !== 'string') fail(`${where}: password must be a string`)
    const account = names.canonical(name)
    if (users.has(names.key(account))) fail(`${where}: duplicate user ${account}`)
    users.set(names.key(account), { account, password: String(password) })
  })

  // Reverse edges: for each member, the groups that list it; membership is then a walk upwards.
  const groupNames = new Set<string>()
  const containing = new Map<string, Set<string>>()
  section('groups').forEach((entry, index) => {
    const name = requiredText(entry, 'name', `groups[${index}]`)
    const where = `groups[${index}] (${name})`
    const key = names.key(name)
    if (groupNames.has(key)) fail(`${where}: duplicate group`)
    if (users.has(key)) fail(`${where}: a user has the same name`)
    groupNames.add(key)
    for (const member of list(entry, 'members', where)) {
      const memberKey = names.key(member)
      const groups = containing.get(memberKey) ?? new Set<string>()
      groups.add(key)
      containing.set(memberKey, groups)
    }
  })

  const plansUnder = (folderKey: string): string[] =>
    [...plans.values()].filter((plan) => plan.folder !== undefined && isWithin(plan.folder.toLowerCase(), folderKey, folders)).map((plan) => plan.name)

  const assignments: RoleAssignment[] = section('roles').map((entry, index) => {
    const principal = requiredText(entry, 'principal', `roles[${index}]`)
    const where = `roles[${index}] (${principal})`
    const role = entry['role']
    if (typeof role !== 'string' || !(role in roleScopes)) {
      return fail(`${where}: unknown role ${String(role)}; the roles are ${Object.keys(roleScopes).join(', ')}`)
    }
    const roleName = role as RoleName
    const principalKey = names.key(principal)
    if (!users.has(principalKey) && !groupNames.has(principalKey)) fail(`${where}: ${principal} is neither a user nor a group of this directory`)
    const planNames = list(entry, 'plans', where)
    const folderNames = list(entry, 'folders', where)
    const scoped = roleScopes[roleName] === 'plan-or-folder'
    if (scoped && planNames.length + folderNames.length === 0) fail(`${where}: ${roleName} needs a scope (plans or folders)`)
    if (!scoped && planNames.length + folderNames.length > 0) fail(`${where}: ${roleName} is a global role and takes no plans or folders`)
    const scope = new Set<string>()
    for (const plan of planNames) scope.add(plans.get(plan.toLowerCase())?.name ?? fail(`${where}: unknown monitoring plan ${plan}`))
    for (const folder of folderNames) {
      if (!folders.has(folder.toLowerCase())) fail(`${where}: unknown folder ${folder}`)
      for (const plan of plansUnder(folder.toLowerCase())) scope.add(plan)
    }
    return { principal, role: roleName, plans: [...scope] }
  })

  const isMember = (account: string, group: string): boolean => {
    const target = names.key(group)
    const start = names.key(account)
    const seen = new Set([start])
    const pending = [start]
    for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
      if (current === target) return true
      for (const parent of containing.get(current) ?? []) {
        if (!seen.has(parent)) {
          seen.add(parent)
          pending.push(parent)
        }
      }
    }
    return false
  }

  const membersOf = (group: string): { keys: string[]; bare: string[] } => {
    // An account no group lists is a member of itself only, so the group and the accounts the groups list are all.
    const keys = [...new Set([names.key(group), ...containing.keys()])].filter((key) => isMember(key, group))
    const home = names.key('')
    return { keys, bare: keys.filter((key) => key.startsWith(home)).map((key) => key.slice(home.length)) }
  }

  const rolesOf = (account: string): { role: RoleName; plans: string[] }[] =>
    assignments.filter((assignment) => isMember(account, assignment.principal)).map(({ role, plans: scope }) => ({ role, plans: [...scope] }))

  return {
    domain,
    find(userName, loginDomain) {
      const found = users.get(names.key(names.canonical(userName, loginDomain)))
      return found ? { ...found } : undefined
    },
    isMember,
    membersOf,
    rolesOf,
    resolvePlan(name) {
      const plan = plans.get(name.toLowerCase())
      return plan ? { name: plan.name, id: plan.id } : undefined
    },
    plans: () => [...plans.values()].map((plan) => ({ ...plan })),
    users: () =>
      [...users.values()].map(({ account }) => {
        const held = new Set(rolesOf(account).map((assignment) => assignment.role))
        return { account, roles: (Object.keys(roleScopes) as RoleName[]).filter((role) => held.has(role)) }
      }),
  }
}

export function loadDirectoryFile(path: string): Directory {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw codes.MOCK_ERR_DIRECTORY.create(path, error instanceof Error ? error.message : String(error))
  }
  return parseDirectory(text, path)
}

export const demoDirectoryPath = fileURLToPath(new URL('../fixtures/directory/demo.yaml', import.meta.url))

/** The demo directory the mock starts with (fixtures/directory/demo.yaml). */
export function demoDirectory(): Directory {
  return loadDirectoryFile(demoDirectoryPath)
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isWithin(folder: string, ancestor: string, folders: Map<string, { parent: string | undefined }>): boolean {
  for (let current: string | undefined = folder; current !== undefined; current = folders.get(current)?.parent) {
    if (current === ancestor) return true
  }
  return false
}

/**
 * Windows account names in the three forms clients send: 'DOMAIN\\user', 'user@dns.domain' (the first label
 * of the DNS name stands for the NetBIOS domain, so user@enterprise.local and user@enterprise.onmicrosoft.com
 * are ENTERPRISE\\user) and a bare 'user' in the default domain (or the one the client named).
 */
function accountNames(defaultDomain: string) {
  const canonical = (name: string, loginDomain?: string): string => qualifiedAccountName(name) ?? `${netbios(loginDomain || defaultDomain)}\\${name}`
  return { canonical, key: (name: string): string => canonical(name).toLowerCase() }
}

const netbios = (domain: string): string => (domain.split('.')[0] ?? domain).toUpperCase()

/** 'DOMAIN\\user' for a name that says its domain ('DOMAIN\\user', 'user@dns.domain'); undefined for a bare name. Pure. */
function qualifiedAccountName(name: string): string | undefined {
  const slash = name.indexOf('\\')
  if (slash >= 0) return `${netbios(name.slice(0, slash))}\\${name.slice(slash + 1)}`
  const at = name.lastIndexOf('@')
  if (at >= 0) return `${netbios(name.slice(at + 1))}\\${name.slice(0, at)}`
  return undefined
}

/**
 * The key a directory compares an account name by, when the name says its domain: the same in every directory, so a
 * store can keep it beside a record's Who (a bare name's key depends on the directory's default domain). Pure.
 */
export function qualifiedAccountKey(name: string): string | undefined {
  return qualifiedAccountName(name)?.toLowerCase()
}
