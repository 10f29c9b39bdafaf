import { beforeAll, describe, expect, it } from 'vitest'
import { loadContract, type Contract } from './contract.ts'
import { createPayloadCodec, type PayloadCodec } from './payload.ts'
import { loadExamples, payloadForKind, readFixture } from '../test/helpers/contract.ts'

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'
let contract: Contract
let codec: PayloadCodec
beforeAll(async () => {
  contract = await loadContract()
  codec = createPayloadCodec(contract)
})

const record = (inner: string) => `<ActivityRecordList xmlns="${ns}"><ActivityRecord>${inner}</ActivityRecord></ActivityRecordList>`
const base = '<Who>Admin</Who><Action>Added</Action><What>W</What><When>2017-02-10T14:46:00Z</When><Where>S</Where><ObjectType>T</ObjectType>'

describe('XML codec: decoding', () => {
  it('[FMT-WRITE-XML-ROOT] reads a write body into the JSON shape: a top-level array of records', () => {
    const decoded = codec.xml.decode('ActivityRecordInputList', record(base))
    expect(decoded).toEqual({ ok: true, value: [{ Who: 'Admin', Action: 'Added', What: 'W', When: '2017-02-10T14:46:00Z', Where: 'S', ObjectType: 'T' }] })
  })

  it('[XML-NAMESPACE] resolves prefixed namespaces, and refuses a child in another namespace', () => {
    const prefixed = `<n:ActivityRecordList xmlns:n="${ns}"><n:ActivityRecord>${base.replace(/<(\/?)(\w+)>/g, '<$1n:$2>')}</n:ActivityRecord></n:ActivityRecordList>`
    const decoded = codec.decode('ActivityRecordInputList', prefixed, 'xml')
    expect(decoded.ok).toBe(true)
    const foreign = record(`${base}<x:Extra xmlns:x="urn:other">1</x:Extra>`)
    const refused = codec.xml.decode('ActivityRecordInputList', foreign)
    expect(refused.ok).toBe(false)
    if (!refused.ok) expect(refused.error.message).toContain('namespace')
  })

  it('keeps a repeated element that occurs once as an array (DetailList with one Detail, one filter entry)', () => {
    const decoded = codec.xml.decode('ActivityRecordInputList', record(`${base}<DetailList><Detail><PropertyName>P</PropertyName></Detail></DetailList>`))
    expect(decoded.ok && (decoded.value as { DetailList: unknown[] }[])[0]?.DetailList).toEqual([{ PropertyName: 'P' }])
    const search = codec.xml.decode(
      'ActivityRecordSearch',
      `<ActivityRecordSearch xmlns="${ns}"><FilterList><Who>Admin</Who></FilterList></ActivityRecordSearch>`,
    )
    expect(search.ok && search.value).toEqual({ FilterList: { Who: ['Admin'] } })
  })

  it('never coerces text: 00123 and 1e3 stay strings, a boolean field follows xs:boolean', () => {
    const decoded = codec.xml.decode(
      'ActivityRecordInputList',
      record(`${base.replace('<What>W</What>', '<What>00123</What>').replace('<Where>S</Where>', '<Where>1e3</Where>')}<IsArchiveOnly>1</IsArchiveOnly>`),
    )
    const value = decoded.ok ? (decoded.value as Record<string, unknown>[])[0] : undefined
    expect(value?.['What']).toBe('00123')
    expect(value?.['Where']).toBe('1e3')
    expect(value?.['IsArchiveOnly']).toBe(true)
  })

  it('[SEARCH-XML-OPERATOR] reads the Operator attribute as the JSON operator key', () => {
    const xml = `<ActivityRecordSearch xmlns="${ns}"><FilterList><Who Operator="NotEqualTo">Administrator</Who><Who>Analyst</Who><When Operator="NotEqualTo"><LastSevenDays/></When></FilterList></ActivityRecordSearch>`
    const decoded = codec.decode('ActivityRecordSearch', xml, 'xml')
    expect(decoded.ok && decoded.value).toEqual({
      FilterList: { Who: [{ NotEqualTo: 'Administrator' }, 'Analyst'], When: [{ NotEqualTo: { LastSevenDays: '' } }] },
    })
  })

  it('[XML-ENTITY-ESCAPING] decodes the five entities and character references in one pass', () => {
    const decoded = codec.xml.decode(
      'ActivityRecordInputList',
      record(base.replace('<What>W</What>', '<What>Ally &amp; Sons &quot;Stars&quot; O&apos;Hara &lt;100 ID&gt;500 &#65;&#x42; &amp;#65;</What>')),
    )
    expect(decoded.ok && (decoded.value as Record<string, unknown>[])[0]?.['What']).toBe(`Ally & Sons "Stars" O'Hara <100 ID>500 AB &#65;`)
  })

  it('refuses a DOCTYPE and an entity declaration before reading anything', () => {
    for (const doc of [`<!DOCTYPE ActivityRecordList>${record(base)}`, `<?xml version="1.0"?><!-- c --><!DOCTYPE a [<!ENTITY e "x">]>${record(base)}`]) {
      const decoded = codec.xml.decode('ActivityRecordInputList', doc)
      expect(decoded.ok).toBe(false)
      if (!decoded.ok) expect(decoded.error.kind).toBe('doctype')
    }
  })

  it('[ERR-XML-MALFORMED-400] reports malformed XML with its position', () => {
    const decoded = codec.xml.decode(
      'ActivityRecordInputList',
      `<ActivityRecordList xmlns="${ns}">\n<ActivityRecord><Who>x</ActivityRecord></ActivityRecordList>`,
    )
    expect(decoded.ok).toBe(false)
    if (!decoded.ok) {
      expect(decoded.error.kind).toBe('syntax')
      expect(decoded.error.line).toBe(2)
      expect(decoded.error.message).toMatch(/^0xC00CE56D End tag 'ActivityRecord' does not match the start tag 'Who'/)
    }
  })

  it('[MARK-WHITESPACE] trims the whitespace around a Continuation mark on its own line', () => {
    const decoded = codec.decode('ContinuationMark', `<ContinuationMark xmlns="${ns}">\n  PG5yPjxu+PC9ucj4A \n</ContinuationMark>`, 'xml')
    expect(decoded).toEqual({ ok: true, value: 'PG5yPjxu+PC9ucj4A' })
  })

  it('[WRITE-TEXT-UNICODE] trims only the white space XML names around element text (D11, D45), on both decoding paths', () => {
    const edges = '\u00A0nbsp\u3000 \uFEFF'
    const plain = codec.decode('ActivityRecordInputList', record(base.replace('<Who>Admin</Who>', `<Who> \t\n${edges}\r\n</Who>`)), 'xml')
    // A comment sends the same document down the general path.
    const general = codec.decode('ActivityRecordInputList', record(base.replace('<Who>Admin</Who>', `<Who> \t\n${edges}<!-- c -->\r\n</Who>`)), 'xml')
    for (const decoded of [plain, general]) {
      expect(decoded.ok).toBe(true)
      if (decoded.ok) expect((decoded.value as { Who: string }[])[0]!.Who).toBe(edges)
    }
  })

  it('[WRITE-TEXT-UNICODE] reads a carriage return sent as a reference as itself, and a raw one as a line feed (XML 1.0, 2.11)', () => {
    const decode = (what: string) => codec.decode('ActivityRecordInputList', record(base.replace('<What>W</What>', `<What>${what}</What>`)), 'xml')
    expect(decode('a&#xD;&#xA;b\rc\r\nd')).toMatchObject({ ok: true, value: [{ What: 'a\r\nb\nc\nd' }] })
  })

  it('reads an empty page (no ActivityRecord elements) as an empty list', () => {
    const decoded = codec.decode(
      'ActivityRecordListResponse',
      `<ActivityRecordList xmlns="${ns}"><ContinuationMark>m</ContinuationMark></ActivityRecordList>`,
      'xml',
    )
    expect(decoded).toEqual({ ok: true, value: { ContinuationMark: 'm', ActivityRecordList: [] } })
  })
})

