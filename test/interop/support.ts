import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PeerCertificate, TLSSocket } from 'node:tls'

/** A temporary directory per test file, removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `nwa-${prefix}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * Whether a program runs, decided once when the test file loads. Synchronous on purpose: it runs
 * before any mock server exists, so blocking the event loop cannot starve a server in this process.
 */
export function probe(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ok: true; output: string } | { ok: false; reason: string } {
  try {
    return { ok: true, output: execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000, env }) }
  } catch (error) {
    const detail = error as { code?: string; stderr?: string; message: string }
    const stderr = detail.stderr?.trim().split('\n').pop()
    return { ok: false, reason: detail.code === 'ENOENT' ? `${file} is not installed` : `${file} ${args.join(' ')} failed: ${stderr || detail.message}` }
  }
}

export interface ChildResult {
  stdout: string
  stderr: string
}

/**
 * Runs a client as a child process without blocking: the mock answering it lives in this process.
 * A non-zero exit rejects with the client's stderr, so a broken client fails the test loudly.
 */
export function run(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { encoding: 'utf8', timeout: options.timeoutMs ?? 20_000, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} exited with ${error.code ?? error.signal}: ${stderr.trim() || error.message}`))
        else resolve({ stdout, stderr })
      },
    )
  })
}

export interface HttpsAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  peer: PeerCertificate
}

/** One request with Node's own HTTPS client, keeping the certificate the server presented. */
export function httpsCall(
  url: string,
  options: {
    method?: string
    body?: string
    ca?: string
    servername?: string
    headers?: Record<string, string>
    /** Accept any certificate (the mock's own self-signed one, where the test is not about the certificate). */
    insecure?: boolean
  } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const req = httpsRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.ca,
        servername: options.servername,
        ...(options.insecure ? { rejectUnauthorized: false } : {}),
        // A fresh connection each time, so every call performs (and checks) its own handshake.
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate()
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), peer }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in 10 s`)))
    req.on('error', reject)
    req.end(options.body)
  })
}
