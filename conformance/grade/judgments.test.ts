import { beforeAll, describe, expect, it } from 'vitest'
import type { GradeSession } from '../../openapi/grade-session.ts'
import { loadContract } from '../../openapi/contract.ts'
import { createPayloadCodec } from '../../openapi/payload.ts'
import { allJudgments } from './judgments/index.ts'
import { exchange, firstPage, nextPage, record, session, write } from './test-support.ts'
import type { JudgeContext, JudgmentVerdict } from './types.ts'

let context: JudgeContext
beforeAll(async () => {
  context = { codec: createPayloadCodec(await loadContract()) }
})

function judge(id: string, given: GradeSession): JudgmentVerdict {
  const judgment = allJudgments.find((item) => item.id === id)
  if (judgment === undefined) throw new Error(`no judgment ${id}`)
  return judgment.judge(given, context)
}

const notApplicable = (verdict: JudgmentVerdict) => verdict.status === 'skip' && verdict.notApplicable === true

/** A clean reading pass: the first page, two more, the empty end. */
const cleanPass = () => [firstPage(2, 'm1'), nextPage('m1', 2, 'm2'), nextPage('m2', 1, 'm3'), nextPage('m3', 0, 'm4')]

describe('authentication judgments', () => {
  it('[CLIENT-AUTHENTICATE] pass once a request got past the 401, fail when none did, and are not run when nothing was sent', () => {
    expect(judge('auth.authenticated', session([exchange({ status: 401, account: undefined, authScheme: undefined }), exchange()])).status).toBe('pass')
    const refused = judge(
      'auth.authenticated',
      session([exchange({ status: 401, account: undefined, challenge: { schemes: ['NTLM'], stale: false, continuation: false } })]),
    )
    expect(refused.status).toBe('fail')
    expect(refused.message).toContain('offered NTLM')
    expect(refused.evidence).toEqual([1])
    expect(judge('auth.authenticated', session([])).status).toBe('skip')
  })

  it('[CLIENT-AUTH-NTLM] judges NTLM only where the server offered NTLM alone, not the CHALLENGE leg of a handshake', () => {
    const leg = exchange({ status: 401, account: undefined, challenge: { schemes: ['NTLM'], stale: false, continuation: true } })
    expect(notApplicable(judge('auth.ntlm', session([leg, exchange({ scheme: 'NTLM' })])))).toBe(true)
    const offer = exchange({ status: 401, account: undefined, authScheme: undefined, challenge: { schemes: ['NTLM'], stale: false, continuation: false } })
    expect(judge('auth.ntlm', session([offer, exchange({ scheme: 'NTLM' })])).status).toBe('pass')
    expect(judge('auth.ntlm', session([offer, offer])).status).toBe('fail')
  })

  it('[CLIENT-AUTH-OFFERED-SCHEME] fails Basic sent to a server that offered NTLM only, and passes what was offered', () => {
    const offer = (schemes: string[]) =>
      exchange({ status: 401, account: undefined, authScheme: undefined, challenge: { schemes, stale: false, continuation: false } })
    const basic = exchange({ authScheme: 'Basic', status: 401, account: undefined })
    const verdict = judge('auth.offered-scheme', session([offer(['NTLM']), basic]))
    expect(verdict.status).toBe('fail')
    expect(verdict.message).toMatch(/Basic credentials the server did not offer/)
    expect(verdict.evidence).toEqual([2, 1])
    expect(judge('auth.offered-scheme', session([offer(['Negotiate', 'NTLM', 'Digest', 'Basic']), exchange({ authScheme: 'Basic' })])).status).toBe('pass')
    // A pre-emptive Basic, before any 401, is judged against the first challenge after it.
    expect(judge('auth.offered-scheme', session([exchange({ authScheme: 'Basic' }), offer(['Digest'])])).status).toBe('fail')
    expect(notApplicable(judge('auth.offered-scheme', session([exchange({ authScheme: 'Basic' })])))).toBe(true)
  })

  it('[CLIENT-AUTH-STALE] passes a re-authentication with Digest after stale=true and fails giving up or repeating the stale nonce', () => {
    const stale = () =>
      exchange({ status: 401, account: undefined, authScheme: 'Digest', challenge: { schemes: ['Digest'], stale: true, continuation: false } })
    expect(judge('auth.stale', session([stale(), exchange({ authScheme: 'Digest', scheme: 'Digest' })])).status).toBe('pass')
    expect(judge('auth.stale', session([stale(), stale(), stale(), stale()])).status).toBe('fail')
    const gaveUp = judge('auth.stale', session([exchange({ scheme: 'Digest' }), stale()]))
    expect(gaveUp.status).toBe('fail')
    expect(gaveUp.message).toContain('gave up')
    expect(notApplicable(judge('auth.stale', session([exchange()])))).toBe(true)
  })
})

