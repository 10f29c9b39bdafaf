import { PassThrough } from 'node:stream'
import { afterEach, vi } from 'vitest'

/**
 * What the command line writes to stdout and stderr while a test runs it in-process; the writes are restored after
 * each test. Call it once at the top of a test file (it registers the afterEach hook there).
 */
export function captureOutput(): () => { stdout: () => string; stderr: () => string } {
  afterEach(() => {
    vi.restoreAllMocks()
  })
  return () => {
    let out = ''
    let err = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += chunk.toString()
      return true
    })
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err += chunk.toString()
      return true
    })
    return { stdout: () => out, stderr: () => err }
  }
}

/** A stream to hand a command as its stdout or stderr, and what has been written to it so far. */
export function captureStream(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString()
  })
  return { stream, text: () => text }
}
