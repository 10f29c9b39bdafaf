import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildAuthenticateMessage, buildNegotiateMessage, NegotiateFlag } from '../../openapi/auth/ntlm.ts'
import {
  bodyBytes,
  createHarWriter,
  harBody,
  readAuthorization,
  redactChallenge,
  redactRequestHeaders,
  redactResponseHeaders,
  type HarEntry,
  pageMark,
} from './har.ts'

const type3 = buildAuthenticateMessage({
  flags: NegotiateFlag.Unicode,
  lmResponse: Buffer.alloc(24),
  ntResponse: Buffer.alloc(48, 7),
  domain: 'ENTERPRISE',
  user: 'NetwrixUser',
  workstation: 'WKS',
}).toString('base64')

describe('readAuthorization', () => {
  it('reads who authenticates with each scheme, and a Basic password only to number it', () => {
    expect(readAuthorization(`Basic ${Buffer.from('ENTERPRISE\\NetwrixUser:pa:ss').toString('base64')}`)).toEqual({
      auth: { scheme: 'Basic', user: 'ENTERPRISE\\NetwrixUser' },
      basicPassword: 'pa:ss',
    })
    expect(readAuthorization('Digest username="ENTERPRISE\\\\GlobalReviewer", realm="x", nonce="n", response="r"')).toEqual({
      auth: { scheme: 'Digest', user: 'ENTERPRISE\\GlobalReviewer' },
    })
    expect(readAuthorization(`NTLM ${type3}`)).toEqual({ auth: { scheme: 'NTLM', user: 'ENTERPRISE\\NetwrixUser' } })
    expect(readAuthorization(`NTLM ${buildNegotiateMessage(NegotiateFlag.Unicode).toString('base64')}`)).toEqual({ auth: { scheme: 'NTLM' } })
    expect(readAuthorization(`Negotiate ${type3}`)).toEqual({ auth: { scheme: 'Negotiate', user: 'ENTERPRISE\\NetwrixUser' } })
    expect(readAuthorization('Bearer abc')).toEqual({ auth: { scheme: 'Bearer' } })
  })
})

describe('redaction', () => {
  it('keeps the scheme of an Authorization and drops its credentials, cookies included', () => {
    expect(
      redactRequestHeaders([
        { name: 'Authorization', value: `NTLM ${type3}` },
        { name: 'Proxy-Authorization', value: 'Basic dTpw' },
        { name: 'Cookie', value: 'session=1' },
        { name: 'Content-Type', value: 'application/json' },
      ]),
    ).toEqual([
      { name: 'Authorization', value: 'NTLM [removed]' },
      { name: 'Proxy-Authorization', value: 'Basic [removed]' },
      { name: 'Cookie', value: '[removed]' },
      { name: 'Content-Type', value: 'application/json' },
    ])
  })

  it('keeps the schemes and realms a 401 offers, and drops NTLM challenges, Digest nonces and session material', () => {
    expect(redactChallenge(`NTLM ${type3}`)).toBe('NTLM')
    expect(redactChallenge('Digest realm="Netwrix Auditor", qop="auth", algorithm=SHA-256, nonce="abc", opaque="def", Basic realm="a\\"b"')).toBe(
      'Digest realm="Netwrix Auditor", Basic realm="a\\"b"',
    )
    expect(
      redactResponseHeaders([
        { name: 'WWW-Authenticate', value: 'Negotiate oYGyMIGvoAMKAQGhDAYKKwYBBAGCNwICCqKBmQSBlk5UTE1TU1AAAgAAAA==' },
        { name: 'Authentication-Info', value: 'rspauth="x", nextnonce="y"' },
        { name: 'Set-Cookie', value: 'a=b' },
        { name: 'Server', value: 'Microsoft-HTTPAPI/2.0' },
      ]),
    ).toEqual([
      { name: 'WWW-Authenticate', value: 'Negotiate' },
      { name: 'Authentication-Info', value: '[removed]' },
      { name: 'Set-Cookie', value: '[removed]' },
      { name: 'Server', value: 'Microsoft-HTTPAPI/2.0' },
    ])
  })
})

describe('harBody', () => {
  it('keeps text as text, a cut one without a split character, and anything else as base64', () => {
    expect(harBody(Buffer.from('héllo'), 100)).toEqual({ text: 'héllo', truncated: false })
    expect(harBody(Buffer.from('\uFEFFbom'), 100)).toEqual({ text: '\uFEFFbom', truncated: false })
    // "é" is two bytes: a cut after its first byte keeps "h".
    expect(harBody(Buffer.from('héllo'), 2)).toEqual({ text: 'h', truncated: true })
    expect(harBody(Buffer.from([0xff, 0x00, 0x41]), 100)).toEqual({ text: '/wBB', encoding: 'base64', truncated: false })
    expect(bodyBytes({ text: '/wBB', encoding: 'base64' })).toEqual(Buffer.from([0xff, 0x00, 0x41]))
    expect(bodyBytes({ text: 'héllo' }).toString()).toBe('héllo')
  })
})

describe('createHarWriter', () => {
  it('writes a HAR 1.2 file entry by entry that parses as one document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nwa-har-'))
    try {
      const file = join(dir, 'x.har')
      const writer = createHarWriter(file, { name: 'nwa-kit', version: '1' })
      const entry = { startedDateTime: '2026-01-01T00:00:00.000Z', time: 1 } as HarEntry
      writer.add(entry)
      writer.add(entry)
      writer.close()
      writer.add(entry)
      expect(writer.count).toBe(2)
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ log: { version: '1.2', creator: { name: 'nwa-kit', version: '1' }, entries: [entry, entry] } })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('pageMark', () => {
  it('finds the mark at the head of an XML page and at the tail of a JSON page, and nothing elsewhere', () => {
    expect(pageMark('<?xml version="1.0"?><ActivityRecordList xmlns="x"><ContinuationMark>AXsi+/=</ContinuationMark><ActivityRecord>', '')).toBe('AXsi+/=')
    expect(pageMark('{"ActivityRecordList":[{"What":"', '…"}],"ContinuationMark":"AXsiYW="}')).toBe('AXsiYW=')
    expect(pageMark('{"ActivityRecordList":[', '"What":"\\"ContinuationMark\\":\\"x\\""}]')).toBeUndefined()
  })
})
