import request from 'supertest'
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
