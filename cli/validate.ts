/**
 * `nwa validate FILE… | -`: the I/O around the pure judgement (validate-result.ts) and report (validate-report.ts).
 * Arguments become inputs (a file, a directory's .xml and .json files, a glob, or standard input), each read up to the
 * body limit; a mistake in them stops the command before anything is judged (exit 2). Exit 1 when any body is invalid.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { globSync, isDynamicPattern } from 'tinyglobby'
import type { BodyKindName } from '../openapi/body-kind.ts'
import { loadContract } from '../openapi/contract.ts'
import { createPayloadCodec, type WireFormat } from '../openapi/payload.ts'
import { type FileResult, judgeBody, type ValidationInput } from './validate-result.ts'
import { renderJson, renderText } from './validate-report.ts'

export interface ValidateFlags {
  kind?: BodyKindName
  format?: WireFormat
  report: 'text' | 'json'
  maxBody: number
}

export interface ValidateIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream
  cwd: string
}

/** What an argument names: files to read, standard input, or a mistake. */
type Source = { kind: 'file'; path: string } | { kind: 'stdin' }

export async function runValidate(args: readonly string[], flags: ValidateFlags, io: ValidateIo): Promise<number> {
  const resolved = resolveSources(args, io.cwd)
  if (!resolved.ok) {
    io.stderr.write(resolved.errors.map((error) => `nwa validate: ${error}\n`).join(''))
    return 2
  }
  const codec = createPayloadCodec(await loadContract())
  const results: FileResult[] = []
  for (const source of resolved.sources) {
    const input = source.kind === 'stdin' ? await readStdin(io.stdin, flags.maxBody) : readFile(source.path, io.cwd, flags.maxBody)
    if ('error' in input) {
      io.stderr.write(`nwa validate: ${input.error}\n`)
      return 2
    }
    results.push(
      judgeBody(codec, input, { maxBody: flags.maxBody, ...(flags.kind ? { kind: flags.kind } : {}), ...(flags.format ? { format: flags.format } : {}) }),
    )
  }
  io.stdout.write(flags.report === 'json' ? renderJson(results) : renderText(results))
  return results.every((result) => result.valid) ? 0 : 1
}

/** Every argument's files, in the order given, each once; every mistake at once. */
export function resolveSources(args: readonly string[], cwd: string): { ok: true; sources: Source[] } | { ok: false; errors: string[] } {
  if (args.length === 0)
    return { ok: false, errors: ['name the files to check (or a directory, or a glob such as "bodies/**/*.xml"), or - for standard input'] }
  const errors: string[] = []
  const sources: Source[] = []
  const seen = new Set<string>()
  const add = (path: string) => {
    if (seen.has(path)) return
    seen.add(path)
    sources.push({ kind: 'file', path })
  }
  if (args.filter((arg) => arg === '-').length > 1) errors.push('- (standard input) can be read only once')
  for (const arg of args) {
    if (arg === '-') {
      if (!sources.some((source) => source.kind === 'stdin')) sources.push({ kind: 'stdin' })
      continue
    }
    if (isDynamicPattern(arg)) {
      const matches = globSync(arg, { cwd, onlyFiles: true, expandDirectories: false }).sort()
      if (matches.length === 0) errors.push(`${arg}: no file matches`)
      for (const match of matches) add(match)
      continue
    }
    let isDirectory: boolean
    try {
      isDirectory = statSync(resolve(cwd, arg)).isDirectory()
    } catch {
      errors.push(`${arg}: no such file or directory`)
      continue
    }
    if (!isDirectory) {
      add(arg)
      continue
    }
    const inside = globSync('**/*.{xml,json}', { cwd: resolve(cwd, arg), onlyFiles: true }).sort()
    if (inside.length === 0) errors.push(`${arg}: a directory without .xml or .json files`)
    for (const file of inside) add(join(arg, file))
  }
  return errors.length ? { ok: false, errors } : { ok: true, sources }
}

/** A file, read up to one byte past the limit: a larger body is judged by its size, never held whole. */
function readFile(path: string, cwd: string, maxBody: number): ValidationInput | { error: string } {
  const full = resolve(cwd, path)
  try {
    const size = statSync(full).size
    const bytes = Buffer.alloc(Math.min(size, maxBody + 1))
    const descriptor = openSync(full, 'r')
    try {
      let filled = 0
      while (filled < bytes.length) {
        const read = readSync(descriptor, bytes, filled, bytes.length - filled, filled)
        if (read === 0) break
        filled += read
      }
      return { name: path, bytes: bytes.subarray(0, filled), size: Math.max(size, filled) }
    } finally {
      closeSync(descriptor)
    }
  } catch (error) {
    return { error: `${path}: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/** Standard input, read up to one byte past the limit; what comes after is left unread. */
async function readStdin(stdin: NodeJS.ReadableStream, maxBody: number): Promise<ValidationInput> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    chunks.push(buffer)
    size += buffer.length
    if (size > maxBody) break
  }
  const bytes = Buffer.concat(chunks)
  return { name: '-', bytes: bytes.subarray(0, maxBody + 1), size }
}
