import { describe, expect, it } from 'vitest'
import { findSyntaxError } from '../../openapi/xml-syntax.ts'
import type { RunResult } from '../runner.ts'
import { renderHtml } from './html.ts'
import { categoryRows, coverageColours, coverageRows, levelRows, renderRunPicture, statusColours } from './picture.ts'
import { sampleRunForFile } from './sample-run.ts'

let result: RunResult
sampleRunForFile((run) => {
  result = run.result
})

interface Rect {
  x: number
  y: number
  width: number
  fill: string
  title: string
}

/** The bar segments of a picture, in document order. */
function rects(svg: string): Rect[] {
  return [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="14" fill="(#\w+)"><title>([^<]*)<\/title><\/rect>/g)].map((match) => ({
    x: Number(match[1]),
    y: Number(match[2]),
    width: Number(match[3]),
    fill: match[4] as string,
    title: match[5] as string,
  }))
}

describe('the run picture (report.html)', () => {
  it('counts each category, level and coverage status as the run does', () => {
    const categories = categoryRows(result)
    expect(categories.map((row) => row.label)).toEqual(['formats', 'errors', 'write', 'auth'])
    const formats = Object.fromEntries(categories[0]?.segments.map((segment) => [segment.key, segment.count]) ?? [])
    expect(formats).toEqual({ pass: 2, fail: 1, warn: 0, skip: 0, error: 0 })
    const must = levelRows(result)[0]
    expect(must?.label).toBe('MUST')
    expect(Object.fromEntries(must?.segments.map((segment) => [segment.key, segment.count]) ?? [])).toEqual(result.summary.byLevel.MUST)
    const coverage = coverageRows(result.coverage)
    expect(coverage.flatMap((row) => row.segments).reduce((sum, segment) => sum + segment.count, 0)).toBe(result.coverage.length)
    expect(coverage[0]?.segments.find((segment) => segment.key === 'not-covered')?.count).toBe(
      result.coverage.filter((row) => row.level === 'MUST' && row.status === 'not-covered').length,
    )
  })

  it('draws one segment per status that occurs, in its colour, with a tooltip naming the count', () => {
    const svg = renderRunPicture(result)
    const drawn = rects(svg)
    const expected = [...categoryRows(result), ...levelRows(result), ...coverageRows(result.coverage)].flatMap((row) =>
      row.segments.filter((segment) => segment.count > 0),
    )
    expect(drawn).toHaveLength(expected.length)
    expect(drawn).toContainEqual(expect.objectContaining({ fill: statusColours.fail, title: 'formats: 1 fail' }))
    expect(drawn).toContainEqual(expect.objectContaining({ fill: statusColours.error, title: 'errors: 1 error' }))
    expect(drawn).toContainEqual(expect.objectContaining({ fill: coverageColours['not-covered'], title: expect.stringMatching(/^MUST: \d+ not covered$/) }))
  })

  it('scales each panel to its longest bar and stacks the segments without gaps', () => {
    const drawn = rects(renderRunPicture(result))
    const byRow = new Map<string, Rect[]>()
    for (const rect of drawn)
      byRow.set(`${rect.x < 420 ? 'left' : 'right'} ${rect.y}`, [...(byRow.get(`${rect.x < 420 ? 'left' : 'right'} ${rect.y}`) ?? []), rect])
    const widths = [...byRow.values()].map((row) => row.reduce((sum, rect) => sum + rect.width, 0))
    // The longest row of a panel fills the 266 units between the labels and the counts.
    expect(Math.max(...widths)).toBeCloseTo(266, 0)
    for (const row of byRow.values()) {
      for (let index = 1; index < row.length; index++) {
        const before = row[index - 1] as Rect
        expect((row[index] as Rect).x).toBeCloseTo(before.x + before.width, 0)
      }
    }
    // formats has 3 checks, auth 2: their bars are in that ratio.
    const formats = drawn.filter((rect) => rect.title.startsWith('formats:')).reduce((sum, rect) => sum + rect.width, 0)
    const auth = drawn.filter((rect) => rect.title.startsWith('auth:')).reduce((sum, rect) => sum + rect.width, 0)
    expect(formats / auth).toBeCloseTo(3 / 2, 1)
  })

  it('is well-formed, self-contained and titled for screen readers', () => {
    const svg = renderRunPicture(result)
    expect(findSyntaxError(svg)).toBeUndefined()
    expect(svg).not.toMatch(/href|url\(|<script|<image|<foreignObject|https?:/i)
    expect(svg).toMatch(/^<svg role="img" aria-labelledby="run-picture-title run-picture-desc"/)
    expect(svg).toContain('<title id="run-picture-title">NOT CONFORMANT: the run at a glance</title>')
    expect(svg).toMatch(
      /<desc id="run-picture-desc">8 checks: 2 pass, 2 fail, 1 warn, 2 skip, 1 error\. \d+ of \d+ requirements covered or explained\.<\/desc>/,
    )
  })

  it('never lets a label become markup, and cuts a long one in the label column only', () => {
    const hostile = '<script>alert("x")</script> & a very long category name'
    const svg = renderRunPicture({ ...result, checks: result.checks.map((check) => ({ ...check, category: hostile })) })
    expect(svg).not.toContain('<script>')
    expect(findSyntaxError(svg)).toBeUndefined()
    expect(svg).toContain('&#60;script&#62;alert(…<title>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; a very long category name</title>')
  })

  it('sits in report.html under the banner, once', () => {
    const html = renderHtml(result)
    expect(html.match(/<svg /g)).toHaveLength(1)
    expect(html.indexOf('<figure class="picture"><svg ')).toBeGreaterThan(html.indexOf('<div class="banner'))
    expect(html.indexOf('<figure class="picture">')).toBeLessThan(html.indexOf('<h2>Pre-flight</h2>'))
  })
})
