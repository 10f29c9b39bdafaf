import type { Judgment } from '../types.ts'
import { authJudgments } from './auth.ts'
import { bodyJudgments } from './bodies.ts'
import { readJudgments } from './read.ts'
import { connectorJudgments, retryJudgments } from './retry.ts'
import { writeJudgments } from './write.ts'

/** Every judgment of `nwa grade`, in report order: authentication, bodies, writes, reads, retries, the connector as a process. */
export const allJudgments: readonly Judgment[] = [
  ...authJudgments,
  ...bodyJudgments,
  ...writeJudgments,
  ...readJudgments,
  ...retryJudgments,
  ...connectorJudgments,
]
