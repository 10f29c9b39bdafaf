import { checkServerIdentity, type PeerCertificate } from 'node:tls'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import { parseChallenges } from '../auth/challenge.ts'
import { isConformanceError } from '../errors.ts'
import {
  fail,
  notApplicable,
  pass,
  skip,
  type AccountRole,
  type AuthMode,
  type CertificateNames,
  type Check,
  type CheckContext,
  type CheckVerdict,
  type Exchange,
} from '../types.ts'
import {
  admin,
  contentTypes,
  describeResponse,
  endpoints,
  enumerateAll,
  getEnumPage,
  headerOf,
  markBody,
  matchAll,
  preview,
  readPage,
  ridsOf,
  sampleRecord,
  searchAll,
  searchBody,
  searchPage,
  snippet,
  verdict,
  walkRecords,
  withQuery,
  writeRecords,
} from './support.ts'

const check = (definition: Omit<Check, 'category'>): Check => ({ ...definition, category: 'auth' })

/** The fixed modes of --auth: the schemes the runner answers a challenge with. */
const fixedModes: readonly string[] = ['basic', 'digest', 'ntlm'] satisfies Exclude<AuthMode, 'auto'>[]

/** Scheme names of a WWW-Authenticate value, lower-cased. */
export function offeredSchemes(header: string | undefined): string[] {
  return [...new Set(parseChallenges(header).map((challenge) => challenge.scheme.toLowerCase()))]
}

/** A 401 with a challenge and, as documented, an empty body. */
export function unauthorizedProblems(exchange: Exchange, wantChallenge: boolean): string[] {
  const label = `${exchange.request.method} ${exchange.request.url}`
  if (exchange.response.status !== 401) return [`${label}: expected 401, got ${exchange.response.status} ${snippet(exchange.response.body)}`]
  const problems: string[] = []
  if (wantChallenge && !headerOf(exchange, 'www-authenticate')) problems.push(`${label}: the 401 has no WWW-Authenticate header`)
  if (exchange.response.body !== '') problems.push(`${label}: the 401 should have an empty body, got ${snippet(exchange.response.body)}`)
  return problems
}

/** Records outside a Reviewer's monitoring plans (compared without case, as plan names are). */
export function outOfScope(records: readonly ActivityRecordOutput[], plans: readonly string[]): ActivityRecordOutput[] {
  const allowed = new Set(plans.map((plan) => plan.toLowerCase()))
  return records.filter((record) => !allowed.has((record.MonitoringPlan?.Name ?? '').toLowerCase()))
}

/**
 * One request of each kind (GET enum, POST enum, search, write) as `as` would send it, to be sent in turn.
 * The write body is an empty list, so a server that wrongly accepts the caller still cannot store anything.
 */
function endpointRequests(ctx: CheckContext, as: AccountRole | null, mark: string, password?: string, auth?: AuthMode): (() => Promise<Exchange>)[] {
  const common = { as, ...(password === undefined ? {} : { password }), ...(auth === undefined ? {} : { auth }) }
  const xml = { 'Content-Type': contentTypes.xml }
  return [
    () => ctx.send({ method: 'GET', path: endpoints.enum, ...common }),
    () => ctx.send({ method: 'POST', path: endpoints.enum, headers: xml, body: markBody(ctx.codec, mark, 'xml'), ...common }),
    () => ctx.send({ method: 'POST', path: endpoints.search, headers: xml, body: searchBody(ctx.codec, matchAll(ctx), 'xml'), ...common }),
    () =>
      ctx.send({ method: 'POST', path: endpoints.write, headers: xml, body: `<ActivityRecordList xmlns="${ctx.contract.namespaces.records}"/>`, ...common }),
  ]
}

/** One at a time: an NTLM handshake is bound to its connection. */
async function inTurn(requests: readonly (() => Promise<Exchange>)[]): Promise<Exchange[]> {
  const exchanges: Exchange[] = []
  for (const request of requests) exchanges.push(await request())
  return exchanges
}

/** A mark the administrator was really given, or a made-up one when no record is visible. */
async function someMark(ctx: CheckContext): Promise<string> {
  const page = await getEnumPage(ctx, admin, 'xml', 1)
  return (page.ok && page.page.mark) || `${ctx.runMarker}-made-up-mark`
}

