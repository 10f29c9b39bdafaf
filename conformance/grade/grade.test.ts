import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec } from '../../openapi/payload.ts'
import { clientRequirements, requirementLevels, type RequirementLevel } from '../../openapi/requirements.ts'
import { validateReport } from '../../test/helpers/report-schema.ts'
import { diffReports } from '../diff.ts'
import { renderHtml } from '../reporters/html.ts'
import { toJsonReport } from '../reporters/json.ts'
import { renderJunit } from '../reporters/junit.ts'
import { renderMarkdown } from '../reporters/markdown.ts'
import { type GradeInput, gradeConnector, type ScenarioOutcome } from './grade.ts'
import { allJudgments } from './judgments/index.ts'
import { firstPage, nextPage, record, session, write } from './test-support.ts'
import type { JudgeContext } from './types.ts'

let context: JudgeContext
beforeAll(async () => {
  context = { codec: createPayloadCodec(await loadContract()) }
})

const meta = { tool: 'nwa-kit', version: '9.9.9', node: 'v20.0.0', contract: { file: 'openapi/netwrix-auditor-api.yaml', sha256: 'cd'.repeat(32) } }

function outcome(name: string, given: ReturnType<typeof session>, endedBy: ScenarioOutcome['endedBy'] = 'finished'): ScenarioOutcome {
  return {
    name,
    summary: `the ${name} scenario`,
    session: given,
    launches: [{ launch: 1, durationMs: 900, exitCode: 0, signal: null, endedBy: 'self', stdout: 'read 5 records <&>\n', stderr: '' }],
    endedBy,
    durationMs: 1000,
  }
}

function input(scenarios: ScenarioOutcome[], overrides: Partial<GradeInput> = {}): GradeInput {
  return {
    connector: 'node reader.mjs',
    mode: 'launched',
    scenarios,
    url: 'https://127.0.0.1:9699',
    timeScale: 1,
    timeoutMs: 60_000,
    failOn: 'must',
    startedAt: Date.UTC(2026, 0, 1),
    finishedAt: Date.UTC(2026, 0, 1, 0, 1),
    runMarker: 'nwa-20260101000000-abcdef',
    meta,
    ...overrides,
  }
}

const ended = [{ endedBy: 'self' as const, exitCode: 0 }]
const reading = () => session([firstPage(2, 'm1'), nextPage('m1', 1, 'm2'), nextPage('m2', 0, 'm3')], { ended })

