import type { Contract } from '../../openapi/contract.ts'
import type { PayloadCodec } from '../../openapi/payload.ts'
import type { MockClock } from '../clock.ts'
import type { Directory } from '../directory.ts'
import type { ResponseWriter } from '../responses.ts'
import type { ArchiveState } from '../state/archive.ts'
import type { MarkCodec } from '../state/marks.ts'
import type { Stage, StageName } from './context.ts'

/** What a decorator may use besides the stages: the same services the clean stages were built from. */
export interface PipelineServices {
  contract: Contract
  codec: PayloadCodec
  writer: ResponseWriter
  marks: MarkCodec
  state: ArchiveState
  directory: Directory
  clock: MockClock
}

/**
 * Wraps, replaces or reorders stages and answers the new list. The clean mock has none; the seeded defects
 * of `nwa selftest` are decorators, so the clean path holds no branch for any of them.
 */
export type PipelineDecorator = (stages: readonly Stage[], services: PipelineServices) => Stage[]

/** The stage list with one stage replaced by `wrap(stage)`. */
export function wrapStage(stages: readonly Stage[], name: StageName, wrap: (stage: Stage) => Stage): Stage[] {
  if (!stages.some((stage) => stage.name === name)) throw new Error(`no ${name} stage to wrap`)
  return stages.map((stage) => (stage.name === name ? wrap(stage) : stage))
}