describe('body judgments', () => {
  it('[CLIENT-JSON-FORMAT-QUERY] fails JSON posted without ?format=json and XML posted with it', () => {
    const json = write([record('a')], { target: '/netwrix/api/v1/activity_records/', format: 'xml' })
    expect(judge('body.format-query', session([json])).status).toBe('fail')
    const xmlText = '<ContinuationMark xmlns="http://schemas.netwrix.com/api/v1/activity_records/">m</ContinuationMark>'
    expect(judge('body.format-query', session([nextPage('m', 0, 'n', { body: { text: xmlText, bytes: xmlText.length, kept: 'whole' } })])).status).toBe('fail')
    expect(judge('body.format-query', session([write([record('a')])])).status).toBe('pass')
    expect(notApplicable(judge('body.format-query', session([firstPage(1, 'm')])))).toBe(true)
  })

  it('[CLIENT-JSON-NO-TRAILING-COMMA] finds a comma before a closing bracket outside strings only', () => {
    const body = (text: string) => write([record('a')], { body: { text, bytes: text.length, kept: 'whole' } })
    expect(judge('body.trailing-comma', session([body('[{"What":"a, ]"},]')])).status).toBe('fail')
    expect(judge('body.trailing-comma', session([body('[{"What":"a, ]" , "Who": "b"}]')])).status).toBe('pass')
  })

  it('[CLIENT-BODY-WELL-FORMED] fails unescaped XML, an empty body and JSON that does not parse; a trailing comma is left to its own judgment', () => {
    const body = (text: string, format: 'xml' | 'json' = 'xml') =>
      write([record('a')], { format, body: { text, bytes: Buffer.byteLength(text), kept: 'whole' } })
    const unescaped =
      '<ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/"><ActivityRecord><What>a & <b></What></ActivityRecord></ActivityRecordList>'
    expect(judge('body.well-formed', session([body(unescaped)])).status).toBe('fail')
    expect(judge('body.well-formed', session([body('', 'json')])).message).toContain('an empty body')
    expect(judge('body.well-formed', session([body('MARK', 'json')])).status).toBe('fail')
    expect(judge('body.well-formed', session([body('[1,]', 'json')])).status).toBe('pass')
    // An excerpt cannot be parsed: the server's answer decides.
    const excerpt = write([], { status: 400, notes: ['XMLError: 0xC00CE502 …'], body: { text: '<ActivityRecordList', bytes: 5_000_000, kept: 'excerpt' } })
    expect(judge('body.well-formed', session([excerpt])).status).toBe('fail')
  })

  it('[CLIENT-XML-NAMESPACE] fails an XML body outside the documented namespace', () => {
    const text = '<ContinuationMark>m</ContinuationMark>'
    expect(judge('body.namespace', session([nextPage('m', 0, 'n', { format: 'xml', body: { text, bytes: text.length, kept: 'whole' } })])).status).toBe('fail')
    expect(notApplicable(judge('body.namespace', session([write([record('a')])])))).toBe(true)
  })
})

