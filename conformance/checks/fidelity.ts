import type { WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordInput, ActivityRecordOutput } from '../../openapi/records.ts'
import { fail, pass, skip, type Check, type CheckContext, type CheckNeeds, type CheckVerdict } from '../types.ts'
import { bodyStyles, buildBatch, buildFidelityCases, caseIndex, fidelityBody, fractionWhens, type PlanFixture, whenForms } from './fidelity-data.ts'
import { type FidelityRead, type Finding, type Judged, judgeReads, recordsConcerned, renderFindings, type SentCase } from './fidelity-judge.ts'
import {
  admin,
  describeResponse,
  describeIssues,
  enumerateAll,
  formatParam,
  preview,
  searchAll,
  searchPage,
  sendBody,
  walkRecords,
  withQuery,
  writeRecords,
  endpoints,
} from './support.ts'

/** Every check of the family writes, as the administrator: a read-only run skips it with that reason. */
const writing: CheckNeeds = { write: true, accounts: ['administrator'] }
const check = (definition: Omit<Check, 'category' | 'needs'>): Check => ({ ...definition, category: 'fidelity', needs: writing })

const formats: readonly WireFormat[] = ['xml', 'json']
const RECOMMENDED_BATCH = 1000

/** A data set written once per run and format, and read back four ways; the checks of the family judge it. */
interface FidelityData {
  marker: string
  format: WireFormat
  cases: SentCase[]
  reads: FidelityRead[]
}

type Prepared = { ok: true; data: FidelityData } | { ok: false; verdict: CheckVerdict }

/** The configured plan, with the ID a record of it carries on the server, when one does: the plan "with an ID" case needs it. */
function planFixture(ctx: CheckContext): Promise<PlanFixture | undefined> {
  return ctx.memo('fidelity-plan', async () => {
    const name = ctx.accounts.scopedReviewer?.monitoringPlans?.[0]
    if (name === undefined) return undefined
    const found = await searchPage(ctx, admin, { MonitoringPlan: { Equals: name } }, 'json', 1)
    const id = found.ok ? found.page.records[0]?.MonitoringPlan?.ID : undefined
    if (id === undefined) ctx.note(`no record of the plan "${name}" shows its ID on the server, so no record is written with a plan ID`)
    return id === undefined ? { name } : { name, id }
  })
}

/** Every record enum returns in one format; `partial` when the walk was cut by --max-pages on a server holding more. */
interface EnumWalk {
  records: ActivityRecordOutput[]
  partial: boolean
  problem?: string
}

async function walkEnum(ctx: CheckContext, format: WireFormat): Promise<EnumWalk> {
  const walk = await enumerateAll(ctx, admin, { format, count: RECOMMENDED_BATCH, maxPages: ctx.options.maxPages })
  // A server holding more than the bound is no fault of the server's: what was reached is judged, nothing is called missing.
  const partial = walk.problem !== undefined && walk.pages.length > ctx.options.maxPages
  if (partial) {
    ctx.note(
      `enum as ${format.toUpperCase()} was cut at --max-pages (${ctx.options.maxPages} pages of ${RECOMMENDED_BATCH}): the records it reached were judged, ` +
        'none was called missing; raise --max-pages to judge every one',
    )
  }
  return { records: walkRecords(walk), partial, ...(walk.problem && !partial ? { problem: walk.problem } : {}) }
}

/** The records of one marker in an enum walk, as a read to judge. */
function enumRead(walk: EnumWalk, format: WireFormat, marker: string, label = `enum as ${format.toUpperCase()}`): FidelityRead {
  return {
    label,
    format,
    records: walk.records.filter((record) => record.What?.includes(marker)),
    ...(walk.partial ? { partial: true } : {}),
    ...(walk.problem ? { problem: walk.problem } : {}),
  }
}

/** What one format's write left: the records as sent, or the refusal the MUST check of that format reports. */
type Written = { ok: true; marker: string; cases: SentCase[] } | { ok: false; verdict: CheckVerdict }

