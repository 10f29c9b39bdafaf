import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { captureOutput } from '../test/helpers/capture.ts'
import { main } from './main.ts'
import { resolveSources, runValidate, type ValidateFlags } from './validate.ts'

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'
const dir = mkdtempSync(join(tmpdir(), 'nwa-validate-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const write = (name: string, text: string | Buffer) => {
  mkdirSync(join(dir, name, '..'), { recursive: true })
  writeFileSync(join(dir, name), text)
}
const goodWrite = JSON.stringify([{ Who: 'a', Action: 'Added', What: 'w', When: '2017-02-19T03:43:49Z', Where: 'h', ObjectType: 't' }])
write('bodies/write.json', goodWrite)
write('bodies/search.xml', `<ActivityRecordSearch xmlns="${ns}"><FilterList><Who>a</Who></FilterList></ActivityRecordSearch>`)
write('bodies/nested/mark.json', '"PG5y...PjwvYT48L24+PC9ucj4A"')
write('bodies/notes.txt', 'not a body')
write('bad/unknown-filter.json', '{"FilterList": {"Foo": "a"}}')
write('empty/readme.md', '# nothing here')

const flags: ValidateFlags = { report: 'text', maxBody: 52_428_800 }

async function run(args: string[], options: Partial<ValidateFlags> = {}, stdin = '') {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const code = await runValidate(args, { ...flags, ...options }, { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]), cwd: dir })
  return { code, stdout: out, stderr: err }
}

describe('nwa validate: which bodies', () => {
  it('reads files, the .xml and .json files of a directory, globs and standard input, each once, in order', () => {
    const resolved = resolveSources(['bodies/write.json', 'bodies', 'bad/*.json', '-'], dir)
    expect(resolved).toEqual({
      ok: true,
      sources: [
        { kind: 'file', path: 'bodies/write.json' },
        { kind: 'file', path: 'bodies/nested/mark.json' },
        { kind: 'file', path: 'bodies/search.xml' },
        { kind: 'file', path: 'bad/unknown-filter.json' },
        { kind: 'stdin' },
      ],
    })
  })

  it('stops with exit 2 and one line per mistake before judging anything', async () => {
    const result = await run(['bodies/write.json', 'nope.json', 'none/**/*.xml', 'empty', '-', '-'])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      'nwa validate: - (standard input) can be read only once',
      'nwa validate: nope.json: no such file or directory',
      'nwa validate: none/**/*.xml: no file matches',
      'nwa validate: empty: a directory without .xml or .json files',
    ])
    expect((await run([])).stderr).toMatch(/^nwa validate: name the files to check/)
  })
})

describe('nwa validate: verdicts and exit codes', () => {
  it('exits 0 when every body is valid', async () => {
    const result = await run(['bodies'])
    expect(result).toEqual({
      code: 0,
      stdout: [
        'bodies/nested/mark.json: valid continuation mark (JSON)',
        'bodies/search.xml: valid search parameters (XML)',
        'bodies/write.json: valid write body (JSON)',
        '3 files: 3 valid, 0 invalid',
        '',
      ].join('\n'),
      stderr: '',
    })
  })

  it('exits 1 when one is invalid, naming each problem with its place', async () => {
    const result = await run(['bodies/write.json', 'bad'])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain("bad/unknown-filter.json:1:24: unknown filter 'Foo' (/ActivityRecordSearch/FilterList/Foo)\n")
  })

  it('reads standard input as -, telling its format and kind from it', async () => {
    const result = await run(['-'], {}, `<ContinuationMark xmlns="${ns}"></ContinuationMark>`)
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('-: invalid continuation mark (XML); the mock answers 400 InputError\n-:1:1: value must not be empty (/ContinuationMark)\n')
  })

  it('refuses standard input larger than --max-body as the mock would, with 413, reading no more of it', async () => {
    const result = await run(['-'], { maxBody: 10 }, goodWrite)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('the mock answers 413 with an empty body')
  })

  it('writes one JSON document with --report json', async () => {
    const result = await run(['bodies/write.json', 'bad/unknown-filter.json'], { report: 'json' })
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.summary).toEqual({ files: 2, valid: 1, invalid: 1 })
    expect(report.files[1]).toMatchObject({ file: 'bad/unknown-filter.json', kind: 'search', valid: false, problems: [{ line: 1, column: 24 }] })
  })

  it('takes --kind and --format from the command line, refusing values it does not know with exit 2', async () => {
    const output = captureOutput()()
    expect(await main(['validate', '--kind', 'record', join(dir, 'bodies/write.json')])).toBe(2)
    expect(output.stderr()).toContain(
      "nwa validate: option '--kind <kind>' argument 'record' is invalid. Allowed choices are write, search, mark, page, records, errors.",
    )
    const as = await run(['bad/unknown-filter.json'], { kind: 'write', format: 'json' })
    expect(as.stdout).toContain('bad/unknown-filter.json: invalid write body (JSON); the mock answers 400 InputError\n')
  })
})
