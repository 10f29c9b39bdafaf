import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Contract, loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../../openapi/payload.ts'
import { createAuthenticators } from '../auth/index.ts'
import { demoDirectory, type Directory } from '../directory.ts'
import { createFaultPlan, noFaults } from '../faults.ts'
import { createResponseWriter, type MockResponse, type ResponseWriter } from '../responses.ts'
import { createBackend } from '../router.ts'
import { createAuthenticateStage } from './authenticate.ts'
import { createAuthorizeStage } from './authorize.ts'
import { createBodyStage } from './body.ts'
import { runStages } from './compose.ts'
import { established, type RequestContext, type Stage } from './context.ts'
import { readTarget } from './target.ts'
import { createDecodeStage } from './decode.ts'
import { createFaultStage } from './fault.ts'
import { createOperationStage } from './operation.ts'
import { createRouteStage } from './route.ts'
import { createValidateStage } from './validate.ts'

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'
const api = '/netwrix/api/v1'
let contract: Contract
let codec: PayloadCodec
let writer: ResponseWriter
let directory: Directory
let backend: Awaited<ReturnType<typeof createBackend>>
beforeAll(async () => {
  contract = await loadContract()
  codec = createPayloadCodec(contract)
  writer = createResponseWriter(codec.xml)
  directory = demoDirectory()
  backend = await createBackend(contract, codec.validators.ajv)
})

interface FakeRequest {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: Buffer | string
}

/** A request context as the app builds it, over an in-memory request: each stage is tested alone. */
function context({ method = 'GET', path = `${api}/activity_records/enum`, headers = {}, body }: FakeRequest = {}): RequestContext {
  const chunks = body === undefined ? [] : [Buffer.from(body)]
  const req = Object.assign(Readable.from(chunks), { method, url: path, headers, socket: {} }) as unknown as IncomingMessage
  const target = readTarget(path)
  if (!target) throw new Error(`not a request target: ${path}`)
  const { query } = target
  return { req, method, target, query, format: query['format'] === 'json' ? 'json' : 'xml', receivedAt: 0, responseHeaders: {} }
}

const operation = (id: string) => contract.operations.find((candidate) => candidate.operationId === id)
const basic = (user: string, password = 'NetwrixIsCool') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

describe('compose', () => {
  const stage = (name: Stage['name'], answer?: MockResponse): Stage => ({ name, run: () => answer })
  it('runs the stages in order and stops at the first that answers', async () => {
    const seen: string[] = []
    const watching = (name: Stage['name'], answer?: MockResponse): Stage => ({
      name,
      run: () => {
        seen.push(name)
        return answer
      },
    })
    const answer = { status: 418, headers: {}, body: '' }
    const response = await runStages([watching('route'), watching('authenticate', answer), watching('authorize')], context())
    expect(response).toBe(answer)
    expect(seen).toEqual(['route', 'authenticate'])
  })

  it('refuses a pipeline whose stages all pass without answering', async () => {
    await expect(runStages([stage('route'), stage('authenticate')], context())).rejects.toThrow(/no stage answered/)
  })

  it('names the stage that should have run when a value is read too early', () => {
    expect(() => established(undefined, 'authorize', 'the scope')).toThrow(/the authorize stage has not established the scope/)
  })
})

describe('route', () => {
  it('[STATUS-404] answers an unknown path with an empty 404', async () => {
    const response = await createRouteStage({ backend, contract }).run(context({ path: `${api}/mynewendpoint/` }))
    expect(response).toMatchObject({ status: 404, body: '' })
  })

  it('[STATUS-405-WRITE] answers a wrong method with an empty 405 and Allow', async () => {
    const response = await createRouteStage({ backend, contract }).run(context({ method: 'GET', path: `${api}/activity_records/` }))
    expect(response).toMatchObject({ status: 405, headers: { allow: 'POST' }, body: '' })
  })

  it('[EP-WRITE-TRAILING-SLASH-OPTIONAL] matches once and records the operation, with or without the trailing slash', async () => {
    for (const path of [`${api}/activity_records/`, `${api}/activity_records`]) {
      const ctx = context({ method: 'POST', path })
      expect(await createRouteStage({ backend, contract }).run(ctx)).toBeUndefined()
      expect(ctx.operation?.operationId).toBe('writeActivityRecords')
    }
  })

  it('hands /nwa/ paths to the control endpoints only when they are on', async () => {
    const control = { endpoints: [], handle: async () => ({ status: 299, headers: {}, body: 'control' }) }
    expect(await createRouteStage({ backend, contract, control }).run(context({ path: '/nwa/health' }))).toMatchObject({ status: 299 })
    expect(await createRouteStage({ backend, contract }).run(context({ path: '/nwa/health' }))).toMatchObject({ status: 404 })
  })
})