async function writeDataSet(ctx: CheckContext, format: WireFormat, plan: PlanFixture | undefined): Promise<Written> {
  const marker = `${ctx.runMarker}-fidelity-${format}`
  const cases = buildFidelityCases(marker, format, plan)
  const body = fidelityBody(ctx.codec, cases, format)
  const decoded = ctx.codec.decode('ActivityRecordInputList', body, format)
  if (!decoded.ok) throw new Error(`the fidelity body the kit built is not valid: ${describeIssues(decoded)}`)
  const sent = (decoded.value as ActivityRecordInput[]).map((record, index) => ({ label: cases[index]!.label, sent: record }))
  const written = await sendBody(ctx, admin, withQuery(endpoints.write, { format: formatParam(format) }), body, format)
  if (written.response.status !== 200) {
    return { ok: false, verdict: fail(`the write of ${cases.length} records, each valid by the contract, was refused: ${describeResponse(written)}`) }
  }
  ctx.note(`wrote ${cases.length} records as ${format.toUpperCase()} (${bodyStyles[format].join(', ')} escaping), marked "${marker}"`)
  return { ok: true, marker, cases: sent }
}

/**
 * Writes both data sets once per run, then reads each back by search in both formats, and walks enum once per
 * format for both: a walk reads the whole Audit Database, so two serve where four would. A later caller gets the
 * same data and a note saying where the exchanges are.
 */
async function prepare(ctx: CheckContext): Promise<Record<WireFormat, Prepared>> {
  let wroteHere = false
  const prepared = await ctx.memo('fidelity-data', async (): Promise<Record<WireFormat, Prepared>> => {
    wroteHere = true
    const plan = await planFixture(ctx)
    const written = { xml: await writeDataSet(ctx, 'xml', plan), json: await writeDataSet(ctx, 'json', plan) }
    const reads: Record<WireFormat, FidelityRead[]> = { xml: [], json: [] }
    for (const set of formats) {
      const data = written[set]
      if (!data.ok) continue
      for (const read of formats) {
        const walk = await searchAll(ctx, admin, { What: { Contains: data.marker } }, { format: read, maxPages: ctx.options.maxPages })
        reads[set].push({
          label: `search as ${read.toUpperCase()}`,
          format: read,
          records: walkRecords(walk),
          ...(walk.problem ? { problem: walk.problem } : {}),
        })
      }
    }
    if (written.xml.ok || written.json.ok) {
      for (const read of formats) {
        const walk = await walkEnum(ctx, read)
        for (const set of formats) {
          const data = written[set]
          if (data.ok) reads[set].push(enumRead(walk, read, data.marker))
        }
      }
    }
    const outcome = (set: WireFormat): Prepared => {
      const data = written[set]
      return data.ok ? { ok: true, data: { marker: data.marker, format: set, cases: data.cases, reads: reads[set] } } : data
    }
    return { xml: outcome('xml'), json: outcome('json') }
  })
  if (!wroteHere)
    ctx.note('the data sets were written and read back once for the run, by the first fidelity check that needed them; its evidence holds those exchanges')
  return prepared
}

/** Every finding of a data set, judged once however many checks read it; each check keeps those of its level. */
const judgedData = new WeakMap<FidelityData, Finding[]>()

function findingsOf(data: FidelityData, judged: Judged): Finding[] {
  let findings = judgedData.get(data)
  if (findings === undefined) {
    findings = judgeReads(data.marker, data.cases, data.reads)
    judgedData.set(data, findings)
  }
  return findings.filter((finding) => finding.judged === judged)
}

/** In the verdict, the first few differences; in the evidence, up to NOTED of them, one a line. */
const SHOWN = 4
const NOTED = 50

function verdictOf(ctx: CheckContext, findings: readonly Finding[], reads: number, passMessage: string, prefix = ''): CheckVerdict {
  if (findings.length === 0) return pass(passMessage)
  for (const line of renderFindings(findings, NOTED, reads)) ctx.note(line)
  const head = `${prefix}${findings.length} difference(s) in ${recordsConcerned(findings)} record(s)`
  const more = findings.length > SHOWN ? `; the evidence notes list ${Math.min(findings.length, NOTED)} of them` : ''
  return fail(`${head}: ${renderFindings(findings, SHOWN, reads).join('; ')}${more}`)
}

