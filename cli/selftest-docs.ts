import { readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { replaceMatrix } from './selftest-matrix.ts'
import { runSelftest, selftestFiles } from './selftest.ts'

// `npm run selftest:matrix`: runs nwa selftest and writes its matrix into docs/selftest.md, only when it passed.
const reportDir = 'reports'
const code = await runSelftest({ reportDir }, { stdout: process.stdout, stderr: process.stderr, now: Date.now, random: (n) => randomBytes(n) })
if (code !== 0) {
  process.stderr.write('selftest:matrix: docs/selftest.md was not changed, since the self-test did not pass\n')
  process.exit(code)
}
const page = new URL('../docs/selftest.md', import.meta.url)
const markdown = readFileSync(join(reportDir, selftestFiles.markdown), 'utf8').trimEnd()
writeFileSync(page, replaceMatrix(readFileSync(page, 'utf8'), markdown))