describe('a grade', () => {
  it('is CONFORMANT for a clean reader, judges each scenario with every judgment, and reports in the published schema', () => {
    const result = gradeConnector(input([outcome('steady', reading()), outcome('slow', reading())]), context)
    expect(result.verdict.verdict).toBe('CONFORMANT')
    expect(result.exitCode).toBe(0)
    expect(result.checks).toHaveLength(2 * allJudgments.length)
    expect(result.checks[0]?.id).toBe(`steady/${allJudgments[0]?.id}`)
    expect(new Set(result.checks.map((check) => check.category))).toEqual(new Set(['steady', 'slow']))
    expect(result.checks.filter((check) => check.tags.includes('writer')).every((check) => !check.applicable)).toBe(true)
    expect(result.subject).toEqual({ kind: 'connector', name: 'node reader.mjs', role: 'reader', userAgent: 'test-connector/1.0' })
    expect(result.grade?.role).toEqual({ judged: ['reader'], shown: ['reader'] })
    expect(result.grade?.scenarios[0]?.launches[0]?.stdout).toBe('read 5 records <&>\n')
    const report = JSON.parse(JSON.stringify(toJsonReport(result)))
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true)
  })

  it('covers every client requirement with a judgment or a reason, and none of the server', () => {
    const result = gradeConnector(input([outcome('steady', reading())]), context)
    expect(result.coverage.map((row) => row.requirement)).toEqual(clientRequirements().map((requirement) => requirement.id))
    expect(result.coverage.filter((row) => row.status === 'not-covered')).toEqual([])
  })

  it('is NOT CONFORMANT when a MUST judgment fails, and names the exchanges and the rule in the result', () => {
    const broken = session([firstPage(2, 'm1'), nextPage('m1', 2, 'm2'), nextPage('m1', 2, 'm2')], { ended })
    const result = gradeConnector(input([outcome('steady', broken)]), context)
    expect(result.verdict.verdict).toBe('NOT CONFORMANT')
    expect(result.exitCode).toBe(1)
    const failed = result.checks.find((check) => check.id === 'steady/read.mark-next')
    expect(failed?.status).toBe('fail')
    expect(failed?.requirements).toEqual(['CLIENT-MARK-NEXT'])
    expect(failed?.evidence.exchanges[0]?.request.url).toBe('https://127.0.0.1:9699/netwrix/api/v1/activity_records/enum?format=json&count=2')
    expect(failed?.evidence.notes.some((note) => note.startsWith('#3: run 1'))).toBe(true)
    expect(failed?.evidence.notes[0]).toMatch(/^rule CLIENT-MARK-NEXT \(MUST, api\/retrieveactivityrecords\.md\): /)
  })

  it('is INCOMPLETE, never CONFORMANT, when the connector did nothing, or a declared role showed nothing in a scenario', () => {
    const nothing = gradeConnector(input([outcome('steady', session([]))]), context)
    expect(nothing.verdict.verdict).toBe('INCOMPLETE')
    expect(nothing.exitCode).toBe(3)
    const declared = gradeConnector(input([outcome('steady', reading())], { declaredRole: 'both' }), context)
    expect(declared.verdict.verdict).toBe('INCOMPLETE')
    expect(declared.verdict.mustNotRun.map((item) => item.reason)).toContain('the connector did not write in this scenario')
  })

  it('warns on a SHOULD judgment without failing the verdict, and fails it with --fail-on warn', () => {
    const busy = session([write([record('a')], { status: 503 }), write([record('b')], { atMs: 106 })], { ended })
    const result = gradeConnector(input([outcome('busy-archive', busy)]), context)
    expect(result.checks.find((check) => check.id === 'busy-archive/write.no-loss')?.status).toBe('warn')
    expect(result.verdict.verdict).toBe('CONFORMANT')
    expect(gradeConnector(input([outcome('busy-archive', busy)], { failOn: 'warn' }), context).exitCode).toBe(1)
  })

  it('renders the four reports with nwa grade, the connector, the scenarios and the runs, output escaped', () => {
    const result = gradeConnector(input([outcome('steady', reading(), 'timeout')]), context)
    const html = renderHtml(result)
    expect(html).toContain('<title>nwa grade: CONFORMANT: node reader.mjs</title>')
    expect(html).toContain('<h2>Scenarios</h2>')
    expect(html).toContain('read 5 records &#60;&#38;&#62;')
    const markdown = renderMarkdown(result)
    expect(markdown.split('\n')[0]).toBe('## nwa grade: node reader.mjs')
    expect(markdown).toContain('- steady: timeout; run 1: exit 0; 3 exchanges')
    const junit = renderJunit(result)
    expect(junit).toContain('<testsuites name="nwa grade node reader.mjs: CONFORMANT"')
    expect(junit).toContain('--- steady, run 1, output:')
  })

  it('is read by nwa diff: a judgment newly failing is a regression, and the connector is the identity compared', () => {
    const clean = toJsonReport(gradeConnector(input([outcome('steady', reading())]), context))
    const broken = session([firstPage(2, 'm1'), nextPage('m1', 2, 'm2'), nextPage('m1', 2, 'm2')], { ended })
    const worse = toJsonReport(gradeConnector(input([outcome('steady', broken)], { connector: 'node reader.mjs --v2' }), context))
    const diff = diffReports(clean, worse, { old: 'a', new: 'b' })
    expect(diff.regression).toBe(true)
    expect(diff.newlyFailing.map((item) => item.id)).toContain('steady/read.mark-next')
    expect(diff.identity.map((item) => item.field)).toEqual(['subject'])
  })
})

describe('the judgments are levelled by the rule of the checks', () => {
  const byId = new Map(clientRequirements().map((requirement) => [requirement.id, requirement]))
  const strength = (level: RequirementLevel): number => requirementLevels.length - requirementLevels.indexOf(level)
  const decisions = new Set(
    [...readFileSync(new URL('../../openapi/DECISIONS.md', import.meta.url), 'utf8').matchAll(/^\| (D\d+) \|/gm)].map((match) => match[1]!),
  )

  it('cites client requirements of the catalogue, each from a page', () => {
    for (const judgment of allJudgments)
      expect(
        judgment.requirements.filter((id) => !byId.has(id)),
        judgment.id,
      ).toEqual([])
    for (const requirement of byId.values()) expect(requirement.source, requirement.id).toMatch(/^(api|admin|addon)\//)
  })

  it('makes a judgment MUST only where it cites a MUST requirement, and never stronger than what it cites', () => {
    for (const judgment of allJudgments) {
      const strongest = Math.max(...judgment.requirements.map((id) => strength(byId.get(id)!.level)))
      expect(strength(judgment.level), judgment.id).toBeLessThanOrEqual(strongest)
    }
  })

  it('has every SHOULD judgment name a decision of openapi/DECISIONS.md', () => {
    const undecided = allJudgments.filter((judgment) => judgment.level !== 'MUST' && (judgment.decision === undefined || !decisions.has(judgment.decision)))
    expect(undecided.map((judgment) => judgment.id)).toEqual([])
  })
})
