import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { parse } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract, type Contract, type PayloadName } from '../../openapi/contract.ts'
import { parseJson } from '../../openapi/json.ts'
import { createPayloadCodec, type PayloadCodec, type WireFormat } from '../../openapi/payload.ts'
import { loadExamples, loadInvalid, payloadForKind, readFixture } from '../helpers/contract.ts'
import { probe } from '../interop/support.ts'

/**
 * The contract as other tools read it (docs/contract.md): Redocly CLI lints it clean, every finding it would make
 * being a recorded decision in .redocly.lint-ignore.yaml; and Python's jsonschema, from Debian, loads its schemas and
 * judges the fixtures as the kit does, but for the kit's own formats, which a validator that does not know them ignores.
 */
const root = fileURLToPath(new URL('../..', import.meta.url))
const contractFile = join(root, 'openapi', 'netwrix-auditor-api.yaml')

function runProcess(file: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        cwd: root,
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
        // No update check and no notice boxes: the output is read, not shown. Telemetry is off in redocly.yaml.
        env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true', NO_COLOR: '1' },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
    child.stdin?.end(input ?? '')
  })
}

describe('Redocly CLI lints the contract', () => {
  it('finds nothing beyond the findings recorded as decisions (recommended-strict)', async () => {
    const result = await runProcess(process.execPath, [
      join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'),
      'lint',
      contractFile,
      '--format',
      'json',
    ])
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number; ignored: number }
      problems: unknown[]
    }
    expect(report.problems, result.stderr).toEqual([])
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
    expect(result.code).toBe(0)
    // Every entry of the ignore file still matches a finding: a fixed one must leave the file with it.
    const ignores = parse(readFileSync(join(root, '.redocly.lint-ignore.yaml'), 'utf8')) as Record<string, Record<string, string[]>>
    const entries = Object.values(ignores).flatMap((rules) => Object.values(rules).flat())
    expect(report.totals.ignored).toBe(entries.length)
  })

  it('records a decision for every finding it is told to ignore', () => {
    const text = readFileSync(join(root, '.redocly.lint-ignore.yaml'), 'utf8')
    const decisions = readFileSync(join(root, 'openapi', 'DECISIONS.md'), 'utf8')
    const ignores = parse(text) as Record<string, Record<string, string[]>>
    for (const [rule, pointers] of Object.entries(ignores['openapi/netwrix-auditor-api.yaml'] ?? {})) {
      for (const pointer of pointers) {
        // The comment above each entry names its decision; the decision names the rule.
        const at = text.indexOf(`'${pointer}'`)
        const cited = /# (D\d+)[^\n]*\n[^\n]*$/.exec(text.slice(0, at))?.[1]
        expect(cited, `${rule} ${pointer} has no decision comment`).toBeDefined()
        const row = decisions.split('\n').find((line) => line.startsWith(`| ${cited} |`))
        expect(row, `${cited} is not in openapi/DECISIONS.md`).toBeDefined()
        expect(row).toContain(rule)
      }
    }
  })
})

// Debian's python3-jsonschema installs for /usr/bin/python3, which may not be the python3 on PATH.
const pythonCandidates = ['/usr/bin/python3', 'python3']
const pythonProbes = pythonCandidates.map((file) => ({
  file,
  result: probe(file, ['-c', 'import yaml, jsonschema, importlib.metadata as m; print(m.version("jsonschema"))']),
}))
const python = pythonProbes.find((candidate) => candidate.result.ok)
const pythonMissing = pythonProbes.map(({ file, result }) => `${file}: ${result.ok ? 'ok' : result.reason}`).join('; ')
if (!python) console.warn(`skipped: the Python jsonschema tests because no python can import yaml and jsonschema (${pythonMissing})`)

interface Case {
  id: string
  schema: PayloadName
  value: unknown
}

interface PythonAnswer {
  document: unknown
  refusedPatterns: { path: string; error: string }[]
  refusedSchemas: { schema: string; error: string }[]
  results: { id: string; valid: boolean; errors: string[] }[]
}

/** A body as the kit reads it on the wire: the same value Python is handed, so the two judge one thing. */
function read(codec: PayloadCodec, name: PayloadName, text: string, format: WireFormat): { ok: true; value: unknown } | { ok: false } {
  if (format === 'json') {
    const parsed = parseJson(text)
    return parsed.ok ? parsed : { ok: false }
  }
  const decoded = codec.xml.decode(name, text)
  return decoded.ok ? decoded : { ok: false }
}

/**
 * Values only the kit's own rules refuse (docs/contract.md, "Other validators"): a character XML 1.0 forbids (the
 * xml-text format, D41), a When no Audit Database can hold (the date-time format read by openapi/timestamp.ts, D40),
 * and a length counted in UTF-16 code units where JSON Schema counts characters (D38).
 */
