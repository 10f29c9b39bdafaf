import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { replaceGradeMatrix } from './selftest-matrix.ts'
import { gradeSelftestFiles, runGradeSelftest } from './selftest.ts'

// `npm run grade-selftest:readme`: runs nwa grade --selftest and writes its matrix into the README, only when it passed.
const reportDir = 'reports'
const code = await runGradeSelftest(
  { reportDir },
  { stdout: process.stdout, stderr: process.stderr, now: Date.now, monotonic: () => performance.now(), random: (n) => randomBytes(n) },
)
if (code !== 0) {
  process.stderr.write('grade-selftest:readme: the README was not changed, since the self-test did not pass\n')
  process.exit(code)
}
const readme = new URL('../../README.md', import.meta.url)
const markdown = readFileSync(join(reportDir, gradeSelftestFiles.markdown), 'utf8').trimEnd()
writeFileSync(readme, replaceGradeMatrix(readFileSync(readme, 'utf8'), markdown))
