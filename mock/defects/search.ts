import type { ActivityRecordOutput, ActivityRecordSearch, FilterList } from '../../openapi/records.ts'
import type { Stage } from '../pipeline/context.ts'
import type { PipelineServices } from '../pipeline/decorate.ts'
import { type Defect, editFilterEntries, editFilters, editPages, entriesOf, type FilterEntry, isoInstant, remember } from './support.ts'

const DAY_MS = 86_400_000
const positive = new Set(['Contains', 'Equals', 'StartsWith', 'EndsWith'])

/** A When or WorkingHours entry's range, wherever the entry puts it: bare, or under Equals or NotEqualTo. */
function editRange(entry: FilterEntry, edit: (range: Record<string, string>) => Record<string, string>): FilterEntry {
  return typeof entry.operand === 'object' && entry.operand !== null ? { ...entry, operand: edit(entry.operand as Record<string, string>) } : entry
}

/** Search pages (first pages and pages continued in the search body) with some records left out. */
function dropFromSearchPages(
  stages: readonly Stage[],
  services: PipelineServices,
  keep: (record: ActivityRecordOutput, filters: FilterList) => boolean,
): Stage[] {
  return editPages(
    stages,
    services,
    (page, ctx) => {
      const filters = (ctx.value as ActivityRecordSearch).FilterList
      return { ...page, records: page.records.filter((record) => keep(record, filters)) }
    },
    ['searchActivityRecords'],
  )
}

/** Text comparison as the clean mock does it (case-insensitive, S1), for the entries a defect re-applies itself. */
function textMatches(value: string, entry: FilterEntry, defaultOperator: string): boolean {
  const wanted = String(entry.operand).toLowerCase()
  const text = value.toLowerCase()
  switch (entry.operator ?? defaultOperator) {
    case 'Equals':
      return text === wanted
    case 'StartsWith':
      return text.startsWith(wanted)
    case 'EndsWith':
      return text.endsWith(wanted)
    default:
      return text.includes(wanted)
  }
}

const offsetPattern = /(T\d{2}:\d{2}:\d{2}(?:\.\d+)?)[+-]\d{2}:\d{2}$/

/** Timeframes read as rolling windows of whole 24-hour days back from now, instead of calendar days (S6). */
const rollingDays: Readonly<Record<string, number>> = { LastSevenDays: 7, LastThirtyDays: 30 }

