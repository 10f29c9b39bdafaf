// The real Integration API serves HTTPS on 9699 with a self-signed, automatically generated
// certificate (api/security.md, api/overview.md); add-ons trust it by installing it or pinning
// its thumbprint. This module makes an equivalent certificate in-process (node:crypto for the
// RSA key, node-forge for the X.509 structure), so no openssl binary is needed at run time.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto'
import fs from 'node:fs'
import { isIP } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import forge from 'node-forge'

export interface CertificateMaterial {
  certPem: string
  keyPem: string
  /** SHA-256 of the DER certificate, 'AB:CD:…' uppercase, as Node's X509Certificate.fingerprint256. */
  fingerprint256: string
  notBefore: Date
  notAfter: Date
  /** 'DNS:<name>' (lower case) and 'IP:<address>' (IPv6 compressed, as WHATWG URL prints it). */
  subjectAltNames: string[]
}

export interface SelfSignedOptions {
  /** Default 'Netwrix Integration API', the subject APIAdminTool uses (api/security.md). */
  commonName?: string
  dnsNames: string[]
  ipAddresses: string[]
  now: Date
  /** Default: 5 calendar years after `now`, as APIAdminTool's default validTo (api/security.md). */
  validDays?: number
  /** Hex digits; default is derived from the public key, so no second source of randomness is needed. */
  serialNumber?: string
}

export const DEFAULT_COMMON_NAME = 'Netwrix Integration API'
export const CERT_FILE = 'mock-cert.pem'
export const KEY_FILE = 'mock-key.pem'

const DAY_MS = 24 * 60 * 60 * 1000

function canonicalIp(address: string): string {
  const family = isIP(address)
  if (family === 0) throw new Error(`not an IP address: '${address}'`)
  if (family === 4) return address
  // WHATWG URL serialises IPv6 in the RFC 5952 compressed form, which gives one spelling per address.
  return new URL(`http://[${address}]/`).hostname.slice(1, -1)
}

function sanList(dnsNames: string[], ipAddresses: string[]): string[] {
  const entries = [...dnsNames.map((name) => `DNS:${name.toLowerCase()}`), ...ipAddresses.map((ip) => `IP:${canonicalIp(ip)}`)]
  return [...new Set(entries)]
}

function colonHex(digest: Buffer): string {
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':')
}

function defaultSerial(spkiDer: Buffer): string {
  const bytes = createHash('sha256').update(spkiDer).digest().subarray(0, 16)
  // RFC 5280 wants a positive serial: clear the sign bit, and set bit 0 so the first byte is never 00.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01
  return bytes.toString('hex')
}

function validateOptions(options: SelfSignedOptions): void {
  if (Number.isNaN(options.now.getTime())) throw new Error('now is not a valid date')
  if (options.dnsNames.length + options.ipAddresses.length === 0) {
    throw new Error('a server certificate needs at least one DNS name or IP address')
  }
  for (const name of options.dnsNames) {
    // Underscores are tolerated because Windows host names may contain them.
    if (!/^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*$/.test(name) || name.length > 253) {
      throw new Error(`not a DNS name: '${name}'`)
    }
  }
  for (const ip of options.ipAddresses) canonicalIp(ip)
  if (options.validDays !== undefined && !(Number.isInteger(options.validDays) && options.validDays > 0)) {
    throw new Error(`validDays must be a positive integer (got ${options.validDays})`)
  }
  if (options.serialNumber !== undefined && !/^0*[1-9a-fA-F][0-9a-fA-F]{0,38}$/.test(options.serialNumber)) {
    throw new Error(`serialNumber must be a positive hex number of at most 39 digits (got '${options.serialNumber}')`)
  }
}

export function generateSelfSignedCertificate(options: SelfSignedOptions): CertificateMaterial {
  validateOptions(options)
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  const spkiDer = createPublicKey(publicKey).export({ type: 'spki', format: 'der' })

  // X.509 times have one-second resolution; flooring keeps notBefore <= now.
  const notBefore = new Date(Math.floor(options.now.getTime() / 1000) * 1000)
  const notAfter = new Date(notBefore.getTime())
  if (options.validDays === undefined) notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 5)
  else notAfter.setTime(notBefore.getTime() + options.validDays * DAY_MS)

  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey)
  const serial = (options.serialNumber ?? defaultSerial(spkiDer)).toLowerCase().replace(/^0+/, '')
  // forge writes the hex as the INTEGER's content bytes verbatim, so it must already be minimal
  // DER: whole bytes, no redundant leading zero, and a 00 prefix only to keep the sign positive.
  const evenSerial = serial.length % 2 === 1 ? `0${serial}` : serial
  cert.serialNumber = parseInt(evenSerial.slice(0, 2), 16) >= 0x80 ? `00${evenSerial}` : evenSerial
  cert.validity.notBefore = notBefore
  cert.validity.notAfter = notAfter
  const name = [{ name: 'commonName', value: options.commonName ?? DEFAULT_COMMON_NAME }]
  cert.setSubject(name)
  cert.setIssuer(name)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...options.dnsNames.map((dns) => ({ type: 2, value: dns })), ...options.ipAddresses.map((ip) => ({ type: 7, ip }))],
    },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create())

  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary')
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: privateKey,
    fingerprint256: colonHex(createHash('sha256').update(der).digest()),
    notBefore,
    notAfter,
    subjectAltNames: sanList(options.dnsNames, options.ipAddresses),
  }
}

