import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { writeMatrixIntoReadme } from './readme-matrix.ts'
import { replaceMatrix } from './selftest-matrix.ts'
import { runSelftest, selftestFiles } from './selftest.ts'

// `npm run selftest:readme`: runs nwa selftest and writes its matrix into the README's self-test section, only when it passed.
const reportDir = 'reports'
const code = await runSelftest({ reportDir }, { stdout: process.stdout, stderr: process.stderr, now: Date.now, random: (n) => randomBytes(n) })
writeMatrixIntoReadme(code, join(reportDir, selftestFiles.markdown), replaceMatrix, 'selftest:readme')
