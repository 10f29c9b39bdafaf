import { readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readMarkedBlock } from '../conformance/catalogue.ts'
import { allChecks } from '../conformance/checks/index.ts'
import { defectCatalogue, families } from '../mock/defects/index.ts'
import { markdownMarkers, matrixHeader } from './selftest-matrix.ts'
import { renderCatalogueList, runSelftest, selectDefects } from './selftest.ts'

function sink(): { stream: Writable; text: () => string } {
  let text = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk)
      done()
    },
  })
  return { stream, text: () => text }
}

describe('choosing defects', () => {
  it('takes names and family:NAME entries, comma-separated or not, in catalogue order', () => {
    const chosen = selectDefects(defectCatalogue, ['role-after-body,count-plus-one', 'family:errors'])
    expect(chosen.ok && chosen.defects.map((defect) => defect.name)).toEqual([
      'count-plus-one',
      ...defectCatalogue.filter((defect) => defect.family === 'errors').map((defect) => defect.name),
      'role-after-body',
    ])
    expect(selectDefects(defectCatalogue, undefined)).toEqual({ ok: true, defects: [...defectCatalogue] })
  })

  it('names the entries that are neither a defect nor a family', () => {
    expect(selectDefects(defectCatalogue, ['count-plus-one', 'nope', 'family:transport'])).toEqual({ ok: false, unknown: ['nope', 'family:transport'] })
  })

  it('nwa selftest --only with an unknown name stops with exit 2 before starting anything', async () => {
    const out = sink()
    const err = sink()
    const code = await runSelftest({ only: ['nope'] }, { stdout: out.stream, stderr: err.stream, now: Date.now, random: () => Buffer.alloc(0) })
    expect(code).toBe(2)
    expect(err.text()).toBe('nwa selftest: --only nope: unknown defect (nwa selftest --list names them)\n')
    expect(out.text()).toBe('')
  })

  it('nwa selftest --list prints one line per defect: name, family, description', async () => {
    const out = sink()
    const code = await runSelftest({ list: true }, { stdout: out.stream, stderr: sink().stream, now: Date.now, random: () => Buffer.alloc(0) })
    expect(code).toBe(0)
    expect(out.text()).toBe(`${renderCatalogueList(defectCatalogue)}\n`)
    expect(out.text().trimEnd().split('\n')).toHaveLength(defectCatalogue.length)
  })
})

describe('the defect families', () => {
  it('are the check families of the suite, in the same order', () => {
    expect([...families]).toEqual([...new Set(allChecks.map((check) => check.category))])
  })
})

describe('the self-test matrix of docs/selftest.md', () => {
  const readme = readFileSync(new URL('../docs/selftest.md', import.meta.url), 'utf8')
  const { lines, rows } = readMarkedBlock(readme, markdownMarkers)
  const checkIds = new Set(allChecks.map((check) => check.id))

  it('holds the matrix between its markers, every defect caught (npm run selftest:matrix writes it from a run)', () => {
    expect(readme).toContain(markdownMarkers.start)
    expect(lines[0]).toBe(
      `**${defectCatalogue.length} of ${defectCatalogue.length} defects caught; the clean mock is CONFORMANT with no check failed or warned.**`,
    )
    expect(lines.slice(2, 4)).toEqual([...matrixHeader])
  })

  it('lists the catalogue as it is: every defect once, in order, with its family, what it breaks and its description', () => {
    const expected = defectCatalogue.map((defect) => [
      `\`${defect.name}\``,
      defect.family,
      [...defect.requirements, ...(defect.decision === undefined ? [] : [defect.decision])].join(', '),
      defect.description.replace(/\|/g, '\\|'),
    ])
    expect(rows.map((row) => row.slice(0, 4))).toEqual(expected)
  })

  it('names, for each defect, only checks of the suite as the ones that caught it', () => {
    for (const row of rows) {
      const caught = [...(row[4] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!)
      expect(caught.length, row[0]).toBeGreaterThan(0)
      expect(
        caught.filter((id) => !checkIds.has(id)),
        row[0],
      ).toEqual([])
    }
  })
})
