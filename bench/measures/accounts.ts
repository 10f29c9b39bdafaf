/** The demo directory's Global administrator (api/endpoints.md's example account). */
export const admin = { user: 'ENTERPRISE\\NetwrixUser', password: 'NetwrixIsCool' } as const