/** What a pass message must admit: the reads cut at --max-pages judged only the records they reached. */
function partialReads(reads: readonly FidelityRead[]): string {
  const cut = reads.filter((read) => read.partial).map((read) => read.label)
  return cut.length ? `; ${cut.join(' and ')} stopped at --max-pages, so only the records reached were judged there` : ''
}

/** A MUST check of one format's data set: the requirements of both formats, and those of its own escaping and body. */
function writtenCheck(format: WireFormat, escaping: string, ...ownRequirements: string[]): Check {
  const name = format.toUpperCase()
  return check({
    id: `fidelity.${format}-written`,
    title: `Records written as ${name}, ${escaping}, with every value the pages allow come back unchanged through search and enum in XML and JSON`,
    level: 'MUST',
    decision: 'D45',
    requirements: [
      'WRITE-TEXT-UNICODE',
      'WRITE-LONG-TEXT',
      'WRITE-MAXLEN-255',
      'WRITE-WHEN-FORMATS',
      'WRITE-OPTIONAL-FIELDS',
      'WRITE-DETAILLIST-OPTIONAL',
      'WRITE-ARCHIVE-ONLY',
      'WRITE-AVAILABLE-TO-READ',
      ...ownRequirements,
    ],
    tags: ['write', format, 'fidelity'],
    async run(ctx) {
      const prepared = (await prepare(ctx))[format]
      if (!prepared.ok) return prepared.verdict
      const { data } = prepared
      return verdictOf(
        ctx,
        findingsOf(data, 'must'),
        data.reads.length,
        `${data.cases.length} records written as ${name} (${bodyStyles[format].join(', ')} escaping) came back through search and enum, ` +
          `read as XML and as JSON, with every value intact: text in every script and plane, the characters XML and JSON escape, ` +
          `inner white space, 255-unit and 70,000-unit values, every optional field, and When in ${whenForms.length + fractionWhens.length} forms as the same instants` +
          partialReads(data.reads),
        `written as ${name}: `,
      )
    },
  })
}

/** A SHOULD check of one decision over both data sets (or only JSON's, for D45); a data set that could not be written is the MUST check's finding. */
function decidedCheck(judged: Judged, passMessage: string, only?: WireFormat): (ctx: CheckContext) => Promise<CheckVerdict> {
  return async (ctx) => {
    const findings: Finding[] = []
    const unwritten: string[] = []
    let reads = 0
    const sets = await prepare(ctx)
    for (const format of only ? [only] : formats) {
      const prepared = sets[format]
      if (!prepared.ok) {
        unwritten.push(format.toUpperCase())
        continue
      }
      // D45 is judged in JSON reads only (compareText), so its check counts those reads alone.
      reads = prepared.data.reads.filter((read) => only === undefined || read.format === only).length
      findings.push(...findingsOf(prepared.data, judged).map((finding) => ({ ...finding, label: `${finding.label} (written as ${format.toUpperCase()})` })))
    }
    if (findings.length === 0 && unwritten.length === (only ? 1 : formats.length))
      return skip(`the data set could not be written as ${unwritten.join(' or ')} (fidelity.${only ?? 'xml'}-written says why)`)
    const half = unwritten.length ? ` (the ${unwritten.join(' and ')} data set could not be written, so only the other was judged)` : ''
    return verdictOf(ctx, findings, reads, `${passMessage}${half}`)
  }
}

// ------------------------------------------------------------------------------------------------ batches

const thousands = (n: number) => n.toLocaleString('en-US')

/**
 * What is wrong with a batch as the reads returned it: for each read, how many of its records came back and how
 * many more than once; then the first values that changed (at MUST), each with the reads that showed it.
 */
