import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { writeMatrixIntoDocs } from './docs-matrix.ts'
import { replaceMatrix } from './selftest-matrix.ts'
import { runSelftest, selftestFiles } from './selftest.ts'

// `npm run selftest:matrix`: runs nwa selftest and writes its matrix into docs/selftest.md, only when it passed.
const reportDir = 'reports'
const code = await runSelftest({ reportDir }, { stdout: process.stdout, stderr: process.stderr, now: Date.now, random: (n) => randomBytes(n) })
writeMatrixIntoDocs(code, join(reportDir, selftestFiles.markdown), 'docs/selftest.md', replaceMatrix, 'selftest:matrix')
