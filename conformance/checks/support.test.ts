import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract, type Contract } from '../../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../../openapi/payload.ts'
import type { ActivityRecordOutput, FilterList } from '../../openapi/records.ts'
import type { Exchange } from '../types.ts'
import {
  compareRidSets,
  comparePages,
  createPrng,
  emptyBodyProblems,
  errorListProblems,
  followMarks,
  formatOf,
  markBody,
  mediaType,
  paddedMarkBody,
  missingRids,
  ridForm,
  undocumentedRidForms,
  sampleRecord,
  searchBody,
  seedFrom,
  unvalidatedWriteBody,
  withQuery,
  writeBody,
  type Page,
  type PageOutcome,
} from './support.ts'

let contract: Contract
let codec: PayloadCodec

beforeAll(async () => {
  contract = await loadContract()
  codec = createPayloadCodec(contract)
})

function exchange(url: string, status: number, body: string, headers: Record<string, string> = {}): Exchange {
  return { request: { method: 'GET', url, headers: {} }, response: { status, headers, body }, durationMs: 1 }
}

function page(rids: string[], mark: string | undefined): PageOutcome {
  const records = rids.map((RID) => ({ RID }) as ActivityRecordOutput)
  return { ok: true, page: { exchange: exchange('https://h/x', 200, ''), records, mark } satisfies Page }
}

describe('followMarks', () => {
  it('[ENUM-END-OF-DATA, ENUM-NEXT-PAGE] follows marks to the empty page', async () => {
    const pages: Record<string, PageOutcome> = { m1: page(['c', 'd'], 'm2'), m2: page([], 'm3') }
    const asked: string[] = []
    const walk = await followMarks(
      async () => page(['a', 'b'], 'm1'),
      async (mark) => {
        asked.push(mark)
        return pages[mark]!
      },
      { maxPages: 10 },
    )
    expect(asked).toEqual(['m1', 'm2'])
    expect(walk).toMatchObject({ ended: true, stopped: false })
    expect(walk.problem).toBeUndefined()
    expect(walk.pages.map((p) => p.records.length)).toEqual([2, 2, 0])
  })

  it('reports a server that never ends within maxPages pages', async () => {
    let served = 0
    const endless = async (): Promise<PageOutcome> => page([`r${++served}`], `m${served}`)
    const walk = await followMarks(endless, endless, { maxPages: 5 })
    expect(served).toBe(6)
    expect(walk.ended).toBe(false)
    expect(walk.problem).toMatch(/page 6, past the bound of 5 pages/)
  })

  it('reports a repeated mark instead of looping', async () => {
    const walk = await followMarks(
      async () => page(['a'], 'same'),
      async () => page(['b'], 'same'),
      { maxPages: 100 },
    )
    expect(walk.pages).toHaveLength(2)
    expect(walk.problem).toMatch(/page 2 repeats the ContinuationMark/)
  })

  it('[MARK-EVERY-RESPONSE] reports a page with records but no mark', async () => {
    const walk = await followMarks(
      async () => page(['a'], undefined),
      async () => page([], undefined),
      { maxPages: 10 },
    )
    expect(walk.problem).toMatch(/no ContinuationMark/)
  })

  it('passes on a failed page with its number', async () => {
    const walk = await followMarks(
      async () => page(['a'], 'm'),
      async () => ({ ok: false, problem: 'expected 200, got 500' }),
      { maxPages: 10 },
    )
    expect(walk.problem).toBe('page 2: expected 200, got 500')
  })

  it('stops without a problem once stopWhen holds', async () => {
    let served = 0
    const endless = async (): Promise<PageOutcome> => page([`a${++served}`, `b${served}`], `m${served}`)
    const walk = await followMarks(endless, endless, { maxPages: 100, stopWhen: (n) => n >= 5 })
    expect(walk).toMatchObject({ stopped: true, ended: false })
    expect(walk.problem).toBeUndefined()
    expect(served).toBe(3)
  })
})

describe('comparePages', () => {
  const single = ['a', 'b', 'c', 'd', 'e']

  it('[ENUM-COMPLETE-TRAVERSAL] accepts pages that join into the single page', () => {
    expect(comparePages([['a', 'b'], ['c', 'd'], ['e'], []], single, 'complete')).toEqual([])
  })

  it('[ENUM-COMPLETE-TRAVERSAL] names duplicates, gaps, extras and order changes', () => {
    expect(
      comparePages(
        [
          ['a', 'b'],
          ['b', 'c'],
          ['d', 'e'],
        ],
        single,
        'complete',
      ),
    ).toEqual(['the pages hold 6 records in all, the single page 5', 'records returned on more than one page: [b]'])
    expect(
      comparePages(
        [
          ['a', 'b'],
          ['d', 'e'],
        ],
        single,
        'complete',
      ),
    ).toEqual(['the pages hold 4 records in all, the single page 5', 'records of the single page that no page returned (gaps): [c]'])
    expect(comparePages([['a', 'b', 'c', 'd', 'e', 'f']], single, 'complete')[1]).toMatch(/does not hold: \[f\]/)
    expect(
      comparePages(
        [
          ['a', 'c'],
          ['b', 'd', 'e'],
        ],
        single,
        'complete',
      ),
    ).toEqual(['the order differs from the single page at position 2: c instead of b'])
  })

  it('compares only the prefix a single page covers when the data goes on', () => {
    expect(
      comparePages(
        [
          ['a', 'b'],
          ['c', 'd'],
          ['e', 'f'],
        ],
        single,
        'prefix',
      ),
    ).toEqual([])
    expect(
      comparePages(
        [
          ['a', 'b'],
          ['c', 'd'],
          ['e', 'f'],
        ],
        single,
        'complete',
      ),
    ).toHaveLength(2)
  })
})

