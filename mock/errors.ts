import { defineError } from '../openapi/errors.ts'

/** The mock's own failures (start-up and configuration); API errors go to clients as ErrorLists, not as these. */
export const codes = {
  MOCK_ERR_OPTIONS: defineError('MOCK_ERR_OPTIONS', 'invalid option %s: %s'),
  MOCK_ERR_SEED: defineError('MOCK_ERR_SEED', 'cannot load seed %s: %s'),
  MOCK_ERR_DIRECTORY: defineError('MOCK_ERR_DIRECTORY', 'cannot load directory %s: %s'),
  MOCK_ERR_LISTEN: defineError('MOCK_ERR_LISTEN', 'cannot listen on %s: %s'),
} as const
