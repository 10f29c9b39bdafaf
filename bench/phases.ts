/**
 * The benchmark's phases, each run in a fresh process by run.ts so that one phase's heap never weighs on
 * another's figures. A phase starts its servers as hosts (host.ts: the mock, and the floor where there is
 * one, each in its own process), drives them from its own process, repeats each measure, and turns the
 * runs into table rows: medians with the range of the runs, the mock against the floor, against targets.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadContract } from '../openapi/contract.ts'
import type { WireFormat } from '../openapi/payload.ts'
import { createPayloadCodec } from '../openapi/payload.ts'
import type { ActivityRecordListResponse } from '../openapi/records.ts'
import { compareRounds, generatorNotice, percent, roundOrder, spreadOf, type Target } from './compare.ts'
import { benchUsers, needle } from './data.ts'
import { type Host, type HostKind, startHost } from './host.ts'
import { type BenchClient, createBenchClient, expectStatus } from './http.ts'
import { admin } from './measures/accounts.ts'
import { type CheckRun, runCheckDemo } from './measures/conformance.ts'
import { prepareEnumPages } from './measures/enum-latency.ts'
import type { MemoryFigure } from './measures/memory.ts'
import { measureRequestRate, type RequestRateFigure } from './measures/request-rate.ts'
import { interleavedRounds } from './rounds.ts'
import { searchProbe } from './measures/search-latency.ts'
import { measureWriteThroughput, RECORDS_PER_REQUEST, writeBodies } from './measures/write-throughput.ts'
import { failedRow, floorRow, mockRow, type Row, verdictRow } from './report.ts'
import { postgresPhase } from './postgres.ts'
import { grouped, megabytes, ms, units } from './stats.ts'

export const phaseNames = ['small-requests', 'grading', 'write-memory', 'write-journal', 'archive', 'conformance', 'postgres'] as const
export type PhaseName = (typeof phaseNames)[number]

/** Upper bounds on a phase's wall time; run.ts stops a phase that overruns. */
export const phaseTimeoutMs: Record<PhaseName, number> = {
  'small-requests': 120_000,
  grading: 120_000,
  'write-memory': 180_000,
  'write-journal': 120_000,
  archive: 300_000,
  conformance: 150_000,
  postgres: 1_500_000,
}

const SEED = 0x4e574231 // "NWB1"
const ARCHIVE_RECORDS = 1_000_000
/** Where the Contains search is also compared: issue 11 puts its ratio target here. */
const SMALL_ARCHIVE_RECORDS = 200_000
const MiB = 1024 * 1024

/** Issue 11's targets; each is judged on the median of the runs. */
const targets = {
  smallRequests: [{ of: 'ratio', bound: 'min', value: 0.5 }],
  writeXml: [{ of: 'mock', bound: 'min', value: 100_000 }],
  writeJson: [{ of: 'ratio', bound: 'min', value: 0.8 }],
  containsAtMillion: [{ of: 'mock', bound: 'max', value: 10 }],
  containsAtSmall: [{ of: 'ratio', bound: 'max', value: 1.5 }],
  memoryPerMillion: [{ of: 'mock', bound: 'max', value: 600 * MiB }],
  enumDeepRatio: [{ of: 'mock', bound: 'max', value: 1.5 }],
  conformanceMs: [{ of: 'mock', bound: 'max', value: 30_000 }],
  /** Issue 16: grading costs the small request at most a fifth of its rate. */
  gradingOn: [{ of: 'ratio', bound: 'min', value: 0.8 }],
} satisfies Record<string, Target[]>

const smallRequests = { path: '/netwrix/api/v1/activity_records/enum?format=json&count=10', connections: 8, warmupSeconds: 3, seconds: 3, rounds: 5 }
const writes = { requests: 100, warmup: 5, concurrency: 4, budgetMs: 25_000, rounds: 5, journalRounds: 3 }
const searches = { count: 1_000, rounds: 5, samples: 5 }
const enumPages = { pageSize: 1_000, page: 500, walkPageSize: 10_000, rounds: 5, samples: 4 }
const conformanceRuns = 3

