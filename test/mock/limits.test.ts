import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../../openapi/payload.ts'
import type { ErrorEntry } from '../../openapi/records.ts'
import { type MockProcess, startMockProcess } from '../helpers/mock-process.ts'
import { type BodyFamily, bodyFamilies, type Expected, paths, refused, senders } from './limit-bodies.ts'

/**
 * Bodies at and just under the body limit, for every malformed family, on every endpoint that takes a body and from
 * every role that may send one (docs/mock.md "Bounds"): the process survives, each answer is the documented one, no answer
 * is larger than the ErrorList bound, and the memory the stream took comes back. The full matrix runs under a 4 MiB
 * limit; the heaviest families then run once each at the default limit of 50 MB, against a process of its own whose
 * memory is sampled throughout.
 */
const ERROR_BODY_BYTES = 8192
const password = 'NetwrixIsCool'

let codec: PayloadCodec
beforeAll(async () => {
  codec = createPayloadCodec(await loadContract())
})

interface Answer {
  status: number
  body: string
}

function send(base: string, family: Pick<BodyFamily, 'endpoint' | 'format'>, user: string, body: string): Promise<Answer> {
  const path = `${paths[family.endpoint]}${family.format === 'json' ? '?format=json' : ''}`
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
  return new Promise((resolve, reject) => {
    let answer: Answer | undefined
    // A connection of its own: building the next 50 MB body can outlast the server's keep-alive timeout.
    const req = request(`${base}${path}`, { method: 'POST', agent: false, headers: { authorization } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        answer = { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }
        resolve(answer)
      })
      res.on('error', reject)
    })
    // A server may answer before it has read the whole upload and close; the answer is what counts.
    req.on('error', (error) => (answer ? resolve(answer) : reject(error)))
    req.setTimeout(60_000, () => req.destroy(new Error(`no answer within 60 s to ${path}`)))
    req.end(body)
  })
}

/** Whether an answer is the documented one for the family, with every reason it is not. */
function judge(answer: Answer, format: 'xml' | 'json', expected: Expected): string[] {
  const problems: string[] = []
  if (answer.status !== expected.status) problems.push(`status ${answer.status}, expected ${expected.status}`)
  if (Buffer.byteLength(answer.body) > ERROR_BODY_BYTES) problems.push(`an answer of ${Buffer.byteLength(answer.body)} bytes`)
  if (expected.category === undefined) {
    if (answer.body !== '') problems.push(`a body where the answer is empty: ${answer.body.slice(0, 200)}`)
    return problems
  }
  const decoded = codec.decode('ErrorList', answer.body, format)
  if (!decoded.ok) return [...problems, `not an ErrorList: ${answer.body.slice(0, 200)}`]
  const errors = (decoded.value as { ErrorList: ErrorEntry[] }).ErrorList
  if (errors[0]?.Category !== expected.category) problems.push(`Category ${errors[0]?.Category}, expected ${expected.category}`)
  if (expected.description && !expected.description.test(errors[0]?.Description ?? '')) problems.push(`Description ${errors[0]?.Description}`)
  if (errors.length > 11) problems.push(`${errors.length} errors listed`)
  return problems
}