describe('write judgments', () => {
  it('[CLIENT-WRITE-OUTPUT-ONLY, CLIENT-WRITE-9-NAMES, CLIENT-WRITE-WHEN-ZONE] find the field in the records, in JSON and in XML', () => {
    expect(judge('write.output-only', session([write([record('a', { RID: 'x' })])])).status).toBe('fail')
    expect(judge('write.output-only', session([write([record('a', { DetailList: [{ PropertyName: 'p', Message: 'm' }] })])])).status).toBe('fail')
    expect(judge('write.names-9', session([write([record('a', { AuditedSystem: 'x' })])])).status).toBe('fail')
    expect(judge('write.when-zone', session([write([record('a', { When: '2026-01-01T12:00:00' })])])).status).toBe('fail')
    const xml =
      '<ActivityRecordList xmlns="http://schemas.netwrix.com/api/v1/activity_records/"><ActivityRecord><What>a</What><When>2026-01-01T12:00:00+02:00</When><DetailList><Detail><PropertyName>p</PropertyName><Message>m</Message></Detail></DetailList></ActivityRecord></ActivityRecordList>'
    const asXml = write([], { format: 'xml', body: { text: xml, bytes: xml.length, kept: 'whole' } })
    expect(judge('write.output-only', session([asXml])).status).toBe('fail')
    expect(judge('write.when-zone', session([asXml])).status).toBe('pass')
    for (const id of ['write.output-only', 'write.names-9', 'write.when-zone']) expect(judge(id, session([write([record('a')])])).status, id).toBe('pass')
  })

  it('[CLIENT-WRITE-INPUT-SCHEMA] fails a missing mandatory field and an empty write, without reporting again what the precise judgments report', () => {
    const { ObjectType: _left, ...noType } = record('a')
    expect(judge('write.schema', session([write([noType])])).message).toContain('ObjectType is mandatory')
    expect(judge('write.schema', session([write([])])).status).toBe('fail')
    expect(judge('write.schema', session([write([record('a', { RID: 'x', When: '2026-01-01T12:00:00' })])])).status).toBe('pass')
  })

  it('[CLIENT-BATCH-1000, CLIENT-BATCH-50MB] count the records of a write and the bytes of its body', () => {
    const many = write([record('a')], { write: { records: 5000, fingerprints: [] } })
    expect(judge('write.batch-records', session([many])).status).toBe('fail')
    expect(judge('write.batch-records', session([write([record('a')])])).status).toBe('pass')
    const huge = write([record('a')], { body: { text: '[', bytes: 60 * 1024 * 1024, kept: 'excerpt' } })
    expect(judge('write.batch-bytes', session([huge])).status).toBe('fail')
  })

  it('[CLIENT-WRITE-RESEND] passes a refused batch written later, in other batches too, and fails one dropped', () => {
    const busy = write([record('a'), record('b')], { status: 503 })
    expect(judge('write.no-loss', session([busy, write([record('a')]), write([record('b')])])).status).toBe('pass')
    const dropped = judge('write.no-loss', session([busy, write([record('c')])]))
    expect(dropped.status).toBe('fail')
    expect(dropped.message).toContain('2 of the 2 records of #1')
    const reset = write([record('a')], { status: 0, ending: 'reset' })
    expect(judge('write.no-loss', session([reset])).status).toBe('fail')
    expect(notApplicable(judge('write.no-loss', session([write([record('a')])])))).toBe(true)
  })

  it('[CLIENT-WRITE-ONCE] fails records answered 200 twice, not records repeated within one write', () => {
    expect(judge('write.no-duplicate', session([write([record('a')]), write([record('a')], { launch: 2 })])).status).toBe('fail')
    expect(judge('write.no-duplicate', session([write([record('a'), record('a')])])).status).toBe('pass')
    expect(judge('write.no-duplicate', session([write([record('a')], { status: 503 }), write([record('a')])])).status).toBe('pass')
  })
})

