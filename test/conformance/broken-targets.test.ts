import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import nock from 'nock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCheckCommand } from '../../conformance/command.ts'
import type { CheckResult } from '../../conformance/runner.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'

/**
 * Each check family must fail on its own kind of defect. A nock host stands in front of the reference mock,
 * forwards every request to it and breaks the answer in one way; a run through an unbroken forwarder shows
 * that the failures come from the defect, not from the forwarding.
 */
const origin = 'http://broken.nwa.test:9699'
const password = 'NetwrixIsCool'
const accounts = {
  administrator: { user: 'ENTERPRISE\\NetwrixUser', password },
  reviewer: { user: 'ENTERPRISE\\GlobalReviewer', password },
  scopedReviewer: { user: 'ENTERPRISE\\PlanReviewer', password, monitoringPlans: ['AD Monitoring'] },
  contributor: { user: 'ENTERPRISE\\Contributor', password },
  configurator: { user: 'ENTERPRISE\\Configurator', password },
  noAccess: { user: 'ENTERPRISE\\NoRole', password },
}
const groups = { inGroup: 'ENTERPRISE\\Domain Admins', members: ['ENTERPRISE\\Administrator', 'ENTERPRISE\\Jason.Smith'] }

const recordsNamespace = 'http://schemas.netwrix.com/api/v1/activity_records/'
const errorsNamespace = 'http://schemas.netwrix.com/api/v1/'

/** What each family runs: the search family only a few oracle checks, the rest whole. */
const selection: Readonly<Record<string, readonly string[]>> = {
  formats: ['formats.*'],
  pagination: ['pagination.*'],
  write: ['write.*'],
  search: ['search.filter-who', 'search.filter-action', 'search.repeated-and'],
  validation: ['validation.*'],
  errors: ['errors.*'],
  auth: ['auth.*'],
  fidelity: ['fidelity.*'],
}

/**
 * Through nock every forwarded request opens its own connection to the mock, and NTLM binds its handshake to
 * one connection; the runs authenticate with Basic, and the NTLM check is left to the suite against the mock.
 */
const unforwardable = ['auth.ntlm']

interface WireRequest {
  method: string
  /** With the query string. */
  path: string
  /** Lower-case names. */
  headers: Record<string, string>
  body: string
}

interface WireResponse {
  status: number
  /** Lower-case names. */
  headers: Record<string, string>
  body: string
}

/** One way of being broken: the request the mock gets instead, and/or the answer the client gets instead. */
interface Defect {
  /** May forward requests of its own first (a server that does more than it was asked). */
  request?: (request: WireRequest) => WireRequest | Promise<WireRequest>
  response?: (response: WireResponse, request: WireRequest) => WireResponse
}

const passthrough: Defect = {}
let defect: Defect = passthrough
let mock: RunningMock
let reportDir: string

// ------------------------------------------------------------------------------------------------ wire helpers

function query(request: WireRequest): URLSearchParams {
  return new URLSearchParams(request.path.split('?')[1] ?? '')
}

function withQueryParams(request: WireRequest, edit: (params: URLSearchParams) => void): WireRequest {
  const [pathname] = request.path.split('?')
  const params = query(request)
  edit(params)
  const search = params.toString()
  return { ...request, path: search ? `${pathname}?${search}` : pathname! }
}

const isJson = (request: WireRequest): boolean => query(request).get('format') === 'json'
const endpointOf = (request: WireRequest): string => request.path.split('?')[0]!.replace(/^\/netwrix\/api\/v1/, '')
const isEnum = (request: WireRequest): boolean => endpointOf(request) === '/activity_records/enum'
const isSearch = (request: WireRequest): boolean => endpointOf(request) === '/activity_records/search'
const isRead = (request: WireRequest): boolean => isEnum(request) || isSearch(request)
const isWrite = (request: WireRequest): boolean => /^\/activity_records\/?$/.test(endpointOf(request))
const isPage = (response: WireResponse, request: WireRequest): boolean => response.status === 200 && isRead(request)

