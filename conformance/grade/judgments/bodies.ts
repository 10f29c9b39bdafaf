/**
 * What every body a connector posts must be (api/postdata/overview.md, api/writeactivityrecords.md): JSON only with
 * ?format=json, no trailing comma, well-formed, XML in the documented namespace.
 */
import type { GradeExchange, GradeSession } from '../../../openapi/grade-session.ts'
import { readBodyText, recordsNamespace, syntaxOf, trailingCommaAt } from '../bodies.ts'
import { type Judgment, type JudgmentVerdict, notApplicable } from '../types.ts'
import { judgeEach } from '../view.ts'

/** The requests whose body the server read: what the connector posted. */
const withBodies = (session: GradeSession) => session.exchanges.filter((exchange) => exchange.body !== undefined && exchange.operation !== undefined)

/** Judges each body (of those `which` picks); a finding is a line for the message, or undefined when the body is fine. */
function bodyJudgment(
  session: GradeSession,
  what: { fine: string; which?: (exchange: GradeExchange) => boolean; none?: string },
  finding: (exchange: GradeExchange) => string | undefined,
): JudgmentVerdict {
  return judgeEach(
    withBodies(session).filter(what.which ?? (() => true)),
    {
      none: notApplicable(what.none ?? 'the connector posted no body in this scenario'),
      fine: (total) => `all ${total} bodies ${what.fine}`,
      wrong: (count, total) => `${count} of ${total} bodies break the rule`,
    },
    finding,
  )
}

const formatQuery: Judgment = {
  id: 'body.format-query',
  title: 'A JSON body goes with ?format=json, and an XML body without it',
  level: 'MUST',
  requirements: ['CLIENT-JSON-FORMAT-QUERY'],
  family: 'body',
  judge: (session) =>
    bodyJudgment(session, { fine: 'match their ?format' }, (exchange) => {
      const syntax = syntaxOf(exchange.body?.text ?? '')
      if (syntax === 'json' && exchange.format !== 'json') return 'a JSON body without ?format=json: the server reads it as XML and refuses it'
      if (syntax === 'xml' && exchange.format === 'json') return 'an XML body with ?format=json: the server reads it as JSON'
      return undefined
    }),
}

const trailingComma: Judgment = {
  id: 'body.trailing-comma',
  title: 'No JSON body has a trailing comma',
  level: 'MUST',
  requirements: ['CLIENT-JSON-NO-TRAILING-COMMA'],
  family: 'body',
  judge: (session) =>
    bodyJudgment(session, { fine: 'have no trailing comma' }, (exchange) => {
      const text = exchange.body?.text ?? ''
      if (syntaxOf(text) !== 'json') return undefined
      const at = trailingCommaAt(text)
      return at === undefined ? undefined : `a comma before a closing bracket at character ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 30), at + 10))}`
    }),
}

/** The server's own word that a body did not parse: an XMLError, or the empty 500 of corrupt JSON (api/errordetails.md). */
const refusedAsMalformed = (exchange: GradeExchange): boolean =>
  (exchange.status === 400 && exchange.notes.some((note) => note.startsWith('XMLError'))) ||
  (exchange.format === 'json' && exchange.status === 500 && exchange.responseBody.bytes === 0)

const wellFormed: Judgment = {
  id: 'body.well-formed',
  title: 'Every body is well-formed XML (the five characters escaped) or valid JSON',
  level: 'MUST',
  requirements: ['CLIENT-BODY-WELL-FORMED'],
  family: 'body',
  judge: (session) =>
    bodyJudgment(session, { fine: 'are well-formed' }, (exchange) => {
      const body = exchange.body
      if (body === undefined) return undefined
      // A trailing comma is its own rule (body.trailing-comma); judged twice it would be reported twice.
      if (syntaxOf(body.text) === 'json' && trailingCommaAt(body.text) !== undefined) return undefined
      const read = readBodyText(body)
      if (read.kind === 'malformed')
        return body.bytes === 0 ? 'an empty body' : `not well-formed ${read.syntax === 'other' ? 'XML or JSON' : read.syntax.toUpperCase()}: ${read.message}`
      if (read.kind === 'partial' && refusedAsMalformed(exchange))
        return `the server could not parse it (${exchange.notes[0] ?? `${exchange.status} with an empty body`})`
      return undefined
    }),
}

const namespace: Judgment = {
  id: 'body.namespace',
  title: `An XML body is in the namespace ${recordsNamespace}`,
  level: 'MUST',
  requirements: ['CLIENT-XML-NAMESPACE'],
  family: 'body',
  judge: (session) =>
    bodyJudgment(
      session,
      {
        fine: `are in ${recordsNamespace}`,
        which: (exchange) => syntaxOf(exchange.body?.text ?? '') === 'xml',
        none: 'the connector posted no XML body in this scenario',
      },
      (exchange) => {
        const read = readBodyText(exchange.body ?? { text: '', bytes: 0, kept: 'whole' })
        if (read.kind !== 'xml' || read.root.namespace === recordsNamespace) return undefined
        return `<${read.root.qualifiedName}> is in ${read.root.namespace === '' ? 'no namespace' : read.root.namespace}`
      },
    ),
}

export const bodyJudgments: Judgment[] = [formatQuery, trailingComma, wellFormed, namespace]
