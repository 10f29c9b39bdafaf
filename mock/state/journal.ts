/**
 * The Long-Term Archive as an append-only journal, <dir>/archive.journal.
 *
 * Frame: payload length (uint32 LE), CRC-32 of the payload (uint32 LE), payload = UTF-8 JSON of one
 * entry. An append resolves only once its bytes are fsync'ed, so an acknowledged write survives a
 * crash. Appends arriving while an fsync is in flight are written together and share the next one
 * (group commit), in arrival order.
 *
 * On open, a damaged last frame (short header, short payload, bad CRC, unreadable JSON) is the trace
 * of a crash mid-append, never acknowledged, and is cut away. Damage followed by a valid frame
 * cannot be explained that way, so opening fails with the offset instead of dropping data.
 */
import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import type { ActivityRecordOutput } from '../../openapi/records.ts'
import { codes } from '../errors.ts'
import type { StoreHealth } from './store.ts'

export type JournalEntry = { t: 'write'; records: ActivityRecordOutput[] } | { t: 'reset' }

export interface Journal {
  /**
   * Queues the entry synchronously (so call order is journal order) and resolves once it is fsync'ed. While the file
   * cannot be written (a full disk), it rejects with MOCK_ERR_ARCHIVE, first trying to recover (see health).
   */
  append(entry: JournalEntry): Promise<void>
  /** Whether appends are being taken, and if not, why and since when (ms since the epoch). */
  health(): StoreHealth
  /** Waits for queued appends, then closes the file; later appends are refused. */
  close(): Promise<void>
  readonly path: string
}

/** The file operations the journal needs, so tests can count fsyncs or make them fail. */
export interface JournalFile {
  size(): Promise<number>
  /** Up to `length` bytes from `position`; fewer only at the end of the file. */
  read(position: number, length: number): Promise<Buffer>
  /** Appends all the bytes, in order. */
  append(chunks: Buffer[]): Promise<void>
  sync(): Promise<void>
  truncate(length: number): Promise<void>
  close(): Promise<void>
}

export interface JournalFs {
  open(path: string): Promise<JournalFile>
  syncDirectory(dir: string): Promise<void>
}

export interface OpenJournalOptions {
  fs?: JournalFs
  /** The clock `health().since` is read from. */
  now?: () => number
}

export const JOURNAL_FILE = 'archive.journal'
const HEADER_BYTES = 8

// --- pure: CRC-32 and frames -----------------------------------------------------------------

