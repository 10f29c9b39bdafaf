/**
 * `nwa validate`'s output, pure: one line per file and one per problem as `FILE:LINE:COLUMN: ...`, which terminals and
 * editors turn into links, or one JSON document for scripts and editor plug-ins (`--report json`; docs/validate.md).
 */
import { bodyKinds } from '../openapi/body-kind.ts'
import type { FileResult, Problem } from './validate-result.ts'

/** The JSON report's layout version: a field removed or changed in meaning raises it. */
export const VALIDATE_REPORT_VERSION = 1

const formatNames = { xml: 'XML', json: 'JSON' } as const

function answerWords(result: FileResult): string {
  const { answer } = result
  if (answer === undefined) return ''
  if (answer.status === 500) return '; the mock answers 500 with an empty body (corrupted JSON, api/errordetails.md)'
  if (answer.status === 413) return '; the mock answers 413 with an empty body'
  const categories = [...new Set(result.problems.map((problem) => problem.category))].join(', ')
  return `; the mock answers 400 ${categories}`
}

/**
 * Client text on one line and harmless to a terminal: a line break in a quoted body would split a problem in two, and
 * an escape sequence could rewrite the screen, so control characters are shown as JSON escapes.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => shortEscapes[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

const shortEscapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function problemLine(file: string, problem: Problem): string {
  const place = problem.line === undefined ? '' : `${problem.line}:${problem.column}:`
  const where = problem.location ? ` (${problem.location})` : problem.pointer ? ` (${problem.pointer || '/'})` : ''
  return printable(`${file}:${place} ${problem.description}${where}`)
}

export function renderText(results: readonly FileResult[]): string {
  const lines: string[] = []
  for (const result of results) {
    const kind = bodyKinds[result.kind].what
    const guessed = result.kindFrom === 'default' ? '; its kind is not clear from it: judged as a write body, --kind chooses another' : ''
    lines.push(printable(`${result.file}: ${result.valid ? 'valid' : 'invalid'} ${kind} (${formatNames[result.format]}${guessed})${answerWords(result)}`))
    for (const problem of result.problems) lines.push(problemLine(result.file, problem))
    if (result.notListed > 0)
      lines.push(`${printable(result.file)}: and ${result.notListed} more error${result.notListed === 1 ? ' was' : 's were'} found and not listed`)
  }
  if (results.length > 1) lines.push(summaryLine(results))
  return `${lines.join('\n')}\n`
}

function summaryLine(results: readonly FileResult[]): string {
  const invalid = results.filter((result) => !result.valid).length
  return `${results.length} files: ${results.length - invalid} valid, ${invalid} invalid`
}

export function renderJson(results: readonly FileResult[]): string {
  const invalid = results.filter((result) => !result.valid).length
  const report = {
    version: VALIDATE_REPORT_VERSION,
    files: results,
    summary: { files: results.length, valid: results.length - invalid, invalid },
  }
  return `${JSON.stringify(report, null, 2)}\n`
}
