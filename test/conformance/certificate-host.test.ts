import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportFiles, runCheckCommand } from '../../conformance/command.ts'
import type { JsonReport } from '../../conformance/reporters/json.ts'
import { startMockServer, type RunningMock } from '../../mock/server.ts'
import { generateSelfSignedCertificate } from '../../mock/tls/certificate.ts'
import { captureStream } from '../helpers/capture.ts'
import { validateReport } from '../helpers/report-schema.ts'

/**
 * auth.certificate-host over real TLS: the reference mock serving its own certificate, one naming another
 * host only, and plain HTTP. The names reach the check from the socket, as a real target gives them.
 */
const work = mkdtempSync(join(tmpdir(), 'nwa-cert-host-'))
const administrator = { user: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool' }
let own: RunningMock
let elsewhere: RunningMock
let plain: RunningMock

beforeAll(async () => {
  const other = generateSelfSignedCertificate({ dnsNames: ['stationwin12.enterprise.local'], ipAddresses: ['172.28.6.15'], now: new Date() })
  writeFileSync(join(work, 'other-cert.pem'), other.certPem)
  writeFileSync(join(work, 'other-key.pem'), other.keyPem)
  own = await startMockServer({ host: '127.0.0.1', port: 0, seed: 'none', dataDir: join(work, 'own') })
  elsewhere = await startMockServer({ host: '127.0.0.1', port: 0, seed: 'none', certFile: join(work, 'other-cert.pem'), keyFile: join(work, 'other-key.pem') })
  plain = await startMockServer({ host: '127.0.0.1', port: 0, seed: 'none', tls: false })
}, 60_000)

afterAll(async () => {
  await Promise.all([own?.close(), elsewhere?.close(), plain?.close()])
  rmSync(work, { recursive: true, force: true })
})

async function certificateCheck(target: string): Promise<JsonReport['checks'][number]> {
  const reportDir = mkdtempSync(join(work, 'reports-'))
  const stdout = captureStream()
  const stderr = captureStream()
  await runCheckCommand(
    { target, insecure: true, accounts: { administrator }, only: 'auth.certificate-host', reportDir, timeoutMs: 10_000 },
    { stdout: stdout.stream, stderr: stderr.stream, env: {}, now: Date.now, random: (n) => Buffer.alloc(n, 5) },
  )
  expect(stderr.text()).toBe('')
  const report = JSON.parse(readFileSync(join(reportDir, reportFiles.json), 'utf8')) as JsonReport
  // The certificate's names travel in the evidence; the published schema must admit them.
  expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true)
  const [result] = report.checks.filter((check) => check.id === 'auth.certificate-host')
  expect(result).toBeDefined()
  return result!
}

describe('auth.certificate-host against real TLS servers', () => {
  it('[TLS-CERT-HOST] passes the mock addressed as 127.0.0.1 and as localhost, both of which its certificate names', async () => {
    for (const target of [own.url, own.url.replace('127.0.0.1', 'localhost')]) {
      const result = await certificateCheck(target)
      expect(result.status, target).toBe('pass')
      expect(result.message).toMatch(/^the certificate names (127\.0\.0\.1|localhost) \(it names localhost, /)
      expect(result.evidence.exchanges[0]?.response.certificate?.subjectAltName).toContain('IP Address:127.0.0.1')
    }
  })

  it('[TLS-CERT-HOST] skips, naming the hosts to use, when the certificate names other hosts: the client addressed it wrongly', async () => {
    const result = await certificateCheck(elsewhere.url)
    expect(result.status).toBe('skip')
    expect(result.message).toContain(
      'addresses the server as 127.0.0.1, which its certificate does not name (it names stationwin12.enterprise.local, 172.28.6.15)',
    )
  })

  it('[TLS-CERT-HOST] does not apply to plain HTTP', async () => {
    const result = await certificateCheck(plain.url)
    expect(result.status).toBe('skip')
    expect(result.applicable).toBe(false)
  })
})