describe('compareRidSets', () => {
  it('ignores what cannot be judged and names the rest', () => {
    const result = compareRidSets(['a', 'b', 'c'], ['a', 'c', 'x', 'y', 'y'], new Set(['b', 'x']))
    expect(result).toEqual({ missing: [], unexpected: ['y'], duplicates: ['y'] })
    expect(compareRidSets(['a', 'b'], ['a']).missing).toEqual(['b'])
  })
})

describe('body builders decode back through the contract codec', () => {
  it('[MARK-ENUM-POST-XML, MARK-ENUM-POST-JSON, XML-NAMESPACE] a mark in both formats', () => {
    for (const format of ['xml', 'json'] as const) {
      const body = markBody(codec, 'PG5yPjxuIG49IntFNzA+PC9ucj4A', format)
      expect(codec.decode('ContinuationMark', body, format)).toEqual({ ok: true, value: 'PG5yPjxuIG49IntFNzA+PC9ucj4A' })
    }
    expect(markBody(codec, 'abc', 'xml')).toContain('<ContinuationMark xmlns="http://schemas.netwrix.com/api/v1/activity_records/">abc</ContinuationMark>')
    expect(markBody(codec, 'abc', 'json')).toBe('"abc"')
  })

  it('[MARK-WHITESPACE] the padded layout of the documented example reads back as the bare mark', () => {
    const body = paddedMarkBody(contract.namespaces.records, 'PG5yPjxuIG49IntFNzA+PC9ucj4A')
    expect(body).toMatch(/> \nPG5yPjxuIG49IntFNzA\+PC9ucj4A \n</)
    expect(codec.decode('ContinuationMark', body, 'xml')).toEqual({ ok: true, value: 'PG5yPjxuIG49IntFNzA+PC9ucj4A' })
  })

  it('[MARK-SEARCH-BODY, SEARCH-XML-OPERATOR, SEARCH-JSON-OPERATOR] a search with a mark and every filter shape', () => {
    const filters: FilterList = {
      Who: [{ Equals: 'Enterprise\\Admin' }, 'Analyst'],
      When: [{ LastSevenDays: '' }, { NotEqualTo: { From: '2017-01-16T16:30:00Z', To: '2017-02-01T00:00:00+02:00' } }],
      WorkingHours: { NotEqualTo: { From: '09:00', To: '18:00' } },
    }
    for (const format of ['xml', 'json'] as const) {
      const decoded = codec.decode('ActivityRecordSearch', searchBody(codec, filters, format, 'mark-1'), format)
      expect(decoded.ok).toBe(true)
      if (!decoded.ok) continue
      const value = decoded.value as { ContinuationMark: string; FilterList: Record<string, unknown> }
      expect(value.ContinuationMark).toBe('mark-1')
      expect(value.FilterList['Who']).toEqual(filters.Who)
      expect(value.FilterList['When']).toEqual(filters.When)
    }
    expect(searchBody(codec, filters, 'xml', 'm')).toMatch(/<ActivityRecordSearch[^>]*><ContinuationMark>m<\/ContinuationMark><FilterList>/)
  })

  it('[XML-ENTITY-ESCAPING, JSON-ESCAPING] records with special characters', () => {
    const records = [
      sampleRecord('run-1', { Who: 'Ally & Sons "Stars" O\'Hara <100> \\local/x', DetailList: [{ PropertyName: 'p', Before: '1', After: '2' }] }),
    ]
    for (const format of ['xml', 'json'] as const) {
      expect(codec.decode('ActivityRecordInputList', writeBody(codec, records, format), format)).toEqual({ ok: true, value: records })
    }
  })

  it('[WRITE-MANDATORY-FIELDS] unvalidated bodies carry the fault the contract refuses', () => {
    const { Who: _omitted, ...withoutWho } = sampleRecord('run-1')
    for (const format of ['xml', 'json'] as const) {
      const decoded = codec.decode('ActivityRecordInputList', unvalidatedWriteBody(codec, [withoutWho], format), format)
      expect(decoded).toMatchObject({ ok: false, stage: 'schema' })
      if (!decoded.ok) expect(decoded.issues.map((issue) => issue.message)).toContain('Who is mandatory but missing')
    }
  })
})

