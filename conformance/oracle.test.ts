import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract, type Contract } from '../openapi/contract.ts'
import { createPayloadCodec, type PayloadCodec } from '../openapi/payload.ts'
import type { ActivityRecordListResponse, ActivityRecordOutput, ActivityRecordSearch, FilterList } from '../openapi/records.ts'
import { readFixture } from '../test/helpers/contract.ts'
import { createOracle, whenInterval, type OracleOptions } from './oracle.ts'

let contract: Contract
let codec: PayloadCodec

beforeAll(async () => {
  contract = await loadContract()
  codec = createPayloadCodec(contract)
})

const NOW = Date.parse('2024-05-10T10:00:00Z')

function record(fields: Partial<ActivityRecordOutput> & { RID: string }): ActivityRecordOutput {
  return { Who: 'x', Action: 'Added', What: 'w', When: '2017-02-14T15:42:34Z', Where: 'h', ObjectType: 'user', ...fields }
}

function rids(filters: FilterList, records: ActivityRecordOutput[], options: Partial<OracleOptions> = {}): string[] {
  return createOracle(contract, { now: NOW, ...options })
    .select(records, filters)
    .map((r) => r.RID ?? '?')
}

const people = [
  'Domain1\\John',
  'Domain1\\Johnson',
  'Domain2\\Johnny',
  'John@domain.com',
  'Domain2\\Dr.John',
  'Domain2\\John',
  'Domain3\\John',
  'Domain2\\Johnson',
  'Johnny@domain.com',
  'Domain1\\Johnny',
  'Domain1\\Jane',
]
const byWho = people.map((who) => record({ RID: who, Who: who }))

describe('text operators, with the examples of api/filterreference/filteroperators.md', () => {
  it('[OP-CONTAINS] Who contains John matches Domain1\\John, Domain1\\Johnson, Domain2\\Johnny and John@domain.com', () => {
    const found = rids({ Who: { Contains: 'John' } }, byWho)
    expect(found).toEqual(expect.arrayContaining(['Domain1\\John', 'Domain1\\Johnson', 'Domain2\\Johnny', 'John@domain.com']))
    expect(found).not.toContain('Domain1\\Jane')
  })

  it('[OP-EQUALS] Equals needs the full value', () => {
    const files = ['\\\\FS\\Share\\NewPolicy.docx', '\\\\FS\\Share\\NewPolicy.docx.bak'].map((what) => record({ RID: what, What: what }))
    expect(rids({ What: { Equals: '\\\\FS\\Share\\NewPolicy.docx' } }, files)).toEqual(['\\\\FS\\Share\\NewPolicy.docx'])
  })

  it('[OP-NOTEQUALTO] not equal to Domain1\\John still finds Domain1\\Johnson and Domain2\\John', () => {
    const found = rids({ Who: { NotEqualTo: 'Domain1\\John' } }, byWho)
    expect(found).toEqual(expect.arrayContaining(['Domain1\\Johnson', 'Domain2\\John']))
    expect(found).not.toContain('Domain1\\John')
  })

  it('[OP-STARTSWITH] starts with Domain1\\John finds Domain1\\John, Domain1\\Johnson and Domain1\\Johnny only', () => {
    expect(rids({ Who: { StartsWith: 'Domain1\\John' } }, byWho).sort()).toEqual(['Domain1\\John', 'Domain1\\Johnny', 'Domain1\\Johnson'])
  })

  it('[OP-ENDSWITH] ends with John finds Domain1\\John, Domain2\\Dr.John and Domain3\\John but not Domain1\\Johnson', () => {
    const found = rids({ Who: { EndsWith: 'John' } }, byWho)
    expect(found).toEqual(expect.arrayContaining(['Domain1\\John', 'Domain2\\Dr.John', 'Domain3\\John']))
    expect(found).not.toContain('Domain1\\Johnson')
  })

  it("[OP-DOESNOTCONTAIN] doesn't contain John excludes Domain1\\John, Domain2\\Johnson and Johnny@domain.com", () => {
    expect(rids({ Who: { DoesNotContain: 'John' } }, byWho)).toEqual(['Domain1\\Jane'])
  })

  it('[OP-INGROUP, OP-NOTINGROUP] group operators ask the membership function', () => {
    const admins = new Set(['domain1\\john', 'domain2\\dr.john'])
    const inGroup = (group: string, who: string): boolean => group === 'Domain\\Administrators' && admins.has(who.toLowerCase())
    expect(rids({ Who: { InGroup: 'Domain\\Administrators' } }, byWho, { inGroup }).sort()).toEqual(['Domain1\\John', 'Domain2\\Dr.John'])
    expect(rids({ Who: { NotInGroup: 'Domain\\Administrators' } }, byWho, { inGroup })).toHaveLength(people.length - 2)
    expect(() => rids({ Who: { InGroup: 'Domain\\Administrators' } }, byWho)).toThrow(/membership/)
  })

  it('compares text without regard to case', () => {
    expect(rids({ Who: { Equals: 'DOMAIN1\\JOHN' } }, byWho)).toEqual(['Domain1\\John'])
    expect(rids({ Who: { StartsWith: 'domain3' } }, byWho)).toEqual(['Domain3\\John'])
  })

  it('[OP-EQUALS] Who Equals Admin does not match Enterprise\\Administrator (the catalogue follows filteroperators.md over the first example)', () => {
    expect(rids({ Who: { Equals: 'Admin' } }, [record({ RID: 'a', Who: 'Enterprise\\Administrator' })])).toEqual([])
  })
})

