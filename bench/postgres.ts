/**
 * The `postgres` phase: two mock instances on one PostgreSQL database (a throwaway cluster, fsync on, started
 * here), every request sent to the other instance in turn, and the in-memory store beside them doing the same
 * job: writes of 1,000-record bodies (XML and JSON, 4 in flight), What Contains over 1,000,000 records, and enum
 * page 500 against page 1. The searched statement's EXPLAIN (ANALYZE, BUFFERS) goes to the log (docs/store.md).
 */
import pg from 'pg'
import { loadContract } from '../openapi/contract.ts'
import type { WireFormat } from '../openapi/payload.ts'
import { createPayloadCodec } from '../openapi/payload.ts'
import { demoDirectory } from '../mock/directory.ts'
import { canonicalFilterList } from '../mock/search/compile.ts'
import { pageStatement } from '../mock/state/postgres/sql.ts'
import { findPostgres, startCluster } from '../test/postgres/cluster.ts'
import { compareRounds, spreadOf, type Target } from './compare.ts'
import { needle } from './data.ts'
import { type Host, startHost } from './host.ts'
import { type BenchClient, createBenchClient } from './http.ts'
import { admin } from './measures/accounts.ts'
import { prepareEnumPages } from './measures/enum-latency.ts'
import { searchProbe } from './measures/search-latency.ts'
import { measureWriteThroughput, RECORDS_PER_REQUEST, writeBodies } from './measures/write-throughput.ts'
import { failedRow, mockRow, type Row } from './report.ts'
import { interleavedRounds } from './rounds.ts'
import { grouped, ms, units } from './stats.ts'

type Log = (line: string) => void

const SEED = 0x4e574231
const ARCHIVE_RECORDS = 1_000_000
const writes = { requests: 60, warmup: 4, concurrency: 4, budgetMs: 60_000, rounds: 3 }
const searches = { count: 1_000, rounds: 5, samples: 5 }
const enumPages = { pageSize: 1_000, page: 500, walkPageSize: 10_000, rounds: 5, samples: 4 }

/** Issue 17's targets, on the medians. */
const targets = {
  writes: [{ of: 'mock', bound: 'min', value: 30_000 }],
  contains: [{ of: 'mock', bound: 'max', value: 50 }],
  enumRatio: [{ of: 'mock', bound: 'max', value: 1.5 }],
} satisfies Record<string, Target[]>

/** One client over several servers: each request goes to the next server in turn, as a round-robin balancer sends it. */
function roundRobinClient(hosts: readonly Host[], maxSockets: number): BenchClient {
  const clients = hosts.map((host) => createBenchClient({ baseUrl: host.url, ...admin, maxSockets }))
  let next = 0
  return {
    send: (method, path, body) => (clients[next++ % clients.length] as BenchClient).send(method, path, body),
    close: () => {
      for (const client of clients) client.close()
    },
  }
}

async function withHosts<T>(starts: Promise<Host>[], use: (hosts: Host[]) => Promise<T>): Promise<T> {
  const started = await Promise.allSettled(starts)
  const hosts = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  try {
    const failed = started.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
    return await use(hosts)
  } finally {
    await Promise.all(hosts.map((host) => host.close()))
  }
}

/** XML then JSON through one client; every acknowledged record must be stored. */
async function writeBoth(client: BenchClient, count: () => Promise<number>, bodies: ReturnType<typeof writeBodies>): Promise<Record<WireFormat, number>> {
  const rates = { xml: 0, json: 0 }
  let acknowledged = 0
  for (const format of ['xml', 'json'] as const) {
    const figure = await measureWriteThroughput(client, bodies, format, writes)
    rates[format] = figure.recordsPerSecond
    acknowledged += figure.acknowledged
  }
  const stored = await count()
  if (stored !== acknowledged) throw new Error(`the store holds ${stored} records after ${acknowledged} were acknowledged`)
  return rates
}