function parseNodeSubjectAltName(text: string | undefined): string[] {
  if (text === undefined) return []
  const entries: string[] = []
  // Node quotes a value as a JSON string when it contains a comma or other special characters.
  const pattern = /(DNS|IP Address|[A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g
  for (const match of text.matchAll(pattern)) {
    const kind = match[1]
    const raw = match[2] ?? ''
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw
    if (kind === 'DNS') entries.push(`DNS:${value.toLowerCase()}`)
    else if (kind === 'IP Address') entries.push(`IP:${canonicalIp(value)}`)
  }
  return [...new Set(entries)]
}

export function describeCertificate(certPem: string, keyPem?: string): CertificateMaterial {
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(certPem)
  } catch (error) {
    throw new Error(`not a PEM X.509 certificate: ${(error as Error).message}`)
  }
  if (keyPem !== undefined) {
    let key: KeyObject
    try {
      key = createPrivateKey(keyPem)
    } catch (error) {
      throw new Error(`not a PEM private key: ${(error as Error).message}`)
    }
    if (!x509.checkPrivateKey(key)) {
      throw new Error(`the private key does not match the certificate ${x509.fingerprint256}`)
    }
  }
  return {
    certPem,
    keyPem: keyPem ?? '',
    fingerprint256: x509.fingerprint256,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    subjectAltNames: parseNodeSubjectAltName(x509.subjectAltName),
  }
}

export function defaultSubjectAltNames(hostname: string): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = ['localhost']
  const ipAddresses = ['127.0.0.1', '::1']
  const host = hostname.trim()
  if (host !== '') {
    if (isIP(host) !== 0) {
      if (!ipAddresses.map(canonicalIp).includes(canonicalIp(host))) ipAddresses.push(host)
    } else if (!dnsNames.includes(host.toLowerCase())) {
      dnsNames.push(host.toLowerCase())
    }
  }
  return { dnsNames, ipAddresses }
}

/**
 * Per-user cache directory. `platform` is a parameter (beyond the two the callers need) so the
 * Windows branch can be tested on any OS.
 */
export function defaultCertificateDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir(), platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA
    return local !== undefined && local !== '' ? path.win32.join(local, 'nwa-kit') : path.win32.join(home, 'AppData', 'Local', 'nwa-kit')
  }
  const xdg = env.XDG_CACHE_HOME
  // The XDG base-directory spec says relative paths are invalid and must be ignored.
  if (xdg !== undefined && path.posix.isAbsolute(xdg)) return path.posix.join(xdg, 'nwa-kit')
  return path.posix.join(home, '.cache', 'nwa-kit')
}

function covers(material: CertificateMaterial, hostname: string): boolean {
  const required = defaultSubjectAltNames(hostname)
  const wanted = sanList(
    required.dnsNames,
    required.ipAddresses.filter((ip) => ip !== '::1'),
  )
  return wanted.every((entry) => material.subjectAltNames.includes(entry))
}

function readExisting(certPath: string, keyPath: string): CertificateMaterial | undefined {
  try {
    return describeCertificate(fs.readFileSync(certPath, 'utf8'), fs.readFileSync(keyPath, 'utf8'))
  } catch {
    // Missing, unreadable, corrupt or mismatched files are all answered the same way: make new ones.
    return undefined
  }
}

function writeAtomically(target: string, content: string, mode: number): void {
  const temp = `${target}.${process.pid}.tmp`
  fs.rmSync(temp, { force: true })
  const fd = fs.openSync(temp, 'wx', mode)
  try {
    fs.writeFileSync(fd, content)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(temp, target)
}

export function loadOrCreateCertificate(options: { dir: string; hostname: string; now: Date }): {
  material: CertificateMaterial
  created: boolean
  certPath: string
  keyPath: string
} {
  const certPath = path.join(options.dir, CERT_FILE)
  const keyPath = path.join(options.dir, KEY_FILE)
  fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 })

  const existing = readExisting(certPath, keyPath)
  const at = options.now.getTime()
  if (existing !== undefined && existing.notBefore.getTime() <= at && at <= existing.notAfter.getTime() && covers(existing, options.hostname)) {
    if (process.platform !== 'win32') fs.chmodSync(keyPath, 0o600)
    return { material: existing, created: false, certPath, keyPath }
  }

  const material = generateSelfSignedCertificate({ ...defaultSubjectAltNames(options.hostname), now: options.now })
  // Key first: a crash between the two renames leaves a pair that fails the key check above,
  // so the next start regenerates instead of serving a certificate without its key.
  writeAtomically(keyPath, material.keyPem, 0o600)
  writeAtomically(certPath, material.certPem, 0o644)
  return { material, created: true, certPath, keyPath }
}
