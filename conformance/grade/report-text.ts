/** How the reports word a grade's scenarios and the connector's runs. Pure. */
import type { GradeReport, LaunchRecord } from './types.ts'

/** "run 1: exit 0" or "run 2: stopped by the grader (SIGTERM)". */
export function launchLabel(launch: LaunchRecord): string {
  const how = launch.exitCode !== null ? `exit ${launch.exitCode}` : `signal ${launch.signal}`
  if (launch.endedBy === 'self') return `run ${launch.launch}: ${how}`
  return `run ${launch.launch}: stopped by the grader${launch.endedBy === 'timeout' ? ' at the timeout' : ''} (${how})`
}

/** One line per scenario: how it ended, the runs, the exchanges recorded. */
export function scenarioLines(grade: GradeReport): string[] {
  return grade.scenarios.map((scenario) => {
    const runs = scenario.launches.length === 0 ? 'not launched' : scenario.launches.map(launchLabel).join(', ')
    const dropped = scenario.dropped > 0 ? `, ${scenario.dropped} not recorded (the recording was full)` : ''
    const note = scenario.endNote === undefined ? '' : `: ${scenario.endNote}`
    return `${scenario.name}: ${scenario.endedBy}${note}; ${runs}; ${scenario.exchanges} exchanges${dropped}`
  })
}
