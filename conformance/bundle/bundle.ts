/**
 * Certification bundles (docs/evidence.md, "Bundles"): one ustar archive holding the reports, the full evidence, the
 * contract, the configuration without secrets, a README, and an in-toto Statement v1 about all of them in a DSSE
 * envelope, signed with Ed25519 or left unsigned. The statement is a function of the rest of the archive (the file
 * digests, the report, the archive's time), so verification rebuilds it and compares: with the digests and the strict
 * archive reader, any changed byte fails, and the finding names the file, field or archive region.
 *
 * It reads a report generically, only through `BundleReport`: `nwa check`'s conformance.json, and any report of the same
 * shape, such as a connector's grade, whose `subject` field names what was judged.
 */
import { createHash, type KeyObject } from 'node:crypto'
import { envelope, inTotoPayloadType, keyId, serializeEnvelope, verifyEnvelope, type DsseEnvelope } from './dsse.ts'
import { firstDifferingPath } from '../json-path.ts'
import { packTar, readTar, type TarEntry } from './tar.ts'

export const statementFile = 'statement.dsse.json'
export const readmeFile = 'README.txt'
export const reportFile = 'conformance.json'
export const statementType = 'https://in-toto.io/Statement/v1'
/** The predicate's type: a URN, since the predicate is nwa-kit's own and no address of the project is stable (docs/evidence.md). */
export const predicateType = 'urn:nwa-kit:predicate:conformance-result:v1'

/** What was judged: a server (`nwa check`) or a connector (`nwa grade`). */
export type BundleSubject =
  | { kind: 'target'; url: string; server?: string; certificateSha256?: string }
  | { kind: 'connector'; name: string; version?: string; [field: string]: string | undefined }

/** What a bundle reads of a report: the fields every nwa report has. */
export interface BundleReport {
  verdict: { verdict: string; exitCode: number; summary: string }
  summary: {
    target?: string
    runMarker: string
    startedAt: string
    finishedAt: string
    counts: Record<string, number>
    byLevel: Record<string, Record<string, number>>
  }
  meta: { tool: string; version: string; node: string; contract: { file: string; sha256: string } }
  preflight?: { identity?: { server?: string; certificateSha256?: string } }
  /** A report that judged something other than the target of `summary.target` names it here. */
  subject?: BundleSubject
}

export interface BundlePredicate {
  command: string
  subject: BundleSubject
  verdict: { verdict: string; exitCode: number; summary: string }
  summary: { runMarker: string; startedAt: string; finishedAt: string; counts: Record<string, number>; byLevel: Record<string, Record<string, number>> }
  contract: { file: string; sha256: string }
  tool: { name: string; version: string; node: string }
  /** When the bundle was made, whole seconds, as the archive's file times. */
  time: string
  signed: boolean
}

export interface Statement {
  _type: string
  subject: { name: string; digest: { sha256: string } }[]
  predicateType: string
  predicate: BundlePredicate
}