describe('defaults and combinations, with the examples of api/filterreference/filterreference.md', () => {
  function decodeSearch(file: string, format: 'xml' | 'json'): FilterList {
    const result = codec.decode('ActivityRecordSearch', readFixture(file), format)
    if (!result.ok) throw new Error(`fixture ${file} does not decode`)
    return (result.value as ActivityRecordSearch).FilterList
  }
  function decodeRecords(file: string): ActivityRecordOutput[] {
    const format = file.endsWith('.json') ? 'json' : 'xml'
    const result = codec.decode('ActivityRecordListResponse', readFixture(file), format)
    if (!result.ok) throw new Error(`fixture ${file} does not decode`)
    return (result.value as ActivityRecordListResponse).ActivityRecordList
  }
  const outsider = record({ RID: 'outsider', Who: 'Enterprise\\Guest', DataSource: 'Active Directory', Action: 'Read' })

  it('[OP-REPEATED-OR, FILTER-DEFAULT-CONTAINS] Who Admin, Who Analyst (XML and JSON) returns both documented records', () => {
    const documented = decodeRecords('examples/filterreference/or-values-matches.json')
    for (const [file, format] of [
      ['examples/filterreference/or-values.xml', 'xml'],
      ['examples/filterreference/or-values.json', 'json'],
    ] as const) {
      const found = rids(decodeSearch(file, format), [...documented, outsider])
      expect(found).toEqual(documented.map((r) => r.RID))
    }
  })

  it('[FILTER-AND-ACROSS, FILTER-DEFAULT-CONTAINS] DataSource " Logon Activity " returns the two Logon Activity records', () => {
    const documented = decodeRecords('examples/filterreference/datasource-matches.xml')
    const found = rids(decodeSearch('examples/filterreference/datasource-filter.xml', 'xml'), [...documented, outsider])
    expect(found).toEqual(documented.map((r) => r.RID))
  })

  it('[FILTER-AND-ACROSS, FILTER-ACTION] Who Admin, DataSource SharePoint, Action not Read returns the two SharePoint records', () => {
    const documented = decodeRecords('examples/filterreference/sharepoint-filters-matches.json')
    const readBySameAdmin = { ...documented[0]!, RID: 'read', Action: 'Read' }
    const found = rids(decodeSearch('examples/filterreference/sharepoint-filters.json', 'json'), [...documented, readBySameAdmin, outsider])
    expect(found).toEqual(documented.map((r) => r.RID))
  })

  it('[FILTER-WHEN-TIMEFRAME, FILTER-WHEN-RANGE, OP-REPEATED-OR] LastSevenDays or a range: only what lies in one of them', () => {
    // The page lists 2017-03-17 and 2017-02-17 as matches; no "now" puts both in the last seven days and neither
    // lies in the range, so with now = 2017-03-20 only the first one can match.
    const documented = decodeRecords('examples/filterreference/when-matches.json')
    const inRange = record({ RID: 'in-range', When: '2017-01-20T08:00:00Z' })
    const found = rids(decodeSearch('examples/filterreference/when-filters.json', 'json'), [...documented, inRange], {
      now: Date.parse('2017-03-20T12:00:00Z'),
    })
    expect(found).toEqual([documented[0]!.RID, 'in-range'])
  })

  it('[FILTER-DEFAULT-EQUALS] a bare Action is Equals, a bare Who is Contains', () => {
    const records = [record({ RID: 'a', Action: 'Added' }), record({ RID: 'b', Action: 'Added to group' })]
    expect(rids({ Action: 'added' }, records)).toEqual(['a'])
    expect(rids({ Who: 'ohn' }, byWho)).toHaveLength(10)
  })

  it('[OP-NEGATED-AND] repeated NotEqualTo entries exclude every named value', () => {
    const records = ['Added', 'Removed', 'Modified'].map((action) => record({ RID: action, Action: action }))
    expect(rids({ Action: [{ NotEqualTo: 'Added' }, { NotEqualTo: 'Removed' }] }, records)).toEqual(['Modified'])
    expect(rids({ Who: [{ DoesNotContain: 'John' }, { DoesNotContain: 'Jane' }] }, byWho)).toEqual([])
  })

  it('[OP-REPEATED-OR, OP-NEGATED-AND] positive entries form one OR group, negated ones an AND group beside it', () => {
    expect(rids({ Who: [{ Contains: 'Johnny' }, { NotEqualTo: 'Domain2\\Johnny' }] }, byWho).sort()).toEqual(['Domain1\\Johnny', 'Johnny@domain.com'])
    expect(rids({ Who: { StartsWith: 'Domain3', EndsWith: '.com' } }, byWho).sort()).toEqual(['Domain3\\John', 'John@domain.com', 'Johnny@domain.com'])
  })

  it('[OP-UNSUPPORTED-REJECTED] refuses an operator the filter does not list', () => {
    expect(() => rids({ Action: { Contains: 'Add' } }, byWho)).toThrow(/no operator Contains/)
    expect(() => rids({ Where: { InGroup: 'x' } }, byWho)).toThrow(/no operator InGroup/)
  })
})

