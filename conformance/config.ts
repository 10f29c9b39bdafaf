/**
 * The run configuration: a JSON or YAML file naming the target, the accounts of each role and a
 * group for InGroup, merged with the command-line flags (flags win). Secrets come from the
 * environment with `env:NAME`, so the file itself can be committed.
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { codes } from './errors.ts'
import type { Account, AccountRole, GroupFixture } from './types.ts'

export type Env = Readonly<Record<string, string | undefined>>

export interface RunConfig {
  /** Normalised API base, e.g. https://host:9699/netwrix/api/v1. */
  target?: string
  accounts: Partial<Record<AccountRole, Account>>
  groups?: GroupFixture
  /** The schemes this deployment is meant to offer, lower-case; absent means all four documented ones. */
  expectedSchemes?: string[]
}

export const accountRoles: readonly AccountRole[] = ['administrator', 'reviewer', 'scopedReviewer', 'contributor', 'configurator', 'noAccess']

/** The schemes api/endpoints.md lists, as WWW-Authenticate spells them. */
export const documentedSchemes: readonly string[] = ['NTLM', 'Negotiate', 'Digest', 'Basic']

export const apiPrefix = '/netwrix/api/v1'

/** Where curl reproductions read a password from when the config gave it literally. */
export function defaultPasswordVar(role: AccountRole): string {
  return role === 'administrator' ? 'NWA_PASSWORD' : `NWA_${role.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_PASSWORD`
}

/**
 * `scheme://host[:port][/path]` → the API base: trailing slashes dropped, /netwrix/api/v1 appended
 * unless the path already ends with it. Only http and https; no credentials, query or fragment.
 */
export function normalizeTarget(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url.trim())
  } catch {
    throw codes.CONF_ERR_USAGE.create(`target "${url}" is not a URL (expected https://host:9699)`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw codes.CONF_ERR_USAGE.create(`target "${url}": scheme ${parsed.protocol.replace(/:$/, '')} is not http or https`)
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw codes.CONF_ERR_USAGE.create(`target "${parsed.host}": put credentials in --user/--password or the config file, not in the URL`)
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw codes.CONF_ERR_USAGE.create(`target "${url}" must not carry a query or fragment`)
  }
  const path = parsed.pathname.replace(/\/+$/, '')
  const base = path.toLowerCase().endsWith(apiPrefix) ? path : `${path}${apiPrefix}`
  return `${parsed.protocol}//${parsed.host}${base}`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: string, source: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw codes.CONF_ERR_CONFIG.create(source, `unknown key "${key}" in ${where} (allowed: ${allowed.join(', ')})`)
    }
  }
}

function stringField(value: Record<string, unknown>, key: string, where: string, source: string): string {
  const field = value[key]
  if (typeof field !== 'string' || field === '') throw codes.CONF_ERR_CONFIG.create(source, `${where}.${key} must be a non-empty string`)
  return field
}

function stringList(value: unknown, where: string, source: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw codes.CONF_ERR_CONFIG.create(source, `${where} must be a non-empty list of strings`)
  }
  return value as string[]
}

/** A password value: `env:NAME` reads the variable (and remembers its name for reproductions), anything else is literal. */
export function resolveSecret(value: string, env: Env, where: string): { password: string; passwordVar?: string } {
  const match = /^env:(.*)$/.exec(value)
  if (match === null) return { password: value }
  const name = match[1]!
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw codes.CONF_ERR_USAGE.create(`${where}: "${name}" is not an environment variable name`)
  const password = env[name]
  if (password === undefined) throw codes.CONF_ERR_USAGE.create(`${where}: environment variable ${name} is not set`)
  return { password, passwordVar: name }
}

function parseAccount(role: AccountRole, raw: unknown, env: Env, source: string): Account {
  const where = `accounts.${role}`
  if (!isRecord(raw)) throw codes.CONF_ERR_CONFIG.create(source, `${where} must be a mapping with user and password`)
  checkKeys(raw, role === 'scopedReviewer' ? ['user', 'password', 'monitoringPlans'] : ['user', 'password'], where, source)
  const user = stringField(raw, 'user', where, source)
  if (typeof raw['password'] !== 'string') throw codes.CONF_ERR_CONFIG.create(source, `${where}.password must be a string`)
  const secret = resolveSecret(raw['password'], env, `${source}: ${where}.password`)
  const account: Account = { user, password: secret.password, passwordVar: secret.passwordVar ?? defaultPasswordVar(role) }
  if (raw['monitoringPlans'] !== undefined) account.monitoringPlans = stringList(raw['monitoringPlans'], `${where}.monitoringPlans`, source)
  return account
}

