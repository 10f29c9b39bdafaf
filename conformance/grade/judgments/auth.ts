/** How a connector authenticates (api/endpoints.md): at all, with NTLM when that is all the server offers, only with offered schemes, and again after stale=true. */
import { type GradeExchange, type GradeSession, isAuthorized } from '../../../openapi/grade-session.ts'
import { failed, type Judgment, notApplicable, passed, unjudged } from '../types.ts'
import { describeExchange, listed, seqs } from '../view.ts'

const apiRequests = (session: GradeSession) => session.exchanges.filter((exchange) => exchange.operation !== undefined)

const authenticated: Judgment = {
  id: 'auth.authenticated',
  title: 'The connector authenticates with a scheme the server offers and gets past the 401',
  level: 'MUST',
  requirements: ['CLIENT-AUTHENTICATE'],
  family: 'auth',
  judge(session) {
    const requests = apiRequests(session)
    if (requests.length === 0) return unjudged('the connector sent no request to the API in this scenario')
    const through = requests.filter(isAuthorized)
    if (through.length > 0) {
      const how = [...new Set(through.map((exchange) => `${exchange.account} (${exchange.scheme})`))]
      return passed(`${through.length} of ${requests.length} requests authenticated, as ${listed(how)}`, seqs(through.slice(0, 3)))
    }
    const offered = [...new Set(requests.flatMap((exchange) => exchange.challenge?.schemes ?? []))]
    return failed(
      `none of the connector's ${requests.length} requests got past authentication: every one was answered 401 (the server offered ${offered.join(', ') || 'no scheme'})`,
      seqs(requests.slice(0, 10)),
    )
  },
}

/** The 401s of a server that offered NTLM and nothing else (not the CHALLENGE leg of a handshake, which names NTLM alone too). */
const ntlmOnlyChallenges = (session: GradeSession) =>
  session.exchanges.filter(
    (exchange) =>
      exchange.challenge !== undefined &&
      !exchange.challenge.continuation &&
      exchange.challenge.schemes.length === 1 &&
      exchange.challenge.schemes[0] === 'NTLM',
  )

const ntlm: Judgment = {
  id: 'auth.ntlm',
  title: 'A server that offers NTLM only (the recommended scheme) is still read and written',
  level: 'SHOULD',
  requirements: ['CLIENT-AUTH-NTLM'],
  decision: 'D63',
  family: 'auth',
  judge(session) {
    const challenges = ntlmOnlyChallenges(session)
    if (challenges.length === 0) return notApplicable('the server never offered NTLM alone in this scenario')
    const withNtlm = session.exchanges.filter((exchange) => isAuthorized(exchange) && exchange.scheme === 'NTLM')
    if (withNtlm.length > 0) return passed(`${withNtlm.length} requests authenticated with NTLM when the server offered only NTLM`, seqs(withNtlm.slice(0, 3)))
    const schemes = [
      ...new Set(session.exchanges.filter((exchange) => exchange.phase === challenges[0]?.phase).map((exchange) => exchange.authScheme ?? 'none')),
    ]
    return failed(
      `the server offered only NTLM and the connector never authenticated with it (it sent ${schemes.join(', ')}): a server with NTLM alone cannot be used`,
      seqs(challenges.slice(0, 10)),
    )
  },
}

/** The challenge in force for a request: the last one the server sent before it, else the first one after it. */
function challengeFor(exchange: GradeExchange, challenges: readonly GradeExchange[]): GradeExchange | undefined {
  const before = challenges.filter((challenge) => challenge.atMs + challenge.durationMs <= exchange.atMs)
  return before[before.length - 1] ?? challenges.find((challenge) => challenge.atMs >= exchange.atMs)
}

const offeredScheme: Judgment = {
  id: 'auth.offered-scheme',
  title: 'Credentials go only in a scheme the server offered: never Basic to a server that does not offer it',
  level: 'SHOULD',
  requirements: ['CLIENT-AUTH-OFFERED-SCHEME'],
  decision: 'D63',
  family: 'auth',
  judge(session) {
    const challenges = session.exchanges.filter((exchange) => exchange.challenge !== undefined && exchange.challenge.schemes.length > 0)
    const credentialed = session.exchanges.filter((exchange) => exchange.authScheme !== undefined)
    if (credentialed.length === 0) return unjudged('the connector sent no credentials in this scenario')
    if (challenges.length === 0) return notApplicable('the server never challenged the connector, so what it offered was not shown')
    const stray = credentialed.flatMap((exchange) => {
      const challenge = challengeFor(exchange, challenges)
      const offered = challenge?.challenge?.schemes ?? []
      return offered.some((scheme) => scheme.toLowerCase() === exchange.authScheme?.toLowerCase()) ? [] : [{ exchange, challenge, offered }]
    })
    if (stray.length === 0) return passed(`every one of ${credentialed.length} credentialed requests used a scheme the server offered`)
    return failed(
      `${stray.length} requests carried ${[...new Set(stray.map((item) => item.exchange.authScheme))].join(', ')} credentials the server did not offer (it offered ${listed([...new Set(stray.flatMap((item) => item.offered))])}): ${listed(stray.map((item) => describeExchange(item.exchange)))}`,
      [...new Set(stray.flatMap((item) => [item.exchange.seq, ...(item.challenge === undefined ? [] : [item.challenge.seq])]))].slice(0, 20),
    )
  },
}

/** How many of its next requests a connector has, after stale=true, to be authenticated again. */
const STALE_GRACE = 3

const stale: Judgment = {
  id: 'auth.stale',
  title: 'After a Digest 401 with stale=true the connector answers the new challenge and goes on',
  level: 'SHOULD',
  requirements: ['CLIENT-AUTH-STALE'],
  decision: 'D63',
  family: 'auth',
  judge(session) {
    const staleAnswers = session.exchanges.filter((exchange) => exchange.challenge?.stale === true)
    if (staleAnswers.length === 0) return notApplicable('no Digest nonce of the connector expired in this scenario (no 401 said stale=true)')
    const problems = staleAnswers.flatMap((answer) => {
      const after = session.exchanges
        .filter((exchange) => exchange.launch === answer.launch && exchange.atMs >= answer.atMs + answer.durationMs)
        .slice(0, STALE_GRACE)
      if (after.length === 0) return [{ answer, why: 'the connector sent nothing more: it gave up', after }]
      if (after.some((exchange) => isAuthorized(exchange) && exchange.scheme === 'Digest')) return []
      return [{ answer, why: `its next ${after.length} requests were not authenticated (${listed(after.map(describeExchange))})`, after }]
    })
    if (problems.length === 0)
      return passed(
        `after each of ${staleAnswers.length} stale=true answers the connector authenticated again with the new nonce`,
        seqs(staleAnswers.slice(0, 3)),
      )
    return failed(
      `after ${problems.length} of ${staleAnswers.length} stale=true answers the connector did not re-authenticate: ${listed(
        problems.map((problem) => `after ${describeExchange(problem.answer)}, ${problem.why}`),
        3,
      )}`,
      problems.flatMap((problem) => [problem.answer.seq, ...seqs(problem.after)]).slice(0, 20),
    )
  },
}

export const authJudgments: Judgment[] = [authenticated, ntlm, offeredScheme, stale]