const record = {
  Who: 'ENTERPRISE\\Admin',
  Action: 'Added',
  What: 'dbo.sp_New',
  When: '2017-02-19T03:43:49Z',
  Where: 'WKSWin12SQL',
  ObjectType: 'Stored Procedure',
}
const kitOnly: Case[] = [
  { id: 'kit-only: a U+0001 in What', schema: 'ActivityRecordInputList', value: [{ ...record, What: 'a\u0001b' }] },
  { id: 'kit-only: a lone surrogate in a search value', schema: 'ActivityRecordSearch', value: { FilterList: { Who: '\ud800' } } },
  { id: 'kit-only: 30 February', schema: 'ActivityRecordInputList', value: [{ ...record, When: '2017-02-30T03:43:49Z' }] },
  { id: 'kit-only: a leap second', schema: 'ActivityRecordInputList', value: [{ ...record, When: '2016-12-31T23:59:60Z' }] },
  { id: 'kit-only: 255 emoji in Who (510 UTF-16 units)', schema: 'ActivityRecordInputList', value: [{ ...record, Who: '😀'.repeat(255) }] },
]
const kitOnlyReasons = [/a character XML 1\.0 does not allow/, /must be a date and time/, /is longer than \d+ characters/]

describe.skipIf(!python)(
  `Python's jsonschema loads the contract (${python?.file ?? 'none'}, jsonschema ${python?.result.ok ? python.result.output.trim() : '-'})`,
  () => {
    let contract: Contract
    let codec: PayloadCodec
    /** A JSON Schema 2020-12 validator with nothing of the kit: formats as annotations, lengths in characters. */
    let portable: Ajv2020
    const cases: Case[] = []
    let answer: PythonAnswer

    beforeAll(async () => {
      contract = await loadContract()
      codec = createPayloadCodec(contract)
      portable = new Ajv2020({ strict: false, allErrors: false, validateFormats: false })
      for (const example of loadExamples().filter((entry) => entry.validate === 'schema')) {
        const name = payloadForKind[example.kind] as PayloadName
        const decoded = read(codec, name, readFixture(`examples/${example.file}`), example.format)
        if (!decoded.ok) throw new Error(`${example.file} does not read`)
        cases.push({ id: `examples/${example.file}`, schema: name, value: decoded.value })
      }
      // The invalid corpus's well-formed documents; the rest are refused by the reading itself, before any schema.
      for (const entry of loadInvalid().filter((item) => item.stage === 'schema')) {
        const name = payloadForKind[entry.kind] as PayloadName
        const decoded = read(codec, name, readFixture(`invalid/${entry.file}`), entry.format)
        if (decoded.ok) cases.push({ id: `invalid/${entry.file}`, schema: name, value: decoded.value })
      }
      cases.push(...kitOnly)
      const result = await runProcess(python?.file ?? 'python3', [join(root, 'test', 'contract', 'jsonschema_check.py'), contractFile], JSON.stringify(cases))
      if (result.code !== 0) throw new Error(`the Python check failed: ${result.stderr}`)
      answer = JSON.parse(result.stdout) as PythonAnswer
    })

    it('reads the YAML as the kit does (YAML 1.1 in PyYAML, 1.2 in the kit), and finds every pattern and schema valid', () => {
      expect(answer.document).toEqual(parse(readFileSync(contractFile, 'utf8')))
      expect(answer.refusedPatterns).toEqual([])
      expect(answer.refusedSchemas).toEqual([])
    })

    it('judges every documented example and every well-formed invalid document as a validator without the kit formats must', () => {
      expect(cases.length).toBeGreaterThan(60)
      const disagreements = answer.results.flatMap((result, index) => {
        const item = cases[index] as Case
        const expected = portable.validate(contract.schema(item.schema), item.value)
        return result.valid === expected ? [] : [`${item.id}: Python says ${result.valid ? 'valid' : `invalid (${result.errors.join('; ')})`}`]
      })
      expect(disagreements).toEqual([])
    })

    it('agrees with the kit on valid and invalid, but where only the kit formats and UTF-16 lengths refuse a value', () => {
      const kitOnlyFound: string[] = []
      answer.results.forEach((result, index) => {
        const item = cases[index] as Case
        const kit = codec.validators.validate(item.schema, item.value)
        if (kit.ok) {
          expect(result.valid, `${item.id}: the kit accepts it, Python refuses it: ${result.errors.join('; ')}`).toBe(true)
          return
        }
        if (!result.valid) return
        // Python accepts what the kit refuses: every reason the kit gives must be one of its own rules.
        for (const issue of kit.issues)
          expect(
            kitOnlyReasons.some((reason) => reason.test(issue.message)),
            `${item.id}: ${issue.message}`,
          ).toBe(true)
        kitOnlyFound.push(item.id)
      })
      console.info(`accepted by Python's jsonschema, refused by the kit's own formats or UTF-16 lengths: ${kitOnlyFound.join(', ')}`)
      for (const item of kitOnly) expect(kitOnlyFound).toContain(item.id)
    })
  },
)