export function parseConfig(text: string, source: string, env: Env): RunConfig {
  let document: unknown
  try {
    document = parse(text)
  } catch (error) {
    throw codes.CONF_ERR_CONFIG.wrap(error, source, error instanceof Error ? error.message : String(error))
  }
  if (!isRecord(document)) throw codes.CONF_ERR_CONFIG.create(source, 'top level must be a mapping')
  checkKeys(document, ['target', 'accounts', 'groups', 'expectedSchemes'], 'the top level', source)
  const config: RunConfig = { accounts: {} }
  if (document['target'] !== undefined) config.target = normalizeTarget(stringField(document, 'target', 'config', source))
  const accounts = document['accounts']
  if (accounts !== undefined) {
    if (!isRecord(accounts)) throw codes.CONF_ERR_CONFIG.create(source, 'accounts must be a mapping of role to account')
    checkKeys(accounts, accountRoles, 'accounts', source)
    for (const role of accountRoles) {
      if (accounts[role] !== undefined) config.accounts[role] = parseAccount(role, accounts[role], env, source)
    }
  }
  const groups = document['groups']
  if (groups !== undefined) {
    if (!isRecord(groups)) throw codes.CONF_ERR_CONFIG.create(source, 'groups must be a mapping with inGroup and members')
    checkKeys(groups, ['inGroup', 'members'], 'groups', source)
    config.groups = { inGroup: stringField(groups, 'inGroup', 'groups', source), members: stringList(groups['members'], 'groups.members', source) }
  }
  if (document['expectedSchemes'] !== undefined) config.expectedSchemes = parseSchemes(document['expectedSchemes'], source)
  return config
}

/** A non-empty list of documented scheme names, any case, stored lower-case. */
function parseSchemes(value: unknown, source: string): string[] {
  const names = stringList(value, 'expectedSchemes', source)
  const known = new Map(documentedSchemes.map((scheme) => [scheme.toLowerCase(), scheme]))
  for (const name of names) {
    if (!known.has(name.toLowerCase())) {
      throw codes.CONF_ERR_CONFIG.create(source, `expectedSchemes: "${name}" is not a documented scheme (${documentedSchemes.join(', ')})`)
    }
  }
  return [...new Set(names.map((name) => name.toLowerCase()))]
}

export function loadConfig(file: string, env: Env = process.env): RunConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw codes.CONF_ERR_CONFIG.wrap(error, file, error instanceof Error ? error.message : String(error))
  }
  return parseConfig(text, file, env)
}

export interface ConfigFlags {
  target?: string
  /** The Global administrator. */
  user?: string
  /** Literal or `env:NAME`; without it, --user takes NWA_PASSWORD from the environment. */
  password?: string
}

/** Flags over the file: --target replaces the target, --user/--password the administrator account. */
export function mergeConfig(config: RunConfig | undefined, flags: ConfigFlags, env: Env): RunConfig {
  const merged: RunConfig = { ...config, accounts: { ...config?.accounts } }
  if (flags.target !== undefined) merged.target = normalizeTarget(flags.target)
  if (flags.user !== undefined || flags.password !== undefined) {
    const existing = merged.accounts.administrator
    const user = flags.user ?? existing?.user
    if (user === undefined) throw codes.CONF_ERR_USAGE.create('--password needs --user (or accounts.administrator in the config)')
    let secret: { password: string; passwordVar?: string }
    if (flags.password !== undefined) secret = resolveSecret(flags.password, env, '--password')
    else if (env['NWA_PASSWORD'] !== undefined) secret = { password: env['NWA_PASSWORD'], passwordVar: 'NWA_PASSWORD' }
    else if (existing !== undefined && flags.user === existing.user) secret = existing
    else throw codes.CONF_ERR_USAGE.create('--user needs --password or the NWA_PASSWORD environment variable')
    merged.accounts.administrator = { user, password: secret.password, passwordVar: secret.passwordVar ?? defaultPasswordVar('administrator') }
  }
  return merged
}