describe('read judgments', () => {
  it('[CLIENT-READ-PARAMS] fails a count that is not a whole number of at least 1', () => {
    expect(judge('read.count', session([firstPage(1, 'm', { target: '/netwrix/api/v1/activity_records/enum?count=all' })])).status).toBe('fail')
    expect(judge('read.count', session([firstPage(1, 'm', { target: '/netwrix/api/v1/activity_records/enum' })])).status).toBe('pass')
  })

  it('[CLIENT-MARK-AS-RETURNED] fails a made-up mark the server refused, accepts one it accepted from before the session', () => {
    const made = nextPage('made-up', 0, 'x', { status: 400, page: undefined, notes: ['InputError: Invalid continuation mark specified'] })
    expect(judge('read.mark-returned', session([firstPage(2, 'm1'), made])).status).toBe('fail')
    const earlier = judge('read.mark-returned', session([nextPage('from-yesterday', 0, 'm2')]))
    expect(earlier.status).toBe('pass')
    expect(earlier.notes?.[0]).toContain('issued before this session')
    expect(judge('read.mark-returned', session(cleanPass())).status).toBe('pass')
  })

  it('[CLIENT-MARK-NEXT] passes a clean pass, a retry of the same mark after a 500 and polling with the end mark', () => {
    const retried = [
      firstPage(2, 'm1'),
      nextPage('m1', 0, 'x', { status: 500, page: undefined }),
      nextPage('m1', 2, 'm2'),
      nextPage('m2', 0, 'm3'),
      nextPage('m3', 0, 'm4'),
    ]
    expect(judge('read.mark-next', session(retried)).status).toBe('pass')
  })

  it('[CLIENT-MARK-NEXT] fails posting an older mark, a start from the first record mid-pass, and the mark of a cut page', () => {
    const older = judge('read.mark-next', session([firstPage(2, 'm1'), nextPage('m1', 2, 'm2'), nextPage('m1', 2, 'm2')]))
    expect(older.status).toBe('fail')
    expect(older.evidence).toEqual([3])
    const restarted = judge('read.mark-next', session([firstPage(2, 'm1'), nextPage('m1', 2, 'm2', { status: 500, page: undefined }), firstPage(2, 'm1')]))
    expect(restarted.message).toContain('started again from the first record')
    const cut = nextPage('m1', 2, 'm2', { ending: 'cut' })
    const skipped = judge('read.mark-next', session([firstPage(2, 'm1'), cut, nextPage('m2', 0, 'm3')]))
    expect(skipped.status).toBe('fail')
    expect(skipped.message).toContain('cut mid-answer')
  })

  it('[CLIENT-READ-TO-EMPTY-PAGE] fails a run that ended by itself after a non-empty page, excuses one the grader stopped', () => {
    const short = [firstPage(2, 'm1'), nextPage('m1', 1, 'm2')]
    expect(judge('read.to-end', session(short, { ended: [{ endedBy: 'self', exitCode: 0 }] })).status).toBe('fail')
    expect(judge('read.to-end', session(short, { ended: [{ endedBy: 'grader', exitCode: null, signal: 'SIGTERM' }] })).status).toBe('skip')
    expect(judge('read.to-end', session(cleanPass(), { ended: [{ endedBy: 'self', exitCode: 0 }] })).status).toBe('pass')
    // Passive: the newest pass may still be under way.
    expect(judge('read.to-end', session(short.map((item) => ({ ...item, launch: 0 })))).status).toBe('skip')
  })

  it('[CLIENT-MARK-CHECKPOINT] passes a second run that posts the last mark, fails one that reads from the first record or an older mark', () => {
    const first = cleanPass()
    const ended = [{ endedBy: 'self' as const, exitCode: 0, launch: 1 }]
    expect(judge('read.resume', session([...first, nextPage('m4', 0, 'm5', { launch: 2 })], { ended })).status).toBe('pass')
    expect(judge('read.resume', session([...first, firstPage(2, 'm1', { launch: 2 })], { ended })).status).toBe('fail')
    expect(judge('read.resume', session([...first, nextPage('m3', 0, 'm4', { launch: 2 })], { ended })).status).toBe('fail')
    // Stopped by the grader, the mark before the last may not have been saved yet.
    const stopped = [{ endedBy: 'grader' as const, exitCode: null, signal: 'SIGTERM', launch: 1 }]
    expect(judge('read.resume', session([...first, nextPage('m3', 0, 'm4', { launch: 2 })], { ended: stopped })).status).toBe('pass')
    // Within one run: reading everything again after the end instead of posting the end mark.
    expect(judge('read.resume', session([...first, firstPage(2, 'm1')])).status).toBe('fail')
    expect(notApplicable(judge('read.resume', session(first)))).toBe(true)
  })

  it('[CLIENT-POLL-NEW] passes when the records that arrived were read after they arrived', () => {
    const events = [{ atMs: 450, kind: 'arrivals' as const, launch: 1, detail: '3 new', records: 3 }]
    expect(judge('read.new-records', session([...cleanPass(), nextPage('m4', 3, 'm5'), nextPage('m5', 0, 'm6')], { events })).status).toBe('pass')
    expect(judge('read.new-records', session(cleanPass(), { events })).status).toBe('fail')
    expect(notApplicable(judge('read.new-records', session(cleanPass())))).toBe(true)
  })
})

