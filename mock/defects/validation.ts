import type { ActivityRecordInput, ActivityRecordSearch, FilterList } from '../../openapi/records.ts'
import type { RequestContext, Stage } from '../pipeline/context.ts'
import { aroundStage, mapAnswers, type StageNext } from '../pipeline/decorate.ts'
import { type Defect, entriesOf, operationById, readErrors, filterValue, writeOperation } from './support.ts'

/** Code before the validate stage, for one operation's requests. */
function beforeValidating(stages: readonly Stage[], operationId: string, around: (ctx: RequestContext, next: StageNext) => ReturnType<StageNext>): Stage[] {
  return aroundStage(stages, 'validate', (ctx, next) => (ctx.operation?.operationId === operationId ? around(ctx, next) : next(ctx)))
}

/** The FilterList of a search, rewritten before it is validated. */
function editSearchBeforeValidating(stages: readonly Stage[], edit: (filters: FilterList) => FilterList): Stage[] {
  return beforeValidating(stages, 'searchActivityRecords', (ctx, next) => {
    const search = ctx.value as ActivityRecordSearch | undefined
    if (search?.FilterList !== undefined) ctx.value = { ...search, FilterList: edit(search.FilterList) }
    return next(ctx)
  })
}

const legacyNames: Readonly<Record<string, string>> = { AuditedSystem: 'DataSource', ManagedObject: 'MonitoringPlan' }

/** No RID is the single character "-", so a NotEqualTo on it matches every record. */
const everything: FilterList = { RID: [{ NotEqualTo: '-' }] }

/** What is refused before anything is stored or searched, and how the refusal is answered. */
export const validationDefects: readonly Defect[] = [
  {
    name: 'objecttype-optional',
    family: 'validation',
    requirements: ['WRITE-MANDATORY-FIELDS', 'STATUS-400-WRITE'],
    description: 'A record without ObjectType is stored with ObjectType "Unknown" instead of refused',
    decorator: (stages) =>
      beforeValidating(stages, writeOperation, (ctx, next) => {
        if (Array.isArray(ctx.value)) {
          ctx.value = (ctx.value as Partial<ActivityRecordInput>[]).map((record) => ({ ...record, ObjectType: record.ObjectType ?? 'Unknown' }))
        }
        return next(ctx)
      }),
  },
  {
    name: 'length-limit-256',
    family: 'validation',
    requirements: ['WRITE-MAXLEN-255', 'STATUS-400-WRITE'],
    description: 'Who, Where, ObjectType, plan names and PropertyName of 256 characters are stored (the limit is checked with > 256)',
    decorator: (stages) =>
      beforeValidating(stages, writeOperation, async (ctx, next) => {
        const shortened: unknown = JSON.parse(JSON.stringify(ctx.value), (_key, value: unknown) =>
          typeof value === 'string' && value.length === 256 ? value.slice(0, 255) : value,
        )
        return (await next({ ...ctx, value: shortened })) === undefined ? undefined : next(ctx)
      }),
  },
  {
    name: 'write-namespace-ignored',
    family: 'validation',
    requirements: ['XML-NAMESPACE', 'STATUS-400-WRITE'],
    description: 'An XML write in another namespace or in none is stored: the reader matches element names only',
    decorator: (stages, services) =>
      aroundStage(stages, 'decode', (ctx, next) => {
        if (ctx.operation?.operationId === writeOperation && ctx.format === 'xml' && ctx.body !== undefined) {
          const text = ctx.body
            .toString('utf8')
            .replace(/<ActivityRecordList\b[^>]*?(\/?)>/, `<ActivityRecordList xmlns="${services.contract.namespaces.records}"$1>`)
          ctx.body = Buffer.from(text, 'utf8')
        }
        return next(ctx)
      }),
  },
  {
    name: 'batch-keeps-valid-records',
    family: 'validation',
    requirements: ['STATUS-400-WRITE'],
    decision: 'D32',
    description: 'A refused batch still stores the valid records before the first invalid one (records are written one by one)',
    decorator: (stages, services) =>
      beforeValidating(stages, writeOperation, async (ctx, next) => {
        const answer = await next(ctx)
        if (answer === undefined || !Array.isArray(ctx.value)) return answer
        const stored: ActivityRecordInput[] = []
        for (const record of ctx.value as ActivityRecordInput[]) {
          if ((await next({ ...ctx, value: [record] })) !== undefined) break
          stored.push(record)
        }
        if (stored.length > 0) await services.state.write(stored)
        return answer
      }),
  },
  {
    name: 'legacy-filter-names-accepted',
    family: 'validation',
    requirements: ['FILTER-UNKNOWN-REJECTED', 'STATUS-400-READ'],
    decision: 'D7',
    description: 'The pre-9.0 filter names AuditedSystem and ManagedObject are still read as DataSource and MonitoringPlan',
    decorator: (stages) =>
      editSearchBeforeValidating(stages, (filters) => Object.fromEntries(Object.entries(filters).map(([name, value]) => [legacyNames[name] ?? name, value]))),
  },
  {
    name: 'empty-filter-matches-all',
    family: 'validation',
    requirements: ['SEARCH-FILTER-VALUE-REQUIRED', 'STATUS-400-READ'],
    description: 'A filter without a value, or an empty FilterList, is no condition at all: the search returns every record',
    decorator: (stages, services) => {
      const operators = new Set(Object.keys(services.contract.operators))
      return editSearchBeforeValidating(stages, (filters) => {
        const kept = Object.entries(filters).flatMap(([name, value]) => {
          const entries = entriesOf(value, operators).filter((entry) => entry.operand !== '')
          return entries.length ? [[name, filterValue(entries)] as const] : []
        })
        return kept.length ? (Object.fromEntries(kept) as FilterList) : everything
      })
    },
  },
  {
    name: 'empty-mark-restarts',
    family: 'validation',
    requirements: ['STATUS-400-READ', 'MARK-ENUM-POST-JSON'],
    decision: 'D5',
    description: 'POST enum with an empty mark starts the enumeration again from the first record instead of 400',
    decorator: (stages, services) =>
      beforeValidating(stages, 'continueEnumeration', (ctx, next) => {
        if (typeof ctx.value !== 'string' || ctx.value.trim() !== '') return next(ctx)
        ctx.operation = operationById(services, 'enumerateActivityRecords')
        return Promise.resolve(undefined)
      }),
  },
  {
    name: 'malformed-xml-500',
    family: 'validation',
    requirements: ['ERR-XML-MALFORMED-400', 'STATUS-400-READ', 'STATUS-400-WRITE'],
    description: 'Malformed XML escapes the parser as 500 ServerError "Internal error occurred." instead of 400 XMLError',
    decorator: (stages, services) =>
      mapAnswers(stages, ['decode'], (response, ctx) =>
        readErrors(services, 'xml', response)?.some((error) => error.Category === 'XMLError')
          ? services.writer.errors(500, ctx.format, [{ Category: 'ServerError', Description: 'Internal error occurred.' }])
          : response,
      ),
  },
  {
    name: 'corrupt-json-400',
    family: 'validation',
    requirements: ['ERR-JSON-CORRUPT-500', 'JSON-TRAILING-COMMA'],
    description: 'Corrupted JSON is answered 400 InputError with an ErrorList instead of the documented empty 500',
    decorator: (stages, services) =>
      mapAnswers(stages, ['decode'], (response, ctx) =>
        ctx.format === 'json' && response.status === 500 && response.body === ''
          ? services.writer.errors(400, 'json', [{ Category: 'InputError', Description: 'The body is not valid JSON.' }])
          : response,
      ),
  },
]
