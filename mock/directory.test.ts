import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, expect } from 'vitest'
import { loadContract } from '../openapi/contract.ts'
import { demoDirectory, loadDirectoryFile, parseDirectory, roleScopes } from './directory.ts'

const contract = await loadContract()
const demo = demoDirectory()

describe('the demo directory', () => {
  it('finds the documented account in each name form, ignoring case (api/endpoints.md cURL example)', () => {
    const expected = { account: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool' }
    expect(demo.find('Enterprise\\NetwrixUser')).toEqual(expected)
    expect(demo.find('ENTERPRISE\\netwrixuser')).toEqual(expected)
    expect(demo.find('NetwrixUser@enterprise.local')).toEqual(expected)
    expect(demo.find('netwrixuser')).toEqual(expected)
    expect(demo.find('NetwrixUser', 'ENTERPRISE')).toEqual(expected)
    expect(demo.find('NetwrixUser', 'enterprise.local')).toEqual(expected)
  })

  it('finds no account for an unknown name or another domain', () => {
    expect(demo.find('ENTERPRISE\\Nobody')).toBeUndefined()
    expect(demo.find('OTHER\\NetwrixUser')).toBeUndefined()
    expect(demo.find('NetwrixUser', 'OTHER')).toBeUndefined()
    expect(demo.find('NetwrixUser@other.local')).toBeUndefined()
  })

  it('holds the plans of the demo, AD Monitoring with the documented ID', () => {
    expect(
      demo
        .plans()
        .map((plan) => plan.name)
        .sort(),
    ).toEqual(
      [
        'AD Monitoring',
        'Compliance',
        'Exchange Online',
        'File Servers',
        'Integrations and custom sources',
        'Logon Activity',
        'SQL Server',
        'SharePoint',
      ].sort(),
    )
    expect(demo.resolvePlan('ad monitoring')).toEqual({ name: 'AD Monitoring', id: '{42F64379-163E-4A43-A9C5-4514C5A23798}' })
    expect(demo.resolvePlan('My Cloud')).toBeUndefined()
    for (const plan of demo.plans()) expect(plan.id, plan.name).toMatch(/^\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}$/)
  })

  it('resolves nested groups transitively, ignoring case and name form', () => {
    expect(demo.isMember('ENTERPRISE\\Jason.Smith', 'ENTERPRISE\\Domain Admins')).toBe(true)
    expect(demo.isMember('enterprise\\jason.smith', 'enterprise\\tier0 admins')).toBe(true)
    expect(demo.isMember('Jason.Smith@enterprise.onmicrosoft.com', 'ENTERPRISE\\Domain Admins')).toBe(true)
    expect(demo.isMember('ENTERPRISE\\Anna.Smith', 'ENTERPRISE\\Domain Admins')).toBe(false)
    expect(demo.isMember('ENTERPRISE\\Administrator', 'ENTERPRISE\\Tier0 Admins')).toBe(false)
    expect(demo.isMember('ENTERPRISE\\Helpdesk', 'enterprise\\HELPDESK')).toBe(true)
  })

  it('gives each demo account its role, with folder scopes expanded to their plans', () => {
    const roles = (account: string) => demo.rolesOf(account).map(({ role, plans }) => ({ role, plans: [...plans].sort() }))
    expect(roles('ENTERPRISE\\NetwrixUser')).toEqual([{ role: 'GlobalAdministrator', plans: [] }])
    expect(roles('ENTERPRISE\\GlobalReviewer')).toEqual([{ role: 'GlobalReviewer', plans: [] }])
    expect(roles('ENTERPRISE\\PlanReviewer')).toEqual([{ role: 'Reviewer', plans: ['AD Monitoring'] }])
    expect(roles('ENTERPRISE\\FolderReviewer')).toEqual([{ role: 'Reviewer', plans: ['Exchange Online', 'SharePoint'] }])
    expect(roles('ENTERPRISE\\Contributor')).toEqual([{ role: 'Contributor', plans: [] }])
    expect(roles('ENTERPRISE\\Configurator')).toEqual([{ role: 'Configurator', plans: ['SQL Server'] }])
    expect(roles('ENTERPRISE\\NoRole')).toEqual([])
  })

  it('grants roles through groups, and a folder scope covers its sub-folders', () => {
    // Helpdesk is Reviewer on Infrastructure, which holds two plans and the Data folder with two more.
    expect(demo.rolesOf('enterprise\\anna.smith').map(({ role, plans }) => ({ role, plans: [...plans].sort() }))).toEqual([
      { role: 'Reviewer', plans: ['AD Monitoring', 'File Servers', 'Logon Activity', 'SQL Server'] },
    ])
    // Jason.Smith ⊂ Tier0 Admins ⊂ Domain Admins ⊂ Netwrix Auditor Administrators (delegation.md default assignment).
    expect(demo.rolesOf('ENTERPRISE\\Jason.Smith').map(({ role }) => role)).toEqual(['GlobalAdministrator'])
  })

  it('lists every user with the roles it holds, for the start banner', () => {
    const users = new Map(demo.users().map(({ account, roles }) => [account, roles]))
    expect(users.get('ENTERPRISE\\NetwrixUser')).toEqual(['GlobalAdministrator'])
    expect(users.get('ENTERPRISE\\FolderReviewer')).toEqual(['Reviewer'])
    expect(users.get('ENTERPRISE\\NoRole')).toEqual([])
    expect(users.get('ENTERPRISE\\Jason.Smith')).toEqual(['GlobalAdministrator'])
    for (const account of users.keys()) expect(demo.find(account)?.password, account).toBe('NetwrixIsCool')
  })
})

