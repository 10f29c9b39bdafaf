import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readMarkedBlock } from '../../conformance/catalogue.ts'
import { allJudgments } from '../../conformance/grade/index.ts'
import { scenarioByName } from '../../mock/grade/index.ts'
import { clientRequirements } from '../../openapi/requirements.ts'
import { connectorDefects, sampleConnectors } from './selftest-catalogue.ts'
import {
  caughtBy,
  computeGradeMatrix,
  gradeMatrixHeader,
  gradeMatrixMarkers,
  gradeSelftestExitCode,
  judgeCleanSample,
  renderGradeMatrix,
} from './selftest-matrix.ts'
import { renderDefectList, runGradeSelftest, selectConnectorDefects } from './selftest.ts'

function sink(): { stream: Writable; text: () => string } {
  let text = ''
  return {
    stream: new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk)
        done()
      },
    }),
    text: () => text,
  }
}

const io = () => ({ stdout: sink(), stderr: sink() })
const clock = { now: Date.now, monotonic: () => performance.now(), random: (n: number) => randomBytes(n) }

describe('the seeded connector defects', () => {
  it('are at least 25, each of a sample, in a scenario of the catalogue, breaking client requirements', () => {
    expect(connectorDefects.length).toBeGreaterThanOrEqual(25)
    const names = connectorDefects.map((defect) => defect.name)
    expect(new Set(names).size).toBe(names.length)
    const client = new Set(clientRequirements().map((requirement) => requirement.id))
    for (const defect of connectorDefects) {
      expect(
        sampleConnectors.map((sample) => sample.id),
        defect.name,
      ).toContain(defect.sample)
      expect(scenarioByName(defect.scenario), defect.name).toBeDefined()
      expect(
        defect.breaks.filter((id) => !client.has(id)),
        defect.name,
      ).toEqual([])
    }
  })

  it("are each switched by the sample's own defects file, and the files hold no other", async () => {
    // Imported by URL: the samples are JavaScript for add-on authors, outside the type-checked sources.
    const node = (await import(new URL('../../examples/connectors/node/defects.mjs', import.meta.url).href)) as {
      defectNames: { reader: string[]; writer: string[] }
    }
    const python = [...readFileSync(new URL('../../examples/connectors/python/defects.py', import.meta.url), 'utf8').matchAll(/'([a-z-]+)': \w+/g)].map(
      (match) => match[1],
    )
    const byFile = (ids: string[]) => connectorDefects.filter((defect) => ids.includes(defect.sample)).map((defect) => defect.name)
    expect(new Set(byFile(['node-reader']))).toEqual(new Set(node.defectNames.reader))
    expect(new Set(byFile(['node-writer', 'node-writer-xml']))).toEqual(new Set(node.defectNames.writer))
    expect(new Set(byFile(['python-reader']))).toEqual(new Set(python))
  })

  it('are chosen by name, sample:ID or scenario:NAME, and an unknown entry is named', () => {
    const chosen = selectConnectorDefects('sample:python-reader,own-mark')
    expect(chosen.ok && chosen.defects.map((defect) => defect.name)).toEqual(['own-mark', 'skips-cut-page', 'mark-without-namespace'])
    expect(selectConnectorDefects('scenario:auth').ok).toBe(true)
    expect(selectConnectorDefects('nope,sample:cobol')).toEqual({ ok: false, unknown: ['nope', 'sample:cobol'] })
  })

  it('nwa grade --selftest --list prints one line per defect, and --only with an unknown name stops with exit 2', async () => {
    const listed = io()
    expect(await runGradeSelftest({ list: true }, { stdout: listed.stdout.stream, stderr: listed.stderr.stream, ...clock })).toBe(0)
    expect(listed.stdout.text()).toBe(`${renderDefectList(connectorDefects)}\n`)
    const wrong = io()
    expect(await runGradeSelftest({ only: 'nope' }, { stdout: wrong.stdout.stream, stderr: wrong.stderr.stream, ...clock })).toBe(2)
    expect(wrong.stderr.text()).toContain('--only nope: no such defect')
  })
})

