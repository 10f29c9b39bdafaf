import type { WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordInput } from '../../openapi/records.ts'
import type { Check, CheckContext, CheckVerdict } from '../types.ts'
import {
  admin,
  emptyBodyProblems,
  endpoints,
  errorListProblems,
  formatParam,
  preview,
  ridsOf,
  sampleRecord,
  searchAll,
  sendBody,
  unvalidatedWriteBody,
  verdict,
  walkRecords,
  withQuery,
  writeBody,
  type ErrorExpectation,
} from './support.ts'

const check = (definition: Omit<Check, 'category'>): Check => ({ ...definition, category: 'validation' })

/** One refused request: what is sent where, and what must come back. */
export interface InvalidCase {
  label: string
  endpoint: 'write' | 'search' | 'enum'
  format: WireFormat
  body: string
  /** Defaults to the format's own query; JSON sent without format=json overrides it. */
  query?: WireFormat
  expect: ErrorExpectation | 'empty-500'
}

type Loose = Record<string, unknown>

function without(record: ActivityRecordInput, field: string): Loose {
  const copy: Loose = { ...record }
  delete copy[field]
  return copy
}

/** The mandatory fields of an input record, as the contract lists them. */
function mandatoryFields(ctx: CheckContext): string[] {
  return ctx.contract.schema('ActivityRecordInputList').items?.required ?? []
}

function writeCase(label: string, records: readonly unknown[], format: WireFormat, ctx: CheckContext, category?: string): InvalidCase {
  return {
    label,
    endpoint: 'write',
    format,
    body: unvalidatedWriteBody(ctx.codec, records, format),
    expect: { status: 400, format, ...(category ? { category } : {}) },
  }
}

/** Sends each case and judges its answer. */
async function sendCases(ctx: CheckContext, cases: readonly InvalidCase[]): Promise<string[]> {
  const problems: string[] = []
  for (const item of cases) {
    const query = formatParam(item.query ?? item.format)
    const exchange = await sendBody(ctx, admin, withQuery(endpoints[item.endpoint], { format: query }), item.body, item.format)
    const found = item.expect === 'empty-500' ? emptyBodyProblems(exchange, 500) : errorListProblems(ctx.codec, exchange, item.expect)
    problems.push(...found.map((problem) => `${item.label}: ${problem}`))
  }
  return problems
}

/** Nothing of a refused write may be stored: no record carries the case marker in What or in Where. */
async function storedProblems(ctx: CheckContext, marker: string): Promise<string[]> {
  const problems: string[] = []
  for (const field of ['What', 'Where'] as const) {
    const walk = await searchAll(ctx, admin, { [field]: { Contains: marker } }, { format: 'json', maxPages: ctx.options.maxPages })
    if (walk.problem) problems.push(`searching ${field} for "${marker}" afterwards: ${walk.problem}`)
    else if (walk.pages.some((page) => page.records.length > 0)) {
      problems.push(`refused requests still stored records (${field} contains "${marker}"): ${preview(ridsOf(walkRecords(walk)))}`)
    }
  }
  return problems
}

async function refusedWrites(ctx: CheckContext, marker: string, cases: readonly InvalidCase[], passMessage: string): Promise<CheckVerdict> {
  const problems = await sendCases(ctx, cases)
  problems.push(...(await storedProblems(ctx, marker)))
  return verdict(problems, passMessage)
}

const bothFormats = ['xml', 'json'] as const

/** Three records, the 2nd without Who. */
function invalidBatch(marker: string, format: WireFormat): unknown[] {
  return [
    sampleRecord(marker, { What: `first of three (${format}) ${marker}` }),
    without(sampleRecord(marker, { What: `second of three (${format}) ${marker}` }), 'Who'),
    sampleRecord(marker, { What: `third of three (${format}) ${marker}` }),
  ]
}

