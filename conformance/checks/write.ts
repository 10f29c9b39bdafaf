import type { WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordInput, ActivityRecordOutput } from '../../openapi/records.ts'
import { fail, pass, skip, type Check, type CheckContext, type CheckVerdict } from '../types.ts'
import {
  admin,
  missingRids,
  contentTypes,
  describeResponse,
  endpoints,
  preview,
  sampleRecord,
  searchAll,
  verdict,
  walkRecords,
  withQuery,
  writeRecords,
} from './support.ts'

const check = (definition: Omit<Check, 'category'>): Check => ({ ...definition, category: 'write' })

/** Two records: one with every optional field a writer may set and characters that need escaping, one with the mandatory six only. */
export function roundTripRecords(marker: string): ActivityRecordInput[] {
  return [
    {
      Who: `ENTERPRISE\\O'Hara & "Sons" <100>`,
      Action: 'Modified',
      What: `\\local\\enterprise\\Users\\Jason Smith / ${marker}-1`,
      When: '2017-02-19T03:43:49-11:00',
      Where: `WKSWin12SQL.${marker}`,
      ObjectType: 'Stored Procedure',
      Workstation: 'WKSwin12.enterprise.local',
      DetailList: [
        { PropertyName: 'Custom_Attribute', Before: '1', After: '2' },
        { PropertyName: 'member', After: 'CN=Anna Smith,OU=Users' },
      ],
    },
    {
      Who: 'admin@enterprise.onmicrosoft.com',
      Action: 'Added',
      What: `Shared Mailbox ${marker}-2`,
      When: '2017-02-10T14:46:00Z',
      Where: `BLUPR05MB1940.${marker}`,
      ObjectType: 'Mailbox',
    },
  ]
}

function detailKey(detail: { PropertyName?: string; Before?: string; After?: string }): string {
  return JSON.stringify([detail.PropertyName ?? null, detail.Before ?? null, detail.After ?? null])
}

/** What differs between a written record and the one read back; server-set fields (RID, DataSource, Item type, Message) are not compared. */
export function writtenFieldProblems(sent: ActivityRecordInput, got: ActivityRecordOutput): string[] {
  const problems: string[] = []
  for (const field of ['Who', 'Action', 'What', 'Where', 'ObjectType', 'Workstation'] as const) {
    if (sent[field] !== got[field]) problems.push(`${field} ${JSON.stringify(got[field])} instead of ${JSON.stringify(sent[field])}`)
  }
  if (Date.parse(sent.When) !== Date.parse(got.When)) problems.push(`When ${got.When} is not the instant ${sent.When}`)
  const sentDetails = (sent.DetailList ?? []).map(detailKey).sort()
  const gotDetails = (got.DetailList ?? []).map(detailKey).sort()
  if (sentDetails.join() !== gotDetails.join())
    problems.push(`DetailList (PropertyName, Before, After) ${gotDetails.join(' ') || 'absent'} instead of ${sentDetails.join(' ') || 'absent'}`)
  return problems
}

/** Writes, then finds the records again by the marker in their What. */
async function writeAndFind(
  ctx: CheckContext,
  marker: string,
  records: readonly ActivityRecordInput[],
  format: WireFormat,
  path: string = endpoints.write,
): Promise<{ ok: true; found: ActivityRecordOutput[] } | { ok: false; verdict: CheckVerdict }> {
  const written = await writeRecords(ctx, admin, records, format, path)
  if (written.response.status !== 200) return { ok: false, verdict: fail(`the write was refused: ${describeResponse(written)}`) }
  const walk = await searchAll(ctx, admin, { What: { Contains: marker } }, { format: 'json', maxPages: ctx.options.maxPages })
  if (walk.problem) return { ok: false, verdict: fail(`searching the written records by What contains "${marker}": ${walk.problem}`) }
  return { ok: true, found: walkRecords(walk) }
}

