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
  // Requests: the payload validators refuse unknown filters and operators with 400 before a search is
  // compiled, so this one means the contract names something the search compiler does not implement.
  MOCK_ERR_SEARCH: defineError('MOCK_ERR_SEARCH', 'cannot compile the search: %s'),
  // The Long-Term Archive's journal cannot be written (a full disk): writes get 503 until it can (D44).
  MOCK_ERR_ARCHIVE: defineError('MOCK_ERR_ARCHIVE', 'the Long-Term Archive %s cannot be written: %s'),
} as const
