/** Builders shared by the runner's own tests; checks here are stand-ins, the real ones live in checks/. */
import { pass, type Check } from './types.ts'

export function makeCheck(fields: Partial<Check> & { id: string }): Check {
  return {
    title: `check ${fields.id}`,
    level: 'MUST',
    requirements: [],
    tags: [],
    category: 'formats',
    run: async () => pass('ok'),
    ...fields,
  }
}
