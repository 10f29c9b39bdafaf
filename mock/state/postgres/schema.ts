/**
 * The PostgreSQL store's schema as versioned migrations, applied in order at start (migrate.ts). A migration is
 * never edited once released: a change is a new version. The database records which versions it holds in
 * nwa_schema_migrations.
 *
 * Records are rows indexed for the API: a btree on the seq (the keyset a page continues from) and on When, a
 * unique index on the RID (lower-cased: the real Audit Database compares without case, S1), btrees for the
 * equality searches and scopes, and pg_trgm GIN indexes for Contains, StartsWith and EndsWith on the text fields
 * with many values: What, Who, Where, Item, Workstation. Action, DataSource, ObjectType and MonitoringPlan have a
 * handful of values each: a trigram index would list most rows under each of their trigrams, and a walk in seq
 * order finds their matches at once. A RID is found by Equals through its unique index; a trigram index on it cost
 * the most of all on every write (49 characters, nearly every trigram new), and halved the write rate with the
 * two on the few-valued fields (docs/store.md). Each text field is kept twice: as
 * written, for pages, and lower-cased by JavaScript, for searches, so case is ignored exactly as the in-memory
 * store ignores it, whatever the database's locale (D56).
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

const trigramFields = ['what', 'who', 'where', 'item', 'workstation']

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'records, the archive and the store row',
    sql: `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE nwa_store (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  last_seq bigint NOT NULL DEFAULT 0,
  records bigint NOT NULL DEFAULT 0,
  archived bigint NOT NULL DEFAULT 0,
  mark_key bytea NOT NULL CHECK (octet_length(mark_key) >= 32)
);

CREATE TABLE nwa_records (
  seq bigint PRIMARY KEY,
  rid text, rid_lower text,
  action text NOT NULL, action_lower text NOT NULL,
  plan_id text, plan_name text, plan_lower text,
  data_source text, data_source_lower text,
  item text, item_lower text,
  object_type text NOT NULL, object_type_lower text NOT NULL,
  what text NOT NULL, what_lower text NOT NULL,
  when_ms bigint NOT NULL, when_text text,
  where_name text NOT NULL, where_lower text NOT NULL,
  who text NOT NULL, who_lower text NOT NULL, who_key text,
  workstation text, workstation_lower text,
  details json, detail_lower text[], before_lower text[], after_lower text[]
);

CREATE UNIQUE INDEX nwa_records_rid ON nwa_records (rid_lower); -- D59
CREATE INDEX nwa_records_when ON nwa_records (when_ms);
CREATE INDEX nwa_records_who ON nwa_records (who_lower);
CREATE INDEX nwa_records_plan ON nwa_records (plan_lower, seq);
${trigramFields.map((field) => `CREATE INDEX nwa_records_${field}_trgm ON nwa_records USING gin (${field}_lower gin_trgm_ops);`).join('\n')}

CREATE TABLE nwa_archive_only (
  id bigserial PRIMARY KEY,
  rid text,
  record json NOT NULL
);
`,
  },
]

export const latestVersion = Math.max(...migrations.map((migration) => migration.version))