/** A well-formed search naming a filter or operator the schema does not have, in both formats. */
function schemaRefusedSearches(namespace: string, category?: string): InvalidCase[] {
  const expect = (format: WireFormat): ErrorExpectation => ({ status: 400, format, ...(category === undefined ? {} : { category }) })
  const xml = (filter: string): string => `<ActivityRecordSearch xmlns="${namespace}"><FilterList>${filter}</FilterList></ActivityRecordSearch>`
  return [
    { label: 'XML filter Colour', endpoint: 'search', format: 'xml', body: xml('<Colour>red</Colour>'), expect: expect('xml') },
    { label: 'JSON filter Colour', endpoint: 'search', format: 'json', body: JSON.stringify({ FilterList: { Colour: 'red' } }), expect: expect('json') },
    {
      label: 'the 8.x name AuditedSystem',
      endpoint: 'search',
      format: 'json',
      body: JSON.stringify({ FilterList: { AuditedSystem: 'Active Directory' } }),
      expect: expect('json'),
    },
    { label: 'XML Who Operator="Like"', endpoint: 'search', format: 'xml', body: xml('<Who Operator="Like">Admin</Who>'), expect: expect('xml') },
    {
      label: 'JSON Who {"Like": ...}',
      endpoint: 'search',
      format: 'json',
      body: JSON.stringify({ FilterList: { Who: { Like: 'Admin' } } }),
      expect: expect('json'),
    },
    {
      label: 'XML Where Operator="InGroup"',
      endpoint: 'search',
      format: 'xml',
      body: xml('<Where Operator="InGroup">Domain\\Administrators</Where>'),
      expect: expect('xml'),
    },
    {
      label: 'JSON Action {"Contains": ...}',
      endpoint: 'search',
      format: 'json',
      body: JSON.stringify({ FilterList: { Action: { Contains: 'Add' } } }),
      expect: expect('json'),
    },
  ]
}

