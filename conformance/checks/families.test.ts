import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract, type Contract } from '../../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../../openapi/payload.ts'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import type { Exchange } from '../types.ts'
import { certificateHostNames, certificateHostVerdict, offeredSchemes, outOfScope, unauthorizedProblems } from './auth.ts'
import { allowProblems, methodMatrix, oversizedWriteBody } from './errors.ts'
import { roundTripRecords, writtenFieldProblems } from './write.ts'

let contract: Contract
let codec: PayloadCodec

beforeAll(async () => {
  contract = await loadContract()
  codec = createPayloadCodec(contract)
})

describe('write: comparing a written record with the one read back', () => {
  const [full] = roundTripRecords('nwa-run-1-write')

  it('[WRITE-AVAILABLE-TO-READ] accepts the record as a server returns it: When in another offset, details reordered, server fields added', () => {
    const stored: ActivityRecordOutput = {
      ...full!,
      RID: '20170219144349000ABCDEFABCDEFABCDEFABCDEFABCDEFAB',
      When: '2017-02-19T14:43:49Z',
      DataSource: 'Netwrix API',
      DetailList: [...full!.DetailList!].reverse().map((detail) => ({ ...detail, Message: 'changed' })),
    }
    expect(writtenFieldProblems(full!, stored)).toEqual([])
  })

  it('[XML-ENTITY-ESCAPING, JSON-ESCAPING] names each field that changed', () => {
    const stored: ActivityRecordOutput = { ...full!, Who: 'ENTERPRISE\\O&apos;Hara', When: '2017-02-19T03:43:49Z', DetailList: [full!.DetailList![0]!] }
    const problems = writtenFieldProblems(full!, stored)
    expect(problems).toHaveLength(3)
    expect(problems[0]).toMatch(/^Who "ENTERPRISE\\\\O&apos;Hara" instead of/)
    expect(problems[1]).toMatch(/^When 2017-02-19T03:43:49Z is not the instant 2017-02-19T03:43:49-11:00/)
    expect(problems[2]).toMatch(/^DetailList/)
  })

  it('writes round-trip records the contract accepts, with characters that need escaping', () => {
    const records = roundTripRecords('nwa-run-1-write')
    expect(() => codec.encode('ActivityRecordInputList', records, 'xml')).not.toThrow()
    expect(codec.encode('ActivityRecordInputList', records, 'xml')).toContain('O&apos;Hara &amp; &quot;Sons&quot; &lt;100&gt;')
    expect(records.every((record) => record.What.includes('nwa-run-1-write'))).toBe(true)
  })
})

describe('errors', () => {
  it('[STATUS-405-READ, STATUS-405-WRITE, EP-SEARCH-METHODS] refuses the methods the pages name on each endpoint', () => {
    expect(methodMatrix.map(({ endpoint, refused }) => `${endpoint}: ${refused.join(' ')}`)).toEqual([
      'enum: PUT DELETE PATCH',
      'search: GET PUT DELETE',
      'write: GET PUT DELETE',
    ])
  })

  it('reads an Allow header', () => {
    expect(allowProblems('GET, POST', ['GET', 'POST'], 'PUT')).toEqual([])
    expect(allowProblems('post', ['POST'], 'GET')).toEqual([])
    expect(allowProblems(undefined, ['POST'], 'GET')).toEqual(['no Allow header'])
    expect(allowProblems('GET, POST', ['POST'], 'GET')).toEqual(['Allow "GET, POST" lists GET, which was refused'])
    expect(allowProblems('GET', ['GET', 'POST'], 'PUT')).toEqual(['Allow "GET" lacks POST'])
  })

  it('[STATUS-413] builds an oversized body that is well-formed but that no server may store', () => {
    const body = oversizedWriteBody(contract.namespaces.records, 'nwa-run-1-size', 20_000)
    expect(body.length).toBeGreaterThanOrEqual(20_000)
    expect(body.length).toBeLessThan(22_000)
    const decoded = codec.decode('ActivityRecordInputList', body.toString('utf8'), 'xml')
    expect(decoded).toMatchObject({ ok: false, stage: 'schema' })
    if (!decoded.ok) expect(decoded.issues.map((issue) => issue.message)).toEqual(['Who is mandatory but missing'])
  })
})

