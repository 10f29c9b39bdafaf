/**
 * `nwa keygen` and `nwa verify`: the I/O around the key pair and verifyBundle. Exit codes: 0 done (verify: every
 * check passed), 1 verify found a problem, 2 a usage mistake (a missing file, a key that is not Ed25519).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { generateSigningKeys, readPublicKey } from './dsse.ts'
import { verifyBundle } from './bundle.ts'

export interface CommandIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  env: Readonly<Record<string, string | undefined>>
}

/** The largest bundle nwa verify reads: it holds the archive in memory (docs/evidence.md, "Bundles"). */
export const maxBundleBytes = 512 * 1024 * 1024

export interface KeygenOptions {
  /** Writes PREFIX.key (private, mode 0600) and PREFIX.pub. */
  out: string
  /** `env:NAME`: encrypt the private key with that variable's value. */
  passphrase?: string
}

export function runKeygen(options: KeygenOptions, io: CommandIo): 0 | 2 {
  const privateFile = `${options.out}.key`
  const publicFile = `${options.out}.pub`
  const existing = [privateFile, publicFile].filter((file) => existsSync(file))
  if (existing.length > 0) {
    io.stderr.write(`nwa keygen: ${existing.join(' and ')} already exist; a key is never overwritten\n`)
    return 2
  }
  let passphrase: string | undefined
  if (options.passphrase !== undefined) {
    const name = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(options.passphrase)?.[1]
    passphrase = name === undefined ? undefined : io.env[name]
    if (passphrase === undefined || passphrase === '') {
      io.stderr.write(`nwa keygen: --passphrase ${options.passphrase}: expected env:NAME naming a set, non-empty variable\n`)
      return 2
    }
  }
  const keys = generateSigningKeys(passphrase)
  writeFileSync(privateFile, keys.privateKey, { mode: 0o600 })
  writeFileSync(publicFile, keys.publicKey)
  io.stdout.write(
    `nwa keygen: Ed25519 key ${keys.keyid}\n  private ${privateFile} (keep it secret${passphrase === undefined ? '' : '; encrypted: give NWA_SIGN_KEY_PASSPHRASE to use it'})\n  public  ${publicFile} (hand it to whoever verifies)\n`,
  )
  return 0
}

export interface VerifyOptions {
  /** PEM public key; without it the signature is not checked. */
  key?: string
}

export function runVerify(file: string, options: VerifyOptions, io: CommandIo): 0 | 1 | 2 {
  let archive: Buffer
  let publicKey: ReturnType<typeof readPublicKey> | undefined
  try {
    const size = statSync(file).size
    if (size > maxBundleBytes) throw new Error(`${size} bytes is more than the ${maxBundleBytes} a bundle may hold`)
    archive = readFileSync(file)
    if (options.key !== undefined) publicKey = readPublicKey(readFileSync(options.key, 'utf8'))
  } catch (error) {
    io.stderr.write(`nwa verify: ${error instanceof Error ? error.message : String(error)}\n`)
    return 2
  }
  const verification = verifyBundle(archive, publicKey)
  io.stdout.write(`nwa verify: ${file}\n`)
  for (const finding of verification.findings) io.stdout.write(`  ${finding.ok ? '✓' : '✗'} ${finding.what}: ${finding.message}\n`)
  const signature = {
    verified: 'signed by the given key',
    invalid: 'the signature does not verify',
    present: `signed by ${verification.keyids.join(', ')}, but the signature was not checked: give --key PUBLIC-KEY`,
    absent: 'UNSIGNED: the files agree with the statement, which shows nothing about who made them',
  }[verification.signature]
  const failed = verification.findings.filter((finding) => !finding.ok)
  io.stdout.write(
    verification.valid
      ? `VALID: ${signature}${verification.predicate === undefined ? '' : `; verdict ${verification.predicate.verdict.verdict}`}\n`
      : `INVALID: ${failed.length} problem${failed.length === 1 ? '' : 's'}, first ${failed[0]?.what}: ${failed[0]?.message}\n`,
  )
  return verification.valid ? 0 : 1
}