describe('bodies at and just under --max-body: every family, endpoint and sender', () => {
  const maxBody = 4 * 1024 * 1024
  let mock: MockProcess
  beforeAll(async () => {
    mock = await startMockProcess(['--seed', 'none', '--auth', 'Basic', '--max-body', String(maxBody)])
  })
  afterAll(() => mock.stop())

  it.each(bodyFamilies.map((family) => [family.name, family] as const))(
    '[STATUS-400-WRITE] [STATUS-400-READ] [ERR-BODY-ON-ERROR] %s',
    async (_name, family) => {
      const problems: string[] = []
      for (const size of [maxBody, maxBody - 1]) {
        const body = family.make(size)
        expect(Buffer.byteLength(body)).toBe(size)
        for (const user of senders[family.endpoint]) {
          const answer = await send(mock.base, family, user, body)
          problems.push(...judge(answer, family.format, family.expected).map((problem) => `${user}, ${size} bytes: ${problem}`))
        }
      }
      // A role that may not call the endpoint learns nothing of the body: an empty 401 before it is read.
      const denied = await send(mock.base, family, refused[family.endpoint], family.make(maxBody))
      problems.push(...judge(denied, family.format, { status: 401 }).map((problem) => `${refused[family.endpoint]}: ${problem}`))
      expect(problems.slice(0, 5)).toEqual([])
      expect(mock.alive()).toBe(true)
    },
  )

  it('[STATUS-413] answers one byte over the limit with an empty 413 on every endpoint', async () => {
    for (const family of [bodyFamilies[0], bodyFamilies[13], bodyFamilies[16]] as BodyFamily[]) {
      const answer = await send(mock.base, family, 'ENTERPRISE\\NetwrixUser', family.make(maxBody + 1))
      expect(judge(answer, family.format, { status: 413 })).toEqual([])
    }
  })

  it('lists ten errors of a body with thousands, then one counting the rest', async () => {
    const family = bodyFamilies.find((entry) => entry.name === 'many errors (records without Who), JSON') as BodyFamily
    const answer = await send(mock.base, family, 'ENTERPRISE\\NetwrixUser', family.make(maxBody))
    const errors = (JSON.parse(answer.body) as { ErrorList: ErrorEntry[] }).ErrorList
    expect(errors).toHaveLength(11)
    expect(errors[9]).toEqual({ Category: 'InputError', Description: 'Who is mandatory but missing', Location: '/ActivityRecordList/ActivityRecord[10]/Who' })
    const more = Number(/^(\d+) more errors were found and not listed\.$/.exec(errors[10]?.Description ?? '')?.[1])
    const records = family.make(maxBody).split('{').length - 1
    expect(more).toBe(records - 10)
  })
})

describe('bodies of 50 MB, the default limit', () => {
  const limit = 50 * 1024 * 1024
  /** The heaviest of each kind: the most elements, errors, attributes, nesting and the longest names and values. */
  const heaviest = [
    'unclosed nesting',
    'a long unknown filter name',
    'a long attribute list',
    'many errors (records without Who), XML',
    'many errors (records without Who), JSON',
    'deep nesting, JSON',
    'a long mark, JSON',
  ].map((name) => bodyFamilies.find((family) => family.name === name) as BodyFamily)
  let mock: MockProcess
  let peak = 0
  let sampler: NodeJS.Timeout
  beforeAll(async () => {
    mock = await startMockProcess(['--seed', 'none', '--auth', 'Basic'])
    sampler = setInterval(() => {
      peak = Math.max(peak, mock.rss() ?? 0)
    }, 25)
  })
  afterAll(() => {
    clearInterval(sampler)
    mock.stop()
  })

  it('[STATUS-400-WRITE] [STATUS-400-READ] survives them with the documented answers, and gives back the memory they took', async () => {
    const before = mock.rss()
    if (before === undefined) {
      console.info('skipped the memory bounds of the 50 MB bodies: no /proc on this system to read the server process from')
    }
    const problems: string[] = []
    for (const family of heaviest) {
      const answer = await send(mock.base, family, 'ENTERPRISE\\NetwrixUser', family.make(limit - 1))
      problems.push(...judge(answer, family.format, family.expected).map((problem) => `${family.name}: ${problem}`))
    }
    expect(problems).toEqual([])
    expect(mock.alive()).toBe(true)
    if (before === undefined) return
    // What the stream held comes back once it is over; V8 gives memory back to the system as it finds it idle.
    const settled = Date.now() + 30_000
    let after = mock.rss() ?? 0
    while (after > before + SETTLED_GROWTH && Date.now() < settled) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      after = mock.rss() ?? 0
    }
    const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`
    console.info(`50 MB bodies: server RSS ${mb(before)} before, ${mb(peak)} at the peak, ${mb(after)} after`)
    expect(peak).toBeLessThan(PEAK_BUDGET)
    expect(after).toBeLessThan(before + SETTLED_GROWTH)
  })
})

/** docs/mock.md "Bounds": the most a stream of the worst 50 MB bodies may take at once, and keep once it is over. */
const PEAK_BUDGET = 1536 * 1024 * 1024
const SETTLED_GROWTH = 256 * 1024 * 1024