function basic(user: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

/** The account a Basic Authorization header names, or undefined. */
function basicUser(request: WireRequest): string | undefined {
  const match = /^Basic\s+(\S+)/i.exec(request.headers['authorization'] ?? '')
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8').split(':')[0] : undefined
}

/** Requests of `user` travel on as the administrator's. */
function actingAsAdministrator(user: string): Defect {
  return {
    request: (request) =>
      basicUser(request)?.toLowerCase() === user.toLowerCase()
        ? { ...request, headers: { ...request.headers, authorization: basic(accounts.administrator.user) } }
        : request,
  }
}

/** Removes the last record of a page holding at least two, in either format. */
function dropLastRecord(response: WireResponse, request: WireRequest): WireResponse {
  if (isJson(request)) {
    const page = JSON.parse(response.body) as { ActivityRecordList: unknown[] }
    if (page.ActivityRecordList.length >= 2) page.ActivityRecordList.pop()
    return { ...response, body: JSON.stringify(page) }
  }
  const records = [...response.body.matchAll(/<ActivityRecord>[\s\S]*?<\/ActivityRecord>/g)]
  const last = records[records.length - 1]
  if (records.length < 2 || last === undefined) return response
  return { ...response, body: response.body.slice(0, last.index) + response.body.slice(last.index + last[0].length) }
}

const loopMark = 'NWA-LOOP'

/**
 * Every mark the client sees is one constant, and a request carrying it starts over from the first page:
 * a server whose marks never advance.
 */
function loopingMarks(): Defect {
  return {
    request(request) {
      if (!isRead(request) || !request.body.includes(loopMark)) return request
      if (isEnum(request)) {
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'content-type'))
        return { method: 'GET', path: request.path, headers, body: '' }
      }
      return {
        ...request,
        body: request.body.replace(new RegExp(`<ContinuationMark>\\s*${loopMark}\\s*</ContinuationMark>|"ContinuationMark":\\s*"${loopMark}",?`), ''),
      }
    },
    response: (response, request) =>
      isPage(response, request) ? replaceBody(response, /(<ContinuationMark>|"ContinuationMark":\s*")[^<"]+/g, `$1${loopMark}`) : response,
  }
}

function replaceBody(response: WireResponse, pattern: RegExp, replacement: string): WireResponse {
  return { ...response, body: response.body.replace(pattern, replacement) }
}

function withChallenge(response: WireResponse, challenge: string): WireResponse {
  return { ...response, headers: { ...response.headers, 'www-authenticate': challenge } }
}

/** The request as a GET of the same path: a POST enum read as a first page. */
function asGet(request: WireRequest): WireRequest {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'content-type'))
  return { method: 'GET', path: request.path, headers, body: '' }
}

function isEmptyMark(body: string): boolean {
  return body.trim() === '""' || /<ContinuationMark[^>]*>\s*<\/ContinuationMark>|<ContinuationMark[^>]*\/>/.test(body)
}

/** The ActivityRecord elements of an XML page, each with its child elements listed in `order` first. */
function reorderRecords(body: string, order: (record: string, index: number) => readonly string[]): string {
  let index = 0
  return body.replace(/<ActivityRecord>([\s\S]*?)<\/ActivityRecord>/g, (_whole, inner: string) => {
    const children = [...inner.matchAll(/<(\w+)>[\s\S]*?<\/\1>|<(\w+)\/>/g)].map((match) => ({ name: match[1] ?? match[2]!, text: match[0] }))
    const first = order(inner, index++)
    const sorted = [...children.filter((child) => first.includes(child.name)), ...children.filter((child) => !first.includes(child.name))]
    return `<ActivityRecord>${sorted.map((child) => child.text).join('')}</ActivityRecord>`
  })
}

/** The first text of an element `name` in an XML page, with a character XML 1.0 forbids written into it. */
function injectCharacter(body: string, name: string, character: string): string {
  return body.replace(new RegExp(`<${name}>`), `<${name}>${character}`)
}

/** A JSON write whose records are not all valid first stores the valid ones, then gets its 400 as usual. */
function partialBatches(): Defect {
  return {
    async request(request) {
      if (!isWrite(request) || !isJson(request)) return request
      let records: unknown
      try {
        records = JSON.parse(request.body)
      } catch {
        return request
      }
      if (!Array.isArray(records) || records.length < 2) return request
      const valid = records.filter((record) => typeof record === 'object' && record !== null && 'Who' in record)
      if (valid.length > 0 && valid.length < records.length) await forward({ ...request, body: JSON.stringify(valid) })
      return request
    },
  }
}

