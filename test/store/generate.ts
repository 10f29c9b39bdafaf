/**
 * Generated records and searches for comparing stores, from a seed: values that tell case-insensitive
 * comparison, LIKE's wildcards and Unicode lower-casing apart (%, _, \, É, ß, İ, Σ), absent optional fields,
 * account names in every form the directory reads, Whens with fractions and offsets, years far from the epoch, and
 * searches over every filter of the contract with every operator each takes, in any mix.
 */
import type { Contract } from '../../openapi/contract.ts'
import { createPrng } from '../../openapi/prng.ts'
import type { ActivityRecordOutput, DetailOutput, FilterEntry, FilterList } from '../../openapi/records.ts'
import { formatWhen, whenToEpochMs } from '../../openapi/timestamp.ts'
import type { ReadScope } from '../../mock/model.ts'

const pieces = ['a', 'B', 'c', 'É', 'é', 'ß', 'SS', 'İ', 'i', 'Σ', 'ς', 'σ', '%', '_', '\\', ' ', 'x', 'Y', '1', '/', '-', 'ǅ', 'Ω', '😀']
const accounts = [
  'ENTERPRISE\\Jason.Smith',
  'enterprise\\ADMINISTRATOR',
  'Administrator',
  'jason.smith',
  'jason.smith@enterprise.local',
  'Anna.Smith@ENTERPRISE.onmicrosoft.com',
  'OTHER\\Jason.Smith',
  'ENTERPRISE\\Domain Admins',
  'Tier0 Admins',
  'svc-addon',
  'ΣΊΣΥΦΟΣ',
]
const groups = ['ENTERPRISE\\Domain Admins', 'ENTERPRISE\\Tier0 Admins', 'Domain Admins', 'enterprise\\jason.smith', 'Nobody\\Group']
const plans = ['AD Monitoring', 'SharePoint', 'File Servers', 'Compliance', 'ad monitoring', 'Unknown Plan']
const actions = ['Added', 'Removed', 'Modified', 'Read', 'added', 'MODIFIED']

export interface Generator {
  int(n: number): number
  pick<T>(list: readonly T[]): T
  chance(p: number): boolean
}

export function generator(seed: number): Generator {
  const { next } = createPrng(seed)
  const int = (n: number) => Math.floor(next() * n)
  return { int, pick: (list) => list[int(list.length)] as (typeof list)[number], chance: (p) => next() < p }
}

function text(g: Generator, min = 1, max = 8): string {
  let out = ''
  const length = min + g.int(max - min + 1)
  for (let i = 0; i < length; i++) out += g.pick(pieces)
  return out
}

const BASE_MS = Date.UTC(2017, 1, 14, 12)
const DAY = 86_400_000

/** 0001-01-01T00:00:00Z: Date.UTC would read year 1 as 1901. */
const YEAR_ONE_MS = -62_135_596_800_000

function when(g: Generator): { text: string; ms: number } {
  const far = g.chance(0.05)
  const ms = far ? YEAR_ONE_MS + g.int(1000) * DAY + g.int(DAY) : BASE_MS + (g.int(40) - 20) * DAY + g.int(DAY) + (g.chance(0.3) ? g.int(1000) : 0)
  const formatted = formatWhen(ms)
  // Some keep more fraction digits than a millisecond, as a seed may: stored as text, read as the same instant.
  const text = g.chance(0.15) ? formatted.replace(/(\.\d+)?Z$/, (fraction) => `${fraction === 'Z' ? '.5' : fraction.slice(0, -1)}0001Z`) : formatted
  return { text, ms: whenToEpochMs(text) }
}

function detail(g: Generator): DetailOutput {
  const out = {} as DetailOutput
  if (g.chance(0.7)) out.Before = text(g, 0, 5)
  if (g.chance(0.7)) out.After = text(g, 0, 5)
  out.PropertyName = text(g, 1, 5)
  if (g.chance(0.3)) out.Message = text(g, 1, 6)
  return out
}

/** Records in the output order (D24), each with its instant, RIDs unique. */
export function generateRecords(seed: number, count: number): { records: ActivityRecordOutput[]; whenMs: number[] } {
  const g = generator(seed)
  const records: ActivityRecordOutput[] = []
  const whenMs: number[] = []
  for (let i = 0; i < count; i++) {
    const at = when(g)
    const record = {} as ActivityRecordOutput
    record.Action = g.pick(actions)
    if (g.chance(0.8)) {
      const name = g.pick(plans)
      record.MonitoringPlan = g.chance(0.5) ? { ID: `{00000000-0000-0000-0000-00000000000${g.int(10)}}`, Name: name } : { Name: name }
    }
    if (g.chance(0.9)) record.DataSource = g.chance(0.5) ? g.pick(['Active Directory', 'Netwrix API', 'SharePoint']) : text(g)
    if (g.chance(0.5)) record.Item = { Name: `${text(g, 1, 4)} (${g.pick(['Domain', 'Integration'])})` }
    record.ObjectType = g.chance(0.5) ? g.pick(['user', 'User', 'Mailbox', 'file']) : text(g)
    if (g.chance(0.95)) record.RID = `20170214154234000${i.toString(16).toUpperCase().padStart(32, '0')}`
    record.What = text(g, 1, 12)
    record.When = at.text
    record.Where = g.chance(0.5) ? g.pick(['dc1', 'DC1.enterprise.local', 'fs01']) : text(g)
    record.Who = g.chance(0.7) ? g.pick(accounts) : text(g)
    if (g.chance(0.5)) record.Workstation = text(g, 1, 5)
    if (g.chance(0.4)) record.DetailList = Array.from({ length: 1 + g.int(3) }, () => detail(g))
    records.push(record)
    whenMs.push(at.ms)
  }
  return { records, whenMs }
}