describe('authenticate and authorize', () => {
  const authenticators = () =>
    createAuthenticators(['Digest', 'Basic'], directory, { realm: 'r', domain: 'ENTERPRISE', serverName: 's', now: () => 0, random: (n) => Buffer.alloc(n, 1) })

  it('[AUTH-REQUIRED] answers no credentials and wrong credentials with an empty 401 listing every challenge', async () => {
    for (const headers of [{}, { authorization: basic('ENTERPRISE\\NetwrixUser', 'wrong') }] as Record<string, string>[]) {
      const response = await createAuthenticateStage(authenticators()).run(context({ headers }))
      expect(response?.status).toBe(401)
      expect(response?.body).toBe('')
      expect(response?.headers['www-authenticate']).toEqual([
        expect.stringMatching(/^Digest /),
        expect.stringMatching(/^Digest /),
        expect.stringMatching(/^Basic /),
      ])
    }
  })

  it('records the canonical account and the scheme', async () => {
    const ctx = context({ headers: { authorization: basic('enterprise\\netwrixuser') } })
    expect(await createAuthenticateStage(authenticators()).run(ctx)).toBeUndefined()
    expect(ctx).toMatchObject({ account: 'ENTERPRISE\\NetwrixUser', scheme: 'Basic' })
  })

  it('[ROLE-CONTRIBUTOR-NO-READ] refuses a role the operation does not allow with an empty 401, and scopes a Reviewer', async () => {
    const stage = createAuthorizeStage({ directory, contract })
    const contributor = {
      ...context(),
      operation: operation('searchActivityRecords'),
      account: 'ENTERPRISE\\Contributor',
      challenges: () => ['Basic realm="r"'],
    }
    const refused = await stage.run(contributor)
    expect(refused).toMatchObject({ status: 401, body: '', headers: { 'www-authenticate': ['Basic realm="r"'] } })
    const reviewer = { ...context(), operation: operation('searchActivityRecords'), account: 'ENTERPRISE\\PlanReviewer' }
    expect(await stage.run(reviewer)).toBeUndefined()
    expect(reviewer.scope).toEqual({ kind: 'plans', plans: new Set(['ad monitoring']) })
  })
})

describe('fault', () => {
  const stage = (settings: Partial<typeof noFaults>) =>
    createFaultStage({ plan: () => createFaultPlan({ ...noFaults, ...settings }), writer, delay: async () => {} })

  it('[STATUS-500-READ] answers an expired license with 500 ServerError in the requested format', async () => {
    const response = await stage({ licenseExpired: true }).run({
      ...context({ path: `${api}/activity_records/enum?format=json` }),
      operation: operation('enumerateActivityRecords'),
    })
    expect(response?.status).toBe(500)
    expect(JSON.parse(response?.body ?? '')).toEqual({ ErrorList: [{ Category: 'ServerError', Description: 'Netwrix Auditor license has expired.' }] })
  })

  it('[STATUS-503-WRITE] answers a busy Archive Service with 503 on write only', async () => {
    const busy = stage({ archiveService: 'busy' })
    expect((await busy.run({ ...context(), operation: operation('writeActivityRecords') }))?.status).toBe(503)
    expect(await busy.run({ ...context(), operation: operation('enumerateActivityRecords') })).toBeUndefined()
  })

  it('cuts the connection mid-response for a drop', async () => {
    const response = await stage({ dropConnectionRate: 1 }).run({ ...context(), operation: operation('enumerateActivityRecords') })
    expect(response?.ending).toBe('cut')
  })
})

