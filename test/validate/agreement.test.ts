import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { judgeBody, type FileResult } from '../../cli/validate-result.ts'
import type { MockApp } from '../../mock/app.ts'
import { defaults } from '../../mock/options.ts'
import { type BodyKindName, detectKind } from '../../openapi/body-kind.ts'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec, type WireFormat } from '../../openapi/payload.ts'
import type { ErrorEntry } from '../../openapi/records.ts'
import { fixturesDir, loadExamples, loadInvalid } from '../helpers/contract.ts'
import { accounts, api, basic, mockApp } from '../mock/helpers.ts'

/**
 * `nwa validate` against the mock itself: every body of the fixtures and every body of the examples of the README and docs/mock.md is
 * judged by both, and they must say the same: valid where the mock reads the body, and where it refuses one, the same
 * status and, for a 400, the same ErrorList (docs/validate.md). What neither reading nor contract decides is the
 * mock's state: a continuation mark's signature, which only the server that issued it can check.
 */
const manifestKinds: Record<string, BodyKindName | undefined> = {
  'write-input': 'write',
  'search-parameters': 'search',
  'continuation-mark': 'mark',
  'read-output': 'page',
  'output-records': 'records',
  'error-list': 'errors',
}
const endpoints: Partial<Record<BodyKindName, string>> = {
  write: '/activity_records/',
  search: '/activity_records/search',
  mark: '/activity_records/enum',
}

let codec: PayloadCodec
let app: MockApp
let agent: Awaited<ReturnType<typeof mockApp>>['agent']
beforeAll(async () => {
  codec = createPayloadCodec(await loadContract())
  ;({ app, agent } = await mockApp())
})
afterAll(() => app.close())

interface Answer {
  status: number
  errors: ErrorEntry[] | undefined
  body: string
}

async function mockAnswer(kind: BodyKindName, bytes: Buffer, format: WireFormat): Promise<Answer> {
  const response = await agent
    .post(`${api}${endpoints[kind]}${format === 'json' ? '?format=json' : ''}`)
    .set('Authorization', basic(accounts.admin))
    // Content-Type is advisory (D18); this one makes supertest send the bytes as they are.
    .set('Content-Type', 'application/octet-stream')
    .send(bytes)
  const body = response.text
  const decoded = response.status >= 400 && body ? codec.decode('ErrorList', body, format) : undefined
  return { status: response.status, errors: decoded?.ok ? (decoded.value as { ErrorList: ErrorEntry[] }).ErrorList : undefined, body }
}

/** A 400 that only a server's state explains: the mark's signature or owner (mock/routes/read.ts). */
const stateOnly = (answer: Answer) =>
  answer.status === 400 && (answer.errors ?? []).every((error) => error.Description.startsWith('Invalid continuation mark specified'))

function expectAgreement(result: FileResult, answer: Answer): void {
  if (result.valid) {
    expect(answer.status === 200 || stateOnly(answer), `the mock answered ${answer.status} ${answer.body.slice(0, 300)}`).toBe(true)
    return
  }
  expect(answer.status).toBe(result.answer?.status)
  if (result.answer?.body === 'empty') {
    expect(answer.body).toBe('')
    return
  }
  const listed = result.problems.map((problem) => ({
    Category: problem.category,
    Description: problem.description,
    ...(problem.location ? { Location: problem.location } : {}),
  }))
  const more =
    result.notListed > 0 ? [{ Category: listed[listed.length - 1]?.Category, Description: `${result.notListed} more errors were found and not listed.` }] : []
  expect(answer.errors).toEqual([...listed, ...more])
}

const examples = loadExamples().filter((entry) => manifestKinds[entry.kind] !== undefined)
const invalid = loadInvalid()