describe('multi-valued Detail, Before and After', () => {
  const detailed = record({
    RID: 'detailed',
    DetailList: [
      { PropertyName: 'member', Before: 'CN=Old', After: 'CN=Anna Smith' },
      { PropertyName: 'Description', Message: 'text changed' },
    ],
  })
  const plain = record({ RID: 'plain' })

  it('[FILTER-DETAIL] Detail looks at PropertyName, Message, Before and After of every entry', () => {
    expect(rids({ Detail: { Equals: 'text changed' } }, [detailed, plain])).toEqual(['detailed'])
    expect(rids({ Detail: { StartsWith: 'CN=Anna' } }, [detailed, plain])).toEqual(['detailed'])
    expect(rids({ Detail: { Equals: 'Description' } }, [detailed, plain])).toEqual(['detailed'])
  })

  it('[FILTER-DETAIL] a negated operator holds only when no value matches; a record without details has none', () => {
    expect(rids({ Detail: { NotEqualTo: 'member' } }, [detailed, plain])).toEqual(['plain'])
    expect(rids({ Detail: { DoesNotContain: 'zzz' } }, [detailed, plain])).toEqual(['detailed', 'plain'])
    expect(rids({ Detail: 'member' }, [detailed, plain])).toEqual(['detailed'])
  })

  it('[FILTER-DETAIL] Before and After look only at their own part', () => {
    expect(rids({ Before: 'Anna' }, [detailed, plain])).toEqual([])
    expect(rids({ After: 'Anna' }, [detailed, plain])).toEqual(['detailed'])
    expect(rids({ Before: { NotEqualTo: 'CN=Old' } }, [detailed, plain])).toEqual(['plain'])
  })
})

