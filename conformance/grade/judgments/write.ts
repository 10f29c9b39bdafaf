/**
 * What a writer sends (api/writeactivityrecords.md, api/activityrecordreference.md, api/compatibility.md) and that it
 * neither loses nor repeats records around refusals, cut connections and restarts (D62).
 */
import { type GradeExchange, type GradeSession, isWrite } from '../../../openapi/grade-session.ts'
import type { Issue } from '../../../openapi/validate.ts'
import { detailsOf, readBodyText, syntaxOf, writeRecords } from '../bodies.ts'
import { failed, type JudgeContext, type Judgment, type JudgmentVerdict, notApplicable, passed, unjudged } from '../types.ts'
import { afterStop, describeExchange, isTroubleAnswer, judgeEach, launchesOf, listed, seqs } from '../view.ts'

/** The batch limits api/writeactivityrecords.md recommends (D14). */
export const batchLimits = { records: 1000, bytes: 50 * 1024 * 1024 } as const

const writes = (session: GradeSession) => session.exchanges.filter((exchange) => isWrite(exchange) && exchange.body !== undefined)

/** A When in one of the three documented forms ends with Z or an offset (api/activityrecordreference.md). */
const hasZone = (when: string) => /(?:Z|[+-]\d{2}:\d{2})$/.test(when)

/** One finding per record: its place in the body and what is wrong. */
type RecordRule = (record: Record<string, unknown>) => string[]

const wroteNothing = unjudged('the connector wrote nothing in this scenario')

/** Judges the records of every write body the recording kept whole; bodies kept as excerpts are judged by `fallback` on the answer. */
function recordJudgment(session: GradeSession, fine: string, rule: RecordRule, fallback: (exchange: GradeExchange) => string | undefined): JudgmentVerdict {
  return judgeEach(
    writes(session),
    {
      none: wroteNothing,
      fine: (total) => `the records of all ${total} writes ${fine}`,
      wrong: (count, total) => `${count} of ${total} writes break the rule`,
    },
    (exchange) => {
      const read = readBodyText(exchange.body ?? { text: '', bytes: 0, kept: 'whole' })
      if (read.kind === 'partial') return fallback(exchange)
      const lines = writeRecords(read).flatMap((record, index) => rule(record).map((problem) => `record ${index + 1}: ${problem}`))
      return lines.length === 0 ? undefined : listed(lines, 3)
    },
  )
}

/** The server's ErrorList named the field: the judgment of a body kept only as an excerpt. */
const refusedFor = (pattern: RegExp) => (exchange: GradeExchange) => (exchange.status === 400 ? exchange.notes.find((note) => pattern.test(note)) : undefined)

const outputOnly: Judgment = {
  id: 'write.output-only',
  title: 'Written records carry no RID and no Detail Message: those are output only',
  level: 'MUST',
  requirements: ['CLIENT-WRITE-OUTPUT-ONLY'],
  family: 'write',
  role: 'writer',
  judge: (session) =>
    recordJudgment(
      session,
      'carry no RID or Message',
      (record) => [
        ...(record['RID'] === undefined ? [] : [`RID "${String(record['RID']).slice(0, 60)}" is assigned by the server`]),
        ...detailsOf(record).flatMap((detail, index) => (detail['Message'] === undefined ? [] : [`Detail ${index + 1} has a Message`])),
      ],
      refusedFor(/\b(RID|Message) is an output-only field/),
    ),
}

const names9: Judgment = {
  id: 'write.names-9',
  title: 'Written records use the 9.0 names DataSource and MonitoringPlan, never AuditedSystem or ManagedObject',
  level: 'MUST',
  requirements: ['CLIENT-WRITE-9-NAMES'],
  family: 'write',
  role: 'writer',
  judge: (session) =>
    recordJudgment(
      session,
      'use the 9.0 names',
      (record) => ['AuditedSystem', 'ManagedObject'].filter((name) => record[name] !== undefined).map((name) => `${name} is the pre-9.0 name`),
      refusedFor(/'(AuditedSystem|ManagedObject)'/),
    ),
}

