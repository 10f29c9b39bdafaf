import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { writeMatrixIntoReadme } from '../readme-matrix.ts'
import { replaceGradeMatrix } from './selftest-matrix.ts'
import { gradeSelftestFiles, runGradeSelftest } from './selftest.ts'

// `npm run grade-selftest:readme`: runs nwa grade --selftest and writes its matrix into the README, only when it passed.
const reportDir = 'reports'
const code = await runGradeSelftest(
  { reportDir },
  { stdout: process.stdout, stderr: process.stderr, now: Date.now, monotonic: () => performance.now(), random: (n) => randomBytes(n) },
)
writeMatrixIntoReadme(code, join(reportDir, gradeSelftestFiles.markdown), replaceGradeMatrix, 'grade-selftest:readme')