describe('nwa validate says what the mock says, on every fixture', () => {
  const cases = [
    ...examples.map((entry) => ({
      file: `examples/${entry.file}`,
      kind: manifestKinds[entry.kind] as BodyKindName,
      format: entry.format,
      expected: entry.validate,
    })),
    ...invalid.map((entry) => ({ file: `invalid/${entry.file}`, kind: manifestKinds[entry.kind] as BodyKindName, format: entry.format, expected: 'invalid' })),
  ]

  it.each(cases.filter((entry) => endpoints[entry.kind] !== undefined).map((entry) => [entry.file, entry] as const))('%s', async (_file, entry) => {
    const bytes = readFileSync(join(fixturesDir, entry.file))
    const result = judgeBody(codec, { name: entry.file, bytes, size: bytes.length }, { kind: entry.kind, format: entry.format, maxBody: defaults.maxBody })
    if (entry.expected === 'schema') expect(result.problems).toEqual([])
    if (entry.expected === 'invalid') expect(result.valid).toBe(false)
    expectAgreement(result, await mockAnswer(entry.kind, bytes, entry.format))
  })

  it.each(cases.filter((entry) => endpoints[entry.kind] === undefined).map((entry) => [entry.file, entry] as const))(
    '%s, an answer or a seed, as the runner and the seed loader read it',
    (_file, entry) => {
      const text = readFileSync(join(fixturesDir, entry.file), 'utf8')
      const bytes = Buffer.from(text)
      const result = judgeBody(codec, { name: entry.file, bytes, size: bytes.length }, { kind: entry.kind, format: entry.format, maxBody: defaults.maxBody })
      const payload = { page: 'ActivityRecordListResponse', records: 'ActivityRecordOutputArray', errors: 'ErrorList' } as const
      expect(result.valid).toBe(codec.decode(payload[entry.kind as keyof typeof payload], text, entry.format).ok)
      if (entry.expected === 'schema') expect(result.valid).toBe(true)
      if (entry.expected === 'invalid') expect(result.valid).toBe(false)
      expect(result.answer).toBeUndefined()
    },
  )
})

/** The request bodies of the README and docs/mock.md: the `--data-binary` arguments of their example blocks and their here-documents. */
function exampleBodies(): { line: string; kind: BodyKindName; format: WireFormat; body: string }[] {
  const pages = ['../../README.md', '../../docs/mock.md'].map((page) => readFileSync(fileURLToPath(new URL(page, import.meta.url)), 'utf8'))
  const found: { line: string; kind: BodyKindName; format: WireFormat; body: string }[] = []
  for (const block of pages.join('\n').matchAll(/<!-- example: requests -->\n```sh\n([\s\S]*?)```/g)) {
    const text = (block[1] ?? '').replace(/\\\n\s*/g, '')
    // Variables the block sets in single quotes stand for themselves; a mark read at run time stands for any mark.
    const variables: Record<string, string> = { MARK: 'bWFyayByZWFkIGF0IHJ1biB0aW1l' }
    for (const assignment of text.matchAll(/^(\w+)='([^']*)'$/gm)) variables[assignment[1] as string] = assignment[2] as string
    const lines = text.split('\n')
    lines.forEach((line, index) => {
      const url = /"\$B(\/activity_records\/[^"]*)"/.exec(line)?.[1]
      if (url === undefined || !line.includes('--data-binary')) return
      const kind: BodyKindName = url.startsWith('/activity_records/search') ? 'search' : url.startsWith('/activity_records/enum') ? 'mark' : 'write'
      const format: WireFormat = url.includes('format=json') ? 'json' : 'xml'
      const single = /--data-binary '([^']*)'/.exec(line)?.[1]
      const double = /--data-binary "((?:[^"\\]|\\.)*)"/.exec(line)?.[1]
      const body = line.includes('--data-binary @-')
        ? lines.slice(index + 1, lines.indexOf('XML', index + 1)).join('\n')
        : (single ?? double?.replace(/\\"/g, '"').replace(/\$(\w+)/g, (_match, name: string) => variables[name] ?? `$${name}`))
      if (body !== undefined) found.push({ line: line.trim().slice(0, 120), kind, format, body })
    })
  }
  return found
}

describe('nwa validate on every request body of the README and docs/mock.md', () => {
  const bodies = exampleBodies()

  it('finds them all: JSON and XML writes, searches and marks', () => {
    expect(bodies.length).toBeGreaterThanOrEqual(6)
    expect(new Set(bodies.map((body) => `${body.kind} ${body.format}`))).toEqual(new Set(['mark json', 'mark xml', 'search json', 'write json', 'write xml']))
  })

  it.each(bodies.map((body) => [body.line, body] as const))('%s', async (_line, body) => {
    // Told from the body alone, the kind is the endpoint's.
    expect(detectKind(body.body, body.format)).toBe(body.kind)
    const bytes = Buffer.from(body.body)
    const result = judgeBody(codec, { name: '-', bytes, size: bytes.length }, { format: body.format, maxBody: defaults.maxBody })
    expect(result.kind).toBe(body.kind)
    expect(result.problems).toEqual([])
    expectAgreement(result, await mockAnswer(body.kind, bytes, body.format))
  })
})
