/**
 * What the PostgreSQL store does when things go wrong: a lost database answers the documented Audit Database error
 * (D58), values PostgreSQL cannot hold and repeated RIDs refuse a seed whole (D59), migrations apply once and a
 * database migrated by a newer kit is refused, and a bad URL stops the start with one line.
 */
import pg from 'pg'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createMockApp } from '../../mock/app.ts'
import { AUDIT_DATABASE_UNREACHABLE_DESCRIPTION } from '../../mock/faults.ts'
import { migrations } from '../../mock/state/postgres/schema.ts'
import { startCluster } from './cluster.ts'
import { freshDatabase, useCluster, withoutPostgres } from './support.ts'
import { api, basic, accounts, record } from '../mock/helpers.ts'

const cluster = useCluster()
const seedRecord = (rid: string, what: string) => ({ ...record({ What: what }), RID: rid, DataSource: 'Active Directory' })

describe.skipIf(withoutPostgres)('the PostgreSQL store when things go wrong', () => {
  it('[STATUS-500-READ] [STATUS-500-WRITE] answers the documented Audit Database error while the database is gone, for reads and writes', async () => {
    // A cluster of its own, to be crashed.
    const own = await startCluster()
    const app = await createMockApp({ store: await own.createDatabase('gone'), seed: 'none', authSchemes: ['Basic'] })
    try {
      const agent = request(app.handle)
      expect((await agent.get(`${api}/activity_records/enum?format=json`).set('authorization', basic(accounts.admin))).status).toBe(200)
      await own.stop({ crash: true })
      for (const answer of [
        await agent.get(`${api}/activity_records/enum?format=json`).set('authorization', basic(accounts.admin)),
        await agent
          .post(`${api}/activity_records/?format=json`)
          .set('authorization', basic(accounts.admin))
          .send(JSON.stringify([record()])),
      ]) {
        expect(answer.status).toBe(500)
        expect(JSON.parse(answer.text)).toEqual({ ErrorList: [{ Category: 'ServerError', Description: AUDIT_DATABASE_UNREACHABLE_DESCRIPTION }] })
      }
    } finally {
      await app.close()
      await own.stop()
    }
  })

  it('refuses a seed whole when PostgreSQL cannot hold one of its values, or when it repeats a RID ignoring case', async () => {
    const app = await createMockApp({ store: await freshDatabase(cluster()), seed: 'none', control: true, authSchemes: ['Basic'] })
    try {
      const agent = request(app.handle)
      const rid = (n: number) => `20170214154234000${String(n).padStart(32, '0')}`
      const nul = await agent.post('/nwa/fixtures').send(JSON.stringify([seedRecord(rid(1), 'fine'), seedRecord(rid(2), 'holds \u0000 here')]))
      expect(nul.status).toBe(400)
      expect(nul.text).toMatch(/record 2.*What holds U\+0000 or a lone surrogate/)
      const repeated = await agent
        .post('/nwa/fixtures')
        .send(JSON.stringify([seedRecord(`${rid(3)}`.replace('0003', '000A'), 'a'), seedRecord(rid(3).replace('0003', '000a'), 'b')]))
      expect(repeated.status).toBe(400)
      expect(await app.state.counts()).toEqual({ records: 0, archive: 0 })
    } finally {
      await app.close()
    }
  })

  it('applies its migrations once, records them, and refuses a database a newer nwa-kit migrated', async () => {
    const url = await freshDatabase(cluster())
    const first = await createMockApp({ store: url, seed: 'none' })
    const second = await createMockApp({ store: url, seed: 'none' })
    await Promise.all([first.close(), second.close()])
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query<{ version: number }>('SELECT version FROM nwa_schema_migrations ORDER BY version')
      expect(rows.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version))
      await client.query("INSERT INTO nwa_schema_migrations (version, name) VALUES (999, 'from the future')")
    } finally {
      await client.end()
    }
    await expect(createMockApp({ store: url, seed: 'none' })).rejects.toThrow(/schema version 999, newer than this nwa-kit's \d+: upgrade nwa-kit/)
  })

  it('stops the start with one line for a URL that leads nowhere, naming the store without its password', async () => {
    const port = cluster().port
    await expect(createMockApp({ store: `postgres://nwa:secret@127.0.0.1:${port}/no_such_database`, seed: 'none' })).rejects.toThrow(
      /cannot open the store postgres:\/\/nwa:\*\*\*@127\.0\.0\.1:\d+\/no_such_database: .*no_such_database/,
    )
  })
})
