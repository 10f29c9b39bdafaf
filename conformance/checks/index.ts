import type { Check } from '../types.ts'
import { authChecks } from './auth.ts'
import { errorsChecks } from './errors.ts'
import { fidelityChecks } from './fidelity.ts'
import { formatsChecks } from './formats.ts'
import { paginationChecks } from './pagination.ts'
import { searchChecks } from './search.ts'
import { validationChecks } from './validation.ts'
import { writeChecks } from './write.ts'

/** Every check, family by family, in the order the runner runs them. */
export const allChecks: Check[] = [
  ...formatsChecks,
  ...paginationChecks,
  ...writeChecks,
  ...searchChecks,
  ...validationChecks,
  ...errorsChecks,
  ...authChecks,
  ...fidelityChecks,
]