describe('the self-test matrix', () => {
  const defect = connectorDefects[0]!
  const check = (id: string, status: 'pass' | 'fail' | 'warn' | 'skip') => ({ id: `${defect.scenario}/${id}`, status, message: `${id} ${status}` })
  const clean = {
    verdict: 'CONFORMANT',
    summary: 'all passed',
    checks: [check('read.resume', 'pass'), check('read.to-end', 'pass'), check('retry.pause', 'skip')],
  }

  it('counts a judgment as catching a defect when it failed or warned with it and passed on the clean sample, in the same scenario', () => {
    const broken = { verdict: 'CONFORMANT', summary: '', checks: [check('read.resume', 'warn'), check('read.to-end', 'pass'), check('retry.pause', 'fail')] }
    expect(caughtBy(defect, clean, broken)).toEqual(['read.resume'])
  })

  it('judges a clean sample by its verdict and every judgment that failed, warned or broke', () => {
    expect(judgeCleanSample('node-reader', clean)).toEqual({ sample: 'node-reader', ok: true, problems: [] })
    const bad = judgeCleanSample('node-reader', { verdict: 'INCOMPLETE', summary: 'not all ran', checks: [check('read.to-end', 'warn')] })
    expect(bad.problems).toEqual(['INCOMPLETE: not all ran', `${defect.scenario}/read.to-end: warn: read.to-end warn`])
  })

  it('passes only when every clean sample passed and every defect was caught, and at least 25 of them ran', () => {
    const runs = connectorDefects.map((item) => ({ defect: item, caughtBy: ['read.resume'] }))
    const good = computeGradeMatrix([{ sample: 'node-reader', ok: true, problems: [] }], runs, [])
    expect(gradeSelftestExitCode(good)).toBe(0)
    expect(gradeSelftestExitCode(computeGradeMatrix(good.clean, runs.slice(0, 24), []))).toBe(1)
    expect(gradeSelftestExitCode(computeGradeMatrix(good.clean, [...runs.slice(1), { defect, caughtBy: [] }], []))).toBe(1)
    expect(gradeSelftestExitCode(computeGradeMatrix([{ sample: 'node-reader', ok: false, problems: ['x'] }], runs, []))).toBe(1)
    expect(renderGradeMatrix(computeGradeMatrix(good.clean, [{ defect, caughtBy: [] }], [{ sample: 'python-reader', reason: 'no python' }]))).toContain(
      'Not run: python-reader, because no python.',
    )
  })
})

describe('the grade self-test matrix of docs/grading.md', () => {
  const readme = readFileSync(new URL('../../docs/grading.md', import.meta.url), 'utf8')
  const { lines, rows } = readMarkedBlock(readme, gradeMatrixMarkers)
  const judgments = new Set(allJudgments.map((judgment) => judgment.id))

  it('holds the matrix between its markers, every defect caught (npm run grade-selftest:matrix writes it from a run)', () => {
    expect(readme).toContain(gradeMatrixMarkers.start)
    expect(lines[0]).toMatch(
      new RegExp(`^\\*\\*${connectorDefects.length} of ${connectorDefects.length} seeded connector defects caught; the clean samples .* are CONFORMANT`),
    )
    expect(lines.slice(2, 4)).toEqual([...gradeMatrixHeader])
  })

  it('lists the catalogue as it is, and names only judgments as the ones that caught each defect', () => {
    expect(rows.map((row) => row.slice(0, 5))).toEqual(
      connectorDefects.map((item) => [`\`${item.name}\``, item.sample, item.scenario, item.breaks.join(', '), item.description.replace(/\|/g, '\\|')]),
    )
    for (const row of rows) {
      const caught = [...(row[5] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!)
      expect(caught.length, row[0]).toBeGreaterThan(0)
      expect(
        caught.filter((id) => !judgments.has(id)),
        row[0],
      ).toEqual([])
    }
  })
})