describe('body', () => {
  const write = (request: FakeRequest, pending?: () => void) => ({
    ...context({ method: 'POST', ...request }),
    operation: operation('writeActivityRecords'),
    continueBody: pending,
  })

  it('reads a body within the limit, sending 100 Continue first when it is awaited', async () => {
    let continued = 0
    const ctx = write({ body: 'x'.repeat(10), headers: { 'content-length': '10' } }, () => continued++)
    expect(await createBodyStage({ maxBody: 10 }).run(ctx)).toBeUndefined()
    expect(ctx.body?.toString()).toBe('x'.repeat(10))
    expect(continued).toBe(1)
  })

  it('[STATUS-413] refuses a declared size over the limit before reading, draining only when the body may be in flight', async () => {
    const inFlight = await createBodyStage({ maxBody: 10 }).run(write({ headers: { 'content-length': '11' } }))
    expect(inFlight).toMatchObject({ status: 413, body: '', headers: { connection: 'close' }, ending: 'drain' })
    let continued = 0
    const waiting = await createBodyStage({ maxBody: 10 }).run(write({ headers: { 'content-length': '11' } }, () => continued++))
    expect(waiting?.status).toBe(413)
    expect(waiting?.ending).toBeUndefined()
    expect(continued).toBe(0)
  })

  it('[STATUS-413] refuses a streamed body at the chunk that crosses the limit', async () => {
    const response = await createBodyStage({ maxBody: 10 }).run(write({ body: 'x'.repeat(11) }))
    expect(response).toMatchObject({ status: 413, ending: 'drain' })
  })

  it('skips operations without a body', async () => {
    expect(await createBodyStage({ maxBody: 10 }).run({ ...context(), operation: operation('enumerateActivityRecords') })).toBeUndefined()
  })
})

describe('decode', () => {
  const search = (body: string | Buffer, query = '') => ({
    ...context({ method: 'POST', path: `${api}/activity_records/search${query}` }),
    operation: operation('searchActivityRecords'),
    body: Buffer.from(body),
  })

  it('reads XML and JSON into the same value', async () => {
    const xml = search(`<ActivityRecordSearch xmlns="${ns}"><FilterList><Who>Admin</Who></FilterList></ActivityRecordSearch>`)
    const json = search('{"FilterList":{"Who":["Admin"]}}', '?format=json')
    for (const ctx of [xml, json]) expect(await createDecodeStage({ codec, writer }).run(ctx)).toBeUndefined()
    expect(xml.value).toEqual(json.value)
  })

  it('[ERR-XML-MALFORMED-400] answers malformed XML, a bad character and bytes that are not UTF-8 with 400 XMLError', async () => {
    for (const body of [
      `<ActivityRecordSearch xmlns="${ns}"><FilterList></ActivityRecordSearch>`,
      `<ActivityRecordSearch xmlns="${ns}">&#x1;</ActivityRecordSearch>`,
      Buffer.from([0x3c, 0xff, 0xfe]),
    ]) {
      const response = await createDecodeStage({ codec, writer }).run(search(body))
      expect(response?.status).toBe(400)
      expect(response?.body).toContain('<Category>XMLError</Category>')
    }
  })

  it('[ERR-JSON-CORRUPT-500] answers corrupted JSON with 500 and an empty body', async () => {
    for (const body of ['{"FilterList":{"Who":"a",}}', Buffer.from([0x22, 0xff, 0x22])]) {
      expect(await createDecodeStage({ codec, writer }).run(search(body, '?format=json'))).toMatchObject({ status: 500, body: '' })
    }
  })

  it('[XML-NAMESPACE] answers a wrong root namespace with 400 InputError', async () => {
    const response = await createDecodeStage({ codec, writer }).run(
      search('<ActivityRecordSearch><FilterList><Who>a</Who></FilterList></ActivityRecordSearch>'),
    )
    expect(response?.body).toContain('<Category>InputError</Category>')
  })
})

