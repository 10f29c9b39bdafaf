import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultPasswordVar, loadConfig, mergeConfig, normalizeTarget, parseConfig } from './config.ts'
import { isConformanceError } from './errors.ts'

const dir = mkdtempSync(join(tmpdir(), 'nwa-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const env = { NWA_ADMIN_PASSWORD: 'admin-secret', NWA_REVIEWER_PASSWORD: 'rev-secret' }

const example = {
  target: 'https://nwa.example:9699',
  accounts: {
    administrator: { user: 'ENTERPRISE\\NetwrixUser', password: 'env:NWA_ADMIN_PASSWORD' },
    reviewer: { user: 'ENTERPRISE\\Reviewer', password: 'env:NWA_REVIEWER_PASSWORD' },
    scopedReviewer: { user: 'ENTERPRISE\\Scoped', password: 'literal', monitoringPlans: ['AD Monitoring'] },
  },
  groups: { inGroup: 'ENTERPRISE\\Domain Admins', members: ['ENTERPRISE\\Administrator'] },
}

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run()
  } catch (error) {
    if (isConformanceError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a ConformanceError')
}

describe('loadConfig', () => {
  it('reads the JSON form, resolving env: secrets and remembering the variable names', () => {
    const file = join(dir, 'nwa.json')
    writeFileSync(file, JSON.stringify(example))
    const config = loadConfig(file, env)
    expect(config.target).toBe('https://nwa.example:9699/netwrix/api/v1')
    expect(config.accounts.administrator).toEqual({ user: 'ENTERPRISE\\NetwrixUser', password: 'admin-secret', passwordVar: 'NWA_ADMIN_PASSWORD' })
    expect(config.accounts.reviewer?.password).toBe('rev-secret')
    expect(config.accounts.scopedReviewer).toEqual({
      user: 'ENTERPRISE\\Scoped',
      password: 'literal',
      passwordVar: 'NWA_SCOPED_REVIEWER_PASSWORD',
      monitoringPlans: ['AD Monitoring'],
    })
    expect(config.accounts.contributor).toBeUndefined()
    expect(config.groups).toEqual(example.groups)
  })

  it('reads the same document written as YAML', () => {
    const file = join(dir, 'nwa.yaml')
    writeFileSync(
      file,
      [
        'target: https://nwa.example:9699/',
        'accounts:',
        '  administrator:',
        "    user: 'ENTERPRISE\\NetwrixUser'",
        '    password: env:NWA_ADMIN_PASSWORD',
        'groups:',
        "  inGroup: 'ENTERPRISE\\Domain Admins'",
        "  members: ['ENTERPRISE\\Administrator']",
      ].join('\n'),
    )
    const config = loadConfig(file, env)
    expect(config.target).toBe('https://nwa.example:9699/netwrix/api/v1')
    expect(config.accounts.administrator?.user).toBe('ENTERPRISE\\NetwrixUser')
    expect(config.groups?.members).toEqual(['ENTERPRISE\\Administrator'])
  })

  it('names the missing environment variable', () => {
    const error = errorOf(() => parseConfig(JSON.stringify(example), 'nwa.json', {}))
    expect(error.code).toBe('CONF_ERR_USAGE')
    expect(error.message).toContain('NWA_ADMIN_PASSWORD')
  })

  it('rejects unknown keys at the top level, in accounts, in an account and in groups', () => {
    const cases: [unknown, string][] = [
      [{ ...example, acounts: {} }, '"acounts"'],
      [{ accounts: { admin: { user: 'u', password: 'p' } } }, '"admin"'],
      [{ accounts: { reviewer: { user: 'u', pasword: 'p' } } }, '"pasword"'],
      [{ accounts: { reviewer: { user: 'u', password: 'p', monitoringPlans: ['x'] } } }, '"monitoringPlans"'],
      [{ groups: { inGroup: 'g', member: ['x'] } }, '"member"'],
    ]
    for (const [document, name] of cases) {
      const error = errorOf(() => parseConfig(JSON.stringify(document), 'c.json', env))
      expect(error.code).toBe('CONF_ERR_CONFIG')
      expect(error.message).toContain(name)
    }
  })

  it('reads a configurator account and the expected schemes, any case, and refuses a scheme the pages do not list', () => {
    const config = parseConfig(
      'accounts:\n  configurator: { user: ENTERPRISE\\Configurator, password: x }\nexpectedSchemes: [NTLM, basic, Ntlm]\n',
      'nwa.yaml',
      env,
    )
    expect(config.accounts.configurator).toEqual({ user: 'ENTERPRISE\\Configurator', password: 'x', passwordVar: 'NWA_CONFIGURATOR_PASSWORD' })
    expect(config.expectedSchemes).toEqual(['ntlm', 'basic'])
    expect(errorOf(() => parseConfig('expectedSchemes: [NTLM, Kerberos]\n', 'nwa.yaml', env))).toEqual({
      code: 'CONF_ERR_CONFIG',
      message: 'config nwa.yaml: expectedSchemes: "Kerberos" is not a documented scheme (NTLM, Negotiate, Digest, Basic)',
    })
  })

  it('reports a missing file and broken syntax as config errors', () => {
    expect(errorOf(() => loadConfig(join(dir, 'absent.json'), env)).code).toBe('CONF_ERR_CONFIG')
    expect(errorOf(() => parseConfig('{ "target": ', 'c.json', env)).code).toBe('CONF_ERR_CONFIG')
    expect(errorOf(() => parseConfig('[1, 2]', 'c.json', env)).message).toContain('mapping')
  })
})

describe('normalizeTarget', () => {
  it('appends the API prefix with or without a trailing slash, and keeps one already there', () => {
    expect(normalizeTarget('https://host:9699')).toBe('https://host:9699/netwrix/api/v1')
    expect(normalizeTarget('https://host:9699/')).toBe('https://host:9699/netwrix/api/v1')
    expect(normalizeTarget('http://127.0.0.1:8080/netwrix/api/v1/')).toBe('http://127.0.0.1:8080/netwrix/api/v1')
    expect(normalizeTarget('https://proxy.example/nwa')).toBe('https://proxy.example/nwa/netwrix/api/v1')
  })

  it('rejects other schemes, non-URLs, credentials and queries as usage errors', () => {
    for (const bad of ['ftp://host:9699', 'host:9699', 'not a url', 'https://u:p@host:9699', 'https://host:9699/?x=1']) {
      expect(errorOf(() => normalizeTarget(bad)).code).toBe('CONF_ERR_USAGE')
    }
  })
})

describe('mergeConfig', () => {
  const file = parseConfig(JSON.stringify(example), 'c.json', env)

  it('lets --target and --user/--password win over the file', () => {
    const merged = mergeConfig(file, { target: 'http://127.0.0.1:9/', user: 'LOCAL\\Admin', password: 'env:OTHER' }, { OTHER: 'x' })
    expect(merged.target).toBe('http://127.0.0.1:9/netwrix/api/v1')
    expect(merged.accounts.administrator).toEqual({ user: 'LOCAL\\Admin', password: 'x', passwordVar: 'OTHER' })
    expect(merged.accounts.reviewer).toEqual(file.accounts.reviewer)
  })

  it('takes the --user password from NWA_PASSWORD when --password is absent, and refuses when neither is there', () => {
    expect(mergeConfig(undefined, { user: 'u' }, { NWA_PASSWORD: 'p' }).accounts.administrator).toEqual({
      user: 'u',
      password: 'p',
      passwordVar: 'NWA_PASSWORD',
    })
    expect(errorOf(() => mergeConfig(undefined, { user: 'u' }, {})).code).toBe('CONF_ERR_USAGE')
    expect(errorOf(() => mergeConfig(undefined, { password: 'p' }, {})).code).toBe('CONF_ERR_USAGE')
  })

  it('keeps the file untouched when no flags are given', () => {
    expect(mergeConfig(file, {}, {})).toEqual(file)
  })

  it('names a variable per role for literal passwords', () => {
    expect(defaultPasswordVar('administrator')).toBe('NWA_PASSWORD')
    expect(defaultPasswordVar('noAccess')).toBe('NWA_NO_ACCESS_PASSWORD')
  })
})