const whenZone: Judgment = {
  id: 'write.when-zone',
  title: 'Every When carries its zone: Z or an offset such as -11:00',
  level: 'MUST',
  requirements: ['CLIENT-WRITE-WHEN-ZONE'],
  family: 'write',
  role: 'writer',
  judge: (session) =>
    recordJudgment(
      session,
      'give When with a zone',
      (record) => (typeof record['When'] === 'string' && !hasZone(record['When']) ? [`When "${record['When'].slice(0, 40)}" has no Z and no offset`] : []),
      refusedFor(/\bWhen must be a date and time/),
    ),
}

/** The issues the more precise judgments above report, so the schema judgment does not report them twice. */
function coveredElsewhere(issue: Issue, records: readonly Record<string, unknown>[]): boolean {
  const segments = issue.pointer.split('/')
  const field = segments[segments.length - 1] ?? ''
  if (['RID', 'Message', 'AuditedSystem', 'ManagedObject'].includes(field)) return true
  const record = records[Number(segments[1])]
  return field === 'When' && typeof record?.['When'] === 'string' && !hasZone(record['When'])
}

const schema: Judgment = {
  id: 'write.schema',
  title: 'Every write holds records of the input schema: the mandatory fields, their lengths, a PropertyName in each Detail',
  level: 'MUST',
  requirements: ['CLIENT-WRITE-INPUT-SCHEMA'],
  family: 'write',
  role: 'writer',
  judge: (session, context: JudgeContext) =>
    judgeEach(
      writes(session),
      {
        none: wroteNothing,
        fine: (total) => `all ${total} writes follow the input schema`,
        wrong: (count, total) => `${count} of ${total} writes break the input schema`,
      },
      (exchange) => {
        const body = exchange.body ?? { text: '', bytes: 0, kept: 'whole' as const }
        const read = readBodyText(body)
        if (read.kind === 'partial') return exchange.status === 400 ? exchange.notes[0] : undefined
        if (read.kind === 'malformed') return undefined
        const decoded = context.codec.decode('ActivityRecordInputList', body.text, syntaxOf(body.text) === 'xml' ? 'xml' : 'json')
        if (decoded.ok || decoded.stage === 'syntax') return undefined
        const issues = decoded.issues.filter((issue) => !coveredElsewhere(issue, writeRecords(read)))
        return issues.length === 0
          ? undefined
          : listed(
              issues.map((issue) => `${issue.location || '/'}: ${issue.message}`),
              3,
            )
      },
    ),
}

const batchRecords: Judgment = {
  id: 'write.batch-records',
  title: `A write holds at most ${batchLimits.records.toLocaleString('en-US')} records, as recommended`,
  level: 'SHOULD',
  requirements: ['CLIENT-BATCH-1000'],
  decision: 'D14',
  family: 'write',
  role: 'writer',
  judge: (session) =>
    judgeEach(
      writes(session),
      {
        none: wroteNothing,
        fine: () => `every write held at most ${batchLimits.records} records`,
        wrong: (count) => `${count} writes held more than ${batchLimits.records} records`,
      },
      (exchange) => {
        const records = exchange.write?.records ?? writeRecords(readBodyText(exchange.body ?? { text: '', bytes: 0, kept: 'whole' })).length
        return records > batchLimits.records ? `${records} records` : undefined
      },
    ),
}

const batchBytes: Judgment = {
  id: 'write.batch-bytes',
  title: 'A write body is at most 50 MB, as recommended',
  level: 'SHOULD',
  requirements: ['CLIENT-BATCH-50MB'],
  decision: 'D14',
  family: 'write',
  role: 'writer',
  judge(session) {
    const size = (exchange: GradeExchange) => exchange.body?.bytes ?? Number(exchange.headers['content-length'] ?? 0)
    return judgeEach(
      session.exchanges.filter(isWrite),
      { none: wroteNothing, fine: () => 'every write body was at most 50 MB', wrong: (count) => `${count} write bodies were larger than 50 MB` },
      (exchange) => (size(exchange) > batchLimits.bytes ? `${size(exchange)} bytes` : undefined),
    )
  },
}

