#!/usr/bin/env node
/**
 * A sample reader connector (docs/grading.md), as a SIEM add-on reads: every Activity Record once, in JSON, forwarded
 * (here: each RID appended to forwarded.ndjson in its state directory). A run reads until a page with no records, the
 * end of the data, saves the last Continuation mark as its checkpoint and stops, like a scheduled task; the next run
 * posts that mark and gets only what is new. On a 500, a 503 or a lost answer it waits longer each time and posts the
 * same mark again.
 *
 *   NWA_URL=https://127.0.0.1:9699 NWA_USER='ENTERPRISE\GlobalReviewer' NWA_PASSWORD=NetwrixIsCool \
 *   NWA_CA_FILE=server.pem NWA_STATE_DIR=state node examples/connectors/node/reader.mjs
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect, growingDelays, withRetries } from './nwa-client.mjs'

const stateDir = process.env.NWA_STATE_DIR ?? '.'
const checkpointFile = join(stateDir, 'reader-checkpoint.json')
const forwardedFile = join(stateDir, 'forwarded.ndjson')
const log = (line) => console.log(`[reader] ${line}`)

/** Each decision a reader makes, the documented way; the self-test's seeded defects change one each (defects.mjs). */
const clean = {
  query: '?format=json&count=1000',
  /** Where a run starts: the saved checkpoint, or (first run) the first page. */
  startMark: (saved) => saved,
  /** A mark goes back as it came: in JSON, the string in quotes. */
  markBody: (mark) => JSON.stringify(mark),
  /** The next page is asked for with the mark of the page just received. */
  nextMark: (page) => page.ContinuationMark,
  /** The end of the data is a page with no records, not a short page. */
  atEnd: (page) => page.ActivityRecordList.length === 0,
  /** After an answer that did not come (a 500, a cut connection): the same mark again. */
  afterTrouble: (mark) => mark,
  delays: () => growingDelays({ baseMs: 250, maxMs: 4000 }),
  tries: 6,
  timeoutMs: 60_000,
  client: {},
}

const defect = process.env.NWA_SAMPLE_DEFECT
const behaviour = defect ? { ...clean, ...(await import('./defects.mjs')).readerDefect(defect, clean) } : clean

function readCheckpoint() {
  return existsSync(checkpointFile) ? JSON.parse(readFileSync(checkpointFile, 'utf8')).mark : undefined
}

/** Written whole or not at all (a new file renamed over the old), so a run stopped at any moment finds a checkpoint it can use. */
function saveCheckpoint(mark) {
  writeFileSync(`${checkpointFile}.new`, JSON.stringify({ mark }))
  renameSync(`${checkpointFile}.new`, checkpointFile)
}

mkdirSync(stateDir, { recursive: true })
const client = connect({ timeoutMs: behaviour.timeoutMs, userAgent: 'nwa-kit-sample-reader/1.0 (node)', log, ...behaviour.client })
let mark = behaviour.startMark(readCheckpoint())
log(mark === undefined ? 'no checkpoint: reading from the first record' : 'going on from the checkpoint')
try {
  let read = 0
  for (;;) {
    const answer = await withRetries(
      'read',
      () =>
        mark === undefined
          ? client.send('GET', `/activity_records/enum${behaviour.query}`)
          : client.send('POST', `/activity_records/enum${behaviour.query}`, behaviour.markBody(mark)),
      { tries: behaviour.tries, delays: behaviour.delays(), log, onTrouble: () => (mark = behaviour.afterTrouble(mark)) },
    )
    if (answer.status !== 200) throw new Error(`read: ${answer.status} ${answer.body.slice(0, 300)}`)
    const page = JSON.parse(answer.body)
    if (page.ActivityRecordList.length > 0) appendFileSync(forwardedFile, page.ActivityRecordList.map((record) => `${JSON.stringify(record.RID)}\n`).join(''))
    read += page.ActivityRecordList.length
    const next = behaviour.nextMark(page, mark)
    saveCheckpoint(next)
    if (behaviour.atEnd(page)) break
    mark = next
  }
  log(`read ${read} records; at the end of the data, checkpoint saved`)
} finally {
  client.close()
}
