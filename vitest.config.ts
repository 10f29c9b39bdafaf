import { defineConfig } from 'vitest/config'

// Generous limits: CI has two cores and runs real clients and servers; speed is measured by `npm run bench`, not here.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'reports/**'],
  },
})
