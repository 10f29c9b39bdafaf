/**
 * The malformed bodies of the limit test, as a table: each family makes a body of exactly `size` bytes (ASCII, so
 * characters are bytes) for one kind of endpoint, and says which documented answer it must get. A body is built from
 * a repeated unit and padded with white space where white space means nothing, so "at the limit" and "one byte under"
 * are the same document.
 */
export type Endpoint = 'write' | 'search' | 'continue'

export interface Expected {
  status: number
  /** The ErrorList Category of a 400 (a 500 for corrupt JSON is empty). */
  category?: 'XMLError' | 'InputError'
  /** The first Description starts so. */
  description?: RegExp
}

export interface BodyFamily {
  name: string
  endpoint: Endpoint
  format: 'xml' | 'json'
  make(size: number): string
  expected: Expected
}

const ns = 'http://schemas.netwrix.com/api/v1/activity_records/'
const record = '<Action>Added</Action><What>w</What><When>2017-02-19T03:43:49Z</When><Where>x</Where><ObjectType>o</ObjectType>'

/** `prefix`, as many `unit`s as fit before `suffix`, and spaces to `size`. */
function fill(size: number, prefix: string, unit: string, suffix = ''): string {
  const count = Math.max(0, Math.floor((size - prefix.length - suffix.length) / unit.length))
  return pad(`${prefix}${unit.repeat(count)}${suffix}`, size)
}

function pad(text: string, size: number): string {
  if (text.length > size) throw new Error(`a body of ${text.length} bytes does not fit in ${size}`)
  return text + ' '.repeat(size - text.length)
}

/** A name that fills the body: `<prefix><NAME>…</NAME><suffix>`. */
function longName(size: number, prefix: string, suffix: string, letter: string): string {
  const room = Math.floor((size - prefix.length - suffix.length - 6) / 2)
  const name = letter.repeat(room)
  return pad(`${prefix}<${name}>x</${name}>${suffix}`, size)
}

const writeRoot = `<ActivityRecordList xmlns="${ns}">`
const searchRoot = `<ActivityRecordSearch xmlns="${ns}"><FilterList>`

