import type { CheckCommandOptions } from '../conformance/command.ts'

const demoPassword = 'NetwrixIsCool'

/** The embedded mock's demo directory (fixtures/directory/demo.yaml), as the runner's accounts. */
export const demoAccounts: NonNullable<CheckCommandOptions['accounts']> = {
  administrator: { user: 'ENTERPRISE\\NetwrixUser', password: demoPassword },
  reviewer: { user: 'ENTERPRISE\\GlobalReviewer', password: demoPassword },
  scopedReviewer: { user: 'ENTERPRISE\\PlanReviewer', password: demoPassword, monitoringPlans: ['AD Monitoring'] },
  contributor: { user: 'ENTERPRISE\\Contributor', password: demoPassword },
  configurator: { user: 'ENTERPRISE\\Configurator', password: demoPassword },
  noAccess: { user: 'ENTERPRISE\\NoRole', password: demoPassword },
}

/** A group of the demo directory with a direct and a nested member, for InGroup and NotInGroup. */
export const demoGroups: NonNullable<CheckCommandOptions['groups']> = {
  inGroup: 'ENTERPRISE\\Domain Admins',
  members: ['ENTERPRISE\\Administrator', 'ENTERPRISE\\Jason.Smith'],
}