describe('retry and connector judgments', () => {
  const busy = (atMs: number) => write([record('a')], { status: 503, atMs, durationMs: 5 })
  const ok = (atMs: number) => write([record('a')], { atMs })

  it('[CLIENT-RETRY-PAUSE] fails a retry sooner than 100 ms after a 503', () => {
    expect(judge('retry.pause', session([busy(100), ok(110)])).status).toBe('fail')
    expect(judge('retry.pause', session([busy(100), ok(400)])).status).toBe('pass')
    expect(notApplicable(judge('retry.pause', session([ok(100)])))).toBe(true)
  })

  it('[CLIENT-RETRY-BACKOFF] passes growing pauses and fails a fixed interval', () => {
    expect(judge('retry.backoff', session([busy(100), busy(355), busy(860), ok(1865)])).status).toBe('pass')
    const flat = judge('retry.backoff', session([busy(100), busy(405), busy(710), ok(1015)]))
    expect(flat.status).toBe('fail')
    expect(flat.message).toContain('300 → 300 → 300')
    expect(notApplicable(judge('retry.backoff', session([busy(100), ok(400)])))).toBe(true)
  })

  it('[CLIENT-TIMEOUT] fails a request given up before its answer, unless the grader was stopping the connector', () => {
    const left = firstPage(2, 'm1', { ending: 'abandoned', durationMs: 400 })
    expect(judge('transport.patience', session([left])).status).toBe('fail')
    const stopping = { atMs: 10, kind: 'stop-requested' as const, launch: 1, detail: 'restart' }
    expect(judge('transport.patience', session([left], { events: [stopping] })).status).toBe('pass')
  })

  it('[CLIENT-SURVIVE] fails a run that ended by itself with an error, and is not applicable when nothing was launched', () => {
    expect(judge('connector.survives', session(cleanPass(), { ended: [{ endedBy: 'self', exitCode: 1 }] })).status).toBe('fail')
    expect(judge('connector.survives', session(cleanPass(), { ended: [{ endedBy: 'self', exitCode: 0 }] })).status).toBe('pass')
    expect(notApplicable(judge('connector.survives', session(cleanPass().map((item) => ({ ...item, launch: 0 })))))).toBe(true)
  })
})

describe('the judgment catalogue', () => {
  it('gives every judgment a unique id of its family, a title, and client requirements only', () => {
    const ids = allJudgments.map((judgment) => judgment.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const judgment of allJudgments) {
      expect(judgment.id.split('.')[0] === judgment.family || (judgment.family === 'connector' && judgment.id.startsWith('transport.'))).toBe(true)
      expect(judgment.title.length).toBeGreaterThan(20)
      expect(judgment.requirements.every((id) => id.startsWith('CLIENT-'))).toBe(true)
    }
  })
})
