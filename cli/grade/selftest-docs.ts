import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { writeMatrixIntoDocs } from '../docs-matrix.ts'
import { replaceGradeMatrix } from './selftest-matrix.ts'
import { gradeSelftestFiles, runGradeSelftest } from './selftest.ts'

// `npm run grade-selftest:matrix`: runs nwa grade --selftest and writes its matrix into docs/grading.md, only when it passed.
const reportDir = 'reports'
const code = await runGradeSelftest(
  { reportDir },
  { stdout: process.stdout, stderr: process.stderr, now: Date.now, monotonic: () => performance.now(), random: (n) => randomBytes(n) },
)
writeMatrixIntoDocs(code, join(reportDir, gradeSelftestFiles.markdown), 'docs/grading.md', replaceGradeMatrix, 'grade-selftest:matrix')