export async function postgresPhase(log: Log): Promise<Row[]> {
  const found = findPostgres()
  if (!found.ok) return [failedRow('phase postgres', found.reason)]
  const contract = await loadContract()
  const codec = createPayloadCodec(contract)
  const bodies = writeBodies(codec, SEED)
  const cluster = await startCluster({ durable: true, log })
  try {
    const rates = { postgres: { xml: [] as number[], json: [] as number[] }, memory: { xml: [] as number[], json: [] as number[] } }
    for (let round = 0; round < writes.rounds; round++) {
      const store = await cluster.createDatabase(`writes_${round}`)
      await withHosts(
        [startHost('mock', { seed: 'none', store }), startHost('mock', { seed: 'none', store }), startHost('mock', { seed: 'none' })],
        async ([a, b, memory]) => {
          const sides = [
            { name: 'postgres' as const, hosts: [a, b] as Host[] },
            { name: 'memory' as const, hosts: [memory] as Host[] },
          ]
          for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
            const client = roundRobinClient(side.hosts, writes.concurrency)
            try {
              const figure = await writeBoth(client, () => (side.hosts[0] as Host).call({ op: 'count' }), bodies)
              rates[side.name].xml.push(figure.xml)
              rates[side.name].json.push(figure.json)
            } finally {
              client.close()
            }
          }
        },
      )
      log(
        `writes, round ${round + 1}: postgres ${grouped(rates.postgres.xml.at(-1) ?? 0)} / ${grouped(rates.postgres.json.at(-1) ?? 0)}, memory ${grouped(rates.memory.xml.at(-1) ?? 0)} / ${grouped(rates.memory.json.at(-1) ?? 0)} XML / JSON records/s`,
      )
    }

    const store = await cluster.createDatabase('archive')
    const archiveRows = await withHosts(
      [startHost('mock', { seed: 'none', store }), startHost('mock', { seed: 'none', store }), startHost('mock', { seed: 'none' })],
      async ([a, b, memory]) => {
        const loads = await Promise.all(
          [a as Host, memory as Host].map((host) => host.call({ op: 'load-archive', seed: SEED, first: 0, count: ARCHIVE_RECORDS, batch: 10_000 })),
        )
        log(`loaded ${grouped(ARCHIVE_RECORDS)} records: postgres ${ms(loads[0]?.loadMs ?? 0)}, memory ${ms(loads[1]?.loadMs ?? 0)}, side by side`)
        await analyze(store)
        const postgres = roundRobinClient([a as Host, b as Host], 1)
        const inMemory = roundRobinClient([memory as Host], 1)
        try {
          const contains = {
            filters: { What: { Contains: needle } },
            count: searches.count,
            expect: (record: { What: string }) => record.What.toLowerCase().includes(needle.toLowerCase()),
          }
          const pgProbe = searchProbe(postgres, contains)
          const memoryProbe = searchProbe(inMemory, contains)
          if ((await pgProbe.check()).join() !== (await memoryProbe.check()).join())
            throw new Error('PostgreSQL and the in-memory store answer the search with different records')
          const containsFigures = await interleavedRounds(searches, pgProbe.time, memoryProbe.time)
          const containsRounds = compareRounds(containsFigures.measured, containsFigures.reference)
          const pgPages = await prepareEnumPages(postgres, codec, enumPages)
          log(`enum on postgres: reached page ${enumPages.page} in ${pgPages.walkRequests} requests (each to the other instance), ${ms(pgPages.walkMs)}`)
          const pgEnum = await interleavedRounds(enumPages, pgPages.deep, pgPages.first)
          const memoryPages = await prepareEnumPages(inMemory, codec, enumPages)
          const memoryEnum = await interleavedRounds(enumPages, memoryPages.deep, memoryPages.first)
          await explain(store, contract, log)
          const pgEnumRatio = compareRounds(pgEnum.measured, pgEnum.reference)
          const memoryEnumRatio = compareRounds(memoryEnum.measured, memoryEnum.reference)
          const million = grouped(ARCHIVE_RECORDS)
          const samples = (options: { rounds: number; samples: number }) => `(${options.rounds} × ${options.samples})`
          return [
            mockRow(`postgres, 2 instances: load ${million} records (state.loadSeed, batches of 10 000)`, units.seconds, spreadOf([loads[0]?.loadMs ?? 0])),
            mockRow(
              `postgres, 2 instances: search What Contains "${needle}", count=1000, ${million} records ${samples(searches)}`,
              units.ms,
              containsRounds.measured,
              targets.contains,
            ),
            mockRow(`memory, beside it: the same search ${samples(searches)}`, units.ms, containsRounds.reference),
            mockRow(`postgres, 2 instances: enum page 1, count=1000, XML ${samples(enumPages)}`, units.ms, pgEnumRatio.reference),
            mockRow(`postgres, 2 instances: enum page ${enumPages.page}, count=1000, XML ${samples(enumPages)}`, units.ms, pgEnumRatio.measured),
            mockRow(
              `postgres, 2 instances: enum latency ratio, page ${enumPages.page} / page 1`,
              units.plain,
              { ...pgEnumRatio.roundRatios, median: pgEnumRatio.ratio },
              targets.enumRatio,
            ),
            mockRow(`memory, beside it: enum latency ratio, page ${enumPages.page} / page 1`, units.plain, {
              ...memoryEnumRatio.roundRatios,
              median: memoryEnumRatio.ratio,
            }),
          ]
        } finally {
          postgres.close()
          inMemory.close()
        }
      },
    )
    const write = (side: string, format: WireFormat) =>
      `${side}: write throughput, ${format.toUpperCase()}, ${grouped(RECORDS_PER_REQUEST)}-record bodies, ${writes.concurrency} in flight (${writes.requests} requests × ${writes.rounds})`
    return [
      mockRow(write('postgres, 2 instances', 'xml'), units.perSecond('records'), spreadOf(rates.postgres.xml), targets.writes),
      mockRow(write('postgres, 2 instances', 'json'), units.perSecond('records'), spreadOf(rates.postgres.json), targets.writes),
      mockRow(write('memory, beside it', 'xml'), units.perSecond('records'), spreadOf(rates.memory.xml)),
      mockRow(write('memory, beside it', 'json'), units.perSecond('records'), spreadOf(rates.memory.json)),
      ...archiveRows,
    ]
  } finally {
    await cluster.stop()
  }
}