/** What a search selects: filters, operators, ranges, timeframes and how entries combine. */
export const searchDefects: readonly Defect[] = [
  {
    name: 'when-to-exclusive',
    family: 'search',
    requirements: ['FILTER-WHEN-RANGE'],
    decision: 'S5',
    description: 'A When range leaves out a record exactly on its To bound (To compared with < instead of <=)',
    decorator: (stages, services) =>
      editFilters(stages, services, (filters, _ctx, operators) =>
        editFilterEntries(filters, 'When', operators, (entries) =>
          entries.map((entry) =>
            editRange(entry, (range) => {
              const to = range['To'] === undefined ? Number.NaN : Date.parse(range['To'])
              return Number.isNaN(to) ? range : { ...range, To: isoInstant(to - 1) }
            }),
          ),
        ),
      ),
  },
  {
    name: 'when-filter-offset-ignored',
    family: 'search',
    requirements: ['FILTER-WHEN-RANGE'],
    description: 'The offset of a When bound (+05:30, -11:00) is ignored: its clock time is read as UTC',
    decorator: (stages, services) =>
      editFilters(stages, services, (filters, _ctx, operators) =>
        editFilterEntries(filters, 'When', operators, (entries) =>
          entries.map((entry) =>
            editRange(entry, (range) => Object.fromEntries(Object.entries(range).map(([key, value]) => [key, value.replace(offsetPattern, '$1Z')]))),
          ),
        ),
      ),
  },
  {
    name: 'who-equals-case-sensitive',
    family: 'search',
    requirements: ['OP-EQUALS', 'FILTER-WHO'],
    decision: 'S1',
    description: 'Who Equals compares with case (a binary collation on the Who column); the other operators ignore it',
    decorator: (stages, services) => {
      const operators = new Set(Object.keys(services.contract.operators))
      return dropFromSearchPages(stages, services, (record, filters) => {
        const entries = filters['Who'] === undefined ? [] : entriesOf(filters['Who'], operators)
        if (entries.length === 0 || !entries.every((entry) => entry.operator === 'Equals')) return true
        return entries.some((entry) => entry.operand === record.Who)
      })
    },
  },
  {
    name: 'xml-repeated-filter-last-wins',
    family: 'search',
    requirements: ['OP-REPEATED-OR', 'SEARCH-XML-OPERATOR'],
    description: 'In an XML search, a filter element given several times counts only its last occurrence (JSON lists are read whole)',
    decorator: (stages, services) =>
      editFilters(stages, services, (filters, ctx, operators) =>
        ctx.format !== 'xml'
          ? filters
          : Object.keys(filters).reduce((edited, name) => editFilterEntries(edited, name, operators, (entries) => entries.slice(-1)), filters),
      ),
  },
  {
    name: 'bare-value-equals',
    family: 'search',
    requirements: ['FILTER-DEFAULT-CONTAINS'],
    description: 'A text filter given without an operator compares with Equals instead of the documented default Contains',
    decorator: (stages, services) => {
      const text = services.contract.filters.filter((filter) => filter.kind === 'text' && filter.defaultOperator === 'Contains').map((filter) => filter.name)
      return editFilters(stages, services, (filters, _ctx, operators) =>
        text.reduce(
          (edited, name) =>
            editFilterEntries(edited, name, operators, (entries) =>
              entries.map((entry) => (entry.operator === undefined ? { operator: 'Equals', operand: entry.operand } : entry)),
            ),
          filters,
        ),
      )
    },
  },
  {
    name: 'when-notequalto-as-equals',
    family: 'search',
    requirements: ['FILTER-WHEN-RANGE', 'OP-NOTEQUALTO'],
    description: 'When NotEqualTo selects the records inside the range, like Equals',
    decorator: (stages, services) =>
      editFilters(stages, services, (filters, _ctx, operators) =>
        editFilterEntries(filters, 'When', operators, (entries) =>
          entries.map((entry) => (entry.operator === 'NotEqualTo' ? { operator: 'Equals', operand: entry.operand } : entry)),
        ),
      ),
  },
  {
    name: 'timeframes-rolling',
    family: 'search',
    requirements: ['FILTER-WHEN-TIMEFRAME'],
    decision: 'S6',
    description: 'LastSevenDays and LastThirtyDays are rolling windows of 7 and 30 times 24 hours back from now, not whole UTC days',
    decorator: (stages, services) => {
      // A continuation must see the window its first page saw, or the handler takes it for another query.
      const windows = new Map<string, FilterList>()
      return editFilters(stages, services, (filters, _ctx, operators) => {
        const key = JSON.stringify(filters)
        const known = windows.get(key)
        if (known !== undefined) return known
        const now = services.clock.now()
        const edited = editFilterEntries(filters, 'When', operators, (entries) =>
          entries.map((entry) =>
            editRange(entry, (range) => {
              const days = Object.keys(range).length === 1 ? rollingDays[Object.keys(range)[0]!] : undefined
              return days === undefined ? range : { From: isoInstant(now - days * DAY_MS), To: isoInstant(now) }
            }),
          ),
        )
        remember(windows, key, edited, 1000)
        return edited
      })
    },
  },
  {
    name: 'workinghours-to-inclusive',
    family: 'search',
    requirements: ['FILTER-WORKINGHOURS'],
    decision: 'S7',
    description: 'WorkingHours includes a record exactly at its To time ([From, To] instead of [From, To))',
    decorator: (stages, services) =>
      editFilters(stages, services, (filters, _ctx, operators) =>
        editFilterEntries(filters, 'WorkingHours', operators, (entries) =>
          entries.map((entry) =>
            editRange(entry, (range) => {
              const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(range['To'] ?? '')
              if (!match) return range
              const seconds = (Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3] ?? 0) + 1
              if (seconds >= DAY_MS / 1000) return range
              const part = (n: number) => String(n).padStart(2, '0')
              return { ...range, To: `${part(Math.floor(seconds / 3600))}:${part(Math.floor(seconds / 60) % 60)}:${part(seconds % 60)}` }
            }),
          ),
        ),
      ),
  },
  {
    name: 'detail-first-entry-only',
    family: 'search',
    requirements: ['FILTER-DETAIL'],
    decision: 'S8',
    description: 'The Detail filter looks at the first Detail of a record only, not at every entry of its DetailList',
    decorator: (stages, services) => {
      const operators = new Set(Object.keys(services.contract.operators))
      return dropFromSearchPages(stages, services, (record, filters) => {
        const entries = filters['Detail'] === undefined ? [] : entriesOf(filters['Detail'], operators)
        if (entries.length === 0 || !entries.every((entry) => positive.has(entry.operator ?? 'Contains'))) return true
        const first = record.DetailList?.[0]
        const values = first === undefined ? [] : [first.PropertyName, first.Before, first.After, first.Message].filter((value) => value !== undefined)
        return entries.some((entry) => values.some((value) => textMatches(value, entry, 'Contains')))
      })
    },
  },
  {
    name: 'when-dropped-beside-others',
    family: 'search',
    requirements: ['FILTER-AND-ACROSS', 'FILTER-WHEN-RANGE'],
    description: 'When is ignored as soon as another filter is present (the time clause is added only to a search on When alone)',
    decorator: (stages, services) =>
      editFilters(stages, services, (filters) => {
        if (filters['When'] === undefined || Object.keys(filters).length < 2) return filters
        const { When: _ignored, ...rest } = filters
        return rest
      }),
  },
]
