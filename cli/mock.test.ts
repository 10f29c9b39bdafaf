import { describe, expect, it } from 'vitest'
import { defectCatalogue } from '../mock/defects/index.ts'
import { mockOptionsFromFlags } from './mock.ts'

const base = { host: '127.0.0.1', port: '9699', tls: true, seed: 'demo', faultSeed: '1', log: 'pretty' as const }

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
    expect(parsed.errors).toEqual([
      '--port x: must be a whole number from 0 to 65535',
      "--auth kerberos: unknown scheme 'kerberos' (Negotiate, NTLM, Digest, Basic)",
      '--latency soon: takes milliseconds or a range such as 100-400',
      '--fault-rate: must be a number from 0 to 1 (got 2)',
      '--max-body 0: must be a whole number from 1 to 9007199254740991',
    ])
  })

  it('--defect switches seeded defects on by name, and always hands the app the catalogue so /nwa/defects can switch them', () => {
    const parsed = mockOptionsFromFlags({ ...base, defect: 'count-plus-one, role-after-body' })
    expect(parsed.ok && parsed.options.defectsOn).toEqual(['count-plus-one', 'role-after-body'])
    expect(parsed.ok && parsed.options.defects).toBe(defectCatalogue)
    const plain = mockOptionsFromFlags(base)
    expect(plain.ok && [plain.options.defectsOn, plain.options.defects === defectCatalogue]).toEqual([[], true])
  })

  it('--defect refuses each unknown name', () => {
    const parsed = mockOptionsFromFlags({ ...base, defect: 'nope,count-plus-one,zz' })
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      "--defect nope,count-plus-one,zz: unknown defect 'nope' (nwa selftest --list names them)",
      "--defect nope,count-plus-one,zz: unknown defect 'zz' (nwa selftest --list names them)",
    ])
  })
})
