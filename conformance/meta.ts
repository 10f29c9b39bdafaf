/**
 * What a report must say about the tool that produced it, so a verdict can be reproduced: the nwa-kit
 * version (package.json), the Node version, and the SHA-256 of the contract file's bytes.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { contractPath } from '../openapi/load.ts'

export interface RunMeta {
  tool: string
  version: string
  node: string
  contract: {
    /** Relative to the repository. */
    file: string
    /** Of the file's bytes as read, hex. */
    sha256: string
  }
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url))

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown }
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version')
  return manifest.version
}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export function runMeta(): RunMeta {
  return {
    tool: 'nwa-kit',
    version: packageVersion(),
    node: process.version,
    contract: { file: relative(repoRoot, contractPath), sha256: sha256Hex(readFileSync(contractPath)) },
  }
}