export function batchProblems(marker: string, sent: readonly ActivityRecordInput[], reads: readonly FidelityRead[], name: string): string[] {
  const cases = sent.map((record, index) => ({ label: `record ${index + 1}`, sent: record }))
  const problems: string[] = []
  const complete = reads.filter((read) => read.problem === undefined)
  for (const read of reads) if (read.problem !== undefined) problems.push(`${read.label}: ${read.problem}`)
  for (const read of complete) {
    const findings = judgeReads(marker, cases, [read]).filter((finding) => finding.field === 'record')
    const missing = findings.filter((finding) => finding.text === 'not returned').length
    const repeated = findings.length - missing
    if (findings.length) {
      problems.push(
        `${read.label}: ${thousands(sent.length - missing)} of ${thousands(sent.length)} records came back${missing ? `, ${thousands(missing)} missing` : ''}${repeated ? `, ${thousands(repeated)} more than once` : ''}`,
      )
    }
  }
  const changed = judgeReads(marker, cases, complete).filter((finding) => finding.judged === 'must' && finding.field !== 'record')
  if (changed.length)
    problems.push(
      `${name}: ${thousands(changed.length)} value(s) changed in ${thousands(recordsConcerned(changed))} record(s): ${renderFindings(changed, 3, complete.length).join('; ')}`,
    )
  return problems
}

/** The records carrying the marker, each counted once. */
export function storedCount(marker: string, found: readonly ActivityRecordOutput[]): number {
  return new Set(found.map((record) => caseIndex(marker, record.What)).filter((index) => index !== undefined)).size
}

interface WrittenBatch {
  format: WireFormat
  marker: string
  records: ActivityRecordInput[]
  status: number
  described: string
  /** What a search by the marker returned, or why it could not be read. */
  found: ActivityRecordOutput[]
  problem?: string
}

async function writeBatch(ctx: CheckContext, format: WireFormat, size: number, name: string): Promise<WrittenBatch> {
  const marker = `${ctx.runMarker}-${name}-${format}`
  const records = buildBatch(marker, size)
  const written = await writeRecords(ctx, admin, records, format)
  const walk = await searchAll(ctx, admin, { What: { Contains: marker } }, { format: 'json', maxPages: ctx.options.maxPages })
  return {
    format,
    marker,
    records,
    status: written.response.status,
    described: describeResponse(written),
    found: walkRecords(walk),
    ...(walk.problem ? { problem: `searching the batch by What contains "${marker}": ${walk.problem}` } : {}),
  }
}

async function recommendedBatches(ctx: CheckContext): Promise<CheckVerdict> {
  const problems: string[] = []
  const stored: WrittenBatch[] = []
  for (const format of formats) {
    const batch = await writeBatch(ctx, format, RECOMMENDED_BATCH, 'batch')
    if (batch.status !== 200) problems.push(`the ${format.toUpperCase()} batch of ${thousands(RECOMMENDED_BATCH)} records was refused: ${batch.described}`)
    else if (batch.problem) problems.push(batch.problem)
    else stored.push(batch)
  }
  if (stored.length === 0) return fail(problems.join('; '))
  const walk = await walkEnum(ctx, 'json')
  for (const batch of stored) {
    const name = `the ${batch.format.toUpperCase()} batch`
    const reads = [{ label: `${name} by search`, format: 'json' as const, records: batch.found }, enumRead(walk, 'json', batch.marker, `${name} by enum`)]
    problems.push(...batchProblems(batch.marker, batch.records, reads, name))
  }
  const rids = stored.flatMap((batch) => enumRead(walk, 'json', batch.marker).records).map((record) => record.RID ?? '(no RID)')
  const seen = new Set<string>()
  const repeated = new Set<string>()
  for (const rid of rids) (seen.has(rid) ? repeated : seen).add(rid)
  if (repeated.size) problems.push(`RIDs given to more than one record of the batches: ${preview([...repeated])}`)
  return problems.length
    ? fail(problems.join('; '))
    : pass(
        `${thousands(RECOMMENDED_BATCH)} records written in one request as XML and ${thousands(RECOMMENDED_BATCH)} as JSON were each stored once, intact, found by search and by enum` +
          partialReads([enumRead(walk, 'json', '')]),
      )
}

