import { describe, expect, it } from 'vitest'
import { readFixture } from '../test/helpers/contract.ts'
import { createFaultPlan, noFaults, parseFaultSettings, parseLatency, type FaultDecision, type FaultSettings, type OperationKind } from './faults.ts'

// Expected wording, copied by hand from api/responsestatuscodes.md and api/errordetails.md (not imported from the module).
const LICENSE = 'Netwrix Auditor license has expired.'
const INTERNAL = 'Internal error occurred.'
const ARCHIVE_READ = 'The Netwrix Auditor Archive Service is unreachable. Try restarting the service on the computer that hosts Netwrix Auditor Server.'
const ARCHIVE_WRITE =
  'The Netwrix Auditor Archive Service is busy or unreachable. Try restarting the service on the computer that hosts Netwrix Auditor Server.'
const AUDIT_DB =
  '0x80040C0A SQL Server cannot be contacted, connection is lost (0x80004005 [DBNETLIB][ConnectionOpen (Connect())] SQL Server does not exist or access denied.) [0x00007FFDCC06BBC8,0x00007FFDB99EF4BA; 0x00007FFDB99BEEEF,0x00007FFDB99EF4DC]'

function plan(patch: Partial<FaultSettings>) {
  return createFaultPlan({ ...noFaults, ...patch })
}

function decisions(settings: Partial<FaultSettings>, count: number, operation: OperationKind = 'read'): FaultDecision[] {
  const p = plan(settings)
  return Array.from({ length: count }, () => p.decide(operation))
}

describe('fault wording', () => {
  it('[ERR-CATEGORIES] answers an unreachable Audit Database with the documented ServerError example, which the hand copy matches', () => {
    const documented = JSON.parse(readFixture('examples/errordetails/servererror-response.json')) as { ErrorList: unknown[] }
    const decision = plan({ auditDatabaseUnreachable: true }).decide('read')
    expect(decision.kind === 'error' && [decision.error]).toEqual(documented.ErrorList)
    expect(documented.ErrorList).toEqual([{ Category: 'ServerError', Description: AUDIT_DB }])
    expect(readFixture('examples/errordetails/servererror-response.xml')).toContain(`<Description>${AUDIT_DB}</Description>`)
  })
})

describe('createFaultPlan: each fault', () => {
  it('passes every request when no fault is set', () => {
    expect(plan({}).decide('read')).toEqual({ kind: 'none', delayMs: 0 })
    expect(plan({}).decide('write')).toEqual({ kind: 'none', delayMs: 0 })
  })

  it.each<OperationKind>(['read', 'write'])('license expired: 500 ServerError on %s', (operation) => {
    expect(plan({ licenseExpired: true }).decide(operation)).toEqual({
      kind: 'error',
      delayMs: 0,
      status: 500,
      error: { Category: 'ServerError', Description: LICENSE },
      reason: 'licenseExpired',
    })
  })

  it.each<OperationKind>(['read', 'write'])('Audit Database unreachable: 500 ServerError 0x80040C0A on %s', (operation) => {
    expect(plan({ auditDatabaseUnreachable: true }).decide(operation)).toEqual({
      kind: 'error',
      delayMs: 0,
      status: 500,
      error: { Category: 'ServerError', Description: AUDIT_DB },
      reason: 'auditDatabaseUnreachable',
    })
  })

  it.each(['busy', 'unreachable'] as const)('Archive Service %s: write gets 503 with an ErrorList', (state) => {
    expect(plan({ archiveService: state }).decide('write')).toEqual({
      kind: 'error',
      delayMs: 0,
      status: 503,
      error: { Category: 'ServerError', Description: ARCHIVE_WRITE },
      reason: `archiveService=${state}`,
    })
  })

  it('Archive Service unreachable: read gets 500 ServerError', () => {
    expect(plan({ archiveService: 'unreachable' }).decide('read')).toEqual({
      kind: 'error',
      delayMs: 0,
      status: 500,
      error: { Category: 'ServerError', Description: ARCHIVE_READ },
      reason: 'archiveService=unreachable',
    })
  })

  it('Archive Service busy: reads still succeed (the read column lists only "unreachable")', () => {
    expect(plan({ archiveService: 'busy' }).decide('read')).toEqual({ kind: 'none', delayMs: 0 })
  })

  it('fault rate 1: 500 ServerError "Internal error occurred."', () => {
    expect(plan({ faultRate: 1 }).decide('write')).toEqual({
      kind: 'error',
      delayMs: 0,
      status: 500,
      error: { Category: 'ServerError', Description: INTERNAL },
      reason: 'faultRate',
    })
  })

  it('drop rate 1: the connection is dropped', () => {
    expect(plan({ dropConnectionRate: 1 }).decide('read')).toEqual({ kind: 'drop', delayMs: 0, reason: 'dropConnectionRate' })
  })

  it('latency applies to errors and drops as well as successes', () => {
    expect(plan({ latencyMs: 250 }).decide('read').delayMs).toBe(250)
    expect(plan({ latencyMs: 250, licenseExpired: true }).decide('read').delayMs).toBe(250)
    expect(plan({ latencyMs: 250, dropConnectionRate: 1 }).decide('read').delayMs).toBe(250)
  })
})