describe('validate', () => {
  const validating = (id: string, path: string, value?: unknown) => ({ ...context({ method: 'POST', path }), operation: operation(id), value })

  it('[COUNT-INVALID-400] words an invalid count as documented, in the requested format', async () => {
    for (const count of ['FIVE', '0', '-1', '1.5']) {
      const response = await createValidateStage({ backend, contract, codec, writer }).run(
        validating('enumerateActivityRecords', `${api}/activity_records/enum?format=json&count=${count}`),
      )
      expect(JSON.parse(response?.body ?? '')).toEqual({ ErrorList: [{ Category: 'InputError', Description: contract.invalidCountDescription }] })
    }
  })

  it('accepts a count with surrounding spaces and ignores unknown query parameters', async () => {
    const ctx = validating('enumerateActivityRecords', `${api}/activity_records/enum?count=%205%20&colour=blue`)
    expect(await createValidateStage({ backend, contract, codec, writer }).run(ctx)).toBeUndefined()
  })

  it('refuses a format other than json with an XML InputError', async () => {
    const response = await createValidateStage({ backend, contract, codec, writer }).run(
      validating('enumerateActivityRecords', `${api}/activity_records/enum?format=yaml`),
    )
    expect(response?.status).toBe(400)
    expect(response?.body).toContain('Invalid format parameter specified')
  })

  it('[WRITE-MANDATORY-FIELDS] names each invalid field of each record with its XML location', async () => {
    const value = [{ Who: 'a', Action: 'Added', What: 'w', When: '2017-02-10T14:46:00Z', Where: 's' }, { Who: 'b\u0001' }]
    const response = await createValidateStage({ backend, contract, codec, writer }).run(
      validating('writeActivityRecords', `${api}/activity_records/?format=json`, value),
    )
    const errors = JSON.parse(response?.body ?? '').ErrorList as { Description: string; Location: string }[]
    expect(errors).toContainEqual({
      Category: 'InputError',
      Description: 'ObjectType is mandatory but missing',
      Location: '/ActivityRecordList/ActivityRecord[1]/ObjectType',
    })
    expect(errors).toContainEqual(
      expect.objectContaining({ Location: '/ActivityRecordList/ActivityRecord[2]/Who', Description: expect.stringContaining('U+0001') }),
    )
  })

  it('hands on the Whens it read, so the write reads none again; a request without one gets no map', async () => {
    const value = [
      { Who: 'a', Action: 'Added', What: 'w', When: '2017-02-19T03:43:49-11:00', Where: 's', ObjectType: 'o' },
      { Who: 'b', Action: 'Added', What: 'w', When: '2017-02-10T14:46:00Z', Where: 's', ObjectType: 'o' },
    ]
    const write = validating('writeActivityRecords', `${api}/activity_records/?format=json`, value)
    expect(await createValidateStage({ backend, contract, codec, writer }).run(write)).toBeUndefined()
    expect(write.timestamps && Object.fromEntries(write.timestamps)).toEqual({
      '2017-02-19T03:43:49-11:00': { utc: '2017-02-19T14:43:49Z', ms: Date.parse('2017-02-19T14:43:49Z') },
      '2017-02-10T14:46:00Z': { utc: '2017-02-10T14:46:00Z', ms: Date.parse('2017-02-10T14:46:00Z') },
    })
    const enumeration = validating('enumerateActivityRecords', `${api}/activity_records/enum?count=5`)
    await createValidateStage({ backend, contract, codec, writer }).run(enumeration)
    expect(enumeration).not.toHaveProperty('timestamps')
  })

  it('keeps a mark that looks like a number a string', async () => {
    expect(
      await createValidateStage({ backend, contract, codec, writer }).run(validating('continueEnumeration', `${api}/activity_records/enum?format=json`, '123')),
    ).toBeUndefined()
  })
})

describe('operation', () => {
  it('hands the request to the handler of its operationId', async () => {
    const answer = { status: 200, headers: {}, body: 'ok' }
    expect(await createOperationStage({ enumerateActivityRecords: () => answer }).run({ ...context(), operation: operation('enumerateActivityRecords') })).toBe(
      answer,
    )
    expect(() => createOperationStage({}).run({ ...context(), operation: operation('enumerateActivityRecords') })).toThrow(/no handler/)
  })
})
