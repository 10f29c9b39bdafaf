import { Agent, request } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec, type WireFormat } from '../../openapi/payload.ts'
import { loadExamples, readFixture } from '../helpers/contract.ts'
import { type MockProcess, startMockProcess } from '../helpers/mock-process.ts'

/**
 * A seeded fuzz test of the whole pipeline over HTTP: at least 10,000 bodies across the four operations, made
 * from the documented examples by mutation and from scratch, must each get a documented answer. The one
 * documented 5xx without faults is the empty 500 for corrupted JSON (api/errordetails.md); any other 5xx, a
 * 400 without an ErrorList, a 200 page that does not decode, or no answer at all is a finding. The mock runs as
 * its own process (`nwa mock`), so an input that hangs it fails this test instead of freezing it.
 * NWA_FUZZ_SEED replays a run; NWA_FUZZ_RUNS changes its length.
 */
const seed = Number(process.env['NWA_FUZZ_SEED'] ?? 20261203)
const runs = Number(process.env['NWA_FUZZ_RUNS'] ?? 10_000)
const editRuns = 1_000
const maxBody = 256 * 1024
const auth = `Basic ${Buffer.from('ENTERPRISE\\NetwrixUser:NetwrixIsCool').toString('base64')}`
const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'

let mock: MockProcess
let base: string
let codec: PayloadCodec
const agent = new Agent({ keepAlive: true, maxSockets: 1 })
beforeAll(async () => {
  codec = createPayloadCodec(await loadContract())
  mock = await startMockProcess(['--seed', 'none', '--auth', 'Basic', '--max-body', String(maxBody)])
  base = mock.base
})
afterAll(() => {
  agent.destroy()
  mock.stop()
})

interface Answer {
  status: number
  body: string
}

/**
 * One request on a kept-alive connection. A server closes a connection that stayed idle past its keep-alive timeout
 * (5 s), and a request sent on it at that moment is reset before the server read it; that is the client's race, not
 * the mock's answer, so such a request is sent once more on a fresh connection (Node's own advice, req.reusedSocket).
 */