describe('createFaultPlan: precedence', () => {
  const all: Partial<FaultSettings> = {
    licenseExpired: true,
    auditDatabaseUnreachable: true,
    archiveService: 'unreachable',
    faultRate: 1,
    dropConnectionRate: 1,
  }
  const reasonOf = (patch: Partial<FaultSettings>, operation: OperationKind) => {
    const decision = plan(patch).decide(operation)
    return decision.kind === 'none' ? 'none' : decision.reason
  }

  it.each<OperationKind>(['read', 'write'])('licence, then Audit Database, then Archive Service, then fault rate, then drop (%s)', (operation) => {
    expect(reasonOf(all, operation)).toBe('licenseExpired')
    expect(reasonOf({ ...all, licenseExpired: false }, operation)).toBe('auditDatabaseUnreachable')
    expect(reasonOf({ ...all, licenseExpired: false, auditDatabaseUnreachable: false }, operation)).toBe('archiveService=unreachable')
    expect(reasonOf({ ...all, licenseExpired: false, auditDatabaseUnreachable: false, archiveService: 'ok' }, operation)).toBe('faultRate')
    expect(reasonOf({ faultRate: 0, dropConnectionRate: 1 }, operation)).toBe('dropConnectionRate')
  })

  it('a busy Archive Service lets a read fall through to the random faults', () => {
    expect(reasonOf({ archiveService: 'busy', faultRate: 1 }, 'read')).toBe('faultRate')
  })
})

describe('createFaultPlan: determinism', () => {
  const mixed: Partial<FaultSettings> = { faultRate: 0.3, dropConnectionRate: 0.3, latencyMs: { min: 0, max: 1000 } }

  it('gives the same sequence twice for one seed', () => {
    expect(decisions({ ...mixed, seed: 42 }, 200)).toEqual(decisions({ ...mixed, seed: 42 }, 200))
  })

  it('gives a different sequence for another seed', () => {
    expect(decisions({ ...mixed, seed: 43 }, 200)).not.toEqual(decisions({ ...mixed, seed: 42 }, 200))
  })

  it('keeps the delay sequence when a fixed fault is switched on', () => {
    const delays = (patch: Partial<FaultSettings>) => decisions({ ...mixed, seed: 7, ...patch }, 50).map((d) => d.delayMs)
    expect(delays({ licenseExpired: true })).toEqual(delays({}))
  })

  it('reports the settings it was made with, as a copy', () => {
    const settings: FaultSettings = { ...noFaults, latencyMs: { min: 1, max: 2 }, seed: 9 }
    const p = createFaultPlan(settings)
    const seen = p.settings()
    expect(seen).toEqual(settings)
    ;(seen.latencyMs as { min: number }).min = 100
    expect(p.settings().latencyMs).toEqual({ min: 1, max: 2 })
  })

  it('refuses invalid settings', () => {
    expect(() => createFaultPlan({ ...noFaults, faultRate: 2 })).toThrow(/faultRate/)
  })
})

