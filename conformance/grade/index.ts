/** What other packages use of `nwa grade`'s judging (docs/grading.md): the judgments, the grade, the report texts. */
export { allJudgments } from './judgments/index.ts'
export { gradeConnector, judgeOne, judgedRoles, toEvidenceExchange, type GradeInput, type ScenarioOutcome } from './grade.ts'
export { launchLabel, scenarioLines } from './report-text.ts'
export type { GradeReport, GradeRole, GradeRunOptions, JudgeContext, Judgment, JudgmentVerdict, LaunchRecord, ScenarioEnd } from './types.ts'
