/**
 * How a reader pages (api/retrieveactivityrecords.md, api/postdata/continuationmark.md): a count that is a number, marks
 * posted as they were returned, each next page asked for with the mark of the last page received whole, a pass read to
 * the empty page, and its checkpoint kept across runs (D60).
 */
import { type GradeExchange, type GradeSession, isAuthorized, isRead, isWholePage } from '../../../openapi/grade-session.ts'
import { failed, type Judgment, notApplicable, passed, unjudged } from '../types.ts'
import { afterStop, describeExchange, failedAt, judgeEach, type LaunchView, launchesOf, listed, seqs } from '../view.ts'

const readNothing = unjudged('the connector read nothing in this scenario')

const reads = (session: GradeSession) => session.exchanges.filter((exchange) => isRead(exchange) && isAuthorized(exchange))

/** A reading pass: from a first page (or a mark from an earlier run) to the empty page, through the marks it was given. */
export interface ReadStream {
  kind: 'enum' | 'search'
  exchanges: GradeExchange[]
  /** The mark of the last page received whole: what the next read must post. */
  expected?: string
  /** The one before it (a connector stopped right after a page may not have saved the newest mark). */
  previous?: string
  /** Every mark of the stream's pages, cut ones included. */
  issued: Set<string>
  /** Marks of pages that were cut: posting one skips the records of the page that carried it. */
  cutMarks: Set<string>
  /** Whole pages received, empty ones included. */
  pages: GradeExchange[]
  /** The last page received whole was empty: the pass reached the end of the data. */
  atEnd: boolean
}

/** A read that broke the chain of marks: what it posted, and what it should have. */
export interface ChainBreak {
  exchange: GradeExchange
  why: string
  /** `restart`: a GET of the first page after the pass had reached the end (a re-read, D60), not a break in a pass. */
  kind: 'chain' | 'restart'
}

export interface LaunchReading {
  launch: LaunchView
  streams: ReadStream[]
  breaks: ChainBreak[]
}

function newStream(exchange: GradeExchange): ReadStream {
  return {
    kind: exchange.operation === 'searchActivityRecords' ? 'search' : 'enum',
    exchanges: [],
    issued: new Set(),
    cutMarks: new Set(),
    pages: [],
    atEnd: false,
  }
}

/** Follows the reads of one launch in order, stream by stream, noting where the chain of marks broke. */
export function followReads(launch: LaunchView): LaunchReading {
  const streams: ReadStream[] = []
  const breaks: ChainBreak[] = []
  const ordered = launch.exchanges.filter((exchange) => isRead(exchange) && isAuthorized(exchange)).sort((a, b) => a.atMs - b.atMs)
  for (const exchange of ordered) {
    let stream: ReadStream | undefined
    const mark = exchange.postedMark
    const excused = afterStop(exchange, launch)
    if (mark !== undefined) {
      stream = streams.find((candidate) => candidate.issued.has(mark))
      if (stream !== undefined && mark !== stream.expected && !excused) {
        const why = stream.cutMarks.has(mark)
          ? "it posted the mark of a page that was cut mid-answer, skipping that page's records, instead of posting again the mark it had fetched the cut page with"
          : `it posted the mark of an earlier page instead of the mark of the last page it received whole (#${stream.pages[stream.pages.length - 1]?.seq})`
        breaks.push({ exchange, why, kind: 'chain' })
      }
    } else if (exchange.operation === 'enumerateActivityRecords') {
      const open = streams.find((candidate) => candidate.kind === 'enum' && candidate.expected !== undefined)
      if (open !== undefined && !excused) {
        breaks.push(
          open.atEnd
            ? { exchange, why: 'it read from the first record again after the pass had reached the end, instead of posting its last mark', kind: 'restart' }
            : {
                exchange,
                why: `it started again from the first record in the middle of a pass (the last page received whole was #${open.pages[open.pages.length - 1]?.seq})`,
                kind: 'chain',
              },
        )
        // The old pass is over either way; the next marks belong to the new one.
        open.expected = undefined
      }
    }
    if (stream === undefined) {
      stream = newStream(exchange)
      if (mark !== undefined) {
        stream.issued.add(mark)
        stream.expected = mark
      }
      streams.push(stream)
    }
    stream.exchanges.push(exchange)
    if (exchange.status === 200 && exchange.page !== undefined) {
      stream.issued.add(exchange.page.mark)
      if (isWholePage(exchange)) {
        stream.previous = stream.expected
        stream.expected = exchange.page.mark
        stream.pages.push(exchange)
        stream.atEnd = exchange.page.records === 0
      } else stream.cutMarks.add(exchange.page.mark)
    }
  }
  return { launch, streams, breaks }
}