export const validationChecks: Check[] = [
  check({
    id: 'validation.missing-mandatory',
    title: 'A record missing Who, Action, What, When, Where or ObjectType, or a Detail without PropertyName, is refused with 400 and not stored',
    level: 'MUST',
    requirements: ['WRITE-MANDATORY-FIELDS', 'WRITE-DETAIL-PROPERTYNAME', 'STATUS-400-WRITE', 'ERR-FORMAT-FOLLOWS-QUERY'],
    tags: ['write', 'errors'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-v-mandatory`
      const record = sampleRecord(marker)
      const fields = mandatoryFields(ctx)
      const cases = bothFormats.flatMap((format) => [
        ...fields.map((field) => writeCase(`without ${field} (${format})`, [without(record, field)], format, ctx)),
        writeCase(`a Detail without PropertyName (${format})`, [{ ...record, DetailList: [{ Before: '1', After: '2' }] }], format, ctx),
      ])
      return refusedWrites(
        ctx,
        marker,
        cases,
        `${cases.length} writes, each lacking one of ${fields.join(', ')} or a PropertyName, were refused with 400 and an ErrorList, and nothing was stored`,
      )
    },
  }),

  check({
    id: 'validation.max-length',
    title: 'Who, Where, ObjectType, MonitoringPlan Name or PropertyName of 256 characters is refused with 400 and not stored',
    level: 'MUST',
    requirements: ['WRITE-MAXLEN-255', 'WRITE-DETAIL-PROPERTYNAME', 'STATUS-400-WRITE'],
    tags: ['write', 'errors'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-v-length`
      const record = sampleRecord(marker)
      const long = (prefix: string): string => prefix + 'x'.repeat(256 - prefix.length)
      const variants: [string, Loose][] = [
        ['Who', { ...record, Who: long('ENTERPRISE\\') }],
        ['Where', { ...record, Where: long(`${marker}.`) }],
        ['ObjectType', { ...record, ObjectType: long('type-') }],
        ['MonitoringPlan Name', { ...record, MonitoringPlan: { Name: long('plan-') } }],
        ['PropertyName', { ...record, DetailList: [{ PropertyName: long('prop-') }] }],
      ]
      const cases = variants.map(([label, value], index) => writeCase(`${label} of 256 characters`, [value], bothFormats[index % 2]!, ctx))
      return refusedWrites(
        ctx,
        marker,
        cases,
        `${cases.length} writes with a 256-character ${variants.map(([label]) => label).join(', ')} were refused with 400 and nothing was stored`,
      )
    },
  }),

  check({
    id: 'validation.bad-when',
    title: 'A When without time, without offset, or in words is refused with 400 and not stored',
    level: 'MUST',
    requirements: ['WRITE-WHEN-FORMATS', 'STATUS-400-WRITE'],
    tags: ['write', 'errors'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-v-when`
      const values = ['2017-02-14', 'yesterday', '2017-02-14T15:42:34']
      const cases = [
        ...values.map((When) => writeCase(`When ${JSON.stringify(When)} (xml)`, [sampleRecord(marker, { When })], 'xml', ctx)),
        writeCase('When "2017-02-14T15:42:34" (json)', [sampleRecord(marker, { When: '2017-02-14T15:42:34' })], 'json', ctx),
      ]
      return refusedWrites(ctx, marker, cases, `When ${values.map((v) => JSON.stringify(v)).join(', ')} were refused with 400 and nothing was stored`)
    },
  }),

  check({
    id: 'validation.wrong-namespace',
    title: 'An XML write whose root is in another namespace, or in none, is refused with 400 and not stored',
    level: 'MUST',
    requirements: ['XML-NAMESPACE', 'STATUS-400-WRITE'],
    tags: ['write', 'xml', 'errors'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-v-namespace`
      const valid = writeBody(ctx.codec, [sampleRecord(marker)], 'xml')
      const namespace = ctx.contract.namespaces.records
      const bodies: [string, string][] = [
        ['the v2 namespace', valid.replace(`xmlns="${namespace}"`, 'xmlns="http://schemas.netwrix.com/api/v2/activity_records/"')],
        ['no namespace', valid.replace(` xmlns="${namespace}"`, '')],
      ]
      const cases: InvalidCase[] = bodies.map(([label, body]) => ({ label, endpoint: 'write', format: 'xml', body, expect: { status: 400, format: 'xml' } }))
      return refusedWrites(ctx, marker, cases, 'ActivityRecordList in the v2 namespace and in no namespace were refused with 400 and nothing was stored')
    },
  }),

  check({
    id: 'validation.malformed-xml',
    title: 'Malformed XML is answered 400 with an XMLError (search; and write, with --write)',
    level: 'MUST',
    requirements: ['ERR-XML-MALFORMED-400', 'ERR-CATEGORIES', 'STATUS-400-READ', 'STATUS-400-WRITE'],
    tags: ['xml', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const namespace = ctx.contract.namespaces.records
      // The documented request with the end tag of DataSource lost (api/errordetails.md).
      const search = `<ActivityRecordSearch xmlns="${namespace}"><FilterList><Who>Administrator</Who><DataSource>Active Directory<Action>Modified</Action></FilterList></ActivityRecordSearch>`
      const cases: InvalidCase[] = [
        {
          label: 'search with an unclosed DataSource',
          endpoint: 'search',
          format: 'xml',
          body: search,
          expect: { status: 400, format: 'xml', category: 'XMLError' },
        },
      ]
      if (!ctx.options.write)
        return verdict(await sendCases(ctx, cases), 'a search with a broken end tag was answered 400 XMLError (the write case needs --write)')
      const marker = `${ctx.runMarker}-v-malformed`
      const broken = writeBody(ctx.codec, [sampleRecord(marker)], 'xml').replace('</Where>', '</Wher>')
      cases.push({
        label: 'write with a mismatched end tag',
        endpoint: 'write',
        format: 'xml',
        body: broken,
        expect: { status: 400, format: 'xml', category: 'XMLError' },
      })
      return refusedWrites(ctx, marker, cases, 'a search and a write with broken end tags were answered 400 XMLError, and nothing was stored')
    },
  }),

  check({
    id: 'validation.json-without-format',
    title: 'A JSON write without ?format=json is refused with 400 (an XML ErrorList) and not stored',
    level: 'MUST',
    requirements: ['FMT-WRITE-JSON-QUERY', 'STATUS-400-WRITE', 'ERR-FORMAT-FOLLOWS-QUERY'],
    tags: ['write', 'json', 'errors'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-v-jsonxml`
      const cases: InvalidCase[] = [
        {
          label: 'a JSON array posted without format=json',
          endpoint: 'write',
          format: 'json',
          query: 'xml',
          body: writeBody(ctx.codec, [sampleRecord(marker)], 'json'),
          expect: { status: 400, format: 'xml' },
        },
      ]
      return refusedWrites(ctx, marker, cases, 'a JSON body without format=json was refused with 400 and an XML ErrorList, and nothing was stored')
    },
  }),

  check({
    id: 'validation.batch-refused',
    title: 'A batch of 3 whose 2nd record is invalid is refused with 400, in XML and JSON',
    level: 'MUST',
    requirements: ['STATUS-400-WRITE', 'WRITE-MANDATORY-FIELDS'],
    tags: ['write', 'errors'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const cases = bothFormats.map((format) =>
        writeCase(`batch with an invalid 2nd record (${format})`, invalidBatch(`${ctx.runMarker}-v-batch400`, format), format, ctx),
      )
      return verdict(await sendCases(ctx, cases), 'batches of 3 with an invalid 2nd record were refused with 400 and an ErrorList, in XML and JSON')
    },
  }),

  check({
    id: 'validation.batch-atomic',
    title: 'A refused batch of 3 whose 2nd record is invalid stores none of the 3, not even the valid ones',
    level: 'SHOULD',
    decision: 'D32',
    requirements: ['STATUS-400-WRITE', 'WRITE-MANDATORY-FIELDS'],
    tags: ['write', 'errors'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-v-batch`
      const cases = bothFormats.map((format) => writeCase(`batch with an invalid 2nd record (${format})`, invalidBatch(marker, format), format, ctx))
      return refusedWrites(ctx, marker, cases, 'batches of 3 with an invalid 2nd record, in XML and JSON, were refused and none of their records was stored')
    },
  }),

  check({
    id: 'validation.unknown-filter',
    title: 'A search with an unknown filter is answered 400 with an ErrorList',
    level: 'MUST',
    requirements: ['FILTER-UNKNOWN-REJECTED', 'STATUS-400-READ'],
    tags: ['search', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const cases = schemaRefusedSearches(ctx.contract.namespaces.records).slice(0, 3)
      return verdict(await sendCases(ctx, cases), 'searches with the filters Colour and AuditedSystem were answered 400 with an ErrorList')
    },
  }),

  check({
    id: 'validation.unknown-operator',
    title: 'An unknown operator, or one its filter does not support (InGroup on Where, Contains on Action), is answered 400 with an ErrorList',
    level: 'MUST',
    requirements: ['OP-UNSUPPORTED-REJECTED', 'STATUS-400-READ'],
    tags: ['search', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const cases = schemaRefusedSearches(ctx.contract.namespaces.records).slice(3)
      return verdict(await sendCases(ctx, cases), 'Like, InGroup on Where and Contains on Action were answered 400 with an ErrorList')
    },
  }),

  check({
    id: 'validation.input-error-category',
    title: 'A well-formed search naming an unknown filter or operator is an InputError, not an XMLError',
    level: 'SHOULD',
    decision: 'D31',
    requirements: ['ERR-CATEGORIES', 'FILTER-UNKNOWN-REJECTED', 'OP-UNSUPPORTED-REJECTED'],
    tags: ['search', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const cases = schemaRefusedSearches(ctx.contract.namespaces.records, 'InputError')
      return verdict(await sendCases(ctx, cases), `${cases.length} searches with an unknown filter or operator were answered 400 InputError`)
    },
  }),

  check({
    id: 'validation.filter-without-value',
    title: 'A filter without a value is answered 400',
    level: 'MUST',
    requirements: ['SEARCH-FILTER-VALUE-REQUIRED', 'STATUS-400-READ'],
    tags: ['search', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const namespace = ctx.contract.namespaces.records
      const cases: InvalidCase[] = [
        {
          label: 'XML <Who/>',
          endpoint: 'search',
          format: 'xml',
          body: `<ActivityRecordSearch xmlns="${namespace}"><FilterList><Who/></FilterList></ActivityRecordSearch>`,
          expect: { status: 400, format: 'xml' },
        },
        {
          label: 'JSON "Who": ""',
          endpoint: 'search',
          format: 'json',
          body: JSON.stringify({ FilterList: { Who: '' } }),
          expect: { status: 400, format: 'json' },
        },
        {
          label: 'JSON an empty FilterList',
          endpoint: 'search',
          format: 'json',
          body: JSON.stringify({ FilterList: {} }),
          expect: { status: 400, format: 'json' },
        },
      ]
      return verdict(await sendCases(ctx, cases), 'an empty Who in XML and JSON, and an empty FilterList, were answered 400')
    },
  }),

  check({
    id: 'validation.filter-too-long',
    title: 'A filter value over its maximum length (RID 50, Who 256 characters) is answered 400',
    level: 'MUST',
    requirements: ['FILTER-RID', 'FILTER-WHO', 'STATUS-400-READ'],
    tags: ['search', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const cases: InvalidCase[] = [
        {
          label: 'RID of 50 characters',
          endpoint: 'search',
          format: 'json',
          body: JSON.stringify({ FilterList: { RID: '2'.repeat(50) } }),
          expect: { status: 400, format: 'json' },
        },
        {
          label: 'Who of 256 characters',
          endpoint: 'search',
          format: 'json',
          body: JSON.stringify({ FilterList: { Who: { Equals: 'x'.repeat(256) } } }),
          expect: { status: 400, format: 'json' },
        },
      ]
      return verdict(await sendCases(ctx, cases), 'a 50-character RID and a 256-character Who were answered 400')
    },
  }),

  check({
    id: 'validation.invalid-mark',
    title: 'POST enum with a body that is not a Continuation Mark (a JSON object, a search body) is answered 400',
    level: 'MUST',
    requirements: ['STATUS-400-READ', 'MARK-ENUM-POST-JSON', 'MARK-ENUM-POST-XML'],
    tags: ['marks', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const namespace = ctx.contract.namespaces.records
      const cases: InvalidCase[] = [
        { label: 'a JSON object', endpoint: 'enum', format: 'json', body: '{"ContinuationMark": 5}', expect: { status: 400, format: 'json' } },
        {
          label: 'a search body posted to enum',
          endpoint: 'enum',
          format: 'xml',
          body: `<ActivityRecordSearch xmlns="${namespace}"><FilterList><Who>a</Who></FilterList></ActivityRecordSearch>`,
          expect: { status: 400, format: 'xml' },
        },
      ]
      return verdict(await sendCases(ctx, cases), 'a JSON object and a search body were answered 400 by POST enum')
    },
  }),

  check({
    id: 'validation.empty-mark',
    title: 'POST enum with an empty mark (an empty JSON string, an empty XML ContinuationMark) is answered 400',
    level: 'SHOULD',
    decision: 'D5',
    requirements: ['STATUS-400-READ', 'MARK-ENUM-POST-JSON', 'MARK-ENUM-POST-XML'],
    tags: ['marks', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const cases: InvalidCase[] = [
        { label: 'an empty JSON string', endpoint: 'enum', format: 'json', body: '""', expect: { status: 400, format: 'json' } },
        {
          label: 'an empty XML ContinuationMark',
          endpoint: 'enum',
          format: 'xml',
          body: `<ContinuationMark xmlns="${ctx.contract.namespaces.records}"></ContinuationMark>`,
          expect: { status: 400, format: 'xml' },
        },
      ]
      return verdict(await sendCases(ctx, cases), 'an empty mark, in JSON and in XML, was answered 400 by POST enum')
    },
  }),

  check({
    id: 'validation.malformed-json',
    title: 'JSON with a trailing comma is answered 500 with an empty body (search; and write, with --write)',
    level: 'MUST',
    requirements: ['ERR-JSON-CORRUPT-500', 'JSON-TRAILING-COMMA'],
    tags: ['json', 'errors'],
    needs: { accounts: ['administrator'] },
    async run(ctx) {
      const cases: InvalidCase[] = [
        {
          label: 'search with a trailing comma',
          endpoint: 'search',
          format: 'json',
          body: '{ "FilterList": { "Who": "Administrator", } }',
          expect: 'empty-500',
        },
      ]
      if (!ctx.options.write)
        return verdict(await sendCases(ctx, cases), 'a search with a trailing comma was answered 500 with an empty body (the write case needs --write)')
      const marker = `${ctx.runMarker}-v-comma`
      const body = writeBody(ctx.codec, [sampleRecord(marker)], 'json').replace(/}\]$/, '},]')
      cases.push({ label: 'write with a trailing comma', endpoint: 'write', format: 'json', body, expect: 'empty-500' })
      return refusedWrites(ctx, marker, cases, 'a search and a write with a trailing comma were answered 500 with an empty body, and nothing was stored')
    },
  }),
]
