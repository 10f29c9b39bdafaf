/**
 * `nwa diff OLD NEW`: reads two reports (a conformance.json, the report directory holding one, or a bundle), prints
 * the Markdown of their diff, optionally writes it and the JSON to files, and exits 1 on a regression, 0 otherwise,
 * 2 when a report cannot be read.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { maxBundleBytes, type CommandIo } from './bundle/commands.ts'
import { reportFile } from './bundle/bundle.ts'
import { readTar } from './bundle/tar.ts'
import { diffReports, renderDiffMarkdown, type DiffableReport } from './diff.ts'

export interface DiffOptions {
  /** Also write the Markdown here. */
  markdown?: string
  /** Write the diff as JSON here. */
  json?: string
}

/** A report from a file or directory; a bundle is read without verifying it (nwa verify does that). */
export function readReport(path: string): DiffableReport {
  const file = statSync(path).isDirectory() ? join(path, reportFile) : path
  if (statSync(file).size > maxBundleBytes) throw new Error(`${file} is larger than ${maxBundleBytes} bytes`)
  const bytes = readFileSync(file)
  let text = bytes.toString('utf8')
  if (!text.trimStart().startsWith('{')) {
    const tar = readTar(bytes)
    if (!tar.ok) throw new Error(`${file} is neither a JSON report nor a bundle: ${tar.problem}`)
    const entry = tar.entries.find((item) => item.name === reportFile)
    if (entry === undefined) throw new Error(`the bundle ${file} holds no ${reportFile}`)
    text = entry.content.toString('utf8')
  }
  const report = JSON.parse(text) as DiffableReport
  if (typeof report?.verdict?.verdict !== 'string' || !Array.isArray(report.checks) || typeof report.summary !== 'object') {
    throw new Error(`${file} is not a report of nwa check: it lacks verdict, summary or checks`)
  }
  return report
}

export function runDiff(older: string, newer: string, options: DiffOptions, io: CommandIo): 0 | 1 | 2 {
  let reports: [DiffableReport, DiffableReport]
  try {
    reports = [readReport(older), readReport(newer)]
  } catch (error) {
    io.stderr.write(`nwa diff: ${error instanceof Error ? error.message : String(error)}\n`)
    return 2
  }
  const diff = diffReports(reports[0], reports[1], { old: older, new: newer })
  const markdown = renderDiffMarkdown(diff)
  io.stdout.write(markdown)
  if (options.markdown !== undefined) writeFileSync(options.markdown, markdown)
  if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify(diff, null, 2)}\n`)
  return diff.regression ? 1 : 0
}
