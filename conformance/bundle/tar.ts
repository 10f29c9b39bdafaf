/**
 * The bundle's archive: POSIX ustar (IEEE Std 1003.1, "pax" format's ustar headers), regular files only, written in
 * one canonical form: mode 0644, owner 0:0 with no names, one mtime, names of at most 100 ASCII bytes, content padded
 * with zeros to 512 bytes, two zero blocks at the end and nothing after. Every `tar` reads it. The reader is strict
 * on purpose: it accepts only that form, so every byte of an archive is either a file's content (which the statement's
 * digests cover) or a header, padding or end block it can check, and a one-byte change anywhere is found and named
 * (docs/evidence.md, "Bundles").
 */
export interface TarEntry {
  name: string
  content: Buffer
}

export type TarReading = { ok: true; entries: TarEntry[]; mtime: number } | { ok: false; offset: number; problem: string }

const block = 512
const maxSize = 8 ** 11 - 1

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`
}

/** The header nwa-kit writes for a file; `mtime` in whole seconds. */
export function tarHeader(name: string, size: number, mtime: number): Buffer {
  if (!/^[\x21-\x7e]{1,100}$/.test(name)) throw new Error(`tar: the name ${JSON.stringify(name)} is not 1 to 100 printable ASCII bytes`)
  if (!Number.isInteger(size) || size < 0 || size > maxSize) throw new Error(`tar: ${name} is ${size} bytes, more than ustar can hold`)
  const header = Buffer.alloc(block)
  header.write(name, 0, 'ascii')
  header.write(octal(0o644, 8), 100, 'ascii')
  header.write(octal(0, 8), 108, 'ascii')
  header.write(octal(0, 8), 116, 'ascii')
  header.write(octal(size, 12), 124, 'ascii')
  header.write(octal(mtime, 12), 136, 'ascii')
  header.write('        ', 148, 'ascii')
  header.write('0', 156, 'ascii')
  header.write('ustar\0', 257, 'ascii')
  header.write('00', 263, 'ascii')
  let sum = 0
  for (const byte of header) sum += byte
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii')
  return header
}

const padding = (size: number): number => (block - (size % block)) % block

export function packTar(entries: readonly TarEntry[], mtime: number): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    parts.push(tarHeader(entry.name, entry.content.length, mtime), entry.content, Buffer.alloc(padding(entry.content.length)))
  }
  parts.push(Buffer.alloc(2 * block))
  return Buffer.concat(parts)
}

function readOctal(field: Buffer): number {
  const text = field.toString('ascii').replace(/[\0 ]+$/, '')
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : Number.NaN
}

const isZero = (bytes: Buffer): boolean => bytes.every((byte) => byte === 0)

/** The first byte where two equal-length buffers differ, or -1. */
function firstDifference(a: Buffer, b: Buffer): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

/** Reads an archive in exactly the form packTar writes, or says where it departs from it. */
export function readTar(archive: Buffer): TarReading {
  const entries: TarEntry[] = []
  let mtime: number | undefined
  let offset = 0
  const bad = (at: number, problem: string): TarReading => ({ ok: false, offset: at, problem })
  while (true) {
    if (offset + block > archive.length) return bad(offset, 'the archive ends inside a header: it was cut short')
    const header = archive.subarray(offset, offset + block)
    if (isZero(header)) break
    const name = header.subarray(0, 100).toString('ascii').replace(/\0+$/, '')
    const label = `the tar header of ${JSON.stringify(name)} at offset ${offset}`
    let sum = 0
    for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!
    if (readOctal(header.subarray(148, 156)) !== sum) return bad(offset, `${label}: its checksum does not match its bytes`)
    const size = readOctal(header.subarray(124, 136))
    const seconds = readOctal(header.subarray(136, 148))
    if (Number.isNaN(size) || Number.isNaN(seconds)) return bad(offset, `${label}: its size or time is not an octal number`)
    let canonical: Buffer
    try {
      canonical = tarHeader(name, size, seconds)
    } catch (error) {
      return bad(offset, `${label}: ${(error as Error).message}`)
    }
    const differs = firstDifference(header, canonical)
    if (differs >= 0) return bad(offset + differs, `${label} is not in the form nwa-kit writes (byte ${differs} of the header)`)
    if (mtime !== undefined && seconds !== mtime) return bad(offset + 136, `${label}: its time differs from the other files'`)
    mtime = seconds
    const start = offset + block
    const end = start + size
    if (end + padding(size) > archive.length) return bad(archive.length, `${JSON.stringify(name)} is cut short: the archive ends inside it`)
    const pad = archive.subarray(end, end + padding(size))
    if (!isZero(pad)) return bad(end + firstDifference(pad, Buffer.alloc(pad.length)), `the padding after ${JSON.stringify(name)} is not zero`)
    if (entries.some((entry) => entry.name === name)) return bad(offset, `${label}: ${JSON.stringify(name)} is in the archive twice`)
    entries.push({ name, content: archive.subarray(start, end) })
    offset = end + pad.length
  }
  const tail = archive.subarray(offset)
  if (tail.length !== 2 * block) {
    return bad(offset, tail.length < 2 * block ? 'the archive ends without its two end blocks' : 'bytes follow the end of the archive')
  }
  if (!isZero(tail)) return bad(offset + firstDifference(tail, Buffer.alloc(tail.length)), 'the end blocks of the archive are not zero')
  return { ok: true, entries, mtime: mtime ?? 0 }
}
