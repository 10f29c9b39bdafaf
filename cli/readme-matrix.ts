import { readFileSync, writeFileSync } from 'node:fs'

/**
 * What `npm run selftest:readme` and `npm run grade-selftest:readme` do once their self-test ran: put its matrix into
 * the README's marked block, and only when it passed, so the README never shows a matrix of a failing run.
 */
export function writeMatrixIntoReadme(code: number, matrixFile: string, replace: (readme: string, markdown: string) => string, what: string): void {
  if (code !== 0) {
    process.stderr.write(`${what}: the README was not changed, since the self-test did not pass\n`)
    process.exit(code)
  }
  const readme = new URL('../README.md', import.meta.url)
  writeFileSync(readme, replace(readFileSync(readme, 'utf8'), readFileSync(matrixFile, 'utf8').trimEnd()))
}