/** Pairs each written record with the one read back (by What, which carries a unique suffix). */
function pairUp(
  sent: readonly ActivityRecordInput[],
  found: readonly ActivityRecordOutput[],
): { pairs: [ActivityRecordInput, ActivityRecordOutput][]; problems: string[] } {
  const problems: string[] = []
  if (found.length !== sent.length) problems.push(`wrote ${sent.length} records, the search by marker returned ${found.length}`)
  const pairs: [ActivityRecordInput, ActivityRecordOutput][] = []
  for (const record of sent) {
    const match = found.find((candidate) => candidate.What === record.What)
    if (match) pairs.push([record, match])
    else problems.push(`no record with What ${JSON.stringify(record.What)} came back`)
  }
  return { pairs, problems }
}

function roundTrip(format: WireFormat): (ctx: CheckContext) => Promise<CheckVerdict> {
  return async (ctx) => {
    const marker = `${ctx.runMarker}-write-${format}`
    const sent = roundTripRecords(marker)
    const result = await writeAndFind(ctx, marker, sent, format)
    if (!result.ok) return result.verdict
    const { pairs, problems } = pairUp(sent, result.found)
    for (const [record, found] of pairs) problems.push(...writtenFieldProblems(record, found).map((problem) => `${record.What}: ${problem}`))
    return verdict(
      problems,
      `${sent.length} records written as ${format.toUpperCase()} came back through search with Who, Action, What, When, Where, ObjectType, Workstation and DetailList intact`,
    )
  }
}

