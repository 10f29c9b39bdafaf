import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { shellQuote, toCurl, type CurlOptions } from './curl.ts'
import type { Exchange } from './types.ts'

const url = 'https://nwa.example:9699/netwrix/api/v1/activity_records/?format=json'

function exchange(request: Partial<Exchange['request']> = {}): Exchange {
  return {
    request: { method: 'POST', url, headers: { 'Content-Type': 'application/json' }, ...request },
    response: { status: 200, headers: {}, body: '' },
    durationMs: 1,
  }
}

/**
 * Runs the command in a POSIX shell with `curl` replaced by a function that prints its arguments
 * and its stdin, so the test sees exactly what curl would receive.
 */
function runInShell(command: string, env: Record<string, string> = {}): { args: string[]; stdin: string } {
  const script = `curl() { for a in "$@"; do printf '%s\\0' "$a"; done; printf 'STDIN\\0'; cat; }\n${command}\n`
  const output = execFileSync('sh', ['-c', script], { input: '', env: { PATH: process.env['PATH'] ?? '', ...env } })
  const marker = output.indexOf('STDIN\0')
  const args = output.subarray(0, marker).toString('utf8').split('\0').slice(0, -1)
  return { args, stdin: output.subarray(marker + 'STDIN\0'.length).toString('utf8') }
}

/** The body curl would send: the --data-binary word, or stdin for @-. */
function sentBody(run: { args: string[]; stdin: string }): string | undefined {
  const at = run.args.indexOf('--data-binary')
  if (at < 0) return undefined
  const value = run.args[at + 1]!
  return value === '@-' ? run.stdin : value
}

const awkwardBodies: Record<string, string> = {
  'single and double quotes': `[{"Who":"O'Brien \\"the admin\\"","What":"it's"}]`,
  backslashes: String.raw`[{"Who":"ENTERPRISE\\Administrator","Where":"\\\\server\\share\\"}]`,
  'newlines with a trailing newline': '<ActivityRecordList>\n  <ActivityRecord/>\n</ActivityRecordList>\n',
  'newlines without a trailing newline': 'line one\nline two',
  'a line that is the heredoc delimiter': 'a\nNWA_BODY\nb\n',
  'a NUL byte and a tab': 'before\u0000after\tend',
  'a leading @ (curl would read a file)': '@/etc/passwd',
  'a leading dash and percent signs': '-n 100% \\n %s',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${PATH} is the shell expansion curl must not see
  'shell metacharacters': '$(touch /tmp/nwa-pwned) `id` $HOME ${PATH} ; | & > <',
  'non-ASCII text': 'Größe — 日本語 ✓',
}

describe('toCurl', () => {
  for (const [name, body] of Object.entries(awkwardBodies)) {
    it(`reproduces a body with ${name} byte for byte`, () => {
      const command = toCurl(exchange({ body }))
      expect(sentBody(runInShell(command))).toBe(body)
    })
  }

  it('uses a heredoc for a multi-line body that ends in a newline and inline quoting for a one-line body', () => {
    expect(toCurl(exchange({ body: 'a\nb\n' }))).toContain("--data-binary @- <<'NWA_BODY'\na\nb\nNWA_BODY")
    expect(toCurl(exchange({ body: '{"a":1}' }))).toContain(`--data-binary '{"a":1}'`)
  })

  it('passes method, URL and headers, dropping Authorization, Content-Length and Host', () => {
    const command = toCurl(
      exchange({
        method: 'PUT',
        body: '<x/>',
        headers: { Authorization: 'Basic ***', 'Content-Length': '4', Host: 'nwa.example', 'Content-Type': 'application/xml; charset=utf-8', 'X-Odd': "it's" },
      }),
    )
    const { args } = runInShell(command)
    expect(args.slice(0, 4)).toEqual(['-i', '-X', 'PUT', '-H'])
    expect(args.filter((_, i) => args[i - 1] === '-H')).toEqual(['Content-Type: application/xml; charset=utf-8', "X-Odd: it's"])
    expect(args).toContain(url)
    expect(command).not.toMatch(/Authorization|Content-Length|Host:/i)
  })

  it('clears the form Content-Type curl would otherwise add when the request sent none', () => {
    const { args } = runInShell(toCurl(exchange({ headers: {}, body: 'x' })))
    expect(args).toContain('Content-Type:')
  })

  it('leaves -X out where curl infers the method and keeps it where it does not', () => {
    expect(runInShell(toCurl(exchange({ method: 'GET', headers: {} }))).args).toEqual(['-i', url])
    expect(runInShell(toCurl(exchange({ body: 'x' }))).args).not.toContain('-X')
    expect(runInShell(toCurl(exchange({ method: 'POST', headers: {} }))).args.slice(1, 3)).toEqual(['-X', 'POST'])
  })

  it('takes the password from an environment variable, never from the evidence', () => {
    const user = `ENTERPRISE\\O'Neil`
    const options: CurlOptions = { user, passwordVar: 'NWA_ADMIN_PASSWORD' }
    const command = toCurl(exchange({ headers: { Authorization: 'Basic ***' } }), options)
    expect(command).toContain(`"$NWA_ADMIN_PASSWORD"`)
    const { args } = runInShell(command, { NWA_ADMIN_PASSWORD: `pa$$ "w'rd` })
    expect(args[args.indexOf('-u') + 1]).toBe(`${user}:pa$$ "w'rd`)
    expect(runInShell(toCurl(exchange(), { user: 'u' }), { NWA_PASSWORD: 'p' }).args).toContain('u:p')
  })

  it('picks --digest / --ntlm / --anyauth from the scheme the leg used, or else from the run mode', () => {
    const flags = (headers: Record<string, string>, options: CurlOptions) => {
      const { args } = runInShell(toCurl(exchange({ headers }), { user: 'u', ...options }))
      return args.filter((a) => ['--digest', '--ntlm', '--negotiate', '--anyauth', '--basic'].includes(a))
    }
    expect(flags({ Authorization: 'Digest ***' }, { auth: 'auto' })).toEqual(['--digest'])
    expect(flags({ Authorization: 'NTLM ***' }, {})).toEqual(['--ntlm'])
    expect(flags({ Authorization: 'Basic ***' }, { auth: 'digest' })).toEqual([])
    expect(flags({}, { auth: 'digest' })).toEqual(['--digest'])
    expect(flags({}, { auth: 'auto' })).toEqual(['--anyauth'])
    expect(flags({}, {})).toEqual([])
  })

  it('adds --insecure and --cacert only when the run used them, and no -u for an anonymous request', () => {
    const plain = runInShell(toCurl(exchange())).args
    expect(plain).not.toContain('--insecure')
    expect(plain).not.toContain('-u')
    const tls = runInShell(toCurl(exchange(), { insecure: true, caFile: "/tmp/it's ca.pem" })).args
    expect(tls).toContain('--insecure')
    expect(tls[tls.indexOf('--cacert') + 1]).toBe("/tmp/it's ca.pem")
  })
})

describe('shellQuote', () => {
  it('round-trips through the shell', () => {
    const text = `a'b"c\\d$e\`f\ng`
    expect(runInShell(`curl ${shellQuote(text)}`).args).toEqual([text])
  })
})

describe('toCurl with a body kept out of the report', () => {
  it('reads the body from the named file instead of spelling it out', () => {
    const { args } = runInShell(toCurl(exchange({ body: 'x'.repeat(10) }), { bodyFile: "it's body.txt" }))
    expect(args.slice(-2)).toEqual(['--data-binary', "@it's body.txt"])
  })
})
