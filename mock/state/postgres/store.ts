/**
 * The PostgreSQL store: the Audit Database and the Long-Term Archive in one database that several mock instances
 * share (docs/store.md). Opening it applies the schema's migrations (schema.ts) under an advisory lock, so
 * instances starting together migrate once, and makes the store row that holds the mark key: the first instance's
 * random key, which every instance then signs and checks marks with.
 *
 * A write is one transaction, acknowledged only once it has committed: all its records or none. Writers take the
 * store row's lock before they number their records, and hold it until they commit, so seqs are handed out in
 * commit order: a reader that sees a seq sees every smaller one, and a page continued from a mark never skips a
 * record another instance committed later with a smaller seq (D55). A page is one parameterised statement
 * (sql.ts), answered with the store's last seq from the same snapshot.
 */
import pg from 'pg'
import type { Contract } from '../../../openapi/contract.ts'
import { NwaError } from '../../../openapi/errors.ts'
import { codes } from '../../errors.ts'
import type { Directory } from '../../directory.ts'
import type { Page } from '../../model.ts'
import { MARK_KEY_BYTES } from '../marks.ts'
import type { RecordBatch, Store, StoreCounts } from '../store.ts'
import { type PageRow, recordColumns, recordRow, storedRecord } from './rows.ts'
import { latestVersion, migrations } from './schema.ts'
import { pageStatement } from './sql.ts'

export interface PostgresStoreOptions {
  /** postgres://user[:password]@host:port/db; PG* environment variables fill in what it leaves out (PGPASSWORD). */
  url: string
  random: (n: number) => Buffer
  contract: Contract
  directory: Pick<Directory, 'membersOf'>
  /** Connections per instance; default 10. */
  maxConnections?: number
}

/** Records per INSERT: each statement's JSON stays a few megabytes, well below V8's string limit. */
const ROWS_PER_STATEMENT = 10_000
/** pg_advisory_lock key of the migrations: 'nwa-kit' in ASCII, 0x6e77612d6b6974. */
const MIGRATION_LOCK = '31093506695719284'

const insertRecords =
  `INSERT INTO nwa_records (seq, ${recordColumns.map(([name]) => name).join(', ')}) ` +
  `SELECT $2::bigint + x."#", ${recordColumns.map(([, , key]) => `x."${key}"`).join(', ')} ` +
  `FROM json_to_recordset($1::json) AS x("#" bigint, ${recordColumns.map(([, type, key]) => `"${key}" ${type}`).join(', ')})`
const insertArchiveOnly = 'INSERT INTO nwa_archive_only (rid, record) SELECT x.rid, x.record FROM json_to_recordset($1::json) AS x(rid text, record json)'

/** SQLSTATE classes and Node errors that mean the database is gone, not that the request was wrong. */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code.startsWith('E'))) return true
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message)
}

