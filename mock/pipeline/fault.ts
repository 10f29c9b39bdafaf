import type { WireFormat } from '../../openapi/payload.ts'
import type { FaultDecision, FaultPlan } from '../faults.ts'
import type { MockResponse, ResponseWriter } from '../responses.ts'
import { emptyResponse } from '../responses.ts'
import { established, type Stage } from './context.ts'

/** The first bytes a dropped response sends before its connection goes: what a client sees when a server dies mid-answer. */
const droppedHead = { 'content-type': 'application/xml; charset=utf-8', 'content-length': '1048576' }
const droppedBody = '<?xml version="1.0" encoding="utf-8"?><ActivityRecordList'

/**
 * Server-side failures on demand (mock/faults.ts decides, this stage applies): a delay, a 500 or 503 with its
 * ErrorList, or a connection cut mid-response. It comes after authorization, so only a caller with rights
 * sees the server's state, and before the body is read, as a server that is down reads nothing.
 */
export function createFaultStage(deps: { plan: () => FaultPlan; writer: ResponseWriter; delay: (ms: number) => Promise<void> }): Stage {
  const answer = (fault: FaultDecision, format: WireFormat): MockResponse | undefined => {
    if (fault.kind === 'none') return undefined
    const notes = [`fault: ${fault.reason}`]
    if (fault.kind === 'drop') return { status: 200, headers: droppedHead, body: droppedBody, ending: 'cut', notes }
    if (!fault.error) return emptyResponse(fault.status, {}, notes)
    const response = deps.writer.errors(fault.status, format, [fault.error])
    return { ...response, notes: [...notes, ...(response.notes ?? [])] }
  }
  return {
    name: 'fault',
    run(ctx) {
      const operation = established(ctx.operation, 'route', 'the operation')
      const fault = deps.plan().decide(operation.tags.includes('write') ? 'write' : 'read')
      // A promise only when there is a delay to wait out (compose.ts awaits only promises).
      return fault.delayMs > 0 ? deps.delay(fault.delayMs).then(() => answer(fault, ctx.format)) : answer(fault, ctx.format)
    },
  }
}
