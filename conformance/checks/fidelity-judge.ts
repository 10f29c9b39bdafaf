import type { WireFormat } from '../../openapi/payload.ts'
import type { ActivityRecordInput, ActivityRecordOutput, DetailInput } from '../../openapi/records.ts'
import { timestampToEpochMs } from '../../openapi/timestamp.ts'
import { trimXmlSpace } from '../../openapi/xml-tree.ts'
import { caseIndex } from './fidelity-data.ts'

/**
 * The fidelity family's judgment, pure: a record as it was sent against the record read back, field by field,
 * each difference judged at the level the pages support. `must` is a change no reading of the pages allows; a
 * decision's number marks a change the pages leave open, which the SHOULD check of that decision reports
 * (openapi/DECISIONS.md): D45 white space at the ends of a value, D46 the order of details, D47 fractional
 * seconds, D49 a value sent empty or left out.
 */
export type Judged = 'must' | 'D45' | 'D46' | 'D47' | 'D49'

export interface FieldDifference {
  field: string
  judged: Judged
  /** What differs, with the sent and received values and their code points. */
  text: string
}

/** One way of reading the written records back: its label for reports, the format it read, and what it returned. */
export interface FidelityRead {
  label: string
  format: WireFormat
  records: readonly ActivityRecordOutput[]
  /** The read could not be completed (a page that is not a page, a walk that does not end). */
  problem?: string
  /** The read stopped short for the client's own bound (--max-pages): a record it did not return is not missing. */
  partial?: true
}

export interface SentCase {
  label: string
  /** As the contract codec reads it from the body that was sent. */
  sent: ActivityRecordInput
}

/** A difference as reports show it: the record, the field, and every read that showed it. */
export interface Finding {
  label: string
  field: string
  judged: Judged
  text: string
  reads: string[]
}

const INTEGRATION = ' (Integration)'
const SHORT = 20
const BEFORE = 3
const AFTER = 8

// ------------------------------------------------------------------------------------------------ text