export type Log = (line: string) => void

export function runPhase(name: PhaseName, log: Log): Promise<Row[]> {
  switch (name) {
    case 'small-requests':
      return smallRequestsPhase(log)
    case 'grading':
      return gradingPhase(log)
    case 'write-memory':
      return writeMemoryPhase(log)
    case 'write-journal':
      return writeJournalPhase(log)
    case 'archive':
      return archivePhase(log)
    case 'conformance':
      return conformancePhase(log)
    case 'postgres':
      return postgresPhase(log)
  }
}

/** Starts the mock and the floor together and closes both whatever happens in between. */
async function withHosts<T>(mockOptions: Parameters<typeof startHost>[1], use: (mock: Host, floor: Host) => Promise<T>): Promise<T> {
  const started = await Promise.allSettled([startHost('mock', mockOptions), startHost('floor')])
  const [mock, floor] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined))
  try {
    const failed = started.find((result) => result.status === 'rejected')
    if (failed || !mock || !floor) throw failed?.reason ?? new Error('a host did not start')
    return await use(mock, floor)
  } finally {
    await Promise.all([mock?.close(), floor?.close()])
  }
}

async function withClient<T>(host: Host, maxSockets: number, use: (client: BenchClient) => Promise<T>): Promise<T> {
  const client = createBenchClient({ baseUrl: host.url, ...admin, maxSockets })
  try {
    return await use(client)
  } finally {
    client.close()
  }
}