export const bodyFamilies: BodyFamily[] = [
  {
    name: 'unclosed nesting',
    endpoint: 'write',
    format: 'xml',
    make: (size) => fill(size, writeRoot, '<a>'),
    expected: { status: 400, category: 'XMLError', description: /^Elements are nested more than 100 deep/ },
  },
  {
    name: 'unclosed elements within the depth limit, then text',
    endpoint: 'search',
    format: 'xml',
    make: (size) => fill(size, `${searchRoot}<Who>`, 'a'),
    expected: { status: 400, category: 'XMLError', description: /^0xC00CE553 The following tags were not closed: ActivityRecordSearch, FilterList, Who\./ },
  },
  {
    name: 'deep nesting in a continuation mark',
    endpoint: 'continue',
    format: 'xml',
    make: (size) => fill(size, `<ContinuationMark xmlns="${ns}">`, '<ContinuationMark>'),
    expected: { status: 400, category: 'XMLError', description: /^Elements are nested more than 100 deep/ },
  },
  {
    name: 'a long element name in a record',
    endpoint: 'write',
    format: 'xml',
    make: (size) => longName(size, `${writeRoot}<ActivityRecord>`, '</ActivityRecord></ActivityRecordList>', 'x'),
    expected: { status: 400, category: 'InputError', description: /^The name 'x{100}…' is longer than 1000 characters/ },
  },
  {
    name: 'a long unknown filter name',
    endpoint: 'search',
    format: 'xml',
    make: (size) => longName(size, searchRoot, '</FilterList></ActivityRecordSearch>', 'F'),
    expected: { status: 400, category: 'InputError', description: /^The name 'F{100}…' is longer than 1000 characters/ },
  },
  {
    name: 'a long end tag name',
    endpoint: 'write',
    format: 'xml',
    make: (size) =>
      pad(`${writeRoot}<ActivityRecord>${'<Who>'.repeat(1)}x</${'W'.repeat(Math.max(1, size - 200))}></ActivityRecord></ActivityRecordList>`, size),
    expected: { status: 400, category: 'InputError', description: /^The name 'W{100}…' is longer than 1000 characters/ },
  },
  {
    name: 'a long attribute list',
    endpoint: 'write',
    format: 'xml',
    make: (size) => {
      const start = `${writeRoot}<ActivityRecord`
      const end = '/></ActivityRecordList>'
      const attributes: string[] = []
      let length = start.length + end.length
      for (let i = 0; length + 12 < size; i++) {
        const attribute = ` a${i}="1"`
        attributes.push(attribute)
        length += attribute.length
      }
      return pad(`${start}${attributes.join('')}${end}`, size)
    },
    expected: { status: 400, category: 'InputError', description: /^The element 'ActivityRecord' carries more than 100 attributes/ },
  },
  {
    name: 'a long attribute value',
    endpoint: 'search',
    format: 'xml',
    make: (size) => fill(size, `${searchRoot}<Who Operator="`, 'E', '">x</Who></FilterList></ActivityRecordSearch>'),
    expected: { status: 400, category: 'InputError' },
  },
  {
    name: 'long text in a field of 255',
    endpoint: 'write',
    format: 'xml',
    make: (size) => fill(size, `${writeRoot}<ActivityRecord>${record}<Who>`, 'w', '</Who></ActivityRecord></ActivityRecordList>'),
    expected: { status: 400, category: 'InputError', description: /^Who is longer than 255 characters/ },
  },
  {
    name: 'long text of entity references',
    endpoint: 'search',
    format: 'xml',
    make: (size) => fill(size, `${searchRoot}<Where>`, '&amp;', '</Where></FilterList></ActivityRecordSearch>'),
    expected: { status: 400, category: 'InputError', description: /^Where is longer than 255 characters/ },
  },
  {
    name: 'a forbidden character at the end',
    endpoint: 'write',
    format: 'xml',
    make: (size) => `${fill(size - 1, `${writeRoot}<ActivityRecord>${record}<Who>`, 'w')}\u0001`,
    expected: { status: 400, category: 'XMLError', description: /^the character U\+0001 is not allowed in XML 1\.0/ },
  },
  {
    name: 'many errors (records without Who), XML',
    endpoint: 'write',
    format: 'xml',
    make: (size) => fill(size, writeRoot, `<ActivityRecord>${record}</ActivityRecord>`, '</ActivityRecordList>'),
    expected: { status: 400, category: 'InputError', description: /^Who is mandatory but missing/ },
  },
  {
    name: 'many errors (records without Who), JSON',
    endpoint: 'write',
    format: 'json',
    make: (size) => {
      const unit = '{"Action":"Added","What":"w","When":"2017-02-19T03:43:49Z","Where":"x","ObjectType":"o"},'
      const body = fill(size - 2, '[', unit)
      return `${body.trimEnd().slice(0, -1)}]`.padEnd(size, ' ')
    },
    expected: { status: 400, category: 'InputError', description: /^Who is mandatory but missing/ },
  },
  {
    name: 'a long unknown filter name, JSON',
    endpoint: 'search',
    format: 'json',
    make: (size) => fill(size, '{"FilterList":{"', 'F', '":"x"}}'),
    expected: { status: 400, category: 'InputError', description: /^unknown filter 'F{100}…'/ },
  },
  {
    name: 'deep nesting, JSON',
    endpoint: 'search',
    format: 'json',
    make: (size) => fill(size, '{"FilterList":{"Who":', '['),
    expected: { status: 400, category: 'InputError', description: /^The document is nested deeper than 100 levels/ },
  },
  {
    name: 'corrupt JSON (a trailing comma after a long array)',
    endpoint: 'write',
    format: 'json',
    make: (size) => fill(size, '[', '1,', ']'),
    expected: { status: 500 },
  },
  {
    name: 'a long mark, XML',
    endpoint: 'continue',
    format: 'xml',
    make: (size) => fill(size, `<ContinuationMark xmlns="${ns}">`, 'A', '</ContinuationMark>'),
    expected: { status: 400, category: 'InputError', description: /^Invalid continuation mark specified/ },
  },
  {
    name: 'a long mark, JSON',
    endpoint: 'continue',
    format: 'json',
    make: (size) => fill(size, '"', 'A', '"'),
    expected: { status: 400, category: 'InputError', description: /^Invalid continuation mark specified/ },
  },
]

/** Who may send a body to each endpoint (x-nwa-roles of the contract, in the demo directory's accounts). */
export const senders: Record<Endpoint, string[]> = {
  write: ['ENTERPRISE\\NetwrixUser', 'ENTERPRISE\\Contributor'],
  search: ['ENTERPRISE\\NetwrixUser', 'ENTERPRISE\\GlobalReviewer', 'ENTERPRISE\\PlanReviewer'],
  continue: ['ENTERPRISE\\NetwrixUser', 'ENTERPRISE\\GlobalReviewer', 'ENTERPRISE\\PlanReviewer'],
}

/** Who may not: the 401 comes before the body is read, whatever it holds. */
export const refused: Record<Endpoint, string> = {
  write: 'ENTERPRISE\\GlobalReviewer',
  search: 'ENTERPRISE\\Contributor',
  continue: 'ENTERPRISE\\Contributor',
}

export const paths: Record<Endpoint, string> = {
  write: '/netwrix/api/v1/activity_records/',
  search: '/netwrix/api/v1/activity_records/search',
  continue: '/netwrix/api/v1/activity_records/enum',
}
