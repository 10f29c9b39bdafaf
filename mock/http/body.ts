import type { IncomingMessage } from 'node:http'

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' }

/**
 * Reads a request body, refusing it as soon as it passes `limit` bytes: a declared Content-Length over the
 * limit is refused before reading, and a streamed body is refused at the chunk that crosses it, so the
 * server never holds more than the limit.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too-large' })
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (result: BodyResult) => {
      if (settled) return
      settled = true
      req.off('data', onData)
      resolve(result)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        chunks.length = 0
        req.pause()
        settle({ ok: false, reason: 'too-large' })
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => settle({ ok: true, body: Buffer.concat(chunks, size) }))
    req.once('aborted', () => settle({ ok: false, reason: 'aborted' }))
    req.once('error', () => settle({ ok: false, reason: 'aborted' }))
  })
}

/** Discards a body we will not read (a 401 during an NTLM handshake, a 404), without buffering it. */
export function discardBody(req: IncomingMessage): void {
  if (!req.readableEnded) req.resume()
}
