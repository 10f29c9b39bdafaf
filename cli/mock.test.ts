import { describe, expect, it } from 'vitest'
import { mockOptionsFromFlags } from './mock.ts'

const base = { host: '127.0.0.1', port: '9699', tls: true, seed: 'demo', faultSeed: '1' }

describe('nwa mock flags', () => {
  it('maps flags onto server options, with the auth order as given', () => {
    const parsed = mockOptionsFromFlags({ ...base, tls: false, auth: 'basic, DIGEST', maxCount: '500', control: true, archive: 'busy', latency: '100-400' })
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.options).toMatchObject({ tls: false, port: 9699, authSchemes: ['Basic', 'Digest'], maxCount: 500, control: true })
    expect(parsed.options.faults).toMatchObject({ archiveService: 'busy', latencyMs: { min: 100, max: 400 }, seed: 1 })
  })

  it('reports every mistake at once, naming its flag', () => {
    const parsed = mockOptionsFromFlags({ ...base, port: 'x', auth: 'kerberos', maxBody: '0', latency: 'soon', faultRate: '2' })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    const text = parsed.errors.join('\n')
    for (const flag of ['--port', '--auth', '--max-body', '--latency', 'faultRate']) expect(text).toContain(flag)
  })
})