/** Remembers the marks search pages carry; enum, given one of them, answers its own first page. */
function searchMarksOnEnumStartOver(): Defect {
  const searchMarks = new Set<string>()
  return {
    request: (request) => {
      if (!isEnum(request) || request.method !== 'POST') return request
      return [...searchMarks].some((mark) => request.body.includes(mark)) ? asGet(request) : request
    },
    response: (response, request) => {
      if (isPage(response, request) && isSearch(request)) {
        for (const match of response.body.matchAll(/<ContinuationMark>([^<]+)<\/ContinuationMark>|"ContinuationMark":\s*"([^"]+)"/g))
          searchMarks.add((match[1] ?? match[2])!.trim())
      }
      return response
    },
  }
}

/** A write's records rewritten before the mock reads them: a JSON body as values, an XML body as text. */
function editWrites(json: (records: unknown[]) => unknown[], xml: (body: string) => string): Defect {
  return {
    request(request) {
      if (!isWrite(request)) return request
      if (!isJson(request)) return { ...request, body: xml(request.body) }
      let records: unknown
      try {
        records = JSON.parse(request.body)
      } catch {
        return request
      }
      return Array.isArray(records) ? { ...request, body: JSON.stringify(json(records)) } : request
    },
  }
}

/** Every string of a JSON value but When, through `edit`. */
function editStrings(value: unknown, edit: (text: string) => string): unknown {
  return JSON.parse(JSON.stringify(value), (key, item: unknown) => (typeof item === 'string' && key !== 'When' ? edit(item) : item))
}

const byPropertyName = (a: { PropertyName: string }, b: { PropertyName: string }) =>
  a.PropertyName < b.PropertyName ? -1 : a.PropertyName > b.PropertyName ? 1 : 0

/** Each XML DetailList's entries sorted by the text of their PropertyName. */
function sortXmlDetails(body: string): string {
  return body.replace(/<DetailList>([\s\S]*?)<\/DetailList>/g, (_list, inner: string) => {
    const details = [...inner.matchAll(/<Detail>[\s\S]*?<\/Detail>/g)].map((match) => ({
      PropertyName: /<PropertyName>([^<]*)</.exec(match[0])?.[1] ?? '',
      text: match[0],
    }))
    return `<DetailList>${details
      .sort(byPropertyName)
      .map((detail) => detail.text)
      .join('')}</DetailList>`
  })
}

const xmlRecord = /<ActivityRecord>[\s\S]*?<\/ActivityRecord>/g

/** A write of more than `limit` records reaches the mock as its first `keep` records. */
function keepFirstRecords(limit: number, keep = limit): Defect {
  return editWrites(
    (records) => (records.length > limit ? records.slice(0, keep) : records),
    (body) => {
      if ((body.match(xmlRecord) ?? []).length <= limit) return body
      let count = 0
      return body.replace(xmlRecord, (record) => (++count > keep ? '' : record))
    },
  )
}

/** Pages without the Workstation, Before and After values that are empty. */
function withoutEmptyValues(response: WireResponse, request: WireRequest): WireResponse {
  if (!isPage(response, request)) return response
  if (!isJson(request)) return replaceBody(response, /<(Workstation|Before|After)\/>|<(Workstation|Before|After)><\/\2>/g, '')
  const page = JSON.parse(response.body) as { ActivityRecordList: { Workstation?: string; DetailList?: { Before?: string; After?: string }[] }[] }
  for (const record of page.ActivityRecordList) {
    if (record.Workstation === '') delete record.Workstation
    for (const detail of record.DetailList ?? []) {
      if (detail.Before === '') delete detail.Before
      if (detail.After === '') delete detail.After
    }
  }
  return { ...response, body: JSON.stringify(page) }
}

// ------------------------------------------------------------------------------------------------ the forwarder

