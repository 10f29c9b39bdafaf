/**
 * What `nwa grade --selftest` runs (docs/grading.md, "Self-test"): the sample connectors of examples/connectors, clean,
 * and their seeded defects, each a mistake real connectors make, switched on by NWA_SAMPLE_DEFECT in the sample's
 * own defects file and graded in the one scenario that brings it out.
 */
import { fileURLToPath } from 'node:url'
import type { ScenarioName } from '../../mock/grade/index.ts'

export type SampleId = 'node-reader' | 'node-writer' | 'node-writer-xml' | 'python-reader'

export interface SampleConnector {
  id: SampleId
  role: 'reader' | 'writer'
  /** The command, given the Python to run it with when it needs one. */
  command: (python: string) => string
  needsPython: boolean
}

const examples = fileURLToPath(new URL('../../examples/connectors/', import.meta.url))
const quoted = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`

export const sampleConnectors: readonly SampleConnector[] = [
  { id: 'node-reader', role: 'reader', command: () => `node ${quoted(`${examples}node/reader.mjs`)}`, needsPython: false },
  { id: 'node-writer', role: 'writer', command: () => `node ${quoted(`${examples}node/writer.mjs`)}`, needsPython: false },
  { id: 'node-writer-xml', role: 'writer', command: () => `node ${quoted(`${examples}node/writer.mjs`)} --xml`, needsPython: false },
  { id: 'python-reader', role: 'reader', command: (python) => `${quoted(python)} ${quoted(`${examples}python/reader.py`)}`, needsPython: true },
]

export interface ConnectorDefect {
  name: string
  sample: SampleId
  scenario: ScenarioName
  /** The client requirements it breaks. */
  breaks: string[]
  description: string
}

const defect = (sample: SampleId, scenario: ScenarioName, name: string, breaks: string[], description: string): ConnectorDefect => ({
  name,
  sample,
  scenario,
  breaks,
  description,
})

export const connectorDefects: readonly ConnectorDefect[] = [
  defect('node-reader', 'restart', 'restart-from-first', ['CLIENT-MARK-CHECKPOINT'], 'Ignores its saved mark and reads from the first record on every run'),
  defect('node-reader', 'steady', 'repost-first-mark', ['CLIENT-MARK-NEXT'], "Posts the first page's mark again and again instead of each new one"),
  defect(
    'node-reader',
    'steady',
    'stop-at-short-page',
    ['CLIENT-READ-TO-EMPTY-PAGE'],
    'Takes a page shorter than count for the end and stops before the empty page',
  ),
  defect('node-reader', 'steady', 'own-mark', ['CLIENT-MARK-AS-RETURNED'], 'Builds its own mark (a base64 position) instead of posting the one returned'),
  defect('node-reader', 'steady', 'mark-url-encoded', ['CLIENT-MARK-AS-RETURNED'], 'URL-encodes the mark before posting it'),
  defect('node-reader', 'steady', 'mark-unquoted', ['CLIENT-BODY-WELL-FORMED', 'CLIENT-MARK-AS-RETURNED'], 'Posts the JSON mark without its quotes: not JSON'),
  defect('node-reader', 'steady', 'count-not-a-number', ['CLIENT-READ-PARAMS'], 'Asks for count=all'),
  defect(
    'node-reader',
    'server-errors',
    'error-restarts-from-first',
    ['CLIENT-MARK-NEXT'],
    'After a 500 starts again from the first record instead of posting the same mark',
  ),
  defect('node-reader', 'server-errors', 'retry-tight-loop', ['CLIENT-RETRY-PAUSE'], 'Retries a 500 at once, in a tight loop'),
  defect('node-reader', 'server-errors', 'retry-without-growth', ['CLIENT-RETRY-BACKOFF'], 'Retries a 500 every 300 ms, never waiting longer'),
  defect('node-reader', 'server-errors', 'gives-up-on-500', ['CLIENT-SURVIVE', 'CLIENT-READ-TO-EMPTY-PAGE'], 'Ends its run with an error at the first 500'),
  defect('node-reader', 'slow', 'short-timeout', ['CLIENT-TIMEOUT'], 'Gives up on an answer after 400 ms'),
  defect('node-reader', 'auth', 'no-ntlm', ['CLIENT-AUTH-NTLM'], 'Cannot authenticate with NTLM: a server offering only NTLM cannot be used'),
  defect(
    'node-reader',
    'auth',
    'falls-back-to-basic',
    ['CLIENT-AUTH-OFFERED-SCHEME'],
    'Sends Basic credentials, the password in the clear, to a server that offers only NTLM',
  ),
  defect('node-reader', 'auth', 'ignores-stale', ['CLIENT-AUTH-STALE'], 'Answers a 401 with stale=true with the old nonce again, and gives up'),
  defect(
    'python-reader',
    'cut-connections',
    'skips-cut-page',
    ['CLIENT-MARK-NEXT'],
    'Reads the next mark out of a cut XML page (it comes first) and goes on, skipping that page',
  ),
  defect('python-reader', 'steady', 'mark-without-namespace', ['CLIENT-XML-NAMESPACE'], 'Posts <ContinuationMark> without the documented namespace'),
  defect('node-writer', 'steady', 'batches-of-5000', ['CLIENT-BATCH-1000'], 'Writes up to 5,000 records a request'),
  defect('node-writer', 'busy-archive', 'drops-batch-on-503', ['CLIENT-WRITE-RESEND'], 'Drops a batch the server answered 503'),
  defect('node-writer', 'busy-archive', 'duplicates-after-retry', ['CLIENT-WRITE-ONCE'], 'Sends a batch once more after its retry was answered 200'),
  defect('node-writer', 'busy-archive', 'writes-in-tight-loop', ['CLIENT-RETRY-PAUSE'], 'Retries a 503 at once, in a tight loop'),
  defect('node-writer', 'busy-archive', 'gives-up-on-503', ['CLIENT-SURVIVE'], 'Ends its run with an error at the first 503'),
  defect('node-writer', 'restart', 'resends-after-restart', ['CLIENT-WRITE-ONCE'], 'Forgets what was written: a restarted run sends every event again'),
  defect('node-writer', 'cut-connections', 'drops-unanswered-write', ['CLIENT-WRITE-RESEND'], 'Takes a write whose connection was lost for written'),
  defect('node-writer', 'steady', 'sends-rid', ['CLIENT-WRITE-OUTPUT-ONLY'], 'Sends a RID with each record'),
  defect('node-writer', 'steady', 'sends-detail-message', ['CLIENT-WRITE-OUTPUT-ONLY'], 'Sends a Message in each Detail'),
  defect('node-writer', 'steady', 'sends-audited-system', ['CLIENT-WRITE-9-NAMES'], 'Sends the pre-9.0 AuditedSystem'),
  defect('node-writer', 'steady', 'when-without-offset', ['CLIENT-WRITE-WHEN-ZONE'], 'Writes When without Z or an offset'),
  defect('node-writer', 'steady', 'misses-objecttype', ['CLIENT-WRITE-INPUT-SCHEMA'], 'Leaves out the mandatory ObjectType'),
  defect('node-writer', 'steady', 'writes-empty-batch', ['CLIENT-WRITE-INPUT-SCHEMA'], 'Sends an empty write when nothing is new'),
  defect('node-writer', 'steady', 'json-without-format', ['CLIENT-JSON-FORMAT-QUERY'], 'Posts JSON without ?format=json'),
  defect('node-writer', 'steady', 'trailing-commas', ['CLIENT-JSON-NO-TRAILING-COMMA'], 'Leaves a trailing comma in its JSON list'),
  defect('node-writer-xml', 'steady', 'xml-unescaped', ['CLIENT-BODY-WELL-FORMED'], 'Writes & and < into XML text without their entities'),
]

export function sampleById(id: SampleId): SampleConnector {
  const found = sampleConnectors.find((sample) => sample.id === id)
  if (found === undefined) throw new Error(`no sample connector ${id}`)
  return found
}