/** The schemes of the anonymous 401, lower-case. */
async function challengeSchemes(ctx: CheckContext): Promise<string[]> {
  const challenge = await ctx.send({ method: 'GET', path: endpoints.enum, as: null })
  return offeredSchemes(headerOf(challenge, 'www-authenticate'))
}

/** The scheme word of the Authorization a request went out with ("NTLM ***" in the redacted evidence). */
export function schemeOfRequest(exchange: Exchange): string | undefined {
  for (const [name, value] of Object.entries(exchange.request.headers)) if (name.toLowerCase() === 'authorization') return value.split(' ')[0]
  return undefined
}

/** A scheme the server does not offer is a deployment's setting (D27): the rule "works when offered" does not apply. */
async function schemeVerdict(ctx: CheckContext, mode: Exclude<AuthMode, 'auto'>): Promise<CheckVerdict> {
  const offered = await challengeSchemes(ctx)
  if (!offered.includes(mode)) return notApplicable(`the server does not offer ${mode.toUpperCase()}; its 401 offers ${offered.join(', ') || 'nothing'}`)
  let exchange: Exchange
  try {
    exchange = await ctx.send({ method: 'GET', path: withQuery(endpoints.enum, { count: 1 }), as: admin, auth: mode })
  } catch (error) {
    if (isConformanceError(error, 'CONF_ERR_AUTH_UNSUPPORTED'))
      return skip(`the server offers ${mode.toUpperCase()}, but this client has no implementation of it`)
    throw error
  }
  // A pass must mean the scheme was used: an answer to a request that carried no such credentials checked nothing.
  const sent = schemeOfRequest(exchange)
  if (sent?.toLowerCase() !== mode) {
    return fail(`GET enum with ${mode.toUpperCase()} was answered ${exchange.response.status} to a request that carried ${sent ?? 'no'} credentials`)
  }
  const page = readPage(ctx.codec, exchange)
  return page.ok
    ? pass(`GET enum authenticated with ${mode.toUpperCase()} answered 200`)
    : fail(`GET enum authenticated with ${mode.toUpperCase()}: ${page.problem}`)
}

/** The administrator's first mark, posted to enum by the scoped reviewer. */
async function postAdministratorsMark(ctx: CheckContext): Promise<{ ok: true; exchange: Exchange } | { ok: false; verdict: CheckVerdict }> {
  const first = await getEnumPage(ctx, admin, 'json', 1)
  if (!first.ok) return { ok: false, verdict: fail(`the administrator's GET enum: ${first.problem}`) }
  if (!first.page.mark || first.page.records.length === 0) return { ok: false, verdict: skip('the administrator sees no records, so no mark was issued') }
  const exchange = await ctx.send({
    method: 'POST',
    path: withQuery(endpoints.enum, { format: 'json', count: 5 }),
    headers: { 'Content-Type': contentTypes.json },
    body: markBody(ctx.codec, first.page.mark, 'json'),
    as: 'scopedReviewer',
  })
  return { ok: true, exchange }
}

/** GET and POST enum, search and write as `as`: every one must be 401 (the write body stores nothing anyway). */
async function deniedEverywhere(ctx: CheckContext, as: AccountRole, who: string): Promise<CheckVerdict> {
  const mark = await someMark(ctx)
  const exchanges = await inTurn(endpointRequests(ctx, as, mark))
  return verdict(
    exchanges.flatMap((exchange) => unauthorizedProblems(exchange, false)),
    `GET and POST enum, search and write by ${who} were answered 401`,
  )
}

async function storedCount(ctx: CheckContext, marker: string): Promise<number | string> {
  const walk = await searchAll(ctx, admin, { What: { Contains: marker } }, { format: 'json', maxPages: ctx.options.maxPages })
  return walk.problem ? `searching for "${marker}": ${walk.problem}` : walkRecords(walk).length
}