/** Fresh statistics after the load, as autovacuum would gather them in time. */
async function analyze(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('VACUUM ANALYZE nwa_records')
  } finally {
    await client.end()
  }
}

/** The plans of the measured statements, as the store sends them: parameters and all. */
async function explain(url: string, contract: Awaited<ReturnType<typeof loadContract>>, log: Log): Promise<void> {
  const env = { contract, directory: demoDirectory() }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const statements = {
      [`What Contains "${needle}", count=1000`]: pageStatement(
        { filters: canonicalFilterList({ What: { Contains: needle } }, contract), scope: { kind: 'all' }, afterSeq: 0, count: 1000, now: Date.now() },
        env,
      ),
      [`enum page ${enumPages.page}, count=1000`]: pageStatement(
        { filters: undefined, scope: { kind: 'all' }, afterSeq: (enumPages.page - 1) * enumPages.pageSize, count: 1000, now: 0 },
        env,
      ),
    }
    const plan = async (what: string, statement: { text: string; values: unknown[] }) => {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, values: statement.values })
      log(`EXPLAIN (ANALYZE, BUFFERS) of ${what}:\n${rows.map((row) => `      ${row['QUERY PLAN']}`).join('\n')}`)
    }
    for (const [what, statement] of Object.entries(statements)) await plan(what, statement)
    // The planner weighs walking the seqs in order, testing each row, against reading the rows the trigram index
    // names and sorting them; which it picks turns on its estimate of how many rows match. The other plan, for the log.
    await client.query('SET enable_indexscan = off')
    const [first] = Object.entries(statements)
    if (first) await plan(`${first[0]}, the index walk switched off (enable_indexscan = off)`, first[1])
  } finally {
    await client.end()
  }
}
