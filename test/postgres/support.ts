/**
 * How the PostgreSQL tests find PostgreSQL: a throwaway cluster per test file (cluster.ts). Where PostgreSQL is
 * absent they skip and say why; CI sets NWA_REQUIRE_POSTGRES=1, and there a missing PostgreSQL fails them instead,
 * so a green CI run has run them (.ci/run installs it).
 */
import { afterAll, beforeAll } from 'vitest'
import { type Cluster, findPostgres, startCluster } from './cluster.ts'

const found = findPostgres()
export const postgresRequired = process.env['NWA_REQUIRE_POSTGRES'] === '1'
/** Skip the PostgreSQL tests: it is absent, and not required. */
export const withoutPostgres = !found.ok && !postgresRequired
if (!found.ok) {
  console.warn(
    postgresRequired ? `NWA_REQUIRE_POSTGRES=1 but ${found.reason}: the PostgreSQL tests fail` : `skipped: the PostgreSQL tests because ${found.reason}`,
  )
}

/** A cluster started before the file's tests and removed after them; the getter throws before it is up. */
export function useCluster(): () => Cluster {
  let cluster: Cluster | undefined
  beforeAll(async () => {
    if (withoutPostgres) return
    cluster = await startCluster({ log: (line) => console.log(`PostgreSQL tests: ${line}`) })
  })
  afterAll(async () => {
    await cluster?.stop()
  })
  return () => {
    if (cluster === undefined) throw new Error('the PostgreSQL cluster is not running')
    return cluster
  }
}

let databases = 0
/** A fresh database on the cluster, for one test. */
export function freshDatabase(cluster: Cluster): Promise<string> {
  databases++
  return cluster.createDatabase(`nwa_test_${process.pid}_${databases}`)
}