describe('auth', () => {
  const exchange = (status: number, headers: Record<string, string>, body = ''): Exchange => ({
    request: { method: 'GET', url: 'https://h/netwrix/api/v1/activity_records/enum', headers: {} },
    response: { status, headers, body },
    durationMs: 1,
  })

  it('[AUTH-NTLM, AUTH-NEGOTIATE, AUTH-DIGEST, AUTH-BASIC] lists the schemes of a joined WWW-Authenticate value', () => {
    expect(offeredSchemes('Negotiate, NTLM, Digest realm="Netwrix", qop="auth", nonce="abc", Basic realm="Netwrix"')).toEqual([
      'negotiate',
      'ntlm',
      'digest',
      'basic',
    ])
    expect(offeredSchemes(undefined)).toEqual([])
  })

  it('[STATUS-401, AUTH-REQUIRED] wants 401, a challenge when asked, and an empty body', () => {
    expect(unauthorizedProblems(exchange(401, { 'WWW-Authenticate': 'Basic realm="x"' }), true)).toEqual([])
    expect(unauthorizedProblems(exchange(401, {}), true)[0]).toMatch(/no WWW-Authenticate/)
    expect(unauthorizedProblems(exchange(401, {}), false)).toEqual([])
    expect(unauthorizedProblems(exchange(401, { 'www-authenticate': 'NTLM' }, 'denied'), true)[0]).toMatch(/empty body, got denied/)
    expect(unauthorizedProblems(exchange(200, {}), false)[0]).toMatch(/expected 401, got 200/)
  })

  it("[ROLE-REVIEWER-SCOPE] finds records outside the reviewer's plans, without regard to case", () => {
    const records = [
      { RID: 'a', MonitoringPlan: { Name: 'AD Monitoring' } },
      { RID: 'b', MonitoringPlan: { Name: 'ad monitoring' } },
      { RID: 'c', MonitoringPlan: { Name: 'Compliance' } },
      { RID: 'd' },
    ] as ActivityRecordOutput[]
    expect(outOfScope(records, ['AD Monitoring']).map((r) => r.RID)).toEqual(['c', 'd'])
  })
})

describe('auth: the certificate names the host (D39)', () => {
  const mockNames = { commonName: 'Netwrix Integration API', subjectAltName: 'DNS:localhost, DNS:nwa-host, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1' }

  it('[TLS-CERT-HOST] reads the DNS and IP alternative names, and a CN only when it reads as a host and there are none', () => {
    expect(certificateHostNames(mockNames)).toEqual(['localhost', 'nwa-host', '127.0.0.1', '0:0:0:0:0:0:0:1'])
    expect(certificateHostNames({ commonName: 'WKSWin2012.enterprise.local' })).toEqual(['WKSWin2012.enterprise.local'])
    expect(certificateHostNames({ commonName: 'Netwrix Integration API' })).toEqual([])
    expect(certificateHostNames({ commonName: 'x.example', subjectAltName: 'email:a@b.example' })).toEqual(['x.example'])
  })

  it('[TLS-CERT-HOST] passes a host the certificate names, by DNS name (any case, wildcards as RFC 6125 reads them) or IP address', () => {
    for (const host of ['localhost', 'NWA-HOST', '127.0.0.1', '::1']) expect(certificateHostVerdict(host, mockNames).status, host).toBe('pass')
    expect(certificateHostVerdict('stationwin12.enterprise.local', { subjectAltName: 'DNS:*.enterprise.local' }).status).toBe('pass')
    expect(certificateHostVerdict('a.b.enterprise.local', { subjectAltName: 'DNS:*.enterprise.local' }).status).toBe('skip')
  })

  it('[TLS-CERT-HOST] fails a certificate that names no host, and skips one that names others, listing the names to use instead', () => {
    const none = certificateHostVerdict('localhost', { commonName: 'Netwrix Integration API' })
    expect(none.status).toBe('fail')
    expect(none.message).toMatch(/names no host: no DNS or IP subject alternative name, and the common name "Netwrix Integration API"/)
    const other = certificateHostVerdict('172.28.6.15', mockNames)
    expect(other.status).toBe('skip')
    expect(other.notApplicable).toBeUndefined()
    expect(other.message).toMatch(/addresses the server as 172\.28\.6\.15, which its certificate does not name \(it names localhost, nwa-host, 127\.0\.0\.1/)
    expect(other.message).toContain('--target https://localhost:PORT')
  })
})
