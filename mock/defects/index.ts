import { authDefects } from './auth.ts'
import { errorsDefects } from './errors.ts'
import { fidelityDefects } from './fidelity.ts'
import { formatsDefects } from './formats.ts'
import { paginationDefects } from './pagination.ts'
import { searchDefects } from './search.ts'
import type { Defect } from './support.ts'
import { validationDefects } from './validation.ts'
import { writeDefects } from './write.ts'

export { type Defect, type Family, families } from './support.ts'

/**
 * The seeded defects of `nwa selftest`, family by family in the order the suite runs its checks: each a
 * plausible bug of a real server, switched on in the reference mock with `nwa mock --defect NAME` or
 * `POST /nwa/defects`. The suite must catch every one; the clean mock holds no branch for any of them.
 */
export const defectCatalogue: readonly Defect[] = [
  ...formatsDefects,
  ...paginationDefects,
  ...writeDefects,
  ...searchDefects,
  ...validationDefects,
  ...errorsDefects,
  ...authDefects,
  ...fidelityDefects,
]
