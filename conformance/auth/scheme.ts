import type { OutgoingRequest } from '../http.ts'
import type { Challenge } from './challenge.ts'

export interface Credentials {
  user: string
  password: string
}

/**
 * Scratch space that lives as long as one connection (one account's keep-alive socket): a Digest
 * nonce and its count, the scheme `auto` settled on. Each keeps its own slot.
 */
export class ConnectionState {
  readonly #slots = new Map<string, unknown>()

  slot<T>(key: string, create: () => T): T {
    if (!this.#slots.has(key)) this.#slots.set(key, create())
    // The slot was created by this same call site's `create`, so it has its type.
    return this.#slots.get(key) as T
  }
}

/** What the loop in withAuth knows about the request being authenticated. */
export interface AuthAttempt {
  /** Authorization values already sent for this request (0 on the first challenge of an anonymous send). */
  sent: number
  /** The last one came from authorize() (state cached from an earlier request), not from a challenge to this one. */
  preemptive: boolean
}

type Awaitable<T> = T | Promise<T>

/**
 * A client side of one HTTP authentication scheme. Register an implementation (Negotiate, say)
 * with createSchemeRegistry and both `--auth <name>` and `--auth auto` can use it.
 */
export interface ClientAuthScheme {
  /** As in WWW-Authenticate: 'Digest', 'Basic', 'NTLM', 'Negotiate'. */
  readonly name: string
  /** How much this scheme likes a challenge of its name (higher first), undefined when it cannot answer it. */
  rank?(challenge: Challenge): number | undefined
  /** An Authorization value to send before any challenge (Basic always, Digest once it holds a nonce). */
  authorize?(request: OutgoingRequest, credentials: Credentials, connectionState: ConnectionState): string | undefined
  /** The Authorization answering a 401; undefined gives up and hands the 401 to the caller. */
  respond(
    challenge: Challenge,
    request: OutgoingRequest,
    credentials: Credentials,
    connectionState: ConnectionState,
    attempt: AuthAttempt,
  ): Awaitable<string | undefined>
}

/** Strongest first; `auto` answers with the first of these that the server offers and the client implements. */
export const autoPreference: readonly string[] = ['Negotiate', 'NTLM', 'Digest', 'Basic']

export interface SchemeRegistry {
  get(name: string): ClientAuthScheme | undefined
}

export function createSchemeRegistry(schemes: readonly ClientAuthScheme[]): SchemeRegistry {
  const byName = new Map(schemes.map((scheme) => [scheme.name.toLowerCase(), scheme]))
  return {
    get: (name) => byName.get(name.toLowerCase()),
  }
}

/** The challenge of `scheme` that it ranks highest, if any. */
export function bestChallenge(scheme: ClientAuthScheme, challenges: readonly Challenge[]): Challenge | undefined {
  let best: { challenge: Challenge; rank: number } | undefined
  for (const challenge of challenges) {
    if (challenge.scheme.toLowerCase() !== scheme.name.toLowerCase()) continue
    const rank = scheme.rank ? scheme.rank(challenge) : 0
    if (rank === undefined) continue
    if (best === undefined || rank > best.rank) best = { challenge, rank }
  }
  return best?.challenge
}
