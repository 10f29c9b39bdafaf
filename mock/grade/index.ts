/** What other packages use of grading on the mock's side (docs/grading.md): the recorder, the scenarios, passive grading. */
export { loadBacklog } from './backlog.ts'
export type { ExchangeObserver } from './observer.ts'
export { createPassiveGrading, type PassiveGrading, type PassiveJudge } from './passive.ts'
export { createGradeRecorder, type GradeRecorder, recordFingerprint } from './recorder.ts'
export {
  scenarioByName,
  scenarioCatalogue,
  scenarioNames,
  timings,
  troubleCounts,
  type ScenarioContext,
  type ScenarioDefinition,
  type ScenarioName,
  type ScenarioRun,
} from './scenarios.ts'