describe('createFaultPlan: distributions', () => {
  it('fails about a quarter of 4000 requests at faultRate 0.25', () => {
    for (const seed of [1, 2, 3]) {
      const failed = decisions({ faultRate: 0.25, seed }, 4000).filter((d) => d.kind === 'error').length
      expect(Math.abs(failed / 4000 - 0.25)).toBeLessThanOrEqual(0.03)
    }
  })

  it('drops about a tenth of 4000 requests at dropConnectionRate 0.1', () => {
    const dropped = decisions({ dropConnectionRate: 0.1, seed: 5 }, 4000).filter((d) => d.kind === 'drop').length
    expect(Math.abs(dropped / 4000 - 0.1)).toBeLessThanOrEqual(0.03)
  })

  it('applies both rates independently', () => {
    const out = decisions({ faultRate: 0.5, dropConnectionRate: 0.5, seed: 11 }, 4000)
    const errors = out.filter((d) => d.kind === 'error').length / 4000
    const drops = out.filter((d) => d.kind === 'drop').length / 4000
    expect(Math.abs(errors - 0.5)).toBeLessThanOrEqual(0.03)
    expect(Math.abs(drops - 0.25)).toBeLessThanOrEqual(0.03)
  })

  it('keeps a latency range within its bounds and reaches both ends', () => {
    const delays = decisions({ latencyMs: { min: 100, max: 103 }, seed: 3 }, 400).map((d) => d.delayMs)
    expect(new Set(delays)).toEqual(new Set([100, 101, 102, 103]))
  })

  it('accepts a degenerate range', () => {
    expect(decisions({ latencyMs: { min: 5, max: 5 } }, 10).every((d) => d.delayMs === 5)).toBe(true)
  })
})

describe('parseFaultSettings', () => {
  it('applies a patch over the base', () => {
    const base: FaultSettings = { ...noFaults, seed: 4, faultRate: 0.1 }
    expect(parseFaultSettings({ archiveService: 'busy', latencyMs: { min: 1, max: 9 } }, base)).toEqual({
      ok: true,
      settings: { ...base, archiveService: 'busy', latencyMs: { min: 1, max: 9 } },
    })
    expect(parseFaultSettings({})).toEqual({ ok: true, settings: noFaults })
  })

  it.each<[string, unknown, RegExp]>([
    ['an unknown key', { faultrate: 0.1 }, /^faultrate: unknown key/],
    ['a rate above 1', { faultRate: 1.5 }, /^faultRate: .*0 to 1.*1\.5/],
    ['a negative rate', { dropConnectionRate: -0.1 }, /^dropConnectionRate: /],
    ['a rate given as a string', { faultRate: '0.5' }, /^faultRate: /],
    ['a negative latency', { latencyMs: -1 }, /^latencyMs: /],
    ['a fractional latency', { latencyMs: 1.5 }, /^latencyMs: /],
    ['a range with min > max', { latencyMs: { min: 400, max: 100 } }, /^latencyMs: min \(400\) must not exceed max \(100\)/],
    ['a range with a negative end', { latencyMs: { min: -5, max: 100 } }, /^latencyMs\.min: /],
    ['a range with an extra key', { latencyMs: { min: 1, max: 2, avg: 1 } }, /^latencyMs\.avg: unknown key/],
    ['a non-boolean flag', { licenseExpired: 'yes' }, /^licenseExpired: /],
    ['a bad Archive Service state', { archiveService: 'down' }, /^archiveService: .*"down"/],
    ['a fractional seed', { seed: 1.5 }, /^seed: /],
  ])('rejects %s, naming the key', (_title, input, message) => {
    const result = parseFaultSettings(input)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.errors).toHaveLength(1)
      expect(result.errors[0]).toMatch(message)
    }
  })

  it('reports every bad key at once', () => {
    const result = parseFaultSettings({ faultRate: 2, dropConnectionRate: 2, bogus: true })
    expect(result.ok ? [] : result.errors.map((e) => e.split(':')[0])).toEqual(['faultRate', 'dropConnectionRate', 'bogus'])
  })

  it('rejects input that is not an object', () => {
    for (const input of [null, [], 'licenseExpired', 3]) expect(parseFaultSettings(input).ok).toBe(false)
  })
})

describe('parseLatency', () => {
  it.each<[string, ReturnType<typeof parseLatency>]>([
    ['250', 250],
    ['0', 0],
    ['100-400', { min: 100, max: 400 }],
    [' 100 - 400 ', { min: 100, max: 400 }],
    ['400-100', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['abc', undefined],
    ['', undefined],
    ['100-', undefined],
    ['99999999999', undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseLatency(text)).toEqual(expected)
  })
})