export interface BundleInput {
  /** The files, conformance.json among them, in archive order; README.txt and the statement are added. */
  files: readonly TarEntry[]
  /** ms since the epoch; the archive keeps whole seconds. */
  time: number
  signingKey?: KeyObject
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

/** A check report judged the server at summary.target, as pre-flight identified it. */
export function subjectOf(report: BundleReport): BundleSubject {
  if (report.subject !== undefined) return report.subject
  const identity = report.preflight?.identity ?? {}
  return {
    kind: 'target',
    url: report.summary.target ?? '(none)',
    ...(identity.server === undefined ? {} : { server: identity.server }),
    ...(identity.certificateSha256 === undefined ? {} : { certificateSha256: identity.certificateSha256 }),
  }
}

/** The command that judges what the report names: a connector is graded, a server checked. */
export function commandOf(report: BundleReport): string {
  return subjectOf(report).kind === 'connector' ? 'nwa grade' : 'nwa check'
}

function predicateOf(report: BundleReport, seconds: number, signed: boolean): BundlePredicate {
  const { verdict, summary, meta } = report
  return {
    command: commandOf(report),
    subject: subjectOf(report),
    verdict: { verdict: verdict.verdict, exitCode: verdict.exitCode, summary: verdict.summary },
    summary: { runMarker: summary.runMarker, startedAt: summary.startedAt, finishedAt: summary.finishedAt, counts: summary.counts, byLevel: summary.byLevel },
    contract: { file: meta.contract.file, sha256: meta.contract.sha256 },
    tool: { name: meta.tool, version: meta.version, node: meta.node },
    time: new Date(seconds * 1000).toISOString(),
    signed,
  }
}

function readme(predicate: BundlePredicate, keyid: string | undefined): string {
  const what = predicate.subject.kind === 'target' ? `the server at ${predicate.subject.url}` : `the connector ${predicate.subject.name}`
  return [
    `Certification bundle of ${predicate.command}, made by ${predicate.tool.name} ${predicate.tool.version} on ${predicate.time}.`,
    `Verdict for ${what}: ${predicate.verdict.verdict} (exit ${predicate.verdict.exitCode}).`,
    '',
    keyid === undefined
      ? 'UNSIGNED: the statement carries no signature, so this bundle shows only that its files agree with each other, not who made it.'
      : `Signed with the Ed25519 key ${keyid} (SHA-256 of its public key).`,
    '',
    `${statementFile} is an in-toto Statement v1 in a DSSE envelope: every other file by SHA-256, and the verdict.`,
    `Check it with: nwa verify BUNDLE --key PUBLIC-KEY.pem`,
    '',
  ].join('\n')
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

/** The report, with the fields a bundle reads present; a report without them is not one nwa wrote. */
function parseReport(content: Buffer | undefined): BundleReport {
  if (content === undefined) throw new Error(`a bundle needs ${reportFile}`)
  const value: unknown = JSON.parse(content.toString('utf8'))
  const report = value as BundleReport
  const fine =
    isObject(value) &&
    isObject(report.verdict) &&
    isObject(report.summary) &&
    isObject(report.meta) &&
    isObject(report.meta.contract) &&
    (report.preflight === undefined || isObject(report.preflight))
  if (!fine) throw new Error('it lacks the verdict, summary or meta of a report')
  return report
}

/** The statement a bundle of these files must carry; the README is part of the files. */
function statementOf(files: readonly TarEntry[], report: BundleReport, seconds: number, signed: boolean): Statement {
  return {
    _type: statementType,
    subject: files.map((file) => ({ name: file.name, digest: { sha256: sha256(file.content) } })),
    predicateType,
    predicate: predicateOf(report, seconds, signed),
  }
}

const serializeStatement = (statement: Statement): Buffer => Buffer.from(JSON.stringify(statement), 'utf8')

export function makeBundle(input: BundleInput): Buffer {
  const seconds = Math.floor(input.time / 1000)
  const report = parseReport(input.files.find((file) => file.name === reportFile)?.content)
  const signed = input.signingKey !== undefined
  const keyid = input.signingKey === undefined ? undefined : keyId(input.signingKey)
  const files: TarEntry[] = [{ name: readmeFile, content: Buffer.from(readme(predicateOf(report, seconds, signed), keyid)) }, ...input.files]
  const body = serializeStatement(statementOf(files, report, seconds, signed))
  const sealed = envelope(body, inTotoPayloadType, input.signingKey)
  return packTar([...files, { name: statementFile, content: Buffer.from(serializeEnvelope(sealed)) }], seconds)
}

export interface Finding {
  ok: boolean
  /** A file name, `archive`, `statement`, `signature` or `verdict`. */
  what: string
  message: string
}

export interface BundleVerification {
  valid: boolean
  /** verified: a signature of the given key checks; present: signed, but no key was given; absent: unsigned. */
  signature: 'verified' | 'present' | 'absent' | 'invalid'
  keyids: string[]
  findings: Finding[]
  predicate?: BundlePredicate
}

function isEnvelope(value: unknown): value is DsseEnvelope {
  const candidate = value as DsseEnvelope | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.payload === 'string' &&
    typeof candidate.payloadType === 'string' &&
    Array.isArray(candidate.signatures) &&
    candidate.signatures.every((signature) => typeof signature?.keyid === 'string' && typeof signature.sig === 'string')
  )
}

/**
 * Checks a bundle: the archive's form, the envelope's form, the signature (with `publicKey`), every file against its
 * digest, and the statement against the one its files imply, the verdict included. The findings say what was checked.
 */
export function verifyBundle(archive: Buffer, publicKey?: KeyObject): BundleVerification {
  const findings: Finding[] = []
  const result = (signature: BundleVerification['signature'], keyids: string[], predicate?: BundlePredicate): BundleVerification => ({
    valid: findings.every((finding) => finding.ok),
    signature,
    keyids,
    findings,
    ...(predicate === undefined ? {} : { predicate }),
  })
  const tar = readTar(archive)
  if (!tar.ok) {
    findings.push({ ok: false, what: 'archive', message: `${tar.problem} (offset ${tar.offset})` })
    return result('absent', [])
  }
  const sealed = tar.entries.find((entry) => entry.name === statementFile)
  const files = tar.entries.filter((entry) => entry.name !== statementFile)
  if (sealed === undefined || tar.entries[tar.entries.length - 1] !== sealed) {
    findings.push({ ok: false, what: 'archive', message: `${statementFile} is not the last file of the archive` })
    return result('absent', [])
  }
  findings.push({ ok: true, what: 'archive', message: `${tar.entries.length} files, in the form nwa-kit writes` })

  let parsed: unknown
  try {
    parsed = JSON.parse(sealed.content.toString('utf8'))
  } catch (error) {
    findings.push({ ok: false, what: statementFile, message: `not JSON: ${(error as Error).message}` })
    return result('absent', [])
  }
  if (!isEnvelope(parsed)) {
    findings.push({ ok: false, what: statementFile, message: 'not a DSSE envelope (payload, payloadType, signatures)' })
    return result('absent', [])
  }
  const keyids = parsed.signatures.map((signature) => signature.keyid)
  if (serializeEnvelope(parsed) !== sealed.content.toString('utf8')) {
    findings.push({ ok: false, what: statementFile, message: 'the envelope is not in the form nwa-kit writes (a field or byte was changed or added)' })
  }
  if (parsed.payloadType !== inTotoPayloadType) {
    findings.push({ ok: false, what: statementFile, message: `payloadType is ${JSON.stringify(parsed.payloadType)}, not ${inTotoPayloadType}` })
  }
  // Node's base64 decoder skips what it does not know and the unused bits of a last character, so only the canonical
  // spelling is accepted: otherwise a changed character could decode to the same bytes.
  const canonical64 = (text: string): boolean => Buffer.from(text, 'base64').toString('base64') === text
  const body = Buffer.from(parsed.payload, 'base64')
  if (!canonical64(parsed.payload)) findings.push({ ok: false, what: statementFile, message: 'the payload is not canonical base64' })
  if (!parsed.signatures.every((signature) => canonical64(signature.sig))) {
    findings.push({ ok: false, what: statementFile, message: 'a signature is not canonical base64' })
  }

  let signature: BundleVerification['signature'] = parsed.signatures.length === 0 ? 'absent' : 'present'
  if (publicKey !== undefined) {
    const checked = verifyEnvelope(parsed, publicKey)
    signature = checked.ok ? 'verified' : 'invalid'
    findings.push(
      checked.ok ? { ok: true, what: 'signature', message: `Ed25519, key ${keyId(publicKey)}` } : { ok: false, what: 'signature', message: checked.problem },
    )
  }

  let statement: Statement
  try {
    statement = JSON.parse(body.toString('utf8')) as Statement
  } catch (error) {
    findings.push({ ok: false, what: 'statement', message: `the payload is not JSON: ${(error as Error).message}` })
    return result(signature, keyids)
  }
  if (
    !isObject(statement) ||
    statement._type !== statementType ||
    statement.predicateType !== predicateType ||
    !Array.isArray(statement.subject) ||
    !statement.subject.every((subject) => isObject(subject) && typeof subject.name === 'string' && isObject(subject.digest)) ||
    !isObject(statement.predicate)
  ) {
    findings.push({ ok: false, what: 'statement', message: `not an in-toto Statement v1 with predicate ${predicateType}` })
    return result(signature, keyids)
  }

  // Every file against the digest the statement gives it, and no file without one.
  const digests = new Map(statement.subject.map((subject) => [subject.name, subject.digest?.sha256]))
  for (const file of files) {
    const expected = digests.get(file.name)
    if (expected === undefined) findings.push({ ok: false, what: file.name, message: 'in the archive, but not in the statement' })
    else if (expected !== sha256(file.content))
      findings.push({ ok: false, what: file.name, message: 'its SHA-256 differs from the statement: the file was changed' })
    else findings.push({ ok: true, what: file.name, message: 'SHA-256 matches the statement' })
  }
  for (const name of digests.keys()) {
    if (!files.some((file) => file.name === name)) findings.push({ ok: false, what: name, message: 'in the statement, but not in the archive' })
  }

  let report: BundleReport
  try {
    report = parseReport(files.find((file) => file.name === reportFile)?.content)
  } catch (error) {
    findings.push({ ok: false, what: reportFile, message: `cannot be read: ${(error as Error).message}` })
    return result(signature, keyids, statement.predicate)
  }
  const implied = statementOf(files, report, tar.mtime, parsed.signatures.length > 0)
  const verdictPath = firstDifferingPath(statement.predicate.verdict, implied.predicate.verdict)
  findings.push(
    verdictPath === undefined
      ? { ok: true, what: 'verdict', message: `the statement's ${implied.predicate.verdict.verdict} matches ${reportFile}` }
      : { ok: false, what: 'verdict', message: `the statement's verdict differs from ${reportFile}'s at ${verdictPath}` },
  )
  const contract = files.find((file) => file.name.startsWith('contract/'))
  if (contract !== undefined && sha256(contract.content) !== report.meta.contract.sha256) {
    findings.push({ ok: false, what: contract.name, message: `its SHA-256 is not the contract hash ${reportFile} names` })
  }
  const path = firstDifferingPath(statement, implied)
  if (path !== undefined) findings.push({ ok: false, what: 'statement', message: `${path} is not what the bundle's files imply` })
  else if (!serializeStatement(implied).equals(body)) findings.push({ ok: false, what: 'statement', message: 'its bytes are not in the form nwa-kit writes' })
  return result(signature, keyids, statement.predicate)
}