describe('role names', () => {
  it('match the roles and scopes of the contract (x-nwa-roles)', () => {
    expect(Object.keys(roleScopes).sort()).toEqual(Object.keys(contract.roles).sort())
    for (const role of Object.values(contract.roles)) expect(roleScopes[role.name], role.name).toBe(role.scope)
  })
})

describe('parseDirectory', () => {
  const base = `
domain: LAB
folders: [{ name: Top, parent: null }, { name: Inner, parent: Top }]
monitoringPlans:
  - { name: One, id: "{11111111-1111-1111-1111-111111111111}", folder: Inner }
  - { name: Two, id: "{22222222-2222-2222-2222-222222222222}" }
users: [{ name: 'LAB\\ann', password: pw }, { name: 'LAB\\bob', password: pw }]
groups: [{ name: 'LAB\\team', members: ['LAB\\ann'] }]
`
  const withRoles = (roles: string) => `${base}roles:\n${roles}`

  it('reads JSON as well as YAML', () => {
    const directory = parseDirectory(JSON.stringify({ domain: 'LAB', users: [{ name: 'LAB\\ann', password: 'pw' }] }))
    expect(directory.find('ann')).toEqual({ account: 'LAB\\ann', password: 'pw' })
  })

  it('expands a folder role to the plans of its sub-folders and unions group and direct roles', () => {
    const directory = parseDirectory(
      withRoles(`  - { principal: 'LAB\\team', role: Reviewer, folders: [Top] }\n  - { principal: 'LAB\\ann', role: Reviewer, plans: [Two] }\n`),
    )
    expect(directory.rolesOf('LAB\\ann')).toEqual([
      { role: 'Reviewer', plans: ['One'] },
      { role: 'Reviewer', plans: ['Two'] },
    ])
    expect(directory.rolesOf('LAB\\bob')).toEqual([])
  })

  const rejected: [what: string, text: string, message: RegExp][] = [
    ['an unknown role', withRoles(`  - { principal: 'LAB\\ann', role: Reviwer, plans: [One] }\n`), /roles\[0\] \(LAB\\ann\): unknown role Reviwer/],
    ['a duplicate user, whatever its case', base.replace("'LAB\\bob'", "'lab\\ANN'"), /users\[1\].*duplicate user LAB\\ANN/],
    [
      'a role on a plan that does not exist',
      withRoles(`  - { principal: 'LAB\\ann', role: Reviewer, plans: [Three] }\n`),
      /roles\[0\] \(LAB\\ann\): unknown monitoring plan Three/,
    ],
    ['a reviewer without scope', withRoles(`  - { principal: 'LAB\\ann', role: Reviewer }\n`), /roles\[0\] \(LAB\\ann\): Reviewer needs a scope/],
    ['a global role with a scope', withRoles(`  - { principal: 'LAB\\ann', role: GlobalReviewer, plans: [One] }\n`), /GlobalReviewer is a global role/],
    ['a role for an unknown principal', withRoles(`  - { principal: 'LAB\\carol', role: Contributor }\n`), /LAB\\carol is neither a user nor a group/],
    ['a role on an unknown folder', withRoles(`  - { principal: 'LAB\\ann', role: Configurator, folders: [Nowhere] }\n`), /unknown folder Nowhere/],
    ['a plan in an unknown folder', base.replace('folder: Inner', 'folder: Outer'), /monitoringPlans\[0\] \(One\): unknown folder Outer/],
    [
      'a plan id that is not a GUID in braces',
      base.replace('{22222222-2222-2222-2222-222222222222}', '22222222'),
      /monitoringPlans\[1\] \(Two\): id must be a GUID/,
    ],
    ['two plans with one id', base.replace('{22222222-2222-2222-2222-222222222222}', '{11111111-1111-1111-1111-111111111111}'), /already used/],
    ['a folder cycle', base.replace('{ name: Top, parent: null }', '{ name: Top, parent: Inner }'), /cycle/],
    ['a user without a password', base.replace("{ name: 'LAB\\bob', password: pw }", "{ name: 'LAB\\bob' }"), /users\[1\] \(LAB\\bob\): password/],
    ['a group named like a user', base.replace("name: 'LAB\\team'", "name: 'LAB\\bob'"), /groups\[0\].*same name/],
    ['a missing domain', 'users: []', /domain/],
    ['malformed YAML', 'domain: [LAB', /cannot load directory/],
  ]
  for (const [what, text, message] of rejected) {
    it(`refuses ${what}, naming the entry`, () => {
      expect(() => parseDirectory(text)).toThrow(message)
    })
  }

  it('names the file in errors when loading one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nwa-directory-'))
    try {
      const path = join(dir, 'broken.yaml')
      writeFileSync(path, withRoles(`  - { principal: 'LAB\\ann', role: Owner }\n`))
      expect(() => loadDirectoryFile(path)).toThrow(path)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses a file it cannot read with MOCK_ERR_DIRECTORY, naming the file', () => {
    const missing = join(tmpdir(), 'nwa-directory-absent', 'none.yaml')
    expect(() => loadDirectoryFile(missing)).toThrow(expect.objectContaining({ code: 'MOCK_ERR_DIRECTORY', message: expect.stringContaining(missing) }))
  })
})