describe('error bodies', () => {
  const xmlError =
    '<?xml version="1.0" encoding="UTF-8" ?><ErrorList xmlns="http://schemas.netwrix.com/api/v1/"><Error><Category>InputError</Category><Description>Invalid count parameter specified. Error details: 0x80040204 Cannot convert the attribute data type</Description></Error></ErrorList>'
  const xmlHeaders = { 'Content-Type': 'application/xml; charset=utf-8' }

  it('[ERR-XML-SHAPE, ERR-XML-NAMESPACE, COUNT-INVALID-400] accepts the documented ErrorList', () => {
    const ex = exchange('https://h/netwrix/api/v1/activity_records/enum?count=FIVE', 400, xmlError, xmlHeaders)
    expect(errorListProblems(codec, ex, { status: 400, format: 'xml', category: 'InputError', description: contract.invalidCountDescription })).toEqual([])
  })

  it('[ERR-XML-NAMESPACE] refuses an ErrorList in the activity_records namespace', () => {
    const ex = exchange('https://h/e', 400, xmlError.replace('api/v1/"', 'api/v1/activity_records/"'), xmlHeaders)
    expect(errorListProblems(codec, ex, { status: 400, format: 'xml' })[0]).toMatch(/not an ErrorList in xml: .*namespace/)
  })

  it('[ERR-JSON-SHAPE, ERR-FORMAT-FOLLOWS-QUERY] wants JSON for a JSON request, and names a wrong status or category', () => {
    const json = JSON.stringify({ ErrorList: [{ Category: 'XMLError', Description: 'x' }] })
    const jsonHeaders = { 'content-type': 'application/json' }
    expect(errorListProblems(codec, exchange('https://h/e?format=json', 400, json, jsonHeaders), { status: 400, format: 'json' })).toEqual([])
    expect(errorListProblems(codec, exchange('https://h/e?format=json', 400, xmlError, xmlHeaders), { status: 400, format: 'json' })).toHaveLength(2)
    expect(errorListProblems(codec, exchange('https://h/e', 500, json, jsonHeaders), { status: 400, format: 'json' })[0]).toMatch(/expected 400, got 500/)
    expect(errorListProblems(codec, exchange('https://h/e', 400, json, jsonHeaders), { status: 400, format: 'json', category: 'InputError' })[0]).toMatch(
      /expected Category InputError, got XMLError/,
    )
  })

  it('[STATUS-404] wants the documented empty bodies empty', () => {
    expect(emptyBodyProblems(exchange('https://h/x', 404, ''), 404)).toEqual([])
    expect(emptyBodyProblems(exchange('https://h/x', 404, 'Not here'), 404)[0]).toMatch(/empty body, got Not here/)
    expect(emptyBodyProblems(exchange('https://h/x', 200, ''), 404)[0]).toMatch(/expected 404, got 200/)
  })
})

describe('small helpers', () => {
  it('reads the format from the request URL', () => {
    expect(formatOf(exchange('https://h/netwrix/api/v1/activity_records/enum?count=3&format=json', 200, ''))).toBe('json')
    expect(formatOf(exchange('https://h/netwrix/api/v1/activity_records/enum?count=3', 200, ''))).toBe('xml')
  })

  it('builds query strings and media types', () => {
    expect(withQuery('/activity_records/enum', { format: 'json', count: 3 })).toBe('/activity_records/enum?format=json&count=3')
    expect(withQuery('/activity_records/enum', { format: undefined, count: undefined })).toBe('/activity_records/enum')
    expect(mediaType('Application/XML; charset=UTF-8')).toBe('application/xml')
  })

  it('[WRITE-RID-ASSIGNED] [RID-DOCUMENTED-FORM] tells a missing RID from one of another form', () => {
    const form = ridForm(contract)
    expect(form.test('20160215110503420B9451771F5964A9EAC0A5F35307EA155')).toBe(true)
    const records = [
      { RID: '20160215110503420B9451771F5964A9EAC0A5F35307EA15' },
      {},
      { RID: '20160215110503420B9451771F5964A9EAC0A5F35307EA155' },
    ] as ActivityRecordOutput[]
    expect(undocumentedRidForms(records, form)).toEqual(['RID "20160215110503420B9451771F5964A9EAC0A5F35307EA15" is not 17 digits + 32 hex digits'])
    expect(missingRids(records)).toEqual(['record 2 has no RID'])
  })

  it('seeds a reproducible PRNG', () => {
    const a = createPrng(seedFrom('run-1'))
    const b = createPrng(seedFrom('run-1'))
    const draws = Array.from({ length: 50 }, () => a.next())
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(draws)
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(new Set(draws).size).toBe(50)
    expect(seedFrom('run-1')).not.toBe(seedFrom('run-2'))
    expect(Array.from({ length: 200 }, () => a.int(3)).sort()).toEqual(expect.arrayContaining([0, 1, 2]))
    expect(Array.from({ length: 200 }, () => a.int(3)).every((n) => n >= 0 && n < 3)).toBe(true)
  })
})
