import { defineError } from '../openapi/errors.ts'

/**
 * The mock's own failures, its one error table; API errors go to clients as ErrorLists, not as these.
 */
export const codes = {
  // Start-up: options, the directory, the seed, the listening socket.
  MOCK_ERR_OPTIONS: defineError('MOCK_ERR_OPTIONS', 'invalid option %s: %s'),
  MOCK_ERR_SEED: defineError('MOCK_ERR_SEED', 'cannot load seed %s: %s'),
  MOCK_ERR_DIRECTORY: defineError('MOCK_ERR_DIRECTORY', 'cannot load directory %s: %s'),
  MOCK_ERR_LISTEN: defineError('MOCK_ERR_LISTEN', 'cannot listen on %s: %s'),
  MOCK_ERR_STORE: defineError('MOCK_ERR_STORE', 'cannot open the store %s: %s'),
  // Requests: the payload validators refuse unknown filters and operators with 400 before a search is
  // compiled, so this one means the contract names something the search compiler does not implement.
  MOCK_ERR_SEARCH: defineError('MOCK_ERR_SEARCH', 'cannot compile the search: %s'),
  // The Long-Term Archive's journal cannot be written (a full disk): writes get 503 until it can (D44).
  MOCK_ERR_ARCHIVE: defineError('MOCK_ERR_ARCHIVE', 'the Long-Term Archive %s cannot be written: %s'),
  // A store that was open stops answering (a lost database connection): the documented Audit Database 500.
  MOCK_ERR_STORE_UNAVAILABLE: defineError('MOCK_ERR_STORE_UNAVAILABLE', 'the store cannot be reached: %s'),
  // A value the store's backend cannot hold (U+0000 or a lone surrogate in PostgreSQL text) that reached it by a seed.
  MOCK_ERR_STORE_VALUE: defineError('MOCK_ERR_STORE_VALUE', 'the store cannot hold %s: %s'),
} as const
