#!/usr/bin/env node
/**
 * A sample writer connector (docs/grading.md), as a syslog add-on feeds Netwrix Auditor: each run collects the events
 * its source has for it (here a simulated source: 2,500 new events a run) and writes them as Activity Records in
 * batches of at most 1,000, the documented recommendation, in JSON (or XML with --xml). An event counts as written
 * only once a write of it was answered 200: until then it waits in the spool, and a 503, a 500 or a lost connection
 * means "again, later", each pause longer than the last, never "dropped"; a batch answered 200 is never sent again,
 * after a restart either. Progress is kept in NWA_STATE_DIR/writer-state.json.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect, growingDelays, TransportError, withRetries } from './nwa-client.mjs'

const stateDir = process.env.NWA_STATE_DIR ?? '.'
const stateFile = join(stateDir, 'writer-state.json')
const xml = process.argv.includes('--xml')
const log = (line) => console.log(`[writer] ${line}`)
const eventsPerRun = 2500

/** The simulated source: event `index`, always the same, so a record resent is the same record. */
function event(index) {
  const offsets = ['Z', '+02:00', '-11:00']
  const base = Date.UTC(2026, 0, 1, 12) + index * 1000
  const zone = offsets[index % offsets.length]
  const shift = zone === 'Z' ? 0 : (zone.startsWith('+') ? 1 : -1) * Number(zone.slice(1, 3)) * 3600_000
  const when = new Date(base + shift).toISOString().replace(/\.\d{3}Z$/, zone)
  return {
    Who: 'ENTERPRISE\\svc-syslog',
    Action: index % 5 === 0 ? 'Removed' : 'Modified',
    What: `\\syslog\\firewall\\rule ${index} <allow & "log">`,
    When: when,
    Where: 'syslog01.enterprise.local',
    ObjectType: 'Firewall rule',
    MonitoringPlan: { Name: 'Integrations and custom sources' },
    Item: { Name: 'Sample syslog' },
    DetailList: [{ PropertyName: 'severity', Before: 'info', After: index % 7 === 0 ? 'warning' : 'notice' }],
  }
}

const escapeXml = (text) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** An element for each field, in any order (D6); nested objects become nested elements, lists repeat their item. */
function toXml(name, value) {
  if (Array.isArray(value)) return `<${name}>${value.map((item) => toXml('Detail', item)).join('')}</${name}>`
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value)
      .map(([key, item]) => toXml(key, item))
      .join('')}</${name}>`
  return `<${name}>${escapeXml(String(value))}</${name}>`
}

/** Each decision a writer makes, the documented way; the self-test's seeded defects change one each (defects.mjs). */
const clean = {
  batchSize: 1000,
  path: xml ? '/activity_records/' : '/activity_records/?format=json',
  record: (index) => event(index),
  serialize: (records) =>
    xml
      ? `<?xml version="1.0" encoding="utf-8"?><ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/">${records.map((record) => toXml('ActivityRecord', record)).join('')}</ActivityRecordList>`
      : JSON.stringify(records),
  /** Where a run starts: after the last event a write of which was answered 200. */
  startFrom: (state) => state.written,
  delays: () => growingDelays({ baseMs: 250, maxMs: 4000 }),
  tries: 6,
  /** A refused write (503, 500, after every try) is kept to try again next run, never dropped. */
  dropRefused: false,
  /** A write without an answer (a reset connection) was not written. */
  unansweredIsWritten: false,
  /** After a write that needed retries, nothing more: it was written once. */
  resendAfterRetry: false,
  /** Nothing new, nothing sent: a write holds at least one record. */
  emptyAtEnd: false,
  timeoutMs: 60_000,
  client: {},
}

const defect = process.env.NWA_SAMPLE_DEFECT
const behaviour = defect ? { ...clean, ...(await import('./defects.mjs')).writerDefect(defect, clean) } : clean

function readState() {
  return existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : { collected: 0, written: 0 }
}

/** Written whole or not at all, so a run stopped at any moment leaves a state that is true. */
function saveState(state) {
  writeFileSync(`${stateFile}.new`, JSON.stringify(state))
  renameSync(`${stateFile}.new`, stateFile)
}

mkdirSync(stateDir, { recursive: true })
const state = readState()
// Collected first and saved at once: the events are the source's, and a stopped run must not lose them.
state.collected += eventsPerRun
saveState(state)
const client = connect({ timeoutMs: behaviour.timeoutMs, userAgent: 'nwa-kit-sample-writer/1.0 (node)', log, ...behaviour.client })
try {
  for (let from = behaviour.startFrom(state); from < state.collected; ) {
    const to = Math.min(state.collected, from + behaviour.batchSize)
    const body = behaviour.serialize(Array.from({ length: to - from }, (_, offset) => behaviour.record(from + offset)))
    let troubles = 0
    const attempt = () =>
      client.send('POST', behaviour.path, body).catch((error) => {
        if (behaviour.unansweredIsWritten && error instanceof TransportError) return { status: 200, body: '' }
        throw error
      })
    const answer = await withRetries(`write of events ${from}..${to - 1}`, attempt, {
      tries: behaviour.tries,
      delays: behaviour.delays(),
      log,
      onTrouble: () => troubles++,
    })
    if (answer.status !== 200 && !behaviour.dropRefused) throw new Error(`write of events ${from}..${to - 1}: ${answer.status} ${answer.body.slice(0, 300)}`)
    if (behaviour.resendAfterRetry && troubles > 0) await client.send('POST', behaviour.path, body)
    state.written = to
    saveState(state)
    log(answer.status === 200 ? `wrote events ${from}..${to - 1}` : `gave events ${from}..${to - 1} up after ${answer.status}`)
    from = to
  }
  if (behaviour.emptyAtEnd) await client.send('POST', behaviour.path, behaviour.serialize([]))
  log(`all ${state.collected} events collected so far are written`)
} finally {
  client.close()
}
