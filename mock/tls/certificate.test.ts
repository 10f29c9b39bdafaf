import { createHash, createPrivateKey, X509Certificate } from 'node:crypto'
import fs from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import os from 'node:os'
import path from 'node:path'
import forge from 'node-forge'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultCertificateDir, defaultSubjectAltNames, describeCertificate, generateSelfSignedCertificate, loadOrCreateCertificate } from './certificate.ts'

const NOW = new Date('2025-03-10T08:00:00.500Z')
const tempDirs: string[] = []
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nwa-cert-'))
  tempDirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
})

describe('generateSelfSignedCertificate', () => {
  const material = generateSelfSignedCertificate({
    dnsNames: ['localhost', 'nwa-host.example'],
    ipAddresses: ['127.0.0.1', '::1'],
    now: NOW,
  })
  const x509 = new X509Certificate(material.certPem)

  it('is a self-signed certificate named like the one APIAdminTool makes', () => {
    expect(x509.subject).toBe('CN=Netwrix Integration API')
    expect(x509.issuer).toBe(x509.subject)
    expect(x509.verify(x509.publicKey)).toBe(true)
  })

  it('carries the requested names, as Node itself checks them', () => {
    expect(x509.checkHost('localhost')).toBe('localhost')
    expect(x509.checkHost('nwa-host.example')).toBe('nwa-host.example')
    expect(x509.checkHost('other.example')).toBeUndefined()
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(x509.checkIP('::1')).toBe('::1')
    expect(x509.checkIP('10.0.0.1')).toBeUndefined()
    expect(material.subjectAltNames).toEqual(['DNS:localhost', 'DNS:nwa-host.example', 'IP:127.0.0.1', 'IP:::1'])
  })

  it('reports the same SHA-256 fingerprint as Node', () => {
    expect(material.fingerprint256).toBe(x509.fingerprint256)
    expect(material.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
  })

  it('is valid from now (to the second) for five calendar years by default', () => {
    expect(new Date(x509.validFrom).toISOString()).toBe('2025-03-10T08:00:00.000Z')
    expect(new Date(x509.validTo).toISOString()).toBe('2030-03-10T08:00:00.000Z')
    expect(material.notBefore.toISOString()).toBe('2025-03-10T08:00:00.000Z')
    expect(material.notAfter.toISOString()).toBe('2030-03-10T08:00:00.000Z')
  })

  it('honours validDays, commonName and serialNumber', () => {
    const other = generateSelfSignedCertificate({
      commonName: 'Mock API',
      dnsNames: ['localhost'],
      ipAddresses: [],
      now: NOW,
      validDays: 30,
      serialNumber: 'c0ffee',
    })
    const parsed = new X509Certificate(other.certPem)
    expect(parsed.subject).toBe('CN=Mock API')
    expect(new Date(parsed.validTo).toISOString()).toBe('2025-04-09T08:00:00.000Z')
    expect(parsed.serialNumber).toBe('C0FFEE')
  })

  it('has a key that matches the certificate', () => {
    expect(x509.checkPrivateKey(createPrivateKey(material.keyPem))).toBe(true)
    expect(createPrivateKey(material.keyPem).asymmetricKeyDetails?.modulusLength).toBe(2048)
  })

  it('has the server-certificate extensions and a SHA-256 signature', () => {
    expect(x509.ca).toBe(false)
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    const parsed = forge.pki.certificateFromPem(material.certPem)
    expect(parsed.siginfo.algorithmOid).toBe('1.2.840.113549.1.1.11')
    const keyUsage = parsed.getExtension('keyUsage') as Record<string, unknown>
    expect(keyUsage).toMatchObject({ digitalSignature: true, keyEncipherment: true, keyCertSign: false })
    // RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING, i.e. of the PKCS#1 key.
    const ski = parsed.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier: string }
    const pkcs1 = x509.publicKey.export({ type: 'pkcs1', format: 'der' })
    expect(ski.subjectKeyIdentifier).toBe(createHash('sha1').update(pkcs1).digest('hex'))
  })

  it('gives distinct positive serials by default', () => {
    const again = generateSelfSignedCertificate({ dnsNames: ['localhost'], ipAddresses: [], now: NOW })
    const serial = new X509Certificate(again.certPem).serialNumber
    expect(serial).not.toBe(x509.serialNumber)
    expect(serial).toMatch(/^[0-7][0-9A-F]{31}$/)
  })

  it('rejects options it cannot honour', () => {
    expect(() => generateSelfSignedCertificate({ dnsNames: [], ipAddresses: [], now: NOW })).toThrow(/at least one/)
    expect(() => generateSelfSignedCertificate({ dnsNames: ['bad name'], ipAddresses: [], now: NOW })).toThrow(/bad name/)
    expect(() => generateSelfSignedCertificate({ dnsNames: [], ipAddresses: ['300.1.1.1'], now: NOW })).toThrow(/300\.1\.1\.1/)
    expect(() => generateSelfSignedCertificate({ dnsNames: ['localhost'], ipAddresses: [], now: NOW, serialNumber: '00' })).toThrow(/serialNumber/)
  })

  it('serves HTTPS that Node verifies with the certificate as its only CA', async () => {
    const live = generateSelfSignedCertificate({ ...defaultSubjectAltNames('nwa-host'), now: new Date() })
    const stranger = generateSelfSignedCertificate({ ...defaultSubjectAltNames('nwa-host'), now: new Date() })
    const server = https.createServer({ cert: live.certPem, key: live.keyPem }, (_req, res) => res.end('ok'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      expect(await fetchOnce(port, live.certPem, 'localhost')).toEqual({ body: 'ok', fingerprint: live.fingerprint256, authorized: true })
      // The same client must refuse a CA it was not given and a name the certificate lacks,
      // which shows verification is really on in the case above.
      await expect(fetchOnce(port, stranger.certPem, 'localhost')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i)
      await expect(fetchOnce(port, live.certPem, 'elsewhere.example')).rejects.toThrow(/altnames|Hostname/i)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

function fetchOnce(port: number, ca: string, servername: string): Promise<{ body: string; fingerprint: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: '/', ca, servername, rejectUnauthorized: true, agent: false }, (res) => {
      const socket = res.socket as TLSSocket
      const fingerprint = socket.getPeerCertificate().fingerprint256
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ body, fingerprint, authorized: socket.authorized }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('describeCertificate', () => {
  const a = generateSelfSignedCertificate({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now: NOW })
  const b = generateSelfSignedCertificate({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now: NOW })

  it('reads back what was generated', () => {
    const described = describeCertificate(a.certPem, a.keyPem)
    expect(described).toEqual(a)
  })

  it('throws a clear error when the key belongs to another certificate', () => {
    expect(() => describeCertificate(a.certPem, b.keyPem)).toThrow(/does not match/)
  })

  it('throws a clear error on text that is not a certificate', () => {
    expect(() => describeCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(/not a PEM X\.509 certificate/)
  })
})

describe('defaultSubjectAltNames', () => {
  it('covers loopback names and the host name', () => {
    expect(defaultSubjectAltNames('WKSWin12R2')).toEqual({ dnsNames: ['localhost', 'wkswin12r2'], ipAddresses: ['127.0.0.1', '::1'] })
  })
  it('puts an IP host into the IP list and does not repeat loopback', () => {
    expect(defaultSubjectAltNames('192.0.2.7')).toEqual({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1', '192.0.2.7'] })
    expect(defaultSubjectAltNames('localhost')).toEqual({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] })
  })
})

describe('defaultCertificateDir', () => {
  it('uses an absolute XDG_CACHE_HOME', () => {
    expect(defaultCertificateDir({ XDG_CACHE_HOME: '/var/cache/u' }, '/home/u', 'linux')).toBe('/var/cache/u/nwa-kit')
  })
  it('falls back to ~/.cache when XDG_CACHE_HOME is unset or relative', () => {
    expect(defaultCertificateDir({}, '/home/u', 'linux')).toBe('/home/u/.cache/nwa-kit')
    expect(defaultCertificateDir({ XDG_CACHE_HOME: 'rel' }, '/home/u', 'darwin')).toBe('/home/u/.cache/nwa-kit')
  })
  it('uses LOCALAPPDATA on Windows', () => {
    expect(defaultCertificateDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'C:\\Users\\u', 'win32')).toBe('C:\\Users\\u\\AppData\\Local\\nwa-kit')
    expect(defaultCertificateDir({}, 'C:\\Users\\u', 'win32')).toBe('C:\\Users\\u\\AppData\\Local\\nwa-kit')
  })
})

describe('loadOrCreateCertificate', () => {
  it('creates the pair in a new nested directory, then reuses it', () => {
    const dir = path.join(tempDir(), 'a', 'b')
    const first = loadOrCreateCertificate({ dir, hostname: 'nwa-host', now: NOW })
    expect(first.created).toBe(true)
    expect(fs.readFileSync(first.certPath, 'utf8')).toBe(first.material.certPem)
    expect(fs.readFileSync(first.keyPath, 'utf8')).toBe(first.material.keyPem)
    expect(new X509Certificate(first.material.certPem).checkHost('nwa-host')).toBe('nwa-host')
    expect(fs.readdirSync(dir).sort()).toEqual(['mock-cert.pem', 'mock-key.pem'])

    const second = loadOrCreateCertificate({ dir, hostname: 'NWA-HOST', now: new Date(NOW.getTime() + 86_400_000) })
    expect(second.created).toBe(false)
    expect(second.material.fingerprint256).toBe(first.material.fingerprint256)
  })

  it.skipIf(process.platform === 'win32')('writes the key with mode 0600', () => {
    const { keyPath } = loadOrCreateCertificate({ dir: tempDir(), hostname: 'nwa-host', now: NOW })
    expect(fs.statSync(keyPath).mode & 0o777).toBe(0o600)
  })

  it('regenerates when the certificate has expired', () => {
    const dir = tempDir()
    const first = loadOrCreateCertificate({ dir, hostname: 'nwa-host', now: NOW })
    const later = new Date(NOW.getTime())
    later.setUTCFullYear(later.getUTCFullYear() + 6)
    const second = loadOrCreateCertificate({ dir, hostname: 'nwa-host', now: later })
    expect(second.created).toBe(true)
    expect(second.material.fingerprint256).not.toBe(first.material.fingerprint256)
    expect(second.material.notBefore.getTime()).toBeLessThanOrEqual(later.getTime())
    expect(describeCertificate(fs.readFileSync(second.certPath, 'utf8'), fs.readFileSync(second.keyPath, 'utf8')).fingerprint256).toBe(
      second.material.fingerprint256,
    )
  })

  it('regenerates when the host name is not covered', () => {
    const dir = tempDir()
    loadOrCreateCertificate({ dir, hostname: 'nwa-host', now: NOW })
    const moved = loadOrCreateCertificate({ dir, hostname: 'other-host', now: NOW })
    expect(moved.created).toBe(true)
    expect(new X509Certificate(moved.material.certPem).checkHost('other-host')).toBe('other-host')
  })

  it('regenerates instead of crashing on a corrupt certificate file', () => {
    const dir = tempDir()
    const first = loadOrCreateCertificate({ dir, hostname: 'nwa-host', now: NOW })
    fs.writeFileSync(first.certPath, '-----BEGIN CERTIFICATE-----\ngarbage\n')
    const second = loadOrCreateCertificate({ dir, hostname: 'nwa-host', now: NOW })
    expect(second.created).toBe(true)
    expect(new X509Certificate(fs.readFileSync(second.certPath)).fingerprint256).toBe(second.material.fingerprint256)
  })

  it('regenerates when the key file belongs to another certificate', () => {
    const dir = tempDir()
    const first = loadOrCreateCertificate({ dir, hostname: 'nwa-host', now: NOW })
    fs.writeFileSync(first.keyPath, generateSelfSignedCertificate({ dnsNames: ['localhost'], ipAddresses: [], now: NOW }).keyPem)
    const second = loadOrCreateCertificate({ dir, hostname: 'nwa-host', now: NOW })
    expect(second.created).toBe(true)
    expect(new X509Certificate(second.material.certPem).checkPrivateKey(createPrivateKey(fs.readFileSync(second.keyPath)))).toBe(true)
  })
})
