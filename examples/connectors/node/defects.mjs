/**
 * Seeded defects of the sample connectors, for `nwa grade --selftest` (docs/grading.md): NWA_SAMPLE_DEFECT=<name>
 * switches one on, and each changes one decision of reader.mjs or writer.mjs into a mistake real connectors make.
 * Nothing here is for copying; the clean samples are the examples.
 */
const fixedDelays = (ms) => () => () => ms

/** The reader's defects: overrides of its decisions (reader.mjs `clean`). */
const reader = {
  'restart-from-first': () => ({ startMark: () => undefined }),
  'repost-first-mark': () => {
    let first
    return { nextMark: (page) => (first ??= page.ContinuationMark) }
  },
  'stop-at-short-page': (clean) => ({ atEnd: (page) => page.ActivityRecordList.length < Number(/count=(\d+)/.exec(clean.query)?.[1] ?? 1000) }),
  'own-mark': () => {
    let position = 0
    return {
      nextMark: (page) => {
        position += page.ActivityRecordList.length
        return Buffer.from(JSON.stringify({ position })).toString('base64')
      },
    }
  },
  'mark-url-encoded': () => ({ markBody: (mark) => JSON.stringify(encodeURIComponent(mark)) }),
  'mark-unquoted': () => ({ markBody: (mark) => mark, tries: 2 }),
  'count-not-a-number': () => ({ query: '?format=json&count=all' }),
  'error-restarts-from-first': () => ({ afterTrouble: () => undefined }),
  'retry-tight-loop': () => ({ delays: fixedDelays(0) }),
  'retry-without-growth': () => ({ delays: fixedDelays(300) }),
  'gives-up-on-500': () => ({ tries: 1 }),
  'short-timeout': () => ({ timeoutMs: 400 }),
  'falls-back-to-basic': () => ({ client: { schemes: ['Digest'], fallback: 'Basic' } }),
  'no-ntlm': () => ({ client: { schemes: ['Digest', 'Basic'] } }),
  'ignores-stale': () => ({ client: { onStale: (_fresh, old) => old } }),
}

/** A record of the writer's source, changed. */
const recordDefect = (change) => (clean) => ({ record: (index) => change(clean.record(index), index) })

/** The writer's defects: overrides of its decisions (writer.mjs `clean`). */
const writer = {
  'batches-of-5000': () => ({ batchSize: 5000 }),
  'drops-batch-on-503': () => ({ tries: 1, dropRefused: true }),
  'duplicates-after-retry': () => ({ resendAfterRetry: true }),
  'writes-in-tight-loop': () => ({ delays: fixedDelays(0) }),
  'gives-up-on-503': () => ({ tries: 1 }),
  'resends-after-restart': () => ({ startFrom: () => 0 }),
  'drops-unanswered-write': () => ({ unansweredIsWritten: true }),
  'sends-rid': recordDefect((record, index) => ({ RID: `20260101120000000${index.toString(16).toUpperCase().padStart(32, '0')}`, ...record })),
  'sends-detail-message': recordDefect((record) => ({
    ...record,
    DetailList: record.DetailList.map((detail) => ({ ...detail, Message: 'severity changed' })),
  })),
  'sends-audited-system': recordDefect((record) => ({ ...record, AuditedSystem: 'Syslog' })),
  'when-without-offset': recordDefect((record) => ({ ...record, When: record.When.replace(/(Z|[+-]\d{2}:\d{2})$/, '') })),
  'misses-objecttype': recordDefect(({ ObjectType: _dropped, ...record }) => record),
  'json-without-format': () => ({ path: '/activity_records/' }),
  'trailing-commas': (clean) => ({ serialize: (records) => clean.serialize(records).replace(/\]$/, ',]') }),
  'xml-unescaped': (clean) => ({ serialize: (records) => clean.serialize(records).replaceAll('&#38;', '&').replaceAll('&#60;', '<').replaceAll('&#62;', '>') }),
  'writes-empty-batch': () => ({ emptyAtEnd: true }),
}

function pick(table, name, clean, role) {
  const make = table[name]
  if (make === undefined) throw new Error(`NWA_SAMPLE_DEFECT=${name}: no such ${role} defect (${Object.keys(table).join(', ')})`)
  return make(clean)
}

export const readerDefect = (name, clean) => pick(reader, name, clean, 'reader')
export const writerDefect = (name, clean) => pick(writer, name, clean, 'writer')
export const defectNames = { reader: Object.keys(reader), writer: Object.keys(writer) }