export const writeChecks: Check[] = [
  check({
    id: 'write.xml-roundtrip',
    title: 'Records written as XML come back through search with every field intact',
    level: 'MUST',
    requirements: [
      'EP-WRITE-POST',
      'FMT-WRITE-XML-ROOT',
      'XML-NAMESPACE',
      'XML-ENTITY-ESCAPING',
      'WRITE-AVAILABLE-TO-READ',
      'WRITE-WHEN-FORMATS',
      'WRITE-OPTIONAL-FIELDS',
      'STATUS-200-WRITE',
    ],
    tags: ['write', 'xml'],
    needs: { write: true, accounts: ['administrator'] },
    run: roundTrip('xml'),
  }),

  check({
    id: 'write.json-roundtrip',
    title: 'Records written as JSON (a top-level array, ?format=json) come back through search with every field intact',
    level: 'MUST',
    requirements: [
      'EP-WRITE-POST',
      'FMT-WRITE-JSON-ARRAY',
      'FMT-WRITE-JSON-QUERY',
      'JSON-ESCAPING',
      'WRITE-AVAILABLE-TO-READ',
      'WRITE-WHEN-FORMATS',
      'WRITE-OPTIONAL-FIELDS',
    ],
    tags: ['write', 'json'],
    needs: { write: true, accounts: ['administrator'] },
    run: roundTrip('json'),
  }),

  check({
    id: 'write.rid-assigned',
    title: 'Each written record gets its own RID',
    level: 'MUST',
    requirements: ['WRITE-RID-ASSIGNED'],
    tags: ['write'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-write-rid`
      const sent = [1, 2, 3].map((n) => sampleRecord(marker, { What: `rid record ${n} ${marker}` }))
      const result = await writeAndFind(ctx, marker, sent, 'xml')
      if (!result.ok) return result.verdict
      const problems = pairUp(sent, result.found).problems
      problems.push(...missingRids(result.found))
      const rids = result.found.flatMap((record) => (record.RID ? [record.RID] : []))
      if (new Set(rids).size !== rids.length) problems.push(`RIDs repeat: ${preview(rids)}`)
      return verdict(problems, `3 written records came back with distinct RIDs ${preview(rids)}`)
    },
  }),

  check({
    id: 'write.datasource-netwrix-api',
    title: 'A written record reads back with DataSource "Netwrix API", even when another was sent',
    level: 'MUST',
    requirements: ['WRITE-DATASOURCE-NETWRIX-API'],
    tags: ['write'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-write-ds`
      const sent = [
        sampleRecord(marker, { What: `sent as Active Directory ${marker}`, DataSource: 'Active Directory' }),
        sampleRecord(marker, { What: `sent without ${marker}` }),
      ]
      const result = await writeAndFind(ctx, marker, sent, 'json')
      if (!result.ok) return result.verdict
      const { pairs, problems } = pairUp(sent, result.found)
      for (const [record, found] of pairs) {
        if (found.DataSource !== 'Netwrix API') problems.push(`${record.What}: DataSource ${JSON.stringify(found.DataSource)} instead of "Netwrix API"`)
      }
      return verdict(problems, 'both records read back with DataSource "Netwrix API"')
    },
  }),

  check({
    id: 'write.item-integration',
    title: 'A written Item reads back as "<name> (Integration)"',
    level: 'MUST',
    requirements: ['WRITE-ITEM-INTEGRATION'],
    tags: ['write'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-write-item`
      const sent = [sampleRecord(marker, { Item: { Name: 'nwa.enterprise.local' } })]
      const result = await writeAndFind(ctx, marker, sent, 'xml')
      if (!result.ok) return result.verdict
      const { pairs, problems } = pairUp(sent, result.found)
      for (const [, found] of pairs) {
        if (found.Item?.Name !== 'nwa.enterprise.local (Integration)')
          problems.push(`Item ${JSON.stringify(found.Item ?? null)} instead of {"Name":"nwa.enterprise.local (Integration)"}`)
      }
      return verdict(problems, 'Item "nwa.enterprise.local" read back as "nwa.enterprise.local (Integration)"')
    },
  }),

  check({
    id: 'write.detaillist-kept',
    title: 'A DetailList (PropertyName, Before, After) is kept; Before and After may be absent',
    level: 'MUST',
    requirements: ['WRITE-DETAILLIST-OPTIONAL', 'WRITE-DETAIL-PROPERTYNAME'],
    tags: ['write'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-write-detail`
      const DetailList = [
        { PropertyName: 'Description', Before: 'old text', After: 'new text' },
        { PropertyName: 'member', After: 'CN=Anna Smith' },
        { PropertyName: 'Flag' },
      ]
      const sent = [sampleRecord(marker, { DetailList })]
      const result = await writeAndFind(ctx, marker, sent, 'json')
      if (!result.ok) return result.verdict
      const { pairs, problems } = pairUp(sent, result.found)
      for (const [record, found] of pairs) problems.push(...writtenFieldProblems(record, found).filter((problem) => problem.startsWith('DetailList')))
      return verdict(problems, `a DetailList of ${DetailList.length} details read back unchanged`)
    },
  }),

  check({
    id: 'write.archive-only',
    title: 'A record written with IsArchiveOnly is never returned by search',
    level: 'MUST',
    requirements: ['WRITE-ARCHIVE-ONLY'],
    tags: ['write'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-write-archive`
      const archived = sampleRecord(`${marker}-only`, { IsArchiveOnly: true })
      const companion = sampleRecord(`${marker}-db`, { IsArchiveOnly: false })
      const result = await writeAndFind(ctx, marker, [archived, companion], 'xml')
      if (!result.ok) return result.verdict
      const problems: string[] = []
      if (result.found.some((record) => record.What === archived.What)) problems.push('the IsArchiveOnly record came back through search')
      if (!result.found.some((record) => record.What === companion.What))
        problems.push('the companion record written without IsArchiveOnly did not come back, so the search proves nothing')
      return verdict(problems, 'of two records written together, only the one without IsArchiveOnly came back')
    },
  }),

  check({
    id: 'write.no-trailing-slash',
    title: 'The write endpoint also answers at /activity_records without the trailing slash',
    level: 'MAY',
    decision: 'D8',
    requirements: ['EP-WRITE-TRAILING-SLASH-OPTIONAL'],
    tags: ['write'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-write-noslash`
      const sent = [sampleRecord(marker)]
      const result = await writeAndFind(ctx, marker, sent, 'xml', endpoints.write.replace(/\/$/, ''))
      if (!result.ok) return result.verdict
      return verdict(pairUp(sent, result.found).problems, 'POST /activity_records stored the record')
    },
  }),

  check({
    id: 'write.output-only-fields',
    title: 'A RID or Detail Message in input does not set them: the write is refused, or the server assigns its own',
    level: 'MUST',
    requirements: ['WRITE-OUTPUT-ONLY-FIELDS'],
    tags: ['write'],
    needs: { write: true, accounts: ['administrator'] },
    async run(ctx) {
      const marker = `${ctx.runMarker}-write-outonly`
      const forgedRid = '20000101000000000ABCDEFABCDEFABCDEFABCDEFABCDEFAB'
      const record = sampleRecord(marker, { DetailList: [{ PropertyName: 'Description', Before: 'a', After: 'b' }] })
      // The contract refuses these fields, so the body is assembled as plain JSON.
      const body = JSON.stringify([{ ...record, RID: forgedRid, DetailList: [{ ...record.DetailList![0], Message: 'forged message' }] }])
      const written = await ctx.send({
        method: 'POST',
        path: withQuery(endpoints.write, { format: 'json' }),
        headers: { 'Content-Type': contentTypes.json },
        body,
        as: admin,
      })
      const walk = await searchAll(ctx, admin, { What: { Contains: marker } }, { format: 'json', maxPages: ctx.options.maxPages })
      if (walk.problem) return fail(`searching for the record: ${walk.problem}`)
      const found = walkRecords(walk)
      if (written.response.status === 400) {
        return found.length === 0
          ? pass('the write with RID and Message was refused with 400 and nothing was stored')
          : fail(`the write was refused with 400 but ${found.length} records were stored`)
      }
      if (written.response.status !== 200) return fail(`expected 400 or 200, got ${describeResponse(written)}`)
      const problems: string[] = []
      if (found.length !== 1) problems.push(`the accepted write left ${found.length} records`)
      for (const stored of found) {
        if (stored.RID === forgedRid) problems.push('the stored record kept the RID the writer sent')
        if (stored.DetailList?.some((detail) => detail.Message === 'forged message')) problems.push('the stored record kept the Detail Message the writer sent')
      }
      return verdict(problems, 'the write was accepted and the server ignored the RID and Message it was sent')
    },
  }),

  check({
    id: 'write.monitoring-plan',
    title: 'A record written with only a MonitoringPlan Name reads back with the plan ID assigned',
    level: 'MUST',
    requirements: ['WRITE-MONITORINGPLAN-ID-ASSIGNED', 'FMT-COMPAT-NAMES'],
    tags: ['write'],
    needs: { write: true, accounts: ['administrator', 'scopedReviewer'] },
    async run(ctx) {
      const plan = ctx.accounts.scopedReviewer?.monitoringPlans?.[0]
      if (!plan) return skip('no monitoring plan is named (accounts.scopedReviewer.monitoringPlans); writing to an unknown plan is not documented')
      const marker = `${ctx.runMarker}-write-plan`
      const sent = [sampleRecord(marker, { MonitoringPlan: { Name: plan } })]
      const result = await writeAndFind(ctx, marker, sent, 'xml')
      if (!result.ok) return result.verdict
      const { pairs, problems } = pairUp(sent, result.found)
      for (const [, found] of pairs) {
        if (found.MonitoringPlan?.Name?.toLowerCase() !== plan.toLowerCase())
          problems.push(`MonitoringPlan ${JSON.stringify(found.MonitoringPlan ?? null)} instead of Name "${plan}"`)
        else if (!found.MonitoringPlan.ID) problems.push(`MonitoringPlan "${plan}" came back without an ID`)
      }
      return verdict(problems, `the record came back in plan "${plan}" with an ID`)
    },
  }),
]