function send(method: string, path: string, body: Buffer | undefined, retried = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent, headers: { authorization: auth } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && error.code === 'ECONNRESET') send(method, path, body, true).then(resolve, reject)
      else reject(error)
    })
    // A request the mock never answers is a finding too, and fast-check then shrinks it like any other.
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer within 10 s to ${method} ${path}`)))
    req.end(body)
  })
}

type Operation = 'enum' | 'continue' | 'search' | 'write'
const paths: Record<Operation, string> = {
  enum: '/netwrix/api/v1/activity_records/enum',
  continue: '/netwrix/api/v1/activity_records/enum',
  search: '/netwrix/api/v1/activity_records/search',
  write: '/netwrix/api/v1/activity_records/',
}

/** The documented bodies of each operation, in both formats: the seeds that mutation starts from. */
function documentedBodies(): Record<Exclude<Operation, 'enum'>, { text: string; format: WireFormat }[]> {
  const byKind: Record<string, Exclude<Operation, 'enum'>> = { 'continuation-mark': 'continue', 'search-parameters': 'search', 'write-input': 'write' }
  const bodies: Record<Exclude<Operation, 'enum'>, { text: string; format: WireFormat }[]> = { continue: [], search: [], write: [] }
  for (const example of loadExamples()) {
    const operation = byKind[example.kind]
    if (operation) bodies[operation].push({ text: readFixture(`examples/${example.file}`), format: example.format })
  }
  return bodies
}

const vocabulary = [
  'ActivityRecordList',
  'ActivityRecord',
  'ActivityRecordSearch',
  'FilterList',
  'ContinuationMark',
  'Who',
  'When',
  'From',
  'To',
  'DetailList',
  'Detail',
  'MonitoringPlan',
  'Name',
  'LastSevenDays',
  'IsArchiveOnly',
  'x',
]
const nastyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '&amp;',
    '&#x1;',
    '&#xFFFF;',
    '&#55296;',
    '&bogus;',
    '&',
    '<',
    ']]>',
    '<!--',
    '<![CDATA[x]]>',
    '<?pi x?>',
    '<!DOCTYPE a [<!ENTITY e "x">]>',
    '\u0000',
    '\ud800',
    '\uffff',
    '"',
    "'",
    '\\',
    '\\u0001',
    '\\ud800',
  ),
)

/**
 * Values that parse and sit at an edge of what the contract or the store takes: a value well-formed but out of
 * range once got past validation and hid a 500 in storage (D40).
 */
const edgeValue = fc.constantFrom(
  '2016-12-31T23:59:60Z',
  '0001-01-01T00:00:00+01:00',
  '9999-12-31T23:59:59-01:00',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.9999999Z',
  '2017-02-29T00:00:00Z',
  '2017-02-14T15:42:34.12345678Z',
  '',
  ' ',
  'a'.repeat(255),
  'a'.repeat(256),
  '😀'.repeat(128),
)

/** An XML document with elements from the contract's vocabulary, random attributes, text and nesting. */
const xmlTree: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyText,
    fc
      .record({
        name: fc.constantFrom(...vocabulary),
        attribute: fc.option(fc.tuple(fc.constantFrom('Operator', 'xmlns', 'xmlns:n', 'n:x', 'xsi:nil'), nastyText), { nil: undefined }),
        children: fc.array(tie('node') as fc.Arbitrary<string>, { maxLength: 4 }),
      })
      .map(({ name, attribute, children }) => `<${name}${attribute ? ` ${attribute[0]}="${attribute[1]}"` : ''}>${children.join('')}</${name}>`),
  ),
})).node

/** XML element text and JSON string values, each as its span in the document. */
const documentValues = /(?<=>)[^<>]*(?=<\/)|(?<=:\s*")(?:[^"\\]|\\.)*(?=")/g

/**
 * One value of the document replaced, the rest left intact: a body that still parses, so the piece reaches the
 * validators and the store, where a value that is well-formed but out of range once hid a 500 (D40). A JSON piece
 * is escaped so the document stays JSON; an XML piece goes in raw, entity references and all.
 */
function swapValue(text: string, pick: number, piece: string): string {
  const spans = [...text.matchAll(documentValues)]
  const span = spans[pick % Math.max(spans.length, 1)]
  if (span === undefined) return text
  const inJson = text[span.index - 1] === '"'
  return text.slice(0, span.index) + (inJson ? JSON.stringify(piece).slice(1, -1) : piece) + text.slice(span.index + span[0].length)
}

const mutation = (text: string) =>
  fc.oneof(
    fc.nat({ max: text.length }).map((at) => text.slice(0, at)),
    fc.tuple(fc.nat({ max: text.length }), nastyText).map(([at, piece]) => text.slice(0, at) + piece + text.slice(at)),
    fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 20 })).map(([at, length]) => text.slice(0, at) + text.slice(at + length)),
    fc
      .tuple(fc.nat({ max: text.length }), fc.nat({ max: text.length }))
      .map(([a, b]) => text.slice(0, Math.min(a, b)) + text.slice(Math.min(a, b), Math.max(a, b)).repeat(2) + text.slice(Math.max(a, b))),
    fc.tuple(fc.nat(), nastyText).map(([pick, piece]) => swapValue(text, pick, piece)),
    fc.constant(text.replaceAll('activity_records/', 'activity_records')),
    fc.constant(text.toUpperCase()),
  )

const body = (operation: Exclude<Operation, 'enum'>, documented: ReturnType<typeof documentedBodies>) =>
  fc.oneof(
    fc.constantFrom(...documented[operation]).chain((example) => mutation(example.text)),
    xmlTree.map((tree) => `<?xml version="1.0"?>${tree.replace(/^<(\w+)/, `<$1 xmlns="${ns}"`)}`),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc
      .nat({ max: 3000 })
      .map((depth) => `<ActivityRecordSearch xmlns="${ns}"><FilterList>${'<Who>'.repeat(depth)}${'</Who>'.repeat(depth)}</FilterList></ActivityRecordSearch>`),
    nastyText,
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  )

const query = fc.tuple(
  fc.constantFrom('', 'format=json', 'format=xml', 'format=JSON', 'format='),
  fc.constantFrom('', 'count=3', 'count=FIVE', 'count=0', 'count=-1', 'count=1.5', 'count=%205', 'count=99999999999999999999', 'count=10001'),
  fc.constantFrom('', 'colour=blue', 'format=json&format=xml', '%ZZ=1'),
)

/** Whether an answer is one the contract documents for this request. */
function documentedAnswer(operation: Operation, format: WireFormat, answer: Answer): string | undefined {
  const errorList = (wire: WireFormat) => codec.decode('ErrorList', answer.body, wire).ok
  switch (answer.status) {
    case 200:
      if (operation === 'write') return answer.body === '' ? undefined : 'a write 200 with a body'
      return codec.decode('ActivityRecordListResponse', answer.body, format).ok ? undefined : 'a 200 page that does not decode as ActivityRecordListResponse'
    case 400:
      return errorList(format) || errorList('xml') ? undefined : 'a 400 without an ErrorList'
    case 413:
      return answer.body === '' ? undefined : 'a 413 with a body'
    case 500:
      return format === 'json' && answer.body === '' ? undefined : `a 500 other than corrupted JSON: ${answer.body.slice(0, 300)}`
    default:
      return `status ${answer.status}`
  }
}

describe('fuzzing the mock over HTTP', () => {
  it(`gives a documented answer to ${runs} generated requests across the four operations (seed ${seed})`, async () => {
    const documented = documentedBodies()
    const operations: Operation[] = ['enum', 'continue', 'search', 'write']
    const cases = fc.constantFrom(...operations).chain((operation) =>
      fc.record({
        operation: fc.constant(operation),
        query,
        body: operation === 'enum' ? fc.constant(undefined) : body(operation, documented),
      }),
    )
    const counts: Record<string, number> = {}
    await fc.assert(
      fc.asyncProperty(cases, async ({ operation, query: [format, count, extra], body: text }) => {
        const parts = [format, count, extra].filter(Boolean)
        const path = `${paths[operation]}${parts.length ? `?${parts.join('&')}` : ''}`
        const wire: WireFormat = new URLSearchParams(parts.join('&')).get('format') === 'json' ? 'json' : 'xml'
        const answer = await send(operation === 'enum' ? 'GET' : 'POST', path, text === undefined ? undefined : Buffer.from(text))
        counts[`${operation} ${answer.status}`] = (counts[`${operation} ${answer.status}`] ?? 0) + 1
        const finding = documentedAnswer(operation, wire, answer)
        if (finding) throw new Error(`${finding}\n${operation === 'enum' ? 'GET' : 'POST'} ${path}\n${JSON.stringify(text)?.slice(0, 500)}`)
      }),
      { numRuns: runs, seed, endOnFailure: true },
    )
    // The run exercised refusals and acceptances of every operation, not one answer over and over.
    for (const key of [
      'enum 200',
      'enum 400',
      'continue 400',
      'continue 500',
      'search 200',
      'search 400',
      'search 500',
      'write 200',
      'write 400',
      'write 500',
    ]) {
      expect(counts[key] ?? 0, `${key} in ${JSON.stringify(counts)}`).toBeGreaterThan(0)
    }
  }, 600_000)

  it(`answers 200 or a 400 ErrorList, never a 500, to ${editRuns} documented writes with one value swapped (seed ${seed})`, async () => {
    // In the format each example is written in, so the body parses and the swapped value reaches validation and storage.
    const writes = documentedBodies().write
    const edited = fc
      .tuple(fc.constantFrom(...writes), fc.nat(), fc.oneof(edgeValue, nastyText))
      .map(([example, pick, piece]) => ({ format: example.format, text: swapValue(example.text, pick, piece) }))
    const statuses = new Set<number>()
    await fc.assert(
      fc.asyncProperty(edited, async ({ format, text }) => {
        const path = `${paths.write}${format === 'json' ? '?format=json' : ''}`
        const answer = await send('POST', path, Buffer.from(text))
        statuses.add(answer.status)
        const finding =
          answer.status === 200 || answer.status === 400 ? documentedAnswer('write', format, answer) : `status ${answer.status}: ${answer.body.slice(0, 300)}`
        if (finding) throw new Error(`${finding}\nPOST ${path}\n${JSON.stringify(text).slice(0, 500)}`)
      }),
      { numRuns: editRuns, seed, endOnFailure: true },
    )
    expect([...statuses].sort()).toEqual([200, 400])
  }, 600_000)
})
