import { readFileSync, writeFileSync } from 'node:fs'

/**
 * Writes a self-test's matrix into its docs page (docs/selftest.md, docs/grading.md), only when the self-test passed: a
 * matrix is a record of a passing run, which a test holds to the catalogue.
 */
export function writeMatrixIntoDocs(code: number, matrixFile: string, page: string, replace: (page: string, markdown: string) => string, what: string): void {
  if (code !== 0) {
    process.stderr.write(`${what}: ${page} was not changed, since the self-test did not pass\n`)
    process.exit(code)
  }
  const url = new URL(`../${page}`, import.meta.url)
  writeFileSync(url, replace(readFileSync(url, 'utf8'), readFileSync(matrixFile, 'utf8').trimEnd()))
}
