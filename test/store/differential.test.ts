/**
 * The PostgreSQL store answers every search exactly as the in-memory store does: the same generated records in both,
 * then generated searches (every filter, every operator, mixes, scopes, positions and counts) whose pages, records
 * in their key order and the next position, must be identical. `NWA_DIFF_SEED` replays a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadContract } from '../../openapi/contract.ts'
import { demoDirectory } from '../../mock/directory.ts'
import { canonicalFilterList } from '../../mock/search/compile.ts'
import { openStore } from '../../mock/state/open-store.ts'
import type { Store, StoreQuery } from '../../mock/state/store.ts'
import { freshDatabase, useCluster, withoutPostgres } from '../postgres/support.ts'
import { generateRecords, generateSearches, generator } from './generate.ts'

const contract = await loadContract()
const directory = demoDirectory()
const seed = Number(process.env['NWA_DIFF_SEED'] ?? 20_170_214)
const RECORDS = 1_500
const SEARCHES = 10_000
/** The instant the timeframes are measured from: inside the generated records' span. */
const NOW = Date.UTC(2017, 1, 14, 18, 30)

const cluster = useCluster()
let memory: Store
let postgres: Store

describe.skipIf(withoutPostgres)(`PostgreSQL against the in-memory store (seed ${seed})`, () => {
  beforeAll(async () => {
    const random = (n: number) => Buffer.alloc(n, 7)
    const url = await freshDatabase(cluster())
    memory = (await openStore({ spec: { kind: 'memory' }, random, contract, directory })).store
    postgres = (await openStore({ spec: { kind: 'postgres', url }, random, contract, directory })).store
    const batch = generateRecords(seed, RECORDS)
    // Two writes with a reset between, so seqs do not start at 1 and positions cross a reset.
    for (const store of [memory, postgres]) {
      await store.write({ records: batch.records.slice(0, 10), whenMs: batch.whenMs.slice(0, 10) })
      await store.reset()
      await store.seed(batch)
    }
  })
  afterAll(async () => {
    await memory?.close()
    await postgres?.close()
  })

  it(`gives the same pages for ${SEARCHES.toLocaleString('en')} generated searches over ${RECORDS.toLocaleString('en')} generated records`, async () => {
    const records = generateRecords(seed, RECORDS).records
    const searches = generateSearches(seed + 1, SEARCHES, contract, records)
    const g = generator(seed + 2)
    const queries: StoreQuery[] = searches.map((search) => ({
      filters: canonicalFilterList(search.filters, contract),
      scope: search.scope,
      // From the start, from inside the data, or from before the reset.
      afterSeq: g.pick([0, 0, 5, 10 + g.int(RECORDS)]),
      count: search.count,
      now: NOW,
    }))
    let matched = 0
    const differences: string[] = []
    // Four in flight: the database answers several at once, as it does for several instances.
    let next = 0
    const worker = async () => {
      for (let i = next++; i < queries.length; i = next++) {
        const query = queries[i] as StoreQuery
        const expected = JSON.stringify(await memory.page(query))
        const actual = JSON.stringify(await postgres.page(query))
        if (expected !== actual && differences.length < 5) {
          differences.push(
            `search ${i}: ${JSON.stringify({ ...query, scope: query.scope.kind === 'plans' ? [...query.scope.plans] : 'all' })}\n  memory:   ${expected.slice(0, 600)}\n  postgres: ${actual.slice(0, 600)}`,
          )
        }
        if (expected.includes('"seq"')) matched++
      }
    }
    await Promise.all(Array.from({ length: 4 }, worker))
    expect(differences, differences.join('\n')).toEqual([])
    // The generated searches must find records, or identical empty pages would prove nothing.
    expect(matched).toBeGreaterThan(SEARCHES / 4)
    console.log(`PostgreSQL tests: ${matched} of ${SEARCHES} generated searches found records; every page was the same on both stores`)
  }, 300_000)
})
