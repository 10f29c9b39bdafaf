/**
 * Which store a mock runs on (`--store`, `NWA_STORE`): the embedded in-memory store, or PostgreSQL at a
 * `postgres://user@host:port/db` URL. The PostgreSQL module is loaded only when asked for, so the embedded
 * store's start and footprint carry none of it.
 */
import type { Contract } from '../../openapi/contract.ts'
import { codes } from '../errors.ts'
import type { Directory } from '../directory.ts'
import type { JournalFs } from './journal.ts'
import { openMemoryStore } from './memory-store.ts'
import type { Store } from './store.ts'

export type StoreSpec = { kind: 'memory' } | { kind: 'postgres'; url: string }

/** `memory`, or a `postgres://` / `postgresql://` URL; undefined for anything else. Pure. */
export function parseStoreSpec(text: string): StoreSpec | undefined {
  const trimmed = text.trim()
  if (trimmed === '' || trimmed === 'memory') return { kind: 'memory' }
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { kind: 'postgres', url: trimmed }
  return undefined
}

/** The URL with its password, if any, masked: what a banner or an error message may show. Pure. */
export function describeStoreSpec(spec: StoreSpec): string {
  if (spec.kind === 'memory') return 'memory'
  return spec.url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/i, '$1:***@')
}

export interface OpenStoreOptions {
  spec: StoreSpec
  /** The memory store's journal and mark key (PostgreSQL keeps both in the database). */
  dataDir?: string
  journalFs?: JournalFs
  random: (n: number) => Buffer
  /** The clock a journal failure is dated by; the system's when absent. */
  now?: () => number
  contract: Contract
  directory: Pick<Directory, 'isMember' | 'membersOf'>
}

export async function openStore(options: OpenStoreOptions): Promise<{ store: Store; recovered: { truncatedBytes: number } }> {
  const { spec } = options
  if (spec.kind === 'memory') {
    return openMemoryStore({
      ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
      ...(options.journalFs !== undefined && { journalFs: options.journalFs }),
      random: options.random,
      ...(options.now !== undefined && { now: options.now }),
      search: { contract: options.contract, isMember: (account, group) => options.directory.isMember(account, group) },
    })
  }
  const { openPostgresStore } = await import('./postgres/store.ts')
  try {
    const store = await openPostgresStore({ url: spec.url, random: options.random, contract: options.contract, directory: options.directory })
    return { store, recovered: { truncatedBytes: 0 } }
  } catch (error) {
    throw codes.MOCK_ERR_STORE.create(describeStoreSpec(spec), error instanceof Error ? error.message : String(error))
  }
}
