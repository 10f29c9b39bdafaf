import request from 'supertest'
import { afterEach } from 'vitest'
import { createMockApp, type MockApp } from '../../mock/app.ts'
import type { MockOptions } from '../../mock/options.ts'

export const api = '/netwrix/api/v1'
export const password = 'NetwrixIsCool'
export const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'

export const accounts = {
  admin: 'ENTERPRISE\\NetwrixUser',
  globalReviewer: 'ENTERPRISE\\GlobalReviewer',
  planReviewer: 'ENTERPRISE\\PlanReviewer',
  contributor: 'ENTERPRISE\\Contributor',
  configurator: 'ENTERPRISE\\Configurator',
  noRole: 'ENTERPRISE\\NoRole',
} as const

export function basic(user: string, secret = password): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`
}

/** A mock app on a fixed clock, Basic only (the other schemes have their own tests), seeded as asked. */
export async function mockApp(options: MockOptions = {}): Promise<{ app: MockApp; agent: ReturnType<typeof request> }> {
  const app = await createMockApp({ seed: 'none', authSchemes: ['Basic'], now: () => Date.parse('2026-11-21T12:00:00Z'), ...options })
  return { app, agent: request(app.handle) }
}

export function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Who: 'ENTERPRISE\\Jason.Smith',
    Action: 'Added',
    What: 'Databases\\Reports',
    When: '2026-11-20T10:00:00Z',
    Where: 'SQL01',
    ObjectType: 'Table',
    ...overrides,
  }
}

/**
 * One mock app per test: the returned `start` makes it, and it is closed after each test. Call it once at the top
 * of a test file (it registers the afterEach hook there); `current()` is the app of the running test.
 */
export function mockPerTest(): { start: (options?: MockOptions) => ReturnType<typeof mockApp>; current: () => MockApp | undefined } {
  let app: MockApp | undefined
  afterEach(async () => {
    await app?.close()
    app = undefined
  })
  return {
    start: async (options = {}) => {
      const started = await mockApp(options)
      app = started.app
      return started
    },
    current: () => app,
  }
}
