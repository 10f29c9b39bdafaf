/**
 * The request target as the pipeline reads it: its path, the first value of each query parameter, and the
 * whole URL when a stage needs more. A target of plain characters (the form every client of the API sends)
 * is split by hand, because WHATWG URL parsing cost more than any stage of a small request; anything else
 * (escapes in the path, dot segments, an absolute-form target, other characters) goes through `URL`, so the
 * two readings never differ (target.test.ts compares them).
 */
export interface RequestTarget {
  /** The URL path, as `URL.pathname` gives it. */
  readonly path: string
  /** First value of each query parameter, decoded as `URLSearchParams` decodes it. */
  readonly query: Readonly<Record<string, string>>
  /** The whole target as a URL (made on first use). */
  readonly url: URL
}

const base = 'http://mock.invalid'

/**
 * A path of letters, digits, `_`, `-` and `/` that does not start with `//` (which URL would read as a host),
 * then an optional query of characters URL leaves as they are.
 */
const plainTarget = /^(\/(?!\/)[\w\-/]*)(?:\?([\w\-.~=&%+]*))?$/

export function readTarget(target: string): RequestTarget | undefined {
  const plain = plainTarget.exec(target)
  if (plain) return new PlainTarget(plain[1] as string, readPlainQuery(plain[2] ?? ''), target)
  let url: URL
  try {
    url = new URL(target, base)
  } catch {
    return undefined
  }
  return { path: url.pathname, query: firstValues(url.searchParams), url }
}

/** A class rather than an object literal with a getter, which V8 builds several times slower. */
class PlainTarget implements RequestTarget {
  #url: URL | undefined

  constructor(
    readonly path: string,
    readonly query: Readonly<Record<string, string>>,
    private readonly text: string,
  ) {}

  get url(): URL {
    this.#url ??= new URL(this.text, base)
    return this.#url
  }
}

/**
 * A query without escapes or '+' split by hand, as URLSearchParams would split it (empty pairs skipped, a name
 * without '=' has the empty value); one with them goes to URLSearchParams, which decodes them.
 */
function readPlainQuery(search: string): Record<string, string> {
  if (search.includes('%') || search.includes('+')) return firstValues(new URLSearchParams(search))
  const query: Record<string, string> = Object.create(null)
  for (const pair of search.split('&')) {
    if (pair === '') continue
    const equals = pair.indexOf('=')
    const key = equals < 0 ? pair : pair.slice(0, equals)
    if (!(key in query)) query[key] = equals < 0 ? '' : pair.slice(equals + 1)
  }
  return query
}

/** A repeated parameter counts by its first value; later ones are ignored, like unknown parameters. */
function firstValues(params: URLSearchParams): Record<string, string> {
  // No prototype, so a parameter named like an Object property (constructor, __proto__) is read as any other.
  const query: Record<string, string> = Object.create(null)
  for (const [key, value] of params) if (!(key in query)) query[key] = value
  return query
}