/** Writes the server refused for its own trouble, or whose connection failed: their records were not stored (D62). */
function unstored(session: GradeSession): GradeExchange[] {
  const launches = new Map(launchesOf(session).map((launch) => [launch.launch, launch]))
  return session.exchanges.filter(
    (exchange) =>
      isWrite(exchange) &&
      exchange.write !== undefined &&
      (isTroubleAnswer(exchange) || exchange.ending === 'abandoned') &&
      !(exchange.ending === 'abandoned' && afterStop(exchange, launches.get(exchange.launch))),
  )
}

const acknowledged = (exchange: GradeExchange) => isWrite(exchange) && exchange.status === 200 && exchange.ending === 'complete'

const noLoss: Judgment = {
  id: 'write.no-loss',
  title: 'Records of a write that got no 200 (503, 500, a lost connection) are sent again until one does',
  level: 'SHOULD',
  requirements: ['CLIENT-WRITE-RESEND'],
  decision: 'D62',
  family: 'write',
  role: 'writer',
  judge(session) {
    if (!session.exchanges.some(isWrite)) return wroteNothing
    const failures = unstored(session)
    if (failures.length === 0) return notApplicable('no write of the connector went without a 200 in this scenario')
    const lost = failures.flatMap((failure) => {
      const later = new Set(
        session.exchanges
          .filter((exchange) => acknowledged(exchange) && exchange.atMs > failure.atMs)
          .flatMap((exchange) => exchange.write?.fingerprints ?? []),
      )
      const missing = (failure.write?.fingerprints ?? []).filter((fingerprint) => !later.has(fingerprint))
      return missing.length === 0 ? [] : [{ failure, missing: missing.length }]
    })
    if (lost.length === 0) return passed(`the records of all ${failures.length} writes without a 200 were written later`, seqs(failures.slice(0, 5)))
    return failed(
      `records of ${lost.length} writes without a 200 were never written afterwards: ${listed(lost.map((item) => `${item.missing} of the ${item.failure.write?.records} records of ${describeExchange(item.failure)}`))}`,
      seqs(lost.map((item) => item.failure)),
    )
  },
}

const noDuplicate: Judgment = {
  id: 'write.no-duplicate',
  title: 'Records answered 200 are not sent again, restarts included',
  level: 'SHOULD',
  requirements: ['CLIENT-WRITE-ONCE'],
  decision: 'D62',
  family: 'write',
  role: 'writer',
  judge(session) {
    const acked = session.exchanges.filter(acknowledged)
    if (acked.length === 0) return unjudged('no write of the connector was answered 200 in this scenario')
    const firstAck = new Map<string, GradeExchange>()
    const repeats: { first: GradeExchange; again: GradeExchange; count: number }[] = []
    for (const exchange of acked) {
      let count = 0
      let first: GradeExchange | undefined
      for (const fingerprint of new Set(exchange.write?.fingerprints ?? [])) {
        const earlier = firstAck.get(fingerprint)
        if (earlier === undefined) firstAck.set(fingerprint, exchange)
        else {
          count += 1
          first ??= earlier
        }
      }
      if (first !== undefined) repeats.push({ first, again: exchange, count })
    }
    if (repeats.length === 0) return passed(`no record of ${acked.length} acknowledged writes was written twice`)
    return failed(
      `${repeats.length} writes sent records again that had been answered 200 before: ${listed(repeats.map((item) => `${describeExchange(item.again)} repeats ${item.count} records of ${describeExchange(item.first)}`))}`,
      repeats.flatMap((item) => [item.first.seq, item.again.seq]).slice(0, 20),
    )
  },
}

export const writeJudgments: Judgment[] = [schema, outputOnly, names9, whenZone, batchRecords, batchBytes, noLoss, noDuplicate]