async function smallRequestsPhase(log: Log): Promise<Row[]> {
  return withHosts({ seed: 'demo' }, async (mock, floor) => {
    // The floor answers from the mock's own demo data set, as the mock serves it, so both send the same records.
    const demo = await withClient(mock, 1, async (client) =>
      jsonPage(client, '/netwrix/api/v1/activity_records/enum?format=json&count=10000', 'the demo data set'),
    )
    if (demo.ActivityRecordList.length >= 10_000) throw new Error('the demo data set no longer fits one page of 10 000')
    await floor.call({ op: 'load-records', records: demo.ActivityRecordList })
    const smallPage = (host: Host) => withClient(host, 1, (client) => jsonPage(client, smallRequests.path, `${host.kind} page`))
    const mockPage = await smallPage(mock)
    if (JSON.stringify(mockPage.ActivityRecordList) !== JSON.stringify((await smallPage(floor)).ActivityRecordList)) {
      throw new Error('the mock and the floor answer different records to the small request')
    }
    log(
      `the floor holds the mock's ${grouped(demo.ActivityRecordList.length)} demo records; both answer the same ${mockPage.ActivityRecordList.length} records`,
    )

    const authorization = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`
    const rate = (host: Host, seconds: number) =>
      measureRequestRate(host.url, { path: smallRequests.path, headers: { authorization }, connections: smallRequests.connections, durationSeconds: seconds })
    for (const host of [mock, floor]) {
      const warm = await rate(host, smallRequests.warmupSeconds)
      log(`${host.kind} warm-up: ${grouped(warm.requestsPerSecond)} requests/s`)
    }
    const runs: Record<HostKind, RequestRateFigure[]> = { mock: [], floor: [] }
    const timed = (host: Host) => async () => {
      const figure = await rate(host, smallRequests.seconds)
      runs[host.kind].push(figure)
      return figure.requestsPerSecond
    }
    const rounds = await interleavedRounds({ rounds: smallRequests.rounds, samples: 1 }, timed(mock), timed(floor))
    const cpu = (kind: HostKind) => runs[kind].map((run) => run.generatorCpu)
    log(`autocannon used up to ${percent(Math.max(...cpu('floor')))} of a core against the floor, ${percent(Math.max(...cpu('mock')))} against the mock`)
    const row = floorRow(
      `small requests: GET enum count=10 JSON, Basic, ${smallRequests.connections} connections (${smallRequests.rounds} × ${smallRequests.seconds} s)`,
      units.perSecond('requests'),
      compareRounds(rounds.measured, rounds.reference),
      targets.smallRequests,
    )
    const notice = generatorNotice(cpu('floor'))
    if (notice !== undefined) row.notice = notice
    return [row]
  })
}

/**
 * The small request against two mocks in turn, one grading (every exchange recorded whole, under the steady scenario's
 * decorators) and one not: what recording costs a connector's every request. A new session begins before each
 * round, so the recording never grows beyond one round's exchanges.
 */
async function gradingPhase(log: Log): Promise<Row[]> {
  const started = await Promise.allSettled([startHost('mock', { seed: 'demo', grading: true }), startHost('mock', { seed: 'demo' })])
  const [on, off] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined))
  try {
    const failed = started.find((result) => result.status === 'rejected')
    if (failed || !on || !off) throw failed?.reason ?? new Error('a host did not start')
    const authorization = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`
    const rate = (host: Host, seconds: number) =>
      measureRequestRate(host.url, { path: smallRequests.path, headers: { authorization }, connections: smallRequests.connections, durationSeconds: seconds })
    const newSession = async () => {
      const reset = await fetch(`${on.url}/nwa/grade/reset`, { method: 'POST' })
      if (reset.status !== 200) throw new Error(`POST /nwa/grade/reset answered ${reset.status}`)
    }
    for (const [what, host] of [
      ['grading on', on],
      ['grading off', off],
    ] as const) {
      log(`${what} warm-up: ${grouped((await rate(host, smallRequests.warmupSeconds)).requestsPerSecond)} requests/s`)
    }
    const recorded: number[] = []
    const rounds = await interleavedRounds(
      { rounds: smallRequests.rounds, samples: 1 },
      async () => {
        await newSession()
        const figure = await rate(on, smallRequests.seconds)
        recorded.push(figure.requests)
        return figure.requestsPerSecond
      },
      async () => (await rate(off, smallRequests.seconds)).requestsPerSecond,
    )
    log(`each grading round recorded ${grouped(Math.min(...recorded))} to ${grouped(Math.max(...recorded))} exchanges whole`)
    return [
      floorRow(
        `grading on (mock column) against off (floor column): the small request, every exchange recorded (${smallRequests.rounds} × ${smallRequests.seconds} s)`,
        units.perSecond('requests'),
        compareRounds(rounds.measured, rounds.reference),
        targets.gradingOn,
      ),
    ]
  } finally {
    await Promise.all([on?.close(), off?.close()])
  }
}

async function jsonPage(client: BenchClient, path: string, what: string): Promise<ActivityRecordListResponse> {
  return JSON.parse(expectStatus(await client.send('GET', path), 200, what).body.toString('utf8')) as ActivityRecordListResponse
}

/** Writes both formats to one host and checks that it stored every record it acknowledged. */
async function writeBoth(host: Host, bodies: ReturnType<typeof writeBodies>): Promise<Record<WireFormat, number>> {
  return withClient(host, writes.concurrency, async (client) => {
    const rates: Partial<Record<WireFormat, number>> = {}
    let acknowledged = 0
    for (const format of ['xml', 'json'] as const) {
      const figure = await measureWriteThroughput(client, bodies, format, writes)
      rates[format] = figure.recordsPerSecond
      acknowledged += figure.acknowledged
    }
    const stored = await host.call({ op: 'count' })
    if (stored !== acknowledged) throw new Error(`the ${host.kind} holds ${stored} records after ${acknowledged} were acknowledged`)
    return { xml: rates.xml ?? 0, json: rates.json ?? 0 }
  })
}

const writeMeasure = (format: WireFormat, where: string) =>
  `write throughput, ${format.toUpperCase()}, ${grouped(RECORDS_PER_REQUEST)}-record bodies, ${where} (${writes.requests} requests × ${writes.rounds})`

async function writeMemoryPhase(log: Log): Promise<Row[]> {
  const bodies = writeBodies(createPayloadCodec(await loadContract()), SEED)
  log(`bodies: XML ${grouped(bodies.xml.data.length)} bytes, JSON ${grouped(bodies.json.data.length)} bytes`)
  const rates: Record<HostKind, Record<WireFormat, number[]>> = { mock: { xml: [], json: [] }, floor: { xml: [], json: [] } }
  // Fresh servers each round: every round starts from an empty store, as the single run before it did.
  for (let round = 0; round < writes.rounds; round++) {
    await withHosts({ seed: 'none' }, async (mock, floor) => {
      for (const host of roundOrder(round, mock, floor)) {
        const figure = await writeBoth(host, bodies)
        rates[host.kind].xml.push(figure.xml)
        rates[host.kind].json.push(figure.json)
      }
    })
    log(
      `round ${round + 1}: mock ${grouped(rates.mock.xml.at(-1) ?? 0)} / ${grouped(rates.mock.json.at(-1) ?? 0)}, floor ${grouped(rates.floor.xml.at(-1) ?? 0)} / ${grouped(rates.floor.json.at(-1) ?? 0)} XML / JSON records/s`,
    )
  }
  const recordsPerSecond = units.perSecond('records')
  const held = await heldByWrittenRecords(bodies)
  log(`heap held by ${grouped(writes.requests * RECORDS_PER_REQUEST)} written records: XML ${megabytes(held.xml)}, JSON ${megabytes(held.json)}`)
  const heldMeasure = (format: WireFormat) =>
    `heap held by ${grouped(writes.requests * RECORDS_PER_REQUEST)} records written as ${format.toUpperCase()}, after a full GC`
  return [
    floorRow(writeMeasure('xml', 'memory only'), recordsPerSecond, compareRounds(rates.mock.xml, rates.floor.xml), targets.writeXml),
    floorRow(writeMeasure('json', 'memory only'), recordsPerSecond, compareRounds(rates.mock.json, rates.floor.json), targets.writeJson),
    mockRow(heldMeasure('xml'), units.megabytes, spreadOf([held.xml])),
    mockRow(heldMeasure('json'), units.megabytes, spreadOf([held.json])),
  ]
}

/**
 * The heap a store of written records holds, by the format they came in, each in a fresh mock. XML text is cut from
 * the request body, so a record that kept such a view would keep its whole body: written as XML, records should
 * hold about what they hold written as JSON.
 */
async function heldByWrittenRecords(bodies: ReturnType<typeof writeBodies>): Promise<Record<WireFormat, number>> {
  const held: Record<WireFormat, number> = { xml: 0, json: 0 }
  for (const format of ['xml', 'json'] as const) {
    const mock = await startHost('mock', { seed: 'none' })
    try {
      const empty = await mock.call({ op: 'memory' })
      await withClient(mock, writes.concurrency, (client) => measureWriteThroughput(client, bodies, format, { ...writes, warmup: 0 }))
      held[format] = (await mock.call({ op: 'memory' })).heapUsed - empty.heapUsed
    } finally {
      await mock.close()
    }
  }
  return held
}

async function writeJournalPhase(log: Log): Promise<Row[]> {
  const bodies = writeBodies(createPayloadCodec(await loadContract()), SEED)
  const rates: Record<WireFormat, number[]> = { xml: [], json: [] }
  for (let round = 0; round < writes.journalRounds; round++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'nwa-bench-data-'))
    try {
      const mock = await startHost('mock', { seed: 'none', dataDir })
      try {
        const figure = await writeBoth(mock, bodies)
        rates.xml.push(figure.xml)
        rates.json.push(figure.json)
        log(`round ${round + 1}: ${grouped(figure.xml)} / ${grouped(figure.json)} XML / JSON records/s`)
      } finally {
        await mock.close()
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  const where = `journal + fsync (dataDir) (${writes.requests} requests × ${writes.journalRounds})`
  return (['xml', 'json'] as const).map((format) =>
    mockRow(
      `write throughput, ${format.toUpperCase()}, ${grouped(RECORDS_PER_REQUEST)}-record bodies, ${where}`,
      units.perSecond('records'),
      spreadOf(rates[format]),
    ),
  )
}

async function archivePhase(log: Log): Promise<Row[]> {
  return withHosts({ seed: 'none' }, async (mock, floor) => {
    const memory = (host: Host) => host.call({ op: 'memory' })
    const empty = await Promise.all([memory(mock), memory(floor)])
    const load = async (first: number, count: number) => {
      const archive = (host: Host) => host.call({ op: 'load-archive', seed: SEED, first, count, batch: 10_000 })
      const [mockLoad, floorLoad] = await Promise.all([archive(mock), archive(floor)])
      log(
        `loaded ${grouped(first + count)} records: mock loadSeed ${ms(mockLoad.loadMs)}, floor ${ms(floorLoad.loadMs)} (each generating ${ms(mockLoad.generateMs)})`,
      )
      return mockLoad.loadMs
    }
    let mockLoadMs = await load(0, SMALL_ARCHIVE_RECORDS)

    return withClient(mock, 1, (mockClient) =>
      withClient(floor, 1, async (floorClient) => {
        const contains = { filters: { What: { Contains: needle } }, count: searches.count, expect: needleMatch }
        const containsSmall = await searchRounds(mockClient, floorClient, contains)
        const atSmall = await Promise.all([memory(mock), memory(floor)])

        mockLoadMs += await load(SMALL_ARCHIVE_RECORDS, ARCHIVE_RECORDS - SMALL_ARCHIVE_RECORDS)
        const atMillion = await Promise.all([memory(mock), memory(floor)])
        logMemory(log, 'mock', empty[0], atSmall[0], atMillion[0])
        logMemory(log, 'floor', empty[1], atSmall[1], atMillion[1])

        const pages = await prepareEnumPages(mockClient, createPayloadCodec(await loadContract()), enumPages)
        log(`enum: reached page ${enumPages.page} in ${pages.walkRequests} requests, ${ms(pages.walkMs)}`)
        const enumRounds = await interleavedRounds(enumPages, pages.deep, pages.first)
        const enumComparison = compareRounds(enumRounds.measured, enumRounds.reference)

        const containsMillion = await searchRounds(mockClient, floorClient, contains)
        const who = benchUsers[0] as string
        const equalsMillion = await searchRounds(mockClient, floorClient, {
          filters: { Who: { Equals: who } },
          count: searches.count,
          expect: (record) => record.Who.toLowerCase() === who.toLowerCase(),
        })

        const million = grouped(ARCHIVE_RECORDS)
        const search = (what: string, records: number) =>
          `search ${what}, count=${searches.count}, JSON, ${grouped(records)} records (${searches.rounds} × ${searches.samples})`
        const memoryComparison = ([ofMock, ofFloor]: readonly [MemoryFigure, MemoryFigure]) => compareRounds([ofMock.rss], [ofFloor.rss])
        const enumSamples = `(${enumPages.rounds} × ${enumPages.samples})`
        return [
          mockRow(`load ${million} records (mock: state.loadSeed, batches of 10 000)`, units.seconds, spreadOf([mockLoadMs])),
          floorRow('RSS of the empty server, after a full GC', units.megabytes, memoryComparison(empty)),
          floorRow(`RSS with ${million} records, after a full GC`, units.megabytes, memoryComparison(atMillion), targets.memoryPerMillion),
          floorRow('peak RSS while loading', units.megabytes, compareRounds([atMillion[0].peakRss], [atMillion[1].peakRss])),
          mockRow(`enum page 1, count=1000, XML ${enumSamples}`, units.ms, enumComparison.reference),
          mockRow(`enum page ${enumPages.page}, count=1000, XML ${enumSamples}`, units.ms, enumComparison.measured),
          mockRow(
            `enum latency ratio, page ${enumPages.page} / page 1`,
            units.plain,
            { ...enumComparison.roundRatios, median: enumComparison.ratio },
            targets.enumDeepRatio,
          ),
          floorRow(search(`What Contains "${needle}"`, SMALL_ARCHIVE_RECORDS), units.ms, containsSmall, targets.containsAtSmall),
          floorRow(search(`What Contains "${needle}"`, ARCHIVE_RECORDS), units.ms, containsMillion, targets.containsAtMillion),
          floorRow(search('Who Equals one user', ARCHIVE_RECORDS), units.ms, equalsMillion),
        ]
      }),
    )
  })
}

const needleMatch = (record: { What: string }) => record.What.toLowerCase().includes(needle.toLowerCase())

/** One search on both servers: checked first (full pages of matching records, the same records on both), then timed in rounds. */
async function searchRounds(mockClient: BenchClient, floorClient: BenchClient, options: Parameters<typeof searchProbe>[1]) {
  const mock = searchProbe(mockClient, options)
  const floor = searchProbe(floorClient, options)
  const [mockRids, floorRids] = [await mock.check(), await floor.check()]
  if (mockRids.join() !== floorRids.join()) {
    throw new Error(`search ${JSON.stringify(options.filters)}: the mock and the floor answer different records, so the floor's scan is not the same job`)
  }
  const rounds = await interleavedRounds(searches, mock.time, floor.time)
  return compareRounds(rounds.measured, rounds.reference)
}

function logMemory(log: Log, kind: HostKind, empty: MemoryFigure, atSmall: MemoryFigure, atMillion: MemoryFigure): void {
  const perMillion = ((atMillion.rss - atSmall.rss) / (ARCHIVE_RECORDS - SMALL_ARCHIVE_RECORDS)) * 1_000_000
  log(
    `${kind}: rss ${megabytes(empty.rss)} empty, ${megabytes(atSmall.rss)} at ${grouped(SMALL_ARCHIVE_RECORDS)}, ${megabytes(atMillion.rss)} at ${grouped(ARCHIVE_RECORDS)} (heap ${megabytes(atMillion.heapUsed)}); records add ${megabytes(perMillion)} per million${atMillion.collected ? '' : ' (without a gc first)'}`,
  )
}

async function conformancePhase(log: Log): Promise<Row[]> {
  const runs: CheckRun[] = []
  for (let run = 0; run < conformanceRuns; run++) {
    const result = await runCheckDemo()
    runs.push(result)
    const verdict = result.report?.verdict
    log(
      `run ${run + 1}: exit ${result.exitCode}, ${verdict ? `${verdict.verdict} (${verdict.summary})` : 'no report'}, ${ms(result.wallMs)} in all, checks ${ms(result.report?.summary.durationMs ?? 0)}`,
    )
    if (!result.report) log(`run ${run + 1} printed: ${result.output}`)
  }
  const measure = `nwa check, no --target (all demo accounts) × ${conformanceRuns}`
  const verdicts = runs.map((run) => run.report?.verdict.verdict ?? `exit ${run.exitCode}, no report`)
  const reported = runs.flatMap((run) => (run.report ? [{ wallMs: run.wallMs, checksMs: run.report.summary.durationMs }] : []))
  if (reported.length === 0) return [failedRow(measure, `no run wrote a report (${verdicts.join(', ')})`)]
  return [
    mockRow(`${measure}: whole command`, units.seconds, spreadOf(reported.map((run) => run.wallMs)), targets.conformanceMs),
    mockRow(`${measure}: the checks alone (report)`, units.seconds, spreadOf(reported.map((run) => run.checksMs))),
    verdictRow(`${measure}: verdict`, verdicts),
  ]
}