const CRC_TABLE = (() => {
  // IEEE 802.3 polynomial, reflected, as in zip and PNG; zlib.crc32 only arrived in Node 22.2.
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (let i = 0; i < bytes.length; i++) crc = (CRC_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

export function encodeFrame(entry: JournalEntry): Buffer {
  const payload = Buffer.from(JSON.stringify(entry), 'utf8')
  if (payload.length > 0xffffffff) throw new RangeError(`journal entry of ${payload.length} bytes exceeds a frame's 4 GiB limit`)
  const header = Buffer.alloc(HEADER_BYTES)
  header.writeUInt32LE(payload.length, 0)
  header.writeUInt32LE(crc32(payload), 4)
  return Buffer.concat([header, payload])
}

/** The entry a payload holds, or undefined when the CRC or the JSON says the frame is damaged. */
function decodePayload(payload: Buffer, crc: number): JournalEntry | undefined {
  if (payload.length === 0 || crc32(payload) !== crc) return undefined
  let value: unknown
  try {
    value = JSON.parse(payload.toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const entry = value as { t?: unknown; records?: unknown }
  if (entry.t === 'reset') return { t: 'reset' }
  if (entry.t === 'write' && Array.isArray(entry.records)) return value as JournalEntry
  return undefined
}

/** Whether a valid frame starts anywhere in `bytes`; cheap byte checks first, CRC only for likely candidates. */
function containsValidFrame(bytes: Buffer): boolean {
  for (let i = 0; i + HEADER_BYTES < bytes.length; i++) {
    const length = bytes.readUInt32LE(i)
    const end = i + HEADER_BYTES + length
    if (length < 2 || end > bytes.length) continue
    if (bytes[i + HEADER_BYTES] !== 0x7b || bytes[end - 1] !== 0x7d) continue
    if (decodePayload(bytes.subarray(i + HEADER_BYTES, end), bytes.readUInt32LE(i + 4))) return true
  }
  return false
}

// --- I/O ---------------------------------------------------------------------------------------

export const nodeJournalFs: JournalFs = {
  async open(path) {
    const handle = await open(path, 'a+', 0o600)
    return {
      size: async () => (await handle.stat()).size,
      async read(position, length) {
        const buffer = Buffer.alloc(length)
        let filled = 0
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled)
          if (bytesRead === 0) break
          filled += bytesRead
        }
        return buffer.subarray(0, filled)
      },
      async append(chunks) {
        for (const chunk of chunks) {
          let written = 0
          while (written < chunk.length) written += (await handle.write(chunk, written, chunk.length - written)).bytesWritten
        }
      },
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    }
  },
  async syncDirectory(dir) {
    try {
      const handle = await open(dir, 'r')
      try {
        await handle.sync()
      } finally {
        await handle.close()
      }
    } catch (error) {
      // Windows cannot open a directory for fsync; there the file's creation is as durable as it gets.
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error
    }
  },
}

export async function openJournal(
  dir: string,
  options: OpenJournalOptions = {},
): Promise<{ journal: Journal; entries: JournalEntry[]; recovered: { truncatedBytes: number } }> {
  const fs = options.fs ?? nodeJournalFs
  await mkdir(dir, { recursive: true })
  const path = join(dir, JOURNAL_FILE)
  const file = await fs.open(path)
  try {
    await fs.syncDirectory(dir)
    const { entries, validLength, size } = await readFrames(file)
    let truncatedBytes = 0
    if (validLength < size) {
      if (containsValidFrame(await file.read(validLength + 1, size - validLength - 1))) {
        throw new Error(
          `journal ${path}: damaged frame at offset ${validLength} is followed by valid frames; ` +
            'refusing to drop acknowledged data (inspect the file, or truncate it at that offset to accept the loss)',
        )
      }
      await file.truncate(validLength)
      await file.sync()
      truncatedBytes = size - validLength
    }
    return { journal: createJournal(path, file, validLength, options.now ?? Date.now), entries, recovered: { truncatedBytes } }
  } catch (error) {
    await file.close()
    throw error
  }
}

async function readFrames(file: JournalFile): Promise<{ entries: JournalEntry[]; validLength: number; size: number }> {
  const size = await file.size()
  const entries: JournalEntry[] = []
  let position = 0
  while (position + HEADER_BYTES <= size) {
    const header = await file.read(position, HEADER_BYTES)
    const length = header.readUInt32LE(0)
    if (position + HEADER_BYTES + length > size) break
    const entry = decodePayload(await file.read(position + HEADER_BYTES, length), header.readUInt32LE(4))
    if (!entry) break
    entries.push(entry)
    position += HEADER_BYTES + length
  }
  return { entries, validLength: position, size }
}

interface Pending {
  frame: Buffer
  resolve: () => void
  reject: (error: Error) => void
}

/**
 * The queue of appends over the file. A write or fsync that fails (ENOSPC on a full disk, EIO) leaves the end of the
 * file unknown: the batch it held is refused, and so is every append queued behind it. The file is not given up on:
 * the next append first cuts the file back to the length of what was acknowledged and fsyncs that, and goes on
 * only if both succeed. So the journal holds exactly the acknowledged entries whatever happened, and writes resume by
 * themselves once the disk has room again. Acknowledged entries were fsync'ed before their batch resolved, so
 * cutting the unacknowledged tail never touches them.
 */
function createJournal(path: string, file: JournalFile, acknowledgedLength: number, now: () => number): Journal {
  const queue: Pending[] = []
  let draining: Promise<void> | undefined
  let failure: { error: Error; since: number } | undefined
  let length = acknowledgedLength
  let closed = false

  const unwritable = (cause: unknown) => codes.MOCK_ERR_ARCHIVE.create(path, describeCause(cause))

  /** Cuts back to what was acknowledged; only a file known to hold exactly that takes appends again. */
  const recover = async (): Promise<void> => {
    if (!failure) return
    const { since } = failure
    try {
      await file.truncate(length)
      await file.sync()
      failure = undefined
    } catch (error) {
      failure = { error: unwritable(error), since }
    }
  }

  const drain = async (): Promise<void> => {
    await recover()
    while (queue.length > 0) {
      const batch = queue.splice(0)
      if (failure) {
        for (const p of batch) p.reject(failure.error)
        continue
      }
      try {
        await file.append(batch.map((p) => p.frame))
        await file.sync()
        for (const p of batch) length += p.frame.length
        for (const p of batch) p.resolve()
      } catch (error) {
        failure = { error: unwritable(error), since: now() }
        for (const p of batch) p.reject(failure.error)
      }
    }
    draining = undefined
  }

  return {
    path,
    append(entry) {
      if (closed) return Promise.reject(new Error(`journal ${path} is closed`))
      let frame: Buffer
      try {
        frame = encodeFrame(entry)
      } catch (error) {
        return Promise.reject(error)
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ frame, resolve, reject })
        // Started a microtask later, so that appends made in the same tick share the first fsync.
        draining ??= Promise.resolve().then(drain)
      })
    },
    health: () => (failure ? { writable: false, reason: failure.error.message, since: failure.since } : { writable: true }),
    async close() {
      if (closed) return
      closed = true
      while (draining) await draining
      await file.close()
    },
  }
}

/** The system's words for a failed write (`ENOSPC: no space left on device, write`), or the error's message. */
function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}