describe('When and WorkingHours', () => {
  const at = (when: string): ActivityRecordOutput => record({ RID: when, When: when })

  it('[FILTER-WHEN-RANGE] ranges include both bounds and honour offsets', () => {
    const records = ['2017-02-14T15:42:33Z', '2017-02-14T15:42:34Z', '2017-02-14T18:00:00Z', '2017-02-14T18:00:01Z'].map(at)
    const range = { From: '2017-02-14T17:42:34+02:00', To: '2017-02-14T07:00:00-11:00' }
    expect(rids({ When: range }, records)).toEqual(['2017-02-14T15:42:34Z', '2017-02-14T18:00:00Z'])
    expect(rids({ When: { NotEqualTo: range } }, records)).toEqual(['2017-02-14T15:42:33Z', '2017-02-14T18:00:01Z'])
    expect(rids({ When: { From: '2017-02-14T18:00:00Z' } }, records)).toEqual(['2017-02-14T18:00:00Z', '2017-02-14T18:00:01Z'])
    expect(rids({ When: { To: '2017-02-14T15:42:34.000Z' } }, records)).toHaveLength(2)
  })

  it('[FILTER-WHEN-TIMEFRAME] timeframes are whole UTC days counted back from now', () => {
    const records = [
      '2024-05-10T00:00:00Z',
      '2024-05-10T09:59:59Z',
      '2024-05-10T10:00:01Z',
      '2024-05-09T23:59:59Z',
      '2024-05-09T00:00:00Z',
      '2024-05-08T23:59:59Z',
      '2024-05-04T00:00:00Z',
      '2024-05-03T23:59:59Z',
      '2024-04-11T00:00:00Z',
      '2024-04-10T23:59:59Z',
    ].map(at)
    expect(rids({ When: { Today: '' } }, records)).toEqual(['2024-05-10T00:00:00Z', '2024-05-10T09:59:59Z'])
    expect(rids({ When: { Yesterday: '' } }, records)).toEqual(['2024-05-09T23:59:59Z', '2024-05-09T00:00:00Z'])
    expect(rids({ When: { LastSevenDays: '' } }, records)).toEqual(
      records
        .slice(0, 7)
        .filter((r) => r.When !== '2024-05-10T10:00:01Z')
        .map((r) => r.RID),
    )
    expect(rids({ When: { LastThirtyDays: '' } }, records)).toHaveLength(8)
    expect(rids({ When: { NotEqualTo: { Today: '' } } }, records)).toHaveLength(8)
    expect(whenInterval({ Yesterday: '' }, NOW).toInclusive).toBe(false)
    expect(() => whenInterval({ NextWeek: '' }, NOW)).toThrow(/timeframe NextWeek/)
  })

  it('[FILTER-WORKINGHOURS] From is included, To excluded, in UTC', () => {
    const records = ['2017-02-14T08:59:59Z', '2017-02-14T09:00:00Z', '2017-02-14T17:59:59Z', '2017-02-14T18:00:00Z', '2017-02-14T10:30:00+02:00'].map(at)
    expect(rids({ WorkingHours: { From: '09:00', To: '18:00' } }, records)).toEqual(['2017-02-14T09:00:00Z', '2017-02-14T17:59:59Z'])
    expect(rids({ WorkingHours: { NotEqualTo: { From: '09:00:00', To: '18:00:00' } } }, records)).toEqual([
      '2017-02-14T08:59:59Z',
      '2017-02-14T18:00:00Z',
      '2017-02-14T10:30:00+02:00',
    ])
  })

  it('[FILTER-WORKINGHOURS] a From later than To wraps past midnight', () => {
    const records = ['2017-02-14T23:00:00Z', '2017-02-14T05:59:59Z', '2017-02-14T06:00:00Z', '2017-02-14T21:59:59Z', '2017-02-14T22:00:00Z'].map(at)
    expect(rids({ WorkingHours: { From: '22:00', To: '06:00' } }, records)).toEqual(['2017-02-14T23:00:00Z', '2017-02-14T05:59:59Z', '2017-02-14T22:00:00Z'])
  })
})