function unavailable(error: unknown): never {
  if (isConnectionError(error)) {
    throw new NwaError(codes.MOCK_ERR_STORE_UNAVAILABLE.code, codes.MOCK_ERR_STORE_UNAVAILABLE.create((error as Error).message).message, { cause: error })
  }
  throw error
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10, application_name: 'nwa-mock' })
  // An idle connection the server drops would otherwise be an unhandled 'error' that ends the process; the next
  // query on the pool finds out and answers the documented Audit Database error instead.
  pool.on('error', () => undefined)
  let markKey: Buffer
  try {
    markKey = await migrate(pool, options.random)
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw error
  }
  const env = { contract: options.contract, directory: options.directory }

  /** One transaction on one connection: committed when `work` resolves, rolled back when it throws. */
  const transaction = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect().catch(unavailable)
    let failure: unknown
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      failure = error
      await client.query('ROLLBACK').catch(() => undefined)
      return unavailable(error)
    } finally {
      // A connection that failed may be broken: it is dropped rather than handed to the next request.
      client.release(failure instanceof Error ? failure : undefined)
    }
  }

  /** Stores a batch under the store row's lock; `ifEmpty` gives up, storing nothing, when the archive holds records. */
  const store = async (batch: RecordBatch, ifEmpty: boolean): Promise<boolean> => {
    const kept: ReturnType<typeof recordRow>[] = []
    const archiveOnly: { rid: string | null; record: unknown }[] = []
    batch.records.forEach((record, index) => {
      // Every record is made a row, archive-only ones too, so a value PostgreSQL cannot hold refuses the batch whole.
      const row = recordRow(record, batch.whenMs[index] as number, kept.length)
      if (record.IsArchiveOnly === true) archiveOnly.push({ rid: record.RID ?? null, record })
      else kept.push(row)
    })
    return transaction(async (client) => {
      const { rows } = await client.query<{ last_seq: string; archived: string }>('SELECT last_seq, archived FROM nwa_store FOR UPDATE')
      const state = rows[0]
      if (state === undefined) throw new Error('the store row is missing: the database was not migrated by nwa-kit')
      if (ifEmpty && Number(state.archived) > 0) return false
      const base = Number(state.last_seq)
      for (let first = 0; first < kept.length; first += ROWS_PER_STATEMENT) {
        await client.query(insertRecords, [JSON.stringify(kept.slice(first, first + ROWS_PER_STATEMENT)), base + 1])
      }
      for (let first = 0; first < archiveOnly.length; first += ROWS_PER_STATEMENT) {
        await client.query(insertArchiveOnly, [JSON.stringify(archiveOnly.slice(first, first + ROWS_PER_STATEMENT))])
      }
      await client.query('UPDATE nwa_store SET last_seq = last_seq + $1, records = records + $1, archived = archived + $2', [kept.length, batch.records.length])
      return true
    })
  }

  return {
    kind: 'postgres',

    write: async (batch) => {
      if (batch.records.length > 0) await store(batch, false)
    },

    seed: (batch, { ifEmpty = false } = {}) => store(batch, ifEmpty),

    reset: () =>
      transaction(async (client) => {
        await client.query('SELECT last_seq FROM nwa_store FOR UPDATE')
        await client.query('TRUNCATE nwa_records, nwa_archive_only')
        await client.query('UPDATE nwa_store SET records = 0, archived = 0')
      }),

    async page(query): Promise<Page> {
      if (query.count <= 0) return { records: [], nextAfterSeq: query.afterSeq }
      const statement = pageStatement(query, env)
      const { rows } = await pool.query<PageRow>(statement).catch(unavailable)
      const last = Number(rows[0]?.last_seq ?? 0)
      const records = rows[0]?.seq === null ? [] : rows.map(storedRecord)
      const lastFound = records[records.length - 1]
      return { records, nextAfterSeq: records.length === query.count && lastFound ? lastFound.seq : Math.max(query.afterSeq, last) }
    },

    async counts(): Promise<StoreCounts> {
      const { rows } = await pool.query<{ records: string; archived: string }>('SELECT records, archived FROM nwa_store').catch(unavailable)
      return { records: Number(rows[0]?.records ?? 0), archive: Number(rows[0]?.archived ?? 0) }
    },

    markKey: () => markKey,

    // A lost database answers each request as it comes (D58); writes are never refused ahead of it.
    health: () => ({ writable: true }),

    close: () => pool.end(),
  }
}

/**
 * Applies the migrations the database lacks, in order, each in its own transaction, under an advisory lock, and
 * makes the store row with a fresh mark key when there is none. Answers the mark key the database holds.
 */
async function migrate(pool: pg.Pool, random: (n: number) => Buffer): Promise<Buffer> {
  const client = await pool.connect()
  try {
    const encoding = (await client.query<{ server_encoding: string }>('SHOW server_encoding')).rows[0]?.server_encoding
    if (encoding !== 'UTF8') throw new Error(`the database's encoding is ${encoding}; the store needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')`)
    await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`)
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS nwa_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      )
      const current = Number(
        (await client.query<{ version: number }>('SELECT coalesce(max(version), 0) AS version FROM nwa_schema_migrations')).rows[0]?.version,
      )
      if (current > latestVersion) {
        throw new Error(`the database holds schema version ${current}, newer than this nwa-kit's ${latestVersion}: upgrade nwa-kit`)
      }
      for (const migration of migrations.filter((candidate) => candidate.version > current)) {
        await client.query('BEGIN')
        try {
          await client.query(migration.sql)
          await client.query('INSERT INTO nwa_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name])
          await client.query('COMMIT')
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined)
          const hint = /pg_trgm|extension/i.test(error instanceof Error ? error.message : '') ? ' (pg_trgm comes with postgresql-contrib)' : ''
          throw new Error(`migration ${migration.version} (${migration.name}) failed: ${error instanceof Error ? error.message : String(error)}${hint}`)
        }
      }
      await client.query('INSERT INTO nwa_store (id, mark_key) VALUES (true, $1) ON CONFLICT (id) DO NOTHING', [random(MARK_KEY_BYTES)])
      const key = (await client.query<{ mark_key: Buffer }>('SELECT mark_key FROM nwa_store')).rows[0]?.mark_key
      if (key === undefined) throw new Error('the store row has no mark key')
      return key
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => undefined)
    }
  } finally {
    client.release()
  }
}