const readings = (session: GradeSession) => launchesOf(session).map(followReads)

const countValid: Judgment = {
  id: 'read.count',
  title: 'The count parameter, when given, is a whole number of at least 1',
  level: 'MUST',
  requirements: ['CLIENT-READ-PARAMS'],
  family: 'read',
  role: 'reader',
  judge: (session) =>
    judgeEach(
      reads(session),
      {
        none: readNothing,
        fine: (total) => `all ${total} reads gave a valid count or none`,
        wrong: (count) => `${count} reads gave a count that is not a whole number of at least 1`,
      },
      (exchange) => {
        const count = new URLSearchParams(exchange.target.split('?')[1] ?? '').get('count')
        return count === null || (/^\d+$/.test(count) && Number(count) >= 1) ? undefined : `count=${count}`
      },
    ),
}

const markReturned: Judgment = {
  id: 'read.mark-returned',
  title: 'Every mark the connector posts is one the server returned, unchanged',
  level: 'MUST',
  requirements: ['CLIENT-MARK-AS-RETURNED'],
  family: 'read',
  role: 'reader',
  judge(session) {
    const all = reads(session)
    if (all.length === 0) return readNothing
    const posting = all.filter((exchange) => exchange.postedMark !== undefined)
    if (posting.length === 0) return notApplicable('the connector posted no mark in this scenario')
    const issued = new Set<string>()
    const foreign: GradeExchange[] = []
    const accepted: GradeExchange[] = []
    for (const exchange of [...session.exchanges].sort((a, b) => a.atMs - b.atMs)) {
      const mark = exchange.postedMark
      if (mark !== undefined && isRead(exchange) && isAuthorized(exchange) && !issued.has(mark)) {
        // A mark the server accepted was one of its own, issued before this session (a checkpoint from an earlier run).
        if (exchange.status === 200) accepted.push(exchange)
        else foreign.push(exchange)
      }
      if (exchange.status === 200 && exchange.page !== undefined) issued.add(exchange.page.mark)
    }
    const notes = accepted.length === 0 ? undefined : [`${accepted.length} posted marks were issued before this session and accepted by the server`]
    if (foreign.length === 0) return passed(`all ${posting.length} posted marks were ones the server returned`, [], notes)
    return failed(
      `${foreign.length} posted marks were never returned by the server, and it refused them: ${listed(foreign.map((exchange) => `${describeExchange(exchange)} posted "${(exchange.postedMark ?? '').slice(0, 40)}…" (${exchange.notes[0] ?? exchange.status})`))}`,
      seqs(foreign),
      notes,
    )
  },
}

const markNext: Judgment = {
  id: 'read.mark-next',
  title: 'Each next page is asked for with the mark of the last page received whole; after a failed or cut answer, the same mark again',
  level: 'MUST',
  requirements: ['CLIENT-MARK-NEXT'],
  family: 'read',
  role: 'reader',
  judge(session) {
    if (reads(session).length === 0) return readNothing
    const breaks = readings(session).flatMap((reading) => reading.breaks.filter((item) => item.kind === 'chain'))
    if (breaks.length === 0) return passed('every read posted the mark of the last page received whole')
    return failedAt(`${breaks.length} reads broke the chain of marks`, breaks)
  },
}

const toEnd: Judgment = {
  id: 'read.to-end',
  title: 'A reading pass goes on until a 200 with no records: a short page is not the end',
  level: 'MUST',
  requirements: ['CLIENT-READ-TO-EMPTY-PAGE'],
  family: 'read',
  role: 'reader',
  judge(session) {
    if (reads(session).length === 0) return readNothing
    const problems: { exchange: GradeExchange; why: string }[] = []
    let passes = 0
    for (const { launch, streams } of readings(session)) {
      // The grader stopped it (a restart, or the scenario was over); a run that outlasted the scenario's timeout is not excused.
      const stoppedByGrader = launch.endedBy === 'grader'
      const judged = streams.filter((stream) => stream.pages.length > 0)
      passes += judged.filter((stream) => stream.atEnd).length
      const open = judged.filter((stream) => !stream.atEnd)
      for (const stream of open) {
        // A pass the grader cut short, or (passive) the newest pass of a connector that may still be reading, is not held against it.
        const newest = stream === judged[judged.length - 1]
        if (stoppedByGrader || (launch.launch === 0 && newest)) continue
        const last = stream.pages[stream.pages.length - 1] as GradeExchange
        problems.push({ exchange: last, why: `the pass stopped after a page of ${last.page?.records} records without asking for the next one` })
      }
      const readAny = launch.exchanges.some((exchange) => isRead(exchange) && isAuthorized(exchange))
      if (readAny && judged.length === 0 && !stoppedByGrader && launch.launch !== 0) {
        const lastRead = [...launch.exchanges].reverse().find(isRead) as GradeExchange
        problems.push({ exchange: lastRead, why: `run ${launch.launch} never received a page whole` })
      }
    }
    if (problems.length === 0)
      return passes > 0 ? passed(`${passes} reading passes reached the empty page`) : unjudged('no reading pass ended in this scenario')
    return failedAt(`${problems.length} reading passes ended before the empty page`, problems)
  },
}