describe('createOracle: readings other than the contract, for points the pages leave open', () => {
  const at = (when: string) => record({ RID: when, When: when })

  it('[OP-CONTAINS] compares with case when read case-sensitively (S1 reads it without)', () => {
    const records = [record({ RID: 'upper', Who: 'ENTERPRISE\\John' }), record({ RID: 'lower', Who: 'enterprise\\john' })]
    expect(rids({ Who: { Contains: 'john' } }, records)).toEqual(['upper', 'lower'])
    expect(rids({ Who: { Contains: 'john' } }, records, { reading: { caseSensitive: true } })).toEqual(['lower'])
  })

  it('[FILTER-WHEN-RANGE] leaves the bounds out when read exclusively (S5 includes them)', () => {
    const records = ['2017-02-14T15:42:34Z', '2017-02-14T16:00:00Z', '2017-02-14T18:00:00Z'].map(at)
    const range = { From: '2017-02-14T15:42:34Z', To: '2017-02-14T18:00:00Z' }
    expect(rids({ When: range }, records, { reading: { exclusiveBounds: true } })).toEqual(['2017-02-14T16:00:00Z'])
  })

  it('[FILTER-WHEN-TIMEFRAME] counts days in another zone, or a rolling window, when read so (S6: UTC calendar days)', () => {
    // NOW is 10:00 UTC; at UTC+14 it is already 00:00 of the next day, so 09:00 UTC is yesterday there.
    const records = ['2024-05-10T09:00:00Z', '2024-05-03T12:00:00Z'].map(at)
    expect(rids({ When: { Today: '' } }, records)).toEqual(['2024-05-10T09:00:00Z'])
    expect(rids({ When: { Today: '' } }, records, { reading: { zoneOffsetMs: 14 * 3_600_000 } })).toEqual([])
    expect(rids({ When: { LastSevenDays: '' } }, records)).toEqual(['2024-05-10T09:00:00Z'])
    // Seven days back from 10:00 reaches 2024-05-03T10:00; the calendar reading starts at 2024-05-04T00:00.
    expect(rids({ When: { LastSevenDays: '' } }, records, { reading: { rollingWindows: true } })).toEqual(['2024-05-10T09:00:00Z', '2024-05-03T12:00:00Z'])
    expect(whenInterval({ LastSevenDays: '' }, NOW, { rollingWindows: true }).from).toBe(NOW - 7 * 86_400_000)
  })

  it('[FILTER-DETAIL] holds a negated operator over Detail entries when some entry does not match, when read per value (S8: when none matches)', () => {
    const records = [
      record({
        RID: 'both',
        DetailList: [
          { PropertyName: 'a', After: 'x' },
          { PropertyName: 'b', After: 'y' },
        ],
      }),
      record({ RID: 'none' }),
    ]
    expect(rids({ After: { NotEqualTo: 'x' } }, records)).toEqual(['none'])
    expect(rids({ After: { NotEqualTo: 'x' } }, records, { reading: { negationPerValue: true } })).toEqual(['both'])
  })
})
