/**
 * The inspector page on the control endpoints (docs/inspector.md): GET /nwa/ serves a page, its stylesheet and script
 * (files beside this one, served as they are), GET /nwa/events the live journal, GET /nwa/requests/ID one exchange,
 * and POST /nwa/login and /nwa/logout the sign-in a browser needs when a token is in force (session.ts). Every answer
 * carries a Content-Security-Policy that allows nothing but this origin's own script and style, and requires Trusted
 * Types, so no text a client sent can become markup or script on the page.
 */
import { readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import { sameSecret } from '../control-access.ts'
import { readBody } from '../http/body.ts'
import type { RequestJournal } from '../request-journal.ts'
import type { MockResponse } from '../responses.ts'
import { clearedSessionCookie, sessionCookie } from './session.ts'
import type { EventStreams } from './stream.ts'

export const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'"

/**
 * Headers every inspector answer carries: no framing, no sniffing, no caching of what a client sent, and no referrer
 * to other sites (same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the page's own
 * forms and fetches, which the control endpoints refuse as a request from another site).
 */
export const pageHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
}

const asset = (name: string) => readFileSync(new URL(`assets/${name}`, import.meta.url), 'utf8')
const assets = {
  page: asset('inspector.html'),
  css: asset('inspector.css'),
  js: asset('inspector.js'),
  icon: asset('inspector.svg'),
}

const answer = (status: number, type: string, body: string, extra: Record<string, string> = {}): MockResponse => ({
  status,
  headers: { ...pageHeaders, 'content-type': `${type}; charset=utf-8`, ...extra },
  body,
})

const json = (status: number, value: unknown) => answer(status, 'application/json', JSON.stringify(value))

/** Why the sign-in form is shown: fixed sentences, so the form holds no text from any request. */
const signInReasons = {
  needed: 'This mock listens beyond loopback: its control endpoints and this page need the control token.',
  wrong: 'That is not the control token in force. The mock printed it at start, or it is the one given with --control-token or NWA_CONTROL_TOKEN.',
} as const

/** The sign-in form, as the answer to a browser that has no sign-in (status 401). */
export function signInPage(reason: keyof typeof signInReasons = 'needed'): MockResponse {
  const body = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>nwa mock inspector: sign in</title><link rel="icon" href="/nwa/inspector.svg"><link rel="stylesheet" href="/nwa/inspector.css"></head>
<body><main class="signin panel"><h1>nwa mock inspector</h1><p>${signInReasons[reason]}</p>
<form method="post" action="/nwa/login"><label>control token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button></form></main></body></html>
`
  return answer(401, 'text/html', body)
}

export interface InspectorDeps {
  journal: RequestJournal
  streams: EventStreams
  /** The control token in force, when there is one. */
  token: string | undefined
  /** Real time, for the sign-in cookie's expiry. */
  now: () => number
}

export type InspectorRoutes = Record<string, { does: string; handle: (req: IncomingMessage) => Promise<MockResponse> }>

export function createInspectorRoutes(deps: InspectorDeps): InspectorRoutes {
  const secure = (req: IncomingMessage) => (req.socket as TLSSocket).encrypted === true
  return {
    'GET /nwa': { does: 'the inspector page (docs/inspector.md)', handle: async () => answer(200, 'text/html', assets.page) },
    'GET /nwa/inspector.css': { does: "the inspector page's stylesheet", handle: async () => answer(200, 'text/css', assets.css) },
    'GET /nwa/inspector.js': { does: "the inspector page's script", handle: async () => answer(200, 'text/javascript', assets.js) },
    'GET /nwa/inspector.svg': { does: "the inspector page's icon", handle: async () => answer(200, 'image/svg+xml', assets.icon) },
    'GET /nwa/events': {
      does: 'the journal as it grows, the state and the grade, as server-sent events',
      handle: async (req) => {
        const lastEventId = req.headers['last-event-id']
        return withPageHeaders(deps.streams.open(typeof lastEventId === 'string' ? lastEventId : undefined))
      },
    },
    'POST /nwa/login': {
      does: "the inspector's sign-in form: token=<control token>",
      handle: async (req) => {
        if (deps.token === undefined) return seeOther('/nwa/')
        const body = await readBody(req, 4096)
        const token = body.ok ? new URLSearchParams(body.body.toString('utf8')).get('token') : null
        if (token === null || !sameSecret(token, deps.token))
          return { ...signInPage('wrong'), notes: ['the sign-in form was sent without the control token in force'] }
        return seeOther('/nwa/', { 'set-cookie': sessionCookie(deps.token, deps.now(), secure(req)) })
      },
    },
    'POST /nwa/logout': {
      does: 'signs the browser out',
      handle: async (req) => seeOther('/nwa/', { 'set-cookie': clearedSessionCookie(secure(req)) }),
    },
  }
}

/** GET /nwa/requests/ID: one entry and the excerpt of its exchange, or 404 once the journal has dropped it. */
export function exchangeAnswer(journal: RequestJournal, id: number): MockResponse {
  const found = journal.exchange(id)
  if (found === undefined) {
    return json(404, { errors: [`request ${id} is not in the journal: it keeps the newest entries only (--journal-entries, --journal-bytes)`] })
  }
  return json(200, found)
}

function withPageHeaders(response: MockResponse): MockResponse {
  return { ...response, headers: { ...pageHeaders, ...response.headers } }
}

function seeOther(location: string, extra: Record<string, string> = {}): MockResponse {
  return { status: 303, headers: { ...pageHeaders, location, ...extra }, body: '' }
}