function codePoints(points: readonly string[]): string {
  return `[${points.map((point) => `U+${point.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')}]`
}

/** A value as reports quote it: JSON's quoting shows tabs, line breaks and other controls. */
function quote(points: readonly string[]): string {
  return JSON.stringify(points.join(''))
}

function excerpt(points: readonly string[], from: number, to: number): string {
  const part = points.slice(from, to)
  return `${from > 0 ? '…' : ''}${quote(part)}${to < points.length ? '…' : ''} ${codePoints(part)}`
}

/**
 * Two texts that differ, each with its code points: whole when short, else an excerpt around the first code
 * point that differs and each one's length, so a report stays small whatever the values' size.
 */
export function describeTextDifference(sent: string, received: string): string {
  const a = Array.from(sent)
  const b = Array.from(received)
  if (a.length <= SHORT && b.length <= SHORT) return `sent ${quote(a)} ${codePoints(a)}, received ${quote(b)} ${codePoints(b)}`
  let at = 0
  while (at < a.length && at < b.length && a[at] === b[at]) at++
  const from = Math.max(0, at - BEFORE)
  const length = (points: readonly string[], text: string) => `${points.length} code points, ${text.length} UTF-16 units`
  return (
    `first difference at code point ${at + 1}: sent ${excerpt(a, from, at + AFTER)} (${length(a, sent)}), ` +
    `received ${excerpt(b, from, at + AFTER)} (${length(b, received)})`
  )
}

function describeValue(value: string): string {
  const points = Array.from(value)
  return points.length <= SHORT ? `${quote(points)} ${codePoints(points)}` : `${excerpt(points, 0, AFTER)} (${points.length} code points)`
}

/**
 * One text field. At MUST, XML white space at either end is not compared (D11, D45), and an optional value
 * sent empty may come back absent and the reverse (D49); what is left must be the same code points. In a JSON
 * read, the exact value is D45's; presence is D49's in either format.
 */
function compareText(field: string, sent: string | undefined, got: string | undefined, optional: boolean, read: WireFormat): FieldDifference[] {
  const comparable = (value: string | undefined) => {
    if (value === undefined) return undefined
    const trimmed = trimXmlSpace(value)
    return optional && trimmed === '' ? undefined : trimmed
  }
  const s = comparable(sent)
  const g = comparable(got)
  if (s !== g) {
    if (g === undefined)
      return [{ field, judged: 'must', text: `sent ${describeValue(sent!)}, received ${got === undefined ? 'no value' : describeValue(got)}` }]
    if (s === undefined)
      return [{ field, judged: 'D49', text: `sent ${sent === undefined ? 'no value' : describeValue(sent)}, received ${describeValue(got!)}` }]
    return [{ field, judged: 'must', text: describeTextDifference(s, g) }]
  }
  if ((sent === undefined) !== (got === undefined)) {
    return [
      {
        field,
        judged: 'D49',
        text: `sent ${sent === undefined ? 'no value' : describeValue(sent)}, received ${got === undefined ? 'no value' : describeValue(got)}`,
      },
    ]
  }
  if (read === 'json' && sent !== got) return [{ field, judged: 'D45', text: describeTextDifference(sent!, got!) }]
  return []
}

// ------------------------------------------------------------------------------------------------ fields

function compareWhen(sent: string, got: string | undefined): FieldDifference[] {
  const sentMs = timestampToEpochMs(sent)
  const gotMs = got === undefined ? undefined : timestampToEpochMs(got)
  if (sentMs === undefined) return []
  if (gotMs === undefined)
    return [{ field: 'When', judged: 'must', text: `sent ${sent}, received ${got === undefined ? 'no When' : `"${got}", which is not a When`}` }]
  const off = Math.abs(gotMs - sentMs)
  if (off === 0) return []
  // Fractional seconds (D12) may come back less precisely at MUST; to the millisecond is D47's.
  const judged: Judged = /\.\d/.test(sent) && off < 1000 ? 'D47' : 'must'
  return [{ field: 'When', judged, text: `sent ${sent}, received ${got}: not the same instant (${gotMs - sentMs > 0 ? '+' : '-'}${off} ms)` }]
}

function compareItem(sent: ActivityRecordInput['Item'], got: ActivityRecordOutput['Item'], read: WireFormat): FieldDifference[] {
  if (sent === undefined || got === undefined) {
    if (sent === got) return []
    return sent === undefined
      ? [{ field: 'Item', judged: 'D49', text: `sent no Item, received ${describeValue(got!.Name)}` }]
      : [{ field: 'Item', judged: 'must', text: `sent ${describeValue(sent.Name)}, received no Item` }]
  }
  // The " (Integration)" the server appends is write.item-integration's to judge; here the name before it must be intact.
  const name = got.Name.endsWith(INTEGRATION) ? got.Name.slice(0, -INTEGRATION.length) : got.Name
  return compareText('Item.Name', sent.Name, name, false, read)
}

function compareMonitoringPlan(sent: ActivityRecordInput['MonitoringPlan'], got: ActivityRecordOutput['MonitoringPlan']): FieldDifference[] {
  if (sent === undefined || got === undefined) {
    if (sent === got) return []
    return sent === undefined
      ? [{ field: 'MonitoringPlan', judged: 'D49', text: `sent no MonitoringPlan, received ${JSON.stringify(got)}` }]
      : [{ field: 'MonitoringPlan', judged: 'must', text: `sent ${JSON.stringify(sent)}, received no MonitoringPlan` }]
  }
  const differences: FieldDifference[] = []
  // The server answers with the plan's own spelling of the name it resolved, as write.monitoring-plan reads it.
  if (trimXmlSpace(sent.Name).toLowerCase() !== trimXmlSpace(got.Name).toLowerCase())
    differences.push({ field: 'MonitoringPlan.Name', judged: 'must', text: describeTextDifference(sent.Name, got.Name) })
  if (sent.ID !== undefined && sent.ID.toLowerCase() !== got.ID?.toLowerCase())
    differences.push({ field: 'MonitoringPlan.ID', judged: 'must', text: `sent ${sent.ID}, received ${got.ID ?? 'no ID'}` })
  return differences
}

/** A detail as the MUST comparison sees it: white space at the ends trimmed, an empty Before or After the same as none. */
function detailKey(detail: DetailInput): string {
  const value = (text: string | undefined) => {
    const trimmed = text === undefined ? '' : trimXmlSpace(text)
    return trimmed === '' ? null : trimmed
  }
  return JSON.stringify([trimXmlSpace(detail.PropertyName), value(detail.Before), value(detail.After)])
}

const propertyKey = (detail: DetailInput): string => trimXmlSpace(detail.PropertyName)

function describeDetail(detail: DetailInput): string {
  const part = (name: string, text: string | undefined) => (text === undefined ? '' : ` ${name} ${describeValue(text)}`)
  return `{PropertyName ${describeValue(detail.PropertyName)}${part('Before', detail.Before)}${part('After', detail.After)}}`
}

function compareDetailPair(index: number, sent: DetailInput, got: DetailInput, read: WireFormat): FieldDifference[] {
  const at = `DetailList[${index + 1}]`
  return [
    ...compareText(`${at}.PropertyName`, sent.PropertyName, got.PropertyName, false, read),
    ...compareText(`${at}.Before`, sent.Before, got.Before, true, read),
    ...compareText(`${at}.After`, sent.After, got.After, true, read),
  ]
}

/**
 * Pairs sent entries with received ones by `key`, each received entry used once, in order; `pairs` maps a sent
 * index to a received one, and only entries still unpaired are tried.
 */
function pairBy(sent: readonly DetailInput[], got: readonly DetailInput[], pairs: Map<number, number>, key: (detail: DetailInput) => string): void {
  const used = new Set(pairs.values())
  const waiting = new Map<string, number[]>()
  got.forEach((detail, index) => {
    if (!used.has(index)) waiting.set(key(detail), [...(waiting.get(key(detail)) ?? []), index])
  })
  sent.forEach((detail, index) => {
    if (pairs.has(index)) return
    const found = waiting.get(key(detail))?.shift()
    if (found !== undefined) pairs.set(index, found)
  })
}

function listed(indexes: readonly number[], from: readonly DetailInput[]): string {
  const shown = indexes.slice(0, 3).map((index) => `${index + 1} ${describeDetail(from[index]!)}`)
  return `${shown.join(', ')}${indexes.length > 3 ? `, … ${indexes.length - 3} more` : ''}`
}

/**
 * A DetailList. Entries are paired first with an equal one (at MUST's reading), then by PropertyName, so a
 * changed value is named at its entry whatever the order; an entry left over was lost, or was never sent. At
 * MUST the entries count, not their order: the order is D46's.
 */
function compareDetails(sent: readonly DetailInput[] | undefined, got: readonly DetailInput[] | undefined, read: WireFormat): FieldDifference[] {
  const s = sent ?? []
  const g = got ?? []
  if (s.length === 0 && g.length === 0) return []
  if (s.length === 0)
    return [{ field: 'DetailList', judged: 'D49', text: `sent no DetailList, received ${g.length} entries: ${listed([0, 1, 2].slice(0, g.length), g)}` }]
  if (g.length === 0) return [{ field: 'DetailList', judged: 'must', text: `sent ${s.length} entries, received no DetailList` }]
  const pairs = new Map<number, number>()
  pairBy(s, g, pairs, detailKey)
  pairBy(s, g, pairs, propertyKey)
  const differences = [...pairs].sort(([a], [b]) => a - b).flatMap(([sentAt, gotAt]) => compareDetailPair(sentAt, s[sentAt]!, g[gotAt]!, read))
  const received = new Set(pairs.values())
  const lost = s.map((_detail, index) => index).filter((index) => !pairs.has(index))
  const added = g.map((_detail, index) => index).filter((index) => !received.has(index))
  if (lost.length)
    differences.push({ field: 'DetailList', judged: 'must', text: `sent ${s.length} entries, received ${g.length}; not received: ${listed(lost, s)}` })
  if (added.length)
    differences.push({ field: 'DetailList', judged: 'must', text: `sent ${s.length} entries, received ${g.length}; not sent: ${listed(added, g)}` })
  const order = [...pairs].sort(([a], [b]) => a - b).map(([, gotAt]) => gotAt)
  const moved = order.findIndex((gotAt, index) => index > 0 && gotAt < order[index - 1]!)
  if (moved >= 0) differences.push({ field: 'DetailList', judged: 'D46', text: 'the entries came back in another order than they were sent' })
  return differences
}

/** Every difference between a record as sent and as read back; server-set fields (RID, DataSource, Message) are not compared. */
export function compareRecord(sent: ActivityRecordInput, got: ActivityRecordOutput, read: WireFormat): FieldDifference[] {
  const differences: FieldDifference[] = []
  for (const field of ['Who', 'Action', 'What', 'Where', 'ObjectType'] as const) differences.push(...compareText(field, sent[field], got[field], false, read))
  differences.push(...compareText('Workstation', sent.Workstation, got.Workstation, true, read))
  differences.push(...compareWhen(sent.When, got.When))
  differences.push(...compareItem(sent.Item, got.Item, read))
  differences.push(...compareMonitoringPlan(sent.MonitoringPlan, got.MonitoringPlan))
  if (got.IsArchiveOnly === true) differences.push({ field: 'IsArchiveOnly', judged: 'must', text: `sent ${sent.IsArchiveOnly ?? 'no value'}, received true` })
  differences.push(...compareDetails(sent.DetailList, got.DetailList, read))
  return differences
}

// ------------------------------------------------------------------------------------------------ reads

/**
 * Every difference between the written cases and what each read returned: a record missing, returned twice, not
 * written, returned though archive-only (WRITE-ARCHIVE-ONLY), and each field's difference, grouped so that a
 * difference every read shows is one finding.
 */
export function judgeReads(marker: string, cases: readonly SentCase[], reads: readonly FidelityRead[]): Finding[] {
  const findings = new Map<string, Finding>()
  const add = (label: string, read: string, difference: FieldDifference) => {
    const key = `${label}\u0000${difference.field}\u0000${difference.judged}\u0000${difference.text}`
    const found = findings.get(key)
    if (found) found.reads.push(read)
    else findings.set(key, { label, ...difference, reads: [read] })
  }
  for (const read of reads) {
    if (read.problem !== undefined) {
      add('(the read)', read.label, { field: 'read', judged: 'must', text: read.problem })
      continue
    }
    const returned = new Map<number, ActivityRecordOutput[]>()
    for (const record of read.records) {
      const index = caseIndex(marker, record.What)
      if (index === undefined || cases[index] === undefined) {
        add('(not written)', read.label, {
          field: 'What',
          judged: 'must',
          text: `a record that was not written came back: What ${describeValue(record.What ?? '')}`,
        })
      } else returned.set(index, [...(returned.get(index) ?? []), record])
    }
    cases.forEach(({ label, sent }, index) => {
      const got = returned.get(index) ?? []
      if (sent.IsArchiveOnly === true) {
        if (got.length > 0) add(label, read.label, { field: 'IsArchiveOnly', judged: 'must', text: 'written with IsArchiveOnly true, yet returned' })
        return
      }
      if (got.length === 0 && !read.partial) add(label, read.label, { field: 'record', judged: 'must', text: 'not returned' })
      else if (got.length > 1) add(label, read.label, { field: 'record', judged: 'must', text: `returned ${got.length} times` })
      if (got[0] !== undefined) for (const difference of compareRecord(sent, got[0], read.format)) add(label, read.label, difference)
    })
  }
  return [...findings.values()]
}

/** Findings as report lines, the first `limit` of them, and how many more there are; `reads` names every read there was. */
export function renderFindings(findings: readonly Finding[], limit: number, reads: number): string[] {
  const where = (finding: Finding) => (finding.reads.length === reads && reads > 1 ? 'every read' : finding.reads.join(', '))
  const lines = findings.slice(0, limit).map((finding) => `${finding.label}: ${finding.field} ${finding.text} (${where(finding)})`)
  if (findings.length > limit) lines.push(`… and ${findings.length - limit} more`)
  return lines
}

/** How many records the findings concern. */
export function recordsConcerned(findings: readonly Finding[]): number {
  return new Set(findings.map((finding) => finding.label)).size
}