function forward(request: WireRequest): Promise<WireResponse> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (!['host', 'content-length', 'transfer-encoding', 'connection'].includes(name)) headers[name] = value
  }
  const hadBody = request.body !== '' || request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined
  if (hadBody) headers['content-length'] = String(Buffer.byteLength(request.body))
  return new Promise((resolve, reject) => {
    const outgoing = http.request(new URL(request.path, mock.url), { method: request.method, headers }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', reject)
      response.on('end', () => {
        const answer: Record<string, string> = {}
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined && !['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name))
            answer[name] = Array.isArray(value) ? value.join(', ') : value
        }
        resolve({ status: response.statusCode ?? 0, headers: answer, body: Buffer.concat(chunks).toString('utf8') })
      })
    })
    outgoing.on('error', reject)
    outgoing.end(hadBody ? request.body : undefined)
  })
}

function interceptTarget(): void {
  const scope = nock(origin).persist()
  // nock JSON.parses a body labelled as JSON before the reply function sees it, and throws on the malformed JSON
  // the validation checks send; hiding the label from nock (not from the mock) keeps the raw text.
  scope.on('request', (req: { headers: Record<string, string> }) => {
    req.headers = {}
  })
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
    scope
      .intercept(() => true, method)
      .reply(async function (uri, body) {
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(this.req.getHeaders())) {
          if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
        }
        const original: WireRequest = { method, path: uri, headers, body: typeof body === 'string' ? body : JSON.stringify(body) }
        const sent = defect.request ? await defect.request(original) : original
        const received = await forward(sent)
        const answer = defect.response ? defect.response(received, original) : received
        return [answer.status, answer.body, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) }]
      })
  }
}

// ------------------------------------------------------------------------------------------------ runs

interface Run {
  exitCode: number
  checks: CheckResult[]
}

const nowhere = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() })

async function run(only: readonly string[], broken: Defect): Promise<Run> {
  defect = broken
  const dir = mkdtempSync(join(reportDir, 'run-'))
  try {
    const exitCode = await runCheckCommand(
      // The selections leave MUST checks out, so a clean run is INCOMPLETE; accepting that keeps exit 1 for failures alone.
      {
        target: origin,
        accounts,
        groups,
        write: true,
        only: [...only],
        skip: unforwardable,
        reportDir: dir,
        auth: 'basic',
        timeoutMs: 60_000,
        allowIncomplete: true,
      },
      { stdout: nowhere(), stderr: nowhere(), env: {}, now: Date.now, random: (n) => randomBytes(n) },
    )
    const report = JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8')) as { checks: CheckResult[] }
    return { exitCode, checks: report.checks }
  } finally {
    defect = passthrough
  }
}

let clean: Run

beforeAll(async () => {
  mock = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo' })
  reportDir = mkdtempSync(join(tmpdir(), 'nwa-broken-'))
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
  interceptTarget()
  clean = await run(Object.values(selection).flat(), passthrough)
}, 300_000)

afterAll(async () => {
  nock.cleanAll()
  nock.enableNetConnect()
  await mock?.close()
  if (reportDir) rmSync(reportDir, { recursive: true, force: true })
})

describe('the unbroken forwarder', () => {
  it('passes every selected check, so failures below come from the defects', () => {
    const bad = clean.checks
      .filter((check) => check.status !== 'pass' && check.status !== 'skip')
      .map((check) => `${check.id}: ${check.status} ${check.message}`)
    expect(bad).toEqual([])
    expect(clean.exitCode).toBe(0)
    for (const category of Object.keys(selection))
      expect(
        clean.checks.some((check) => check.category === category && check.status === 'pass'),
        category,
      ).toBe(true)
  })
})

interface DefectCase {
  name: string
  defect: Defect
  /** The check expected to catch it, and what its message must say. */
  caughtBy: string
  message: RegExp
  /** A SHOULD check warns (and the run still exits 0); default fail, with exit 1. */
  status?: 'fail' | 'warn'
}

