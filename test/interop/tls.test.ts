import { X509Certificate } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { startMockServer, type RunningMock, type ServeOptions } from '../../mock/server.ts'
import { generateSelfSignedCertificate } from '../../mock/tls/certificate.ts'
import { api } from '../mock/helpers.ts'
import { httpsCall, tempDir } from './support.ts'

const work = tempDir('interop-tls')
afterAll(() => work.remove())

const started: RunningMock[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((running) => running.close()))
})

async function start(options: ServeOptions): Promise<RunningMock> {
  const running = await startMockServer({ host: '127.0.0.1', port: 0, seed: 'none', ...options })
  started.push(running)
  return running
}

const enumUrl = (running: RunningMock) => `${running.url}${api}/activity_records/enum`

function plainGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    }).on('error', reject)
  })
}

describe('HTTPS by default, plain HTTP on request', () => {
  it('[TLS-HTTPS-DEFAULT] [TLS-SELF-SIGNED] serves HTTPS with a self-signed certificate when no tls option is given', async () => {
    const running = await start({ dataDir: join(work.path, 'default') })
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const pem = running.certificate?.certPem ?? ''
    const answer = await httpsCall(enumUrl(running), { ca: pem, servername: 'localhost' })
    // No credentials: the TLS handshake is what is under test, and the API still answers behind it.
    expect(answer.status).toBe(401)
    expect(answer.peer.fingerprint256).toBe(running.certificate?.fingerprint256)
    const x509 = new X509Certificate(pem)
    // Self-signed: it names itself as issuer and its own key verifies its signature.
    expect(x509.subject).toBe(x509.issuer)
    expect(x509.verify(x509.publicKey)).toBe(true)
    // A client that does not trust the certificate must refuse it: self-signed, not from a known CA.
    await expect(httpsCall(enumUrl(running), { servername: 'localhost' })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })
  }, 30_000)

  it('[TLS-HTTP-SWITCH] serves plain HTTP with tls: false, and no TLS handshake on that port', async () => {
    const running = await start({ tls: false })
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(running.certificate).toBeUndefined()
    expect(await plainGet(enumUrl(running))).toBe(401)
    await expect(httpsCall(enumUrl(running).replace(/^http:/, 'https:'), { servername: 'localhost' })).rejects.toThrow()
  }, 30_000)

  it('[TLS-HTTPS-DEFAULT] serves the certificate given by certFile/keyFile and reports its fingerprint', async () => {
    const material = generateSelfSignedCertificate({ commonName: 'nwa-kit interop', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now: new Date() })
    const certFile = join(work.path, 'given-cert.pem')
    const keyFile = join(work.path, 'given-key.pem')
    writeFileSync(certFile, material.certPem)
    writeFileSync(keyFile, material.keyPem)
    const running = await start({ certFile, keyFile })
    expect(running.certificate?.fingerprint256).toBe(material.fingerprint256)
    expect(running.certificate?.created).toBe(false)
    expect(running.certificate?.certPath).toBe(certFile)
    const answer = await httpsCall(enumUrl(running), { ca: material.certPem, servername: 'localhost' })
    expect(answer.peer.fingerprint256).toBe(material.fingerprint256)
    expect(answer.peer.subject.CN).toBe('nwa-kit interop')
  }, 30_000)

  it('refuses a certFile without its keyFile', async () => {
    await expect(start({ certFile: join(work.path, 'given-cert.pem') })).rejects.toThrow(/give both/)
  }, 30_000)
})

describe('the generated certificate', () => {
  it('[TLS-SELF-SIGNED] is created at first start in the data dir and reused at the second', async () => {
    const dataDir = join(work.path, 'reuse')
    const first = await start({ dataDir })
    expect(first.certificate?.created).toBe(true)
    expect(first.certificate?.certPath).toBe(join(dataDir, 'mock-cert.pem'))
    expect(existsSync(join(dataDir, 'mock-cert.pem'))).toBe(true)
    const fingerprint = first.certificate?.fingerprint256
    await first.close()
    started.splice(started.indexOf(first), 1)

    const second = await start({ dataDir })
    expect(second.certificate?.created).toBe(false)
    expect(second.certificate?.fingerprint256).toBe(fingerprint)
    const answer = await httpsCall(enumUrl(second), { ca: second.certificate?.certPem, servername: 'localhost' })
    expect(answer.peer.fingerprint256).toBe(fingerprint)
  }, 30_000)

  it('[TLS-CERT-HOST] names localhost, 127.0.0.1 and this computer, and a client checking the name accepts each', async () => {
    const running = await start({ dataDir: join(work.path, 'names') })
    const material = running.certificate
    expect(material?.subjectAltNames).toEqual(expect.arrayContaining(['DNS:localhost', 'IP:127.0.0.1']))
    // Checked with Node's own X.509 parser, not the mock's reading of it.
    const x509 = new X509Certificate(material?.certPem ?? '')
    expect(x509.checkHost('localhost')).toBe('localhost')
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(x509.checkHost(hostname().toLowerCase())).toBeTruthy()
    // Without a servername Node checks the IP address the URL names; with one, the DNS name; a stranger fails.
    const pem = material?.certPem ?? ''
    expect((await httpsCall(enumUrl(running), { ca: pem })).status).toBe(401)
    expect((await httpsCall(enumUrl(running), { ca: pem, servername: 'localhost' })).status).toBe(401)
    await expect(httpsCall(enumUrl(running), { ca: pem, servername: 'nwa.example.com' })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
  }, 30_000)
})