describe('XML codec: encoding', () => {
  it('[WRITE-TEXT-UNICODE] writes a carriage return as &#xD;, so every value, line ends included, reads back as written (D45)', () => {
    const value = [{ Who: 'a\r\nb\rc\td\ne', Action: 'A', What: 'W\r', When: '2017-02-10T14:46:00Z', Where: 'S', ObjectType: 'T' }]
    const plainXml = codec.encode('ActivityRecordInputList', value, 'xml')
    expect(plainXml).toContain('<Who>a&#xD;\nb&#xD;c\td\ne</Who>')
    expect(codec.decode('ActivityRecordInputList', plainXml, 'xml')).toMatchObject({ ok: true, value: [{ Who: 'a\r\nb\rc\td\ne' }] })
    const search = codec.encode('ActivityRecordSearch', { FilterList: { What: { Contains: 'x\ry' } } }, 'xml')
    expect(search).toContain('<What Operator="Contains">x&#xD;y</What>')
  })

  it('[XML-ENTITY-ESCAPING] escapes & " \' < > as api/postdata/overview.md lists them', () => {
    const xml = codec.encode(
      'ActivityRecordInputList',
      [{ Who: `Ally & Sons "Stars" O'Hara <100 ID>500`, Action: 'A', What: 'W', When: '2017-02-10T14:46:00Z', Where: 'S', ObjectType: 'T' }],
      'xml',
    )
    expect(xml).toContain('<Who>Ally &amp; Sons &quot;Stars&quot; O&apos;Hara &lt;100 ID&gt;500</Who>')
    expect(xml).toContain(`<ActivityRecordList xmlns="${ns}">`)
  })

  it('writes operator objects as elements with an Operator attribute, one per key', () => {
    const xml = codec.encode(
      'ActivityRecordSearch',
      { FilterList: { DataSource: ['Active Directory', { StartsWith: 'Exchange' }], ObjectType: { DoesNotContain: 'Group', NotEqualTo: 'x' } } },
      'xml',
    )
    expect(xml).toContain('<DataSource>Active Directory</DataSource><DataSource Operator="StartsWith">Exchange</DataSource>')
    expect(xml).toContain('<ObjectType Operator="DoesNotContain">Group</ObjectType><ObjectType Operator="NotEqualTo">x</ObjectType>')
  })

  it('refuses to send a value that breaks the contract', () => {
    expect(() => codec.encode('ActivityRecordInputList', [{ Who: 'x' }], 'xml')).toThrow(/mandatory/)
  })
})

