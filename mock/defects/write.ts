import type { IncomingMessage } from 'node:http'
import type { ActivityRecordInput, ActivityRecordOutput } from '../../openapi/records.ts'
import type { RequestContext, Stage } from '../pipeline/context.ts'
import { aroundStage, type PipelineServices } from '../pipeline/decorate.ts'
import { emptyResponse } from '../responses.ts'
import { type Defect, editInputs, editRecords, observeWrites, remember, writeOperation } from './support.ts'

/**
 * Written records reported otherwise on every later read: `note` says, per record written, what to remember
 * about it (nothing: undefined); `show` applies what was remembered to the record read back.
 */
function misreportWritten<T>(
  stages: readonly Stage[],
  services: PipelineServices,
  note: (written: { input: ActivityRecordInput; index: number; batch: readonly ActivityRecordOutput[]; ctx: RequestContext }) => T | undefined,
  show: (record: ActivityRecordOutput, remembered: T) => ActivityRecordOutput,
): Stage[] {
  const remembered = new Map<string, T>()
  const watched = observeWrites(stages, services, (inputs, outputs, ctx) => {
    outputs.forEach((output, index) => {
      const value = output.RID === undefined ? undefined : note({ input: inputs[index]!, index, batch: outputs, ctx })
      if (value !== undefined) remember(remembered, output.RID!, value)
    })
  })
  return editRecords(watched, services, (record) => {
    const value = record.RID === undefined ? undefined : remembered.get(record.RID)
    return value === undefined ? record : show(record, value)
  })
}

const offsetPattern = /(T\d{2}:\d{2}:\d{2}(?:\.\d+)?)[+-]\d{2}:\d{2}$/

/** What the write operation stores, and how: normalised fields, RIDs, plans, the Long-Term Archive, paths. */
export const writeDefects: readonly Defect[] = [
  {
    name: 'datasource-kept',
    family: 'write',
    requirements: ['WRITE-DATASOURCE-NETWRIX-API'],
    description: 'A written record keeps the DataSource the writer sent instead of "Netwrix API"',
    decorator: (stages, services) =>
      misreportWritten(
        stages,
        services,
        ({ input }) => input.DataSource,
        (record, DataSource) => ({ ...record, DataSource }),
      ),
  },
  {
    name: 'item-without-integration',
    family: 'write',
    requirements: ['WRITE-ITEM-INTEGRATION'],
    description: 'Item reads back as sent, without the " (Integration)" type the product appends',
    decorator: (stages, services) =>
      editRecords(stages, services, (record) =>
        record.Item === undefined ? record : { ...record, Item: { ...record.Item, Name: record.Item.Name.replace(/ \(Integration\)$/, '') } },
      ),
  },
  {
    name: 'rid-per-request',
    family: 'write',
    requirements: ['WRITE-RID-ASSIGNED'],
    description: 'Every record of one write request gets the same RID (the RID is minted once per request, not per record)',
    decorator: (stages, services) =>
      misreportWritten(
        stages,
        services,
        ({ batch }) => batch[0]?.RID,
        (record, RID) => ({ ...record, RID }),
      ),
  },
  {
    name: 'archive-only-searchable',
    family: 'write',
    requirements: ['WRITE-ARCHIVE-ONLY'],
    description: 'IsArchiveOnly is ignored: the record goes to the Audit Database and search returns it',
    decorator: (stages) =>
      editInputs(stages, (record) => {
        const { IsArchiveOnly: _ignored, ...rest } = record
        return rest
      }),
  },
  {
    name: 'when-offset-dropped',
    family: 'write',
    requirements: ['WRITE-WHEN-FORMATS', 'WRITE-AVAILABLE-TO-READ'],
    description: 'A written When with an offset (-11:00) is stored as if its clock time were UTC',
    decorator: (stages) => editInputs(stages, (record) => ({ ...record, When: record.When.replace(offsetPattern, '$1Z') })),
  },
  {
    name: 'plan-id-not-assigned',
    family: 'write',
    requirements: ['WRITE-MONITORINGPLAN-ID-ASSIGNED'],
    description: 'Records written through the API keep their MonitoringPlan as a name only, without the ID the product assigns',
    decorator: (stages, services) =>
      editRecords(stages, services, (record) =>
        record.DataSource === 'Netwrix API' && record.MonitoringPlan !== undefined
          ? { ...record, MonitoringPlan: { Name: record.MonitoringPlan.Name } }
          : record,
      ),
  },
  {
    name: 'write-path-needs-slash',
    family: 'write',
    requirements: ['EP-WRITE-TRAILING-SLASH-OPTIONAL'],
    decision: 'D8',
    description: 'POST /activity_records without the trailing slash is 404: only the documented spelling is routed',
    decorator: (stages) =>
      aroundStage(stages, 'route', (ctx, next) =>
        ctx.target.path.endsWith('/activity_records') ? Promise.resolve(emptyResponse(404, {}, ['defect: no route without the slash'])) : next(ctx),
      ),
  },
  {
    name: 'input-rid-kept',
    family: 'write',
    requirements: ['WRITE-OUTPUT-ONLY-FIELDS'],
    description: 'A RID in a written record is accepted and kept instead of refused or replaced by the server',
    decorator: (stages, services) => {
      const sent = new WeakMap<IncomingMessage, (string | undefined)[]>()
      const accepting = aroundStage(stages, 'validate', (ctx, next) => {
        if (ctx.operation?.operationId === writeOperation && Array.isArray(ctx.value)) {
          // What a writer may send by mistake: the output form, RID and Detail Message included.
          const records = ctx.value as ActivityRecordOutput[]
          sent.set(
            ctx.req,
            records.map((record) => record.RID),
          )
          ctx.value = records.map(({ RID: _output, ...record }) =>
            record.DetailList === undefined ? record : { ...record, DetailList: record.DetailList.map(({ Message: _message, ...detail }) => detail) },
          )
        }
        return next(ctx)
      })
      return misreportWritten(
        accepting,
        services,
        ({ index, ctx }) => sent.get(ctx.req)?.[index],
        (record, RID) => ({ ...record, RID }),
      )
    },
  },
]