const cases: Readonly<Record<string, readonly DefectCase[]>> = {
  formats: [
    {
      name: 'RIDs are shortened to 16 digits in read responses (a unique key still, but not the documented form)',
      defect: { response: (response, request) => (isPage(response, request) ? replaceBody(response, /(<RID>|"RID":\s*")(\d{16})\w+/g, '$1$2') : response) },
      caughtBy: 'formats.rid-form',
      status: 'warn',
      message: /is not 17 digits \+ 32 hex digits/,
    },
    {
      name: 'RIDs grow past the 49 characters the RID filter allows',
      defect: { response: (response, request) => (isPage(response, request) ? replaceBody(response, /(<RID>|"RID":\s*")(\w+)/g, '$1$2X') : response) },
      caughtBy: 'formats.read-schema',
      message: /RID is longer than 49 characters/,
    },
    {
      name: 'read responses labelled text/html',
      defect: {
        response: (response, request) =>
          isPage(response, request) ? { ...response, headers: { ...response.headers, 'content-type': 'text/html; charset=utf-8' } } : response,
      },
      caughtBy: 'formats.xml-default',
      message: /Content-Type is "text\/html", expected application\/xml/,
    },
    {
      name: 'ActivityRecordList in another namespace',
      defect: {
        response: (response, request) =>
          isPage(response, request)
            ? replaceBody(response, new RegExp(`xmlns="${recordsNamespace}"`, 'g'), 'xmlns="http://schemas.netwrix.com/api/v2/activity_records/"')
            : response,
      },
      caughtBy: 'formats.xml-default',
      message: /namespace|api\/v2/,
    },
    {
      name: 'JSON answered when XML was asked',
      defect: {
        request: (request) =>
          request.method === 'GET' && isEnum(request) && !isJson(request) ? withQueryParams(request, (params) => params.set('format', 'json')) : request,
      },
      caughtBy: 'formats.xml-default',
      message: /Content-Type is "application\/json", expected application\/xml/,
    },
    {
      name: 'ContinuationMark comes after the records',
      defect: {
        response: (response, request) =>
          isPage(response, request) && !isJson(request)
            ? { ...response, body: response.body.replace(/(<ContinuationMark>[^<]*<\/ContinuationMark>)([\s\S]*)(<\/ActivityRecordList>)/, '$2$1$3') }
            : response,
      },
      caughtBy: 'formats.xml-element-order',
      message: /\/ActivityRecordList has ActivityRecord, ContinuationMark; the documented order is ContinuationMark, ActivityRecord/,
      status: 'warn',
    },
    {
      name: 'every record puts Who first',
      defect: {
        response: (response, request) =>
          isPage(response, request) && !isJson(request) ? { ...response, body: reorderRecords(response.body, () => ['Who']) } : response,
      },
      caughtBy: 'formats.xml-element-order',
      message: /\/ActivityRecordList\/ActivityRecord\[1\] has Who, Action/,
      status: 'warn',
    },
    {
      name: 'every other record puts Where before What (two orders on one page)',
      defect: {
        response: (response, request) =>
          isPage(response, request) && !isJson(request)
            ? {
                ...response,
                body: reorderRecords(response.body, (_inner, index) =>
                  index % 2 === 1 ? ['Action', 'MonitoringPlan', 'DataSource', 'Item', 'ObjectType', 'RID', 'Where'] : [],
                ),
              }
            : response,
      },
      caughtBy: 'formats.xml-element-order',
      message: /records differ from each other in element order: .*What before Where in \d+, Where before What in \d+/,
      status: 'warn',
    },
    {
      name: 'an XML page carries U+0001 as a character reference',
      defect: {
        response: (response, request) =>
          isPage(response, request) && !isJson(request) ? { ...response, body: injectCharacter(response.body, 'What', '&#x1;') } : response,
      },
      caughtBy: 'formats.xml-chars',
      message: /characters XML 1\.0 forbids: \[U\+0001 as a character reference at \d+/,
    },
    {
      name: 'an XML page carries a raw U+FFFF',
      defect: {
        response: (response, request) =>
          isPage(response, request) && !isJson(request) ? { ...response, body: injectCharacter(response.body, 'Where', '\uffff') } : response,
      },
      caughtBy: 'formats.xml-chars',
      message: /U\+FFFF raw at \d+/,
    },
  ],
  pagination: [
    {
      name: 'every mark is one constant that starts over (a loop)',
      defect: loopingMarks(),
      caughtBy: 'pagination.pages-join',
      message: /repeats the ContinuationMark of an earlier page/,
    },
    {
      name: 'one record is dropped from each page',
      defect: { response: (response, request) => (isPage(response, request) ? dropLastRecord(response, request) : response) },
      caughtBy: 'pagination.count-honoured',
      message: /count=3 returned 2 records though count=4 returns 3/,
    },
    {
      name: 'count is ignored (always the full page)',
      defect: { request: (request) => (isRead(request) ? withQueryParams(request, (params) => params.delete('count')) : request) },
      caughtBy: 'pagination.count-honoured',
      message: /count=3 returned 1000 records/,
    },
    {
      name: 'count=FIVE is answered 200 with the default page',
      defect: {
        request: (request) =>
          isRead(request) && query(request).has('count') && !/^[1-9]\d*$/.test(query(request).get('count')!)
            ? withQueryParams(request, (params) => params.delete('count'))
            : request,
      },
      caughtBy: 'pagination.count-invalid',
      message: /count=FIVE: expected 400, got 200/,
    },
    {
      name: 'count=0 is answered 200 with the default page',
      defect: {
        request: (request) => (isRead(request) && query(request).get('count') === '0' ? withQueryParams(request, (params) => params.delete('count')) : request),
      },
      caughtBy: 'pagination.count-out-of-range',
      message: /count=0: expected 400, got 200/,
      status: 'warn',
    },
    {
      name: "a search's mark posted to enum starts enum over",
      defect: searchMarksOnEnumStartOver(),
      caughtBy: 'pagination.search-mark-on-enum',
      message: /the search's mark posted to enum \(json\) returned \[.*\], expected records 4-6 of the search/,
      status: 'warn',
    },
  ],
  write: [
    {
      name: 'every record reads back with one and the same RID',
      defect: {
        response: (response, request) =>
          isPage(response, request) ? replaceBody(response, /(<RID>|"RID":\s*")\w+/g, '$120160215110503420B9451771F5964A9EAC0A5F35307EA155') : response,
      },
      caughtBy: 'write.rid-assigned',
      message: /RIDs repeat/,
    },
    {
      name: 'written records read back with a DataSource other than "Netwrix API"',
      defect: {
        response: (response, request) =>
          isPage(response, request) ? replaceBody(response, /(<DataSource>|"DataSource":\s*")Netwrix API/g, '$1Active Directory') : response,
      },
      caughtBy: 'write.datasource-netwrix-api',
      message: /DataSource "Active Directory" instead of "Netwrix API"/,
    },
    {
      name: 'IsArchiveOnly is ignored (the record reaches the audit database)',
      defect: {
        request: (request) =>
          isWrite(request)
            ? {
                ...request,
                body: request.body.replace(/<IsArchiveOnly>true<\/IsArchiveOnly>|"IsArchiveOnly":\s*true/g, (found) => found.replace('true', 'false')),
              }
            : request,
      },
      caughtBy: 'write.archive-only',
      message: /the IsArchiveOnly record came back through search/,
    },
  ],
  search: [
    {
      name: 'one record is dropped from each search page',
      defect: { response: (response, request) => (isPage(response, request) && isSearch(request) ? dropLastRecord(response, request) : response) },
      caughtBy: 'search.filter-who',
      message: /but searching What for the marker returns \d+|missing \d+/,
    },
    {
      name: 'NotEqualTo is treated as Equals',
      defect: {
        request: (request) =>
          isSearch(request)
            ? { ...request, body: request.body.replace(/Operator="NotEqualTo"/g, 'Operator="Equals"').replace(/"NotEqualTo":/g, '"Equals":') }
            : request,
      },
      caughtBy: 'search.filter-who',
      message: /NotEqualTo.*(missing|unexpected) \d+/,
    },
  ],
  validation: [
    {
      name: 'a refused write is answered 200 with an empty body',
      defect: {
        response: (response, request) =>
          isWrite(request) && response.status === 400 ? { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '' } : response,
      },
      caughtBy: 'validation.missing-mandatory',
      message: /expected 400, got 200/,
    },
    {
      name: 'malformed JSON is answered 400 with an ErrorList instead of 500',
      defect: {
        response: (response) =>
          response.status === 500
            ? {
                status: 400,
                headers: { 'content-type': 'application/json; charset=utf-8' },
                body: JSON.stringify({ ErrorList: [{ Category: 'InputError', Description: 'Malformed JSON' }] }),
              }
            : response,
      },
      caughtBy: 'validation.malformed-json',
      message: /expected 500, got 400/,
    },
    {
      name: 'a refused batch keeps its valid records',
      defect: partialBatches(),
      caughtBy: 'validation.batch-atomic',
      message: /refused requests still stored records \(What contains "nwa-[0-9]+-[0-9a-f]+-v-batch"\)/,
      status: 'warn',
    },
  ],
  errors: [
    {
      name: 'an unknown endpoint is answered 200',
      defect: { response: (response) => (response.status === 404 ? { ...response, status: 200 } : response) },
      caughtBy: 'errors.unknown-endpoint',
      message: /expected 404, got 200/,
    },
    {
      name: 'a wrong method is answered 404',
      defect: { response: (response) => (response.status === 405 ? { ...response, status: 404 } : response) },
      caughtBy: 'errors.wrong-method',
      message: /expected 405, got 404/,
    },
    {
      name: 'the XML ErrorList is in another namespace',
      defect: {
        response: (response) =>
          replaceBody(response, new RegExp(`<ErrorList xmlns="${errorsNamespace}"`, 'g'), '<ErrorList xmlns="http://schemas.netwrix.com/api/v2/"'),
      },
      caughtBy: 'errors.errorlist-shape',
      message: /not an ErrorList in xml/,
    },
  ],
  auth: [
    {
      name: 'a 401 carries no WWW-Authenticate challenge',
      defect: {
        response: (response) =>
          response.status === 401
            ? { ...response, headers: Object.fromEntries(Object.entries(response.headers).filter(([name]) => name !== 'www-authenticate')) }
            : response,
      },
      caughtBy: 'auth.required',
      message: /the 401 has no WWW-Authenticate header/,
    },
    {
      name: "a Contributor's enum and search answer 200 with records",
      defect: actingAsAdministrator(accounts.contributor.user),
      caughtBy: 'auth.contributor-no-read',
      message: /expected 401, got 200/,
    },
    {
      name: "a scoped Reviewer's monitoring plans are ignored",
      defect: actingAsAdministrator(accounts.scopedReviewer.user),
      caughtBy: 'auth.scoped-reviewer',
      message: /records outside AD Monitoring/,
    },
    {
      name: 'a Configurator can read and write',
      defect: actingAsAdministrator(accounts.configurator.user),
      caughtBy: 'auth.configurator-no-access',
      message: /expected 401, got (200|400)/,
    },
    {
      name: "another user's mark continues the administrator's enumeration",
      defect: {
        request: (request) =>
          isEnum(request) && request.method === 'POST' && basicUser(request)?.toLowerCase() === accounts.scopedReviewer.user.toLowerCase()
            ? { ...request, headers: { ...request.headers, authorization: basic(accounts.administrator.user) } }
            : request,
      },
      caughtBy: 'auth.mark-cross-user',
      message: /gave the scoped reviewer \d+ records outside AD Monitoring/,
    },
  ],
  fidelity: [
    {
      name: 'read responses carry text in Unicode normalisation form C',
      defect: { response: (response, request) => (isPage(response, request) ? { ...response, body: response.body.normalize('NFC') } : response) },
      caughtBy: 'fidelity.xml-written',
      message: /combining, entities: Who first difference at code point 1: sent .*\[U\+0065 U\+0301 .*received .*\[U\+00E9 /,
    },
    {
      name: 'a write of more than 500 records stores the first 500 and answers 200',
      defect: keepFirstRecords(500),
      caughtBy: 'fidelity.batch-1000',
      message: /the XML batch by search: 500 of 1,000 records came back, 500 missing/,
    },
  ],
}

for (const [category, list] of Object.entries(cases)) {
  describe(`${category} checks on a broken target`, () => {
    for (const item of list) {
      const status = item.status ?? 'fail'
      it(`${status} when ${item.name}`, async () => {
        expect(clean.checks.find((check) => check.id === item.caughtBy)?.status, `${item.caughtBy} in the clean run`).toBe('pass')
        const broken = await run(selection[category]!, item.defect)
        const caught = broken.checks.filter((check) => check.category === category && check.status === status)
        if (status === 'fail') expect(broken.exitCode).toBe(1)
        const catcher = caught.find((check) => check.id === item.caughtBy)
        expect(
          catcher,
          `${item.caughtBy} did not ${status}; ${status}: ${caught.map((check) => `${check.id}: ${check.message}`).join(' | ') || 'none'}`,
        ).toBeDefined()
        expect(catcher?.message).toMatch(item.message)
      }, 300_000)
    }
  })
}

/**
 * An independent implementation may follow a reading the pages allow where the contract decided otherwise.
 * Such a server is reported with warnings on the SHOULD checks that cite the decision, and stays CONFORMANT.
 */
const validReadings: readonly { name: string; defect: Defect; only: readonly string[]; warns?: string; notApplicable?: readonly string[] }[] = [
  {
    name: 'offers only NTLM, Negotiate and Basic (Digest disabled, as a deployment may)',
    defect: { response: (response) => (response.status === 401 ? withChallenge(response, 'Negotiate, NTLM, Basic realm="Netwrix Auditor"') : response) },
    only: ['auth.*'],
    warns: 'auth.expected-schemes',
    notApplicable: ['auth.digest'],
  },
  {
    name: 'answers an empty mark with the first page instead of 400',
    defect: { request: (request) => (isEnum(request) && request.method === 'POST' && isEmptyMark(request.body) ? asGet(request) : request) },
    only: ['validation.*'],
    warns: 'validation.empty-mark',
  },
  {
    name: 'calls an unknown filter an XMLError',
    defect: { response: (response, request) => (isSearch(request) && response.status === 400 ? replaceBody(response, /InputError/g, 'XMLError') : response) },
    only: ['validation.*'],
    warns: 'validation.input-error-category',
  },
  {
    name: 'reads GET on search as "any except GET or POST" allows, answering 400',
    defect: { response: (response, request) => (isSearch(request) && request.method === 'GET' ? { ...response, status: 400 } : response) },
    only: ['errors.*'],
    warns: 'errors.search-get',
  },
  {
    name: 'trims the white space at the ends of values written as JSON, as XML element text is (D45)',
    defect: editWrites(
      (records) => editStrings(records, (text) => text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')) as unknown[],
      (body) => body,
    ),
    only: ['fidelity.*'],
    warns: 'fidelity.json-exact',
  },
  {
    name: 'keeps details sorted by PropertyName (D46)',
    defect: editWrites(
      (records) =>
        (records as { DetailList?: { PropertyName: string }[] }[]).map((record) =>
          record.DetailList ? { ...record, DetailList: [...record.DetailList].sort(byPropertyName) } : record,
        ),
      sortXmlDetails,
    ),
    only: ['fidelity.*'],
    warns: 'fidelity.detail-order',
  },
  {
    name: 'keeps When to the whole second (D47)',
    defect: editWrites(
      (records) => JSON.parse(JSON.stringify(records).replace(/(T\d{2}:\d{2}:\d{2})\.\d+/g, '$1')) as unknown[],
      (body) => body.replace(/(T\d{2}:\d{2}:\d{2})\.\d+/g, '$1'),
    ),
    only: ['fidelity.*'],
    warns: 'fidelity.when-fraction',
  },
  {
    name: 'returns an empty Workstation, Before or After as absent (D49)',
    defect: { response: withoutEmptyValues },
    only: ['fidelity.*'],
    warns: 'fidelity.optional-presence',
  },
  {
    name: 'refuses a write of more than 1,000 records whole, with 400 (D48)',
    defect: keepFirstRecords(1000, 0),
    only: ['fidelity.batch-over'],
  },
]

describe('a server that follows another valid reading of the pages', () => {
  for (const reading of validReadings) {
    it(`stays CONFORMANT when it ${reading.name}, ${reading.warns ? `warning on ${reading.warns}` : 'with no warning'}`, async () => {
      const outcome = await run(reading.only, reading.defect)
      const bad = outcome.checks.filter((check) => check.status === 'fail' || check.status === 'error').map((check) => `${check.id}: ${check.message}`)
      expect(bad).toEqual([])
      expect(outcome.exitCode).toBe(0)
      if (reading.warns) expect(outcome.checks.find((check) => check.id === reading.warns)?.status).toBe('warn')
      else expect(outcome.checks.map((check) => check.status)).toEqual(outcome.checks.map(() => 'pass'))
      for (const id of reading.notApplicable ?? []) expect(outcome.checks.find((check) => check.id === id)).toMatchObject({ status: 'skip', applicable: false })
    }, 300_000)
  }
})