/** An operand for a text filter: mostly a piece of a stored value, its case changed, sometimes anything. */
function textOperand(g: Generator, values: readonly string[]): string {
  if (values.length === 0 || g.chance(0.2)) return text(g, 1, 3)
  // Cut by code points: a search operand carries no lone surrogate (D25: the validators refuse one).
  const value = Array.from(g.pick(values))
  const start = g.int(value.length)
  const piece = value.slice(start, start + 1 + g.int(value.length - start)).join('') || value.join('')
  return g.pick([piece, piece.toUpperCase(), piece.toLowerCase(), value.join('')])
}

function timestamp(g: Generator): string {
  const ms = BASE_MS + (g.int(40) - 20) * DAY + g.int(DAY)
  const utc = formatWhen(ms - (ms % 1000))
  if (!g.chance(0.3)) return utc
  const offset = g.pick(['+05:30', '-11:00', '+01:00'])
  const sign = offset.startsWith('-') ? -1 : 1
  const shift = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4))) * 60_000
  return formatWhen(ms - (ms % 1000) + shift).replace('Z', offset)
}

/** Values of the records that a filter of this name reads, to draw operands from. */
function valuesOf(records: readonly ActivityRecordOutput[], filter: string): string[] {
  const read: Record<string, (record: ActivityRecordOutput) => (string | undefined)[]> = {
    RID: (r) => [r.RID],
    Who: (r) => [r.Who],
    Where: (r) => [r.Where],
    ObjectType: (r) => [r.ObjectType],
    What: (r) => [r.What],
    DataSource: (r) => [r.DataSource],
    MonitoringPlan: (r) => [r.MonitoringPlan?.Name],
    Item: (r) => [r.Item?.Name],
    Workstation: (r) => [r.Workstation],
    Action: (r) => [r.Action],
    Detail: (r) => (r.DetailList ?? []).flatMap((d) => [d.PropertyName, d.Message, d.Before, d.After]),
    Before: (r) => (r.DetailList ?? []).map((d) => d.Before),
    After: (r) => (r.DetailList ?? []).map((d) => d.After),
  }
  const of = read[filter]
  return of ? records.slice(0, 200).flatMap((record) => of(record).filter((value): value is string => value !== undefined && value !== '')) : []
}

export interface GeneratedSearch {
  filters: FilterList
  scope: ReadScope
  count: number
}

/** Searches over the contract's filters and operators; FilterLists as a client sends them (canonicalise before use). */
export function generateSearches(seed: number, count: number, contract: Contract, records: readonly ActivityRecordOutput[]): GeneratedSearch[] {
  const g = generator(seed)
  const values = new Map(contract.filters.map((filter) => [filter.name, valuesOf(records, filter.name)]))
  const searches: GeneratedSearch[] = []
  for (let n = 0; n < count; n++) {
    const filters: FilterList = {}
    const chosen = 1 + g.int(g.chance(0.7) ? 1 : 3)
    for (let k = 0; k < chosen; k++) {
      const filter = g.pick(contract.filters)
      const entries: FilterEntry[] = []
      for (let e = 1 + g.int(g.chance(0.6) ? 1 : 3); e > 0; e--) {
        const operator = g.pick(filter.operators)
        let operand: string | Record<string, string>
        if (filter.kind === 'when') {
          if (g.chance(0.4)) operand = { [g.pick(contract.timeframes)]: '' }
          else {
            operand = {}
            if (g.chance(0.8)) operand['From'] = timestamp(g)
            if (g.chance(0.8) || operand['From'] === undefined) operand['To'] = timestamp(g)
          }
        } else if (filter.kind === 'workingHours') {
          const hour = () => `${String(g.int(24)).padStart(2, '0')}:${g.pick(['00', '30', '15'])}`
          operand = { From: hour(), To: hour() }
        } else if (operator === 'InGroup' || operator === 'NotInGroup') {
          operand = g.pick(groups)
        } else {
          operand = textOperand(g, values.get(filter.name) ?? [])
        }
        entries.push({ [operator]: operand } as FilterEntry)
      }
      filters[filter.name] = entries.length === 1 ? (entries[0] as FilterEntry) : entries
    }
    const scope: ReadScope = g.chance(0.8) ? { kind: 'all' } : { kind: 'plans', plans: new Set(plans.slice(0, 1 + g.int(3)).map((plan) => plan.toLowerCase())) }
    searches.push({ filters, scope, count: 1 + g.int(g.chance(0.5) ? 10 : 200) })
  }
  return searches
}