describe('XML → JS → XML keeps the meaning of every documented XML example', () => {
  for (const example of loadExamples().filter((entry) => entry.format === 'xml' && entry.validate === 'schema')) {
    it(example.file, () => {
      const name = payloadForKind[example.kind]!
      const first = codec.decode(name, readFixture(`examples/${example.file}`), 'xml')
      expect(first.ok).toBe(true)
      if (!first.ok) return
      const again = codec.decode(name, codec.encode(name, first.value, 'xml'), 'xml')
      expect(again.ok && again.value).toEqual(first.value)
    })
  }

  it('and XML and JSON twins of a documented example decode to the same value', () => {
    const xml = codec.decode('ActivityRecordInputList', readFixture('examples/writeactivityrecords/write-request.xml'), 'xml')
    const json = codec.decode('ActivityRecordInputList', readFixture('examples/writeactivityrecords/write-request.json'), 'json')
    expect(xml.ok && json.ok).toBe(true)
    if (xml.ok && json.ok) expect(xml.value).toEqual(json.value)
  })
})

describe('XML codec: characters XML 1.0 does not allow, and parser limits', () => {
  const search = (inner: string) => `<ActivityRecordSearch xmlns="${ns}"><FilterList>${inner}</FilterList></ActivityRecordSearch>`

  it.each([
    ['a raw U+0001', search('<Who>a\u0001b</Who>'), 'U+0001'],
    ['a raw U+FFFF', search('<Who>a\uffffb</Who>'), 'U+FFFF'],
    ['a lone surrogate', search('<Who>a\ud800b</Who>'), 'U+D800'],
    ['a reference to U+0001', search('<Who>&#x1;</Who>'), '&#x1;'],
    ['a reference to U+FFFF', search('<Who>&#xFFFF;</Who>'), '&#xFFFF;'],
    ['a reference to a surrogate', search('<Who>&#55296;</Who>'), '&#55296;'],
  ])('[ERR-XML-MALFORMED-400] refuses %s as a syntax error (XMLError), naming it', (_name, xml, named) => {
    const decoded = codec.xml.decode('ActivityRecordSearch', xml)
    expect(decoded.ok).toBe(false)
    if (!decoded.ok) {
      expect(decoded.error.kind).toBe('syntax')
      expect(decoded.error.message).toContain(named)
    }
  })

  it('still reads characters XML 1.0 allows: tab, astral code points, U+FFFD, and their references', () => {
    const decoded = codec.xml.decode('ActivityRecordSearch', search('<Who>a\tb😀\ufffd&#x1F600;&#9;</Who>'))
    expect(decoded.ok && decoded.value).toEqual({ FilterList: { Who: ['a\tb😀\ufffd😀'] } })
  })

  it.each([
    ['nesting 100 deep', search(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`)],
    ['nesting 5,000 deep', search(`${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`)],
    ['an unclosed processing instruction', '<?"?><a/>'],
    ['a processing instruction before the root', `<?xml version="1.0"?><?"?>${search('<Who>x</Who>')}`],
  ])('[ERR-XML-MALFORMED-400] answers %s with a syntax error instead of throwing', (_name, xml) => {
    const decoded = codec.xml.decode('ActivityRecordSearch', xml)
    expect(decoded.ok).toBe(false)
    if (!decoded.ok) expect(decoded.error.kind).toBe('syntax')
  })
})

describe('XML codec: output order and output text', () => {
  const output = {
    Who: 'W',
    When: '2017-02-10T14:46:00Z',
    RID: '20160215110503420B9451771F5964A9EAC0A5F35307EA155',
    DetailList: [{ PropertyName: 'P', After: '2', Before: '1' }],
    Where: 'S',
    ObjectType: 'T',
    MonitoringPlan: { Name: 'Compliance', ID: '{42F64379-163E-4A43-A9C5-4514C5A23798}' },
    What: 'X',
    Action: 'Added',
  }

  it('writes record elements in the order of the output schema, whatever the order of the keys (D24)', () => {
    const xml = codec.xml.encode('ActivityRecordListResponse', { ActivityRecordList: [output], ContinuationMark: 'm' })
    const names = [...xml.matchAll(/<(\w+)[ >]/g)].map((match) => match[1])
    expect(names).toEqual([
      'ActivityRecordList',
      'ContinuationMark',
      'ActivityRecord',
      'Action',
      'MonitoringPlan',
      'ID',
      'Name',
      'ObjectType',
      'RID',
      'What',
      'When',
      'Where',
      'Who',
      'DetailList',
      'Detail',
      'Before',
      'After',
      'PropertyName',
    ])
    const schemaOrder = Object.keys(contract.schema('ActivityRecordOutputArray').items?.properties ?? {})
    const recordNames = names.slice(3).filter((name) => schemaOrder.includes(name as string))
    expect(recordNames).toEqual(schemaOrder.filter((name) => recordNames.includes(name)))
  })

  it('replaces characters XML 1.0 cannot carry with U+FFFD, so a page is always well-formed', () => {
    const xml = codec.xml.encode('ActivityRecordOutputArray', [{ ...output, What: 'a\u0001b\uffff\ud800c😀' }])
    expect(xml).toContain('<What>a\ufffdb\ufffd\ufffdc😀</What>')
    expect(codec.xml.decode('ActivityRecordOutputArray', xml).ok).toBe(true)
  })
})

describe('XML codec: the DOCTYPE guard on unterminated prologue parts', () => {
  it.each(['<?xml version="1.0"?><!--', '<!--', '<?xml version="1.0"?><?pi', '<!-- a --><!-- b', '<?a?><?b?><!--'])(
    'answers %j with a syntax error',
    (text) => {
      const decoded = codec.xml.decode('ContinuationMark', text)
      expect(decoded.ok).toBe(false)
      if (!decoded.ok) expect(decoded.error.kind).toBe('syntax')
    },
  )

  it('still finds a DOCTYPE after comments and instructions', () => {
    const decoded = codec.xml.decode('ContinuationMark', '<?xml version="1.0"?><!-- x --><?pi y?><!DOCTYPE m [<!ENTITY e "x">]><ContinuationMark/>')
    expect(!decoded.ok && decoded.error.kind).toBe('doctype')
  })
})