/** D48: a batch over the recommendation is accepted whole or refused whole (400, 413), never stored in part. */
async function batchesOver(ctx: CheckContext): Promise<CheckVerdict> {
  const size = RECOMMENDED_BATCH + 1
  const problems: string[] = []
  const outcomes: string[] = []
  for (const format of formats) {
    const batch = await writeBatch(ctx, format, size, 'batch-over')
    const name = `${format.toUpperCase()}, ${thousands(size)} records`
    const count = storedCount(batch.marker, batch.found)
    if (batch.problem) problems.push(`${name}: ${batch.problem}`)
    else if (batch.status === 200) {
      problems.push(...batchProblems(batch.marker, batch.records, [{ label: `${name}, accepted`, format: 'json', records: batch.found }], name))
      outcomes.push(`${format.toUpperCase()} accepted whole`)
    } else if (batch.status === 400 || batch.status === 413) {
      if (count > 0) problems.push(`${name}: refused with ${batch.status}, yet ${thousands(count)} of its records were stored`)
      outcomes.push(`${format.toUpperCase()} refused whole with ${batch.status}`)
    } else
      problems.push(`${name}: expected 200 storing it whole, or 400 or 413 storing none of it; got ${batch.described} and ${thousands(count)} records stored`)
  }
  return problems.length ? fail(problems.join('; ')) : pass(`a write of ${thousands(size)} records: ${outcomes.join('; ')}`)
}

export const fidelityChecks: Check[] = [
  writtenCheck('xml', 'escaped three ways', 'XML-ENTITY-ESCAPING', 'FMT-WRITE-XML-ROOT'),
  writtenCheck('json', 'raw and with \\u escapes', 'JSON-ESCAPING', 'FMT-WRITE-JSON-ARRAY'),
  check({
    id: 'fidelity.json-exact',
    title: 'Values written and read as JSON keep the white space at their ends',
    level: 'SHOULD',
    decision: 'D45',
    requirements: ['WRITE-TEXT-UNICODE', 'JSON-ESCAPING'],
    tags: ['write', 'json', 'fidelity'],
    run: decidedCheck('D45', 'every value written as JSON read back as JSON through search and enum exactly as sent, white space at its ends included', 'json'),
  }),
  check({
    id: 'fidelity.detail-order',
    title: 'DetailList entries come back in the order they were written',
    level: 'SHOULD',
    decision: 'D46',
    requirements: ['WRITE-DETAILLIST-OPTIONAL'],
    tags: ['write', 'fidelity'],
    run: decidedCheck('D46', 'every DetailList, forty entries included, came back in the order written, in every read'),
  }),
  check({
    id: 'fidelity.when-fraction',
    title: 'A When with fractional seconds comes back as the same instant to the millisecond',
    level: 'SHOULD',
    decision: 'D47',
    requirements: ['WRITE-WHEN-FORMATS'],
    tags: ['write', 'fidelity'],
    run: decidedCheck('D47', `every When with fractional seconds (${fractionWhens.join(', ')}) came back as the same instant to the millisecond`),
  }),
  check({
    id: 'fidelity.optional-presence',
    title: 'Optional fields left out come back absent, and values sent empty come back empty',
    level: 'SHOULD',
    decision: 'D49',
    requirements: ['WRITE-OPTIONAL-FIELDS', 'WRITE-DETAILLIST-OPTIONAL'],
    tags: ['write', 'fidelity'],
    run: decidedCheck('D49', 'no record came back with an optional field it was written without, and every empty value came back empty'),
  }),
  check({
    id: 'fidelity.batch-1000',
    title: 'A write of 1,000 records, the recommended maximum, stores each record once and intact, in XML and in JSON, found by search and by enum',
    level: 'MUST',
    requirements: ['EP-WRITE-POST', 'STATUS-200-WRITE', 'WRITE-AVAILABLE-TO-READ', 'WRITE-RID-ASSIGNED', 'WRITE-SIZE-RECOMMENDED', 'ENUM-COMPLETE-TRAVERSAL'],
    tags: ['write', 'fidelity', 'batch'],
    run: recommendedBatches,
  }),
  check({
    id: 'fidelity.batch-over',
    title: 'A write of 1,001 records, just over the recommendation, is stored whole or refused whole, never in part',
    level: 'SHOULD',
    decision: 'D48',
    requirements: ['WRITE-SIZE-RECOMMENDED', 'STATUS-400-WRITE', 'STATUS-413'],
    tags: ['write', 'fidelity', 'batch'],
    run: batchesOver,
  }),
]
