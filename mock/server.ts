import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { hostname } from 'node:os'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { randomBytes } from 'node:crypto'
import { createMockApp, type MockApp } from './app.ts'
import { generateControlToken, isLoopbackHost } from './control-access.ts'
import { codes } from './errors.ts'
import { answerClientError, answerConnect } from './http/odd-requests.ts'
import { defaults, type MockOptions } from './options.ts'
import { defaultCertificateDir, describeCertificate, loadOrCreateCertificate, type CertificateMaterial } from './tls/certificate.ts'

export interface ServeOptions extends MockOptions {
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** Plain HTTP instead of the default HTTPS (as APIAdminTool's "api http"). */
  tls?: boolean
  certFile?: string
  keyFile?: string
  /** How long a client may take to send a request's headers before the connection is answered 408 and closed; default 120 s, as HTTP.sys's HeaderWait. */
  headerTimeoutMs?: number
}

export interface RunningMock {
  app: MockApp
  server: Server
  url: string
  /** The control endpoints' token in force, when there is one; `generated` when the server made it (D71). */
  controlToken?: { value: string; generated: boolean }
  certificate?: CertificateMaterial & { created: boolean; certPath?: string }
  close(): Promise<void>
}

/** The certificate to serve: the files given with --cert and --key, or the generated one (made or reused). */
function readCertificate(options: ServeOptions): NonNullable<RunningMock['certificate']> {
  if (Boolean(options.certFile) !== Boolean(options.keyFile)) throw codes.MOCK_ERR_OPTIONS.create('--cert/--key', 'give both')
  if (options.certFile && options.keyFile) {
    try {
      return {
        ...describeCertificate(readFileSync(options.certFile, 'utf8'), readFileSync(options.keyFile, 'utf8')),
        created: false,
        certPath: options.certFile,
      }
    } catch (error) {
      throw codes.MOCK_ERR_OPTIONS.create(`--cert ${options.certFile} --key ${options.keyFile}`, error instanceof Error ? error.message : String(error))
    }
  }
  const loaded = loadOrCreateCertificate({ dir: options.dataDir ?? defaultCertificateDir(), hostname: hostname(), now: new Date() })
  return { ...loaded.material, created: loaded.created, certPath: loaded.certPath }
}

/**
 * The control token in force: the one given, or, when the control endpoints are on and the listen address is not
 * loopback, a new one. Decided from the address the server listens on, never from where a request comes from: behind
 * a port mapping or a proxy, every request may arrive from 127.0.0.1.
 */
function chooseControlToken(options: ServeOptions, host: string): RunningMock['controlToken'] {
  if (!options.control) return undefined
  if (options.controlToken !== undefined) return { value: options.controlToken, generated: false }
  if (isLoopbackHost(host)) return undefined
  return { value: generateControlToken(options.random ?? randomBytes), generated: true }
}

/** Creates the app and listens: HTTPS on 9699 by default with a self-signed certificate, like the real server. */
export async function startMockServer(options: ServeOptions = {}): Promise<RunningMock> {
  // The certificate first: a bad one stops the start before the app opens a journal it would leave behind.
  const certificate = options.tls === false ? undefined : readCertificate(options)
  const host = options.host ?? '127.0.0.1'
  const controlToken = chooseControlToken(options, host)
  const app = await createMockApp({ ...options, controlToken: controlToken?.value })
  const port = options.port ?? app.contract.defaultPort
  const headerTimeout = options.headerTimeoutMs ?? defaults.headerTimeoutMs
  // Node checks its timeouts on this interval, so a short header timeout needs a short interval to mean what it says.
  const timing = { keepAlive: true, headersTimeout: headerTimeout, connectionsCheckingInterval: Math.max(250, Math.min(30_000, headerTimeout / 4)) }
  const server: Server = certificate
    ? (createHttpsServer({ cert: certificate.certPem, key: certificate.keyPem, ...timing }, app.handle) as unknown as Server)
    : createHttpServer(timing, app.handle)
  // The whole request may take longer than its headers (a 50 MB upload), but never less.
  server.requestTimeout = Math.max(server.requestTimeout, headerTimeout)
  // The body stage sends 100 Continue only once it will read the body, so a client refused earlier (401, 404,
  // a declared size over the limit) never uploads it.
  server.on('checkContinue', app.handleExpectingContinue)
  server.on('connect', (req: IncomingMessage, socket: Duplex) => answerConnect(app.handle, req, socket))
  server.on('clientError', (error: Error, socket: Duplex) => answerClientError(app.handle, error, socket))
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(codes.MOCK_ERR_LISTEN.create(`${host}:${port}`, error.message)))
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `${options.tls === false ? 'http' : 'https'}://${shownHost}:${address.port}`
  return {
    app,
    server,
    url,
    ...(controlToken ? { controlToken } : {}),
    certificate,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await app.close()
    },
  }
}