/** The host names a certificate offers: its DNS and IP subject alternative names, else a CN that reads as a host name. */
export function certificateHostNames(names: CertificateNames): string[] {
  const alternative = (names.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:') || entry.startsWith('IP Address:'))
    .map((entry) => entry.slice(entry.indexOf(':') + 1))
  if (alternative.length > 0) return alternative
  // A CN such as "Netwrix Integration API" names the product, not a host; clients match only a host-like one.
  return names.commonName !== undefined && /^[\w*][\w*.-]*$/.test(names.commonName) ? [names.commonName] : []
}

/** Whether a certificate names the host a client addresses (D39): pass, warn when it names none, skip when it names others. */
export function certificateHostVerdict(host: string, names: CertificateNames): CheckVerdict {
  const offered = certificateHostNames(names)
  if (offered.length === 0) {
    const subject = names.commonName === undefined ? 'no common name' : `the common name "${names.commonName}"`
    return fail(`the certificate names no host: no DNS or IP subject alternative name, and ${subject}; no client that checks names can address the server`)
  }
  // checkServerIdentity reads only these two fields; the rest of a PeerCertificate plays no part in the match.
  const peer = { subject: names.commonName === undefined ? {} : { CN: names.commonName }, subjectaltname: names.subjectAltName ?? '' } as PeerCertificate
  if (checkServerIdentity(host, peer) === undefined) return pass(`the certificate names ${host} (it names ${offered.join(', ')})`)
  return skip(
    `the target addresses the server as ${host}, which its certificate does not name (it names ${offered.join(', ')}); the pages ask clients to use a name from the certificate: run again with --target https://${offered[0]}:PORT`,
  )
}

export const authChecks: Check[] = [
  check({
    id: 'auth.required',
    title: 'Every endpoint answers a request without credentials with 401, a WWW-Authenticate challenge and an empty body',
    level: 'MUST',
    requirements: ['AUTH-REQUIRED', 'STATUS-401'],
    tags: ['auth'],
    async run(ctx) {
      const exchanges = await inTurn(endpointRequests(ctx, null, `${ctx.runMarker}-made-up-mark`))
      return verdict(
        exchanges.flatMap((exchange) => unauthorizedProblems(exchange, true)),
        'GET and POST enum, search and write without credentials were answered 401 with a challenge and an empty body',
      )
    },
  }),

  check({
    id: 'auth.certificate-host',
    title: 'Over HTTPS, the server certificate names the host the client addresses',
    level: 'SHOULD',
    decision: 'D39',
    requirements: ['TLS-CERT-HOST'],
    tags: ['tls'],
    async run(ctx) {
      const target = new URL(ctx.apiBase)
      if (target.protocol !== 'https:') return notApplicable('the target is plain HTTP: there is no certificate')
      const exchange = await ctx.send({ method: 'GET', path: endpoints.enum, as: null })
      const names = exchange.response.certificate
      if (names === undefined) return skip('the answer came without a certificate to read (not over TLS)')
      // URL keeps an IPv6 host in brackets; certificates and checkServerIdentity name the bare address.
      return certificateHostVerdict(target.hostname.replace(/^\[(.*)\]$/, '$1'), names)
    },
  }),

  check({
    id: 'auth.wrong-password',
    title: 'A wrong password is answered 401 on every endpoint, with each offered scheme the runner speaks',
    level: 'MUST',
    requirements: ['AUTH-REQUIRED', 'STATUS-401'],
    tags: ['auth'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const password = `${ctx.accounts.administrator?.password ?? ''}-nwa-wrong-${ctx.runMarker}`
      // Each scheme checks passwords its own way, so a wrong one is tried with every scheme offered that this client speaks.
      const offered = (await challengeSchemes(ctx)).filter((scheme): scheme is Exclude<AuthMode, 'auto'> => fixedModes.includes(scheme))
      const modes: AuthMode[] = offered.length > 0 ? offered : [ctx.options.auth]
      const problems: string[] = []
      for (const mode of modes) {
        const exchanges = await inTurn(endpointRequests(ctx, admin, `${ctx.runMarker}-made-up-mark`, password, mode))
        problems.push(...exchanges.flatMap((exchange) => unauthorizedProblems(exchange, false)).map((problem) => `${mode}: ${problem}`))
      }
      return verdict(problems, `the administrator with a wrong password was answered 401 on GET and POST enum, search and write, with ${modes.join(', ')}`)
    },
  }),

  check({
    id: 'auth.challenge-schemes',
    title: 'The 401 challenge offers at least one documented scheme (NTLM, Negotiate, Digest, Basic), and the administrator authenticates with one',
    level: 'MUST',
    requirements: ['AUTH-SCHEME-AVAILABLE', 'AUTH-REQUIRED'],
    tags: ['auth'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const offered = await challengeSchemes(ctx)
      const documented = ctx.contract.securitySchemes.map((scheme) => scheme.toLowerCase())
      const usable = offered.filter((scheme) => documented.includes(scheme))
      if (usable.length === 0) return fail(`the 401 offers ${offered.join(', ') || 'no scheme'}, none of the documented ${documented.join(', ')}`)
      const page = await getEnumPage(ctx, admin, 'json', 1)
      if (!page.ok) return fail(`the 401 offers ${usable.join(', ')}, but the administrator's GET enum: ${page.problem}`)
      return pass(`the 401 offers ${usable.join(', ')}; the administrator authenticated with ${schemeOfRequest(page.page.exchange) ?? 'an offered scheme'}`)
    },
  }),

  check({
    id: 'auth.expected-schemes',
    title: 'The 401 challenge offers every scheme the deployment is expected to offer (config expectedSchemes; default all four documented)',
    level: 'SHOULD',
    decision: 'D27',
    requirements: ['AUTH-NTLM', 'AUTH-NEGOTIATE', 'AUTH-DIGEST', 'AUTH-BASIC'],
    tags: ['auth'],
    async run(ctx) {
      const offered = await challengeSchemes(ctx)
      const expected = ctx.expectedSchemes ?? ctx.contract.securitySchemes.map((scheme) => scheme.toLowerCase())
      const missing = expected.filter((scheme) => !offered.includes(scheme))
      return missing.length
        ? fail(`the 401 offers ${offered.join(', ') || 'no scheme'}; expected ${expected.join(', ')}, missing ${missing.join(', ')}`)
        : pass(`the 401 offers ${offered.join(', ')}, every expected scheme`)
    },
  }),

  check({
    id: 'auth.basic',
    title: 'Basic authentication works when the server offers it (not applicable when it does not)',
    level: 'MUST',
    requirements: ['AUTH-OFFERED-WORKS', 'AUTH-BASIC'],
    tags: ['auth', 'basic'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => schemeVerdict(ctx, 'basic'),
  }),

  check({
    id: 'auth.digest',
    title: 'Digest authentication works when the server offers it (not applicable when it does not)',
    level: 'MUST',
    requirements: ['AUTH-OFFERED-WORKS', 'AUTH-DIGEST'],
    tags: ['auth', 'digest'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => schemeVerdict(ctx, 'digest'),
  }),

  check({
    id: 'auth.ntlm',
    title: 'NTLM authentication works when the server offers it (not applicable when it does not)',
    level: 'MUST',
    requirements: ['AUTH-OFFERED-WORKS', 'AUTH-NTLM'],
    tags: ['auth', 'ntlm'],
    needs: { accounts: ['administrator'] },
    run: (ctx) => schemeVerdict(ctx, 'ntlm'),
  }),

  check({
    id: 'auth.admin-read-write',
    title: 'A Global administrator can read through enum and search, and write',
    level: 'MUST',
    requirements: ['ROLE-GLOBAL-ADMIN'],
    tags: ['roles'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const problems: string[] = []
      const listed = await getEnumPage(ctx, admin, 'json', 5)
      if (!listed.ok) problems.push(`GET enum: ${listed.problem}`)
      const searched = await searchPage(ctx, admin, matchAll(ctx), 'json', 5)
      if (!searched.ok) problems.push(`search: ${searched.problem}`)
      if (ctx.options.write) {
        const written = await writeRecords(ctx, admin, [sampleRecord(`${ctx.runMarker}-auth-admin`)], 'xml')
        if (written.response.status !== 200) problems.push(`write: expected 200, got ${describeResponse(written)}`)
      }
      return verdict(problems, `the administrator read through enum and search${ctx.options.write ? ' and wrote a record' : ' (the write needs --write)'}`)
    },
  }),

  check({
    id: 'auth.reviewer-read',
    title: 'A Global reviewer reads through enum and search and sees what the administrator sees',
    level: 'MUST',
    requirements: ['ROLE-GLOBAL-REVIEWER-READ'],
    tags: ['roles'],
    needs: { accounts: ['administrator', 'reviewer'] },
    async run(ctx) {
      const problems: string[] = []
      for (const [label, read] of [
        ['GET enum?count=20', (as: AccountRole) => getEnumPage(ctx, as, 'json', 20)],
        ['search?count=20', (as: AccountRole) => searchPage(ctx, as, matchAll(ctx), 'json', 20)],
      ] as const) {
        const reviewer = await read('reviewer')
        const administrator = await read(admin)
        if (!reviewer.ok) problems.push(`${label} as the reviewer: ${reviewer.problem}`)
        else if (administrator.ok && ridsOf(reviewer.page.records).join() !== ridsOf(administrator.page.records).join()) {
          problems.push(
            `${label}: the reviewer got ${preview(ridsOf(reviewer.page.records))}, the administrator ${preview(ridsOf(administrator.page.records))}`,
          )
        }
      }
      return verdict(problems, 'the reviewer read the same first pages of enum and search as the administrator')
    },
  }),

  check({
    id: 'auth.contributor-no-read',
    title: 'A Contributor cannot read: enum and search answer 401',
    level: 'MUST',
    requirements: ['ROLE-CONTRIBUTOR-NO-READ', 'STATUS-401'],
    tags: ['roles'],
    needs: { accounts: ['administrator', 'contributor'] },
    async run(ctx) {
      const mark = await someMark(ctx)
      const exchanges = await inTurn(endpointRequests(ctx, 'contributor', mark).slice(0, 3))
      return verdict(
        exchanges.flatMap((exchange) => unauthorizedProblems(exchange, false)),
        'GET enum, POST enum and search as the contributor were answered 401',
      )
    },
  }),

  check({
    id: 'auth.contributor-write',
    title: 'A Contributor can write',
    level: 'MUST',
    requirements: ['ROLE-CONTRIBUTOR-WRITE'],
    tags: ['roles', 'write'],
    needs: { write: true, accounts: ['administrator', 'contributor'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-auth-contributor`
      const written = await writeRecords(ctx, 'contributor', [sampleRecord(marker)], 'json')
      if (written.response.status !== 200) return fail(`the contributor's write: expected 200, got ${describeResponse(written)}`)
      const stored = await storedCount(ctx, marker)
      if (typeof stored === 'string') return fail(stored)
      return stored === 1
        ? pass('the contributor wrote a record and the administrator found it')
        : fail(`the contributor's write answered 200 but ${stored} records carry its marker`)
    },
  }),

  check({
    id: 'auth.reviewer-no-write',
    title: 'A Global reviewer or Reviewer cannot write: 401, and nothing is stored',
    level: 'MUST',
    requirements: ['ROLE-READERS-NO-WRITE', 'STATUS-401'],
    tags: ['roles', 'write'],
    needs: { write: true, accounts: ['administrator', 'reviewer'] },
    async run(ctx) {
      const problems: string[] = []
      const readers = (['reviewer', 'scopedReviewer'] as const).filter((role) => ctx.accounts[role])
      for (const role of readers) {
        const marker = `${ctx.runMarker}-auth-${role}-write`
        problems.push(...unauthorizedProblems(await writeRecords(ctx, role, [sampleRecord(marker)], 'xml'), false).map((problem) => `${role}: ${problem}`))
        const stored = await storedCount(ctx, marker)
        if (stored !== 0) problems.push(typeof stored === 'string' ? stored : `${role}: ${stored} records of the refused write were stored`)
      }
      return verdict(problems, `writes by ${readers.join(' and ')} were answered 401 and stored nothing`)
    },
  }),

  check({
    id: 'auth.scoped-reviewer',
    title: 'A Reviewer sees only records of its monitoring plans: in enum, in search and on every continuation page',
    level: 'MUST',
    requirements: ['ROLE-REVIEWER-SCOPE'],
    tags: ['roles'],
    needs: { accounts: ['scopedReviewer'] },
    async run(ctx) {
      const plans = ctx.accounts.scopedReviewer?.monitoringPlans ?? []
      if (plans.length === 0) return skip('the config names no monitoringPlans for the scopedReviewer account')
      const options = { format: 'json' as const, count: 5, maxPages: ctx.options.maxPages, stopWhen: (n: number) => n >= 50 }
      const problems: string[] = []
      let seen = 0
      let pages = 0
      for (const [label, walk] of [
        ['enum', await enumerateAll(ctx, 'scopedReviewer', options)],
        ['search', await searchAll(ctx, 'scopedReviewer', matchAll(ctx), options)],
      ] as const) {
        if (walk.problem) problems.push(`${label}: ${walk.problem}`)
        walk.pages.forEach((page, index) => {
          const outside = outOfScope(page.records, plans)
          if (outside.length)
            problems.push(
              `${label} page ${index + 1}: ${outside.length} records outside ${plans.join(', ')}: ${preview(outside.map((r) => `${r.RID ?? '?'} (${r.MonitoringPlan?.Name ?? 'no plan'})`))}`,
            )
        })
        seen += walkRecords(walk).length
        pages += walk.pages.length
      }
      if (!problems.length && seen === 0) return skip(`the scoped reviewer sees no records in ${plans.join(', ')}, so its scope cannot be judged`)
      return verdict(problems, `${seen} records on ${pages} pages of enum and search, all in ${plans.join(', ')}`)
    },
  }),

  check({
    id: 'auth.mark-cross-user',
    title: 'A mark issued to the administrator never shows a scoped reviewer records outside its plans (refused, or continued within its scope)',
    level: 'MUST',
    requirements: ['ROLE-REVIEWER-SCOPE'],
    tags: ['roles', 'marks'],
    needs: { accounts: ['administrator', 'scopedReviewer'] },
    async run(ctx) {
      const posted = await postAdministratorsMark(ctx)
      if (!posted.ok) return posted.verdict
      const { exchange } = posted
      if (exchange.response.status === 400 || exchange.response.status === 401)
        return pass(`the administrator's mark posted by the scoped reviewer was answered ${exchange.response.status}`)
      const page = readPage(ctx.codec, exchange)
      if (!page.ok) return fail(`expected 400, 401 or a page within the reviewer's scope: ${page.problem}`)
      const plans = ctx.accounts.scopedReviewer?.monitoringPlans ?? []
      if (plans.length === 0) return skip('the config names no monitoringPlans for the scopedReviewer account, so the scope of the page cannot be judged')
      const outside = outOfScope(page.page.records, plans)
      return outside.length
        ? fail(
            `the administrator's mark gave the scoped reviewer ${outside.length} records outside ${plans.join(', ')}: ${preview(outside.map((r) => r.RID ?? '?'))}`,
          )
        : pass(`the administrator's mark gave the scoped reviewer ${page.page.records.length} records, all in ${plans.join(', ')}`)
    },
  }),

  check({
    id: 'auth.mark-bound-to-user',
    title: 'A mark issued to the administrator is refused (400 or 401) when a scoped reviewer posts it',
    level: 'SHOULD',
    decision: 'D29',
    requirements: ['ROLE-REVIEWER-SCOPE', 'STATUS-400-READ'],
    tags: ['roles', 'marks'],
    needs: { accounts: ['administrator', 'scopedReviewer'] },
    async run(ctx) {
      const posted = await postAdministratorsMark(ctx)
      if (!posted.ok) return posted.verdict
      const { status } = posted.exchange.response
      return status === 400 || status === 401
        ? pass(`the administrator's mark posted by the scoped reviewer was answered ${status}`)
        : fail(`expected 400 or 401, got ${describeResponse(posted.exchange)}`)
    },
  }),

  check({
    id: 'auth.no-access',
    title: 'An account with no role in the product gets 401 on every endpoint',
    level: 'MUST',
    requirements: ['ROLE-NONE-DENIED', 'STATUS-401'],
    tags: ['roles'],
    needs: { accounts: ['administrator', 'noAccess'] },
    run: (ctx) => deniedEverywhere(ctx, 'noAccess', 'the account without a role'),
  }),

  check({
    id: 'auth.configurator-no-access',
    title: 'A Configurator gets 401 on every endpoint: the role gives no API access',
    level: 'MUST',
    requirements: ['ROLE-CONFIGURATOR-NONE', 'STATUS-401'],
    tags: ['roles'],
    needs: { accounts: ['administrator', 'configurator'] },
    run: (ctx) => deniedEverywhere(ctx, 'configurator', 'the Configurator'),
  }),
]