const resume: Judgment = {
  id: 'read.resume',
  title: 'A reader keeps its last mark as a checkpoint: a new run, or a poll for new records, posts it instead of reading from the first record',
  level: 'SHOULD',
  requirements: ['CLIENT-MARK-CHECKPOINT'],
  decision: 'D60',
  family: 'read',
  role: 'reader',
  judge(session) {
    if (reads(session).length === 0) return readNothing
    const all = readings(session)
    const problems: { exchange: GradeExchange; why: string }[] = []
    const resumed: GradeExchange[] = []
    for (const reading of all)
      for (const item of reading.breaks.filter((entry) => entry.kind === 'restart')) problems.push({ exchange: item.exchange, why: item.why })
    // A poll: a page asked for with the mark of an empty page, the end the pass had reached.
    for (const reading of all) {
      for (const stream of reading.streams) resumed.push(...stream.pages.filter((_, index) => index > 0 && stream.pages[index - 1]?.page?.records === 0))
    }
    for (const [index, reading] of all.entries()) {
      const first = reading.streams[0]?.exchanges[0]
      const before = all
        .slice(0, index)
        .reverse()
        .find((earlier) => earlier.streams.some((stream) => stream.pages.length > 0))
      if (first === undefined || before === undefined) continue
      const checkpoint = [...before.streams].reverse().find((stream) => stream.pages.length > 0) as ReadStream
      const acceptable = new Set([checkpoint.expected, ...(before.launch.endedBy === 'self' ? [] : [checkpoint.previous])])
      if (first.postedMark === undefined)
        problems.push({ exchange: first, why: `run ${reading.launch.launch} read from the first record again instead of posting the mark it had reached` })
      else if (!acceptable.has(first.postedMark))
        problems.push({
          exchange: first,
          why: `run ${reading.launch.launch} posted an older mark than the last one it had received whole, and read pages again`,
        })
      else resumed.push(first)
    }
    if (problems.length > 0) return failedAt(`${problems.length} times the reader did not go on from its checkpoint`, problems)
    if (resumed.length === 0) return notApplicable('the connector neither ran again nor polled after reaching the end in this scenario')
    return passed(`${resumed.length} times the reader went on from its last mark`, seqs(resumed.slice(0, 5)))
  },
}

const newRecords: Judgment = {
  id: 'read.new-records',
  title: 'Records that arrive after the end are read by posting the last mark again',
  level: 'SHOULD',
  requirements: ['CLIENT-POLL-NEW'],
  decision: 'D60',
  family: 'read',
  role: 'reader',
  judge(session) {
    if (reads(session).length === 0) return readNothing
    const arrivals = session.events.filter((event) => event.kind === 'arrivals')
    if (arrivals.length === 0) return notApplicable('no records arrived after the end in this scenario')
    const last = arrivals[arrivals.length - 1] as (typeof arrivals)[number]
    const pages = reads(session).filter((exchange) => isWholePage(exchange) && exchange.atMs >= last.atMs)
    const read = pages.reduce((sum, exchange) => sum + (exchange.page?.records ?? 0), 0)
    if (read >= (last.records ?? 0)) return passed(`the ${last.records} records that arrived were read in ${pages.length} pages`, seqs(pages.slice(0, 5)))
    return failed(
      `${last.records} records arrived after the end at ${Math.round(last.atMs)} ms and the connector read only ${read} records after that`,
      seqs(reads(session).slice(-5)),
    )
  },
}

export const readJudgments: Judgment[] = [countValid, markReturned, markNext, toEnd, resume, newRecords]
