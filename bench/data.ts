/**
 * Synthetic Activity Records for the benchmark, deterministic from a seed: the same seed and batch index
 * give the same records, so runs are comparable. Shapes follow api/activityrecordreference.md and the
 * demo seed (fixtures/seed/generate.ts): several data sources reporting to the demo plans, 500 people,
 * file, directory, mailbox, database and site paths, some records with details.
 *
 * Two planted properties make the read measures meaningful: `needle` appears in the What of about
 * `needleRate` of the records and nowhere else (a Contains search then scans ~1/needleRate records per
 * page), and every record's Who is one of `benchUsers` (an Equals search finds ~1/500 of them).
 */
import { createPrng, type Prng } from '../openapi/prng.ts'
import type { ActivityRecordInput, ActivityRecordOutput, DetailOutput } from '../openapi/records.ts'

export const needle = 'Payroll-Export'
export const needleRate = 0.01

const DOMAIN = 'ENTERPRISE'
const DNS = 'enterprise.local'
/** 2026-08-01T00:00:00Z; a record every 2.5 s puts a million records in the 29 days after it. */
const START_MS = Date.UTC(2026, 7, 1)
const STEP_MS = 2_500

const firstNames = [
  'Anna',
  'Jason',
  'Maria',
  'Tom',
  'Lena',
  'Raj',
  'Chen',
  'Olivia',
  'Peter',
  'Sofia',
  'Omar',
  'Ines',
  'Liam',
  'Mei',
  'Noah',
  'Eva',
  'Ivan',
  'Zoe',
  'Hugo',
  'Nora',
]
const lastNames = [
  'Smith',
  'Garcia',
  'Baker',
  'Novak',
  'Patel',
  'Wei',
  'Brown',
  'Jones',
  'Rossi',
  'Khan',
  'Silva',
  'Moreau',
  'Tanaka',
  'Kowalski',
  'Muller',
  'Olsen',
  'Haddad',
  'Costa',
  'Ward',
  'Lind',
  'Sato',
  'Young',
  'Ortiz',
  'Berg',
  'Quinn',
]
export const benchUsers: readonly string[] = firstNames.flatMap((first) => lastNames.map((last) => `${DOMAIN}\\${first}.${last}`))

const departments = ['Finance', 'Marketing', 'Sales', 'HR', 'Engineering', 'Legal', 'Support']
const documents = ['Budget', 'Forecast', 'Minutes', 'Contract', 'Roadmap', 'Invoice', 'Report', 'Presentation', 'Policy', 'Checklist']
const extensions = ['docx', 'xlsx', 'pdf', 'pptx', 'txt', 'csv']
const databases = ['Sales', 'HR', 'Inventory', 'CRM', 'Billing']
const tables = ['Customers', 'Orders', 'Employees', 'Invoices', 'Products', 'Shipments', 'Contacts']
const mailboxes = ['Shared Mailbox', 'Finance Mailbox', 'CEO Mailbox', 'Helpdesk Mailbox', 'Sales Mailbox']
const sites = ['Intranet', 'Projects', 'HR', 'Engineering', 'Sales']

/** What a data source contributes; the assemblers add Who, When, RID, plan and workstation. */
interface Activity {
  dataSource: string
  plan: { Name: string; ID: string }
  action: string
  what: string
  where: string
  objectType: string
  /** The item name with its type in brackets, as collected records carry it. */
  item: string
  details?: DetailOutput[]
}

const plans = {
  ad: { Name: 'AD Monitoring', ID: '{42F64379-163E-4A43-A9C5-4514C5A23798}' },
  logon: { Name: 'Logon Activity', ID: '{C9E2F4A7-6B1D-4A38-8F5C-3D7B0E9A1C62}' },
  files: { Name: 'File Servers', ID: '{8C4E2A91-7D3B-4F60-A5E8-1B9D6F3C2A47}' },
  sql: { Name: 'SQL Server', ID: '{0A7D5E3F-9C2B-4D81-B4F6-6E1A8C3D9F25}' },
  exchange: { Name: 'Exchange Online', ID: '{D1F07B2C-3E8A-4C59-B6D4-7A2E9C1F5B08}' },
  sharepoint: { Name: 'SharePoint', ID: '{F5B8C3D2-1A4E-4B7C-9E06-2D8A5F1C7B93}' },
  integrations: { Name: 'Integrations and custom sources', ID: '{6E0C1A52-8B7D-4F3E-9A21-3D5C7B9E0F14}' },
} as const

const change = (PropertyName: string, Before?: string, After?: string): DetailOutput => ({
  PropertyName,
  ...(Before !== undefined && { Before }),
  ...(After !== undefined && { After }),
})

function fileServer(random: Prng, what?: string): Activity {
  const server = `fs${1 + random.int(4)}`
  const action = random.pick(['Read', 'Read', 'Modified', 'Added', 'Removed', 'Moved'])
  const path =
    what ??
    `\\\\${server}\\share\\${random.pick(departments)}\\${random.pick(documents)} ${2020 + random.int(7)}-${random.int(1000)}.${random.pick(extensions)}`
  return {
    dataSource: 'File Servers',
    plan: plans.files,
    action,
    what: path,
    where: `${server}.${DNS}`,
    objectType: 'File',
    item: `\\\\${server}\\share (Windows file share)`,
    ...(action === 'Modified' && { details: [change('Size', String(1024 * random.int(100)), String(1024 * random.int(100)))] }),
  }
}

function activeDirectory(random: Prng): Activity {
  const person = `${random.pick(firstNames)} ${random.pick(lastNames)}`
  const kind = random.pick(['user', 'user', 'group', 'computer'])
  const action = random.pick(['Modified', 'Modified', 'Added', 'Removed'])
  const what =
    kind === 'user'
      ? `\\local\\enterprise\\Users\\${person}`
      : kind === 'group'
        ? `\\local\\enterprise\\Groups\\${random.pick(departments)} Staff`
        : `\\local\\enterprise\\Computers\\WKS-${String(random.int(900)).padStart(3, '0')}`
  const details =
    action !== 'Modified'
      ? undefined
      : kind === 'group'
        ? [change('member', undefined, `\\local\\enterprise\\Users\\${person}`)]
        : [change('description', random.pick(departments), random.pick(departments)), change('title', 'Analyst', 'Senior Analyst')]
  return {
    dataSource: 'Active Directory',
    plan: plans.ad,
    action,
    what,
    where: `EnterpriseDC${1 + random.int(2)}.${DNS}`,
    objectType: kind,
    item: `${DNS} (Domain)`,
    ...(details && { details }),
  }
}

function logon(random: Prng): Activity {
  const host = `WKS-${String(random.int(900)).padStart(3, '0')}.${DNS}`
  return {
    dataSource: 'Logon Activity',
    plan: plans.logon,
    action: random.chance(0.9) ? 'Successful Logon' : 'Failed Logon',
    what: host,
    where: `EnterpriseDC${1 + random.int(2)}.${DNS}`,
    objectType: 'Logon',
    item: `${DNS} (Domain)`,
  }
}

function sqlServer(random: Prng): Activity {
  const database = random.pick(databases)
  return {
    dataSource: 'SQL Server',
    plan: plans.sql,
    action: random.pick(['Modified', 'Read', 'Added']),
    what: `Databases\\${database}\\Tables\\dbo.${random.pick(tables)}`,
    where: `SQL0${1 + random.int(3)}.${DNS}`,
    objectType: 'Table',
    item: `SQL0${1 + random.int(3)} (SQL Server instance)`,
  }
}

function exchange(random: Prng): Activity {
  const mailbox = random.pick(mailboxes)
  return {
    dataSource: 'Exchange Online',
    plan: plans.exchange,
    action: random.pick(['Read', 'Read', 'Moved', 'Removed', 'Modified']),
    what: `${mailbox}\\Inbox\\${random.pick(documents)} ${random.int(10_000)}`,
    where: random.pick(['BLUPR05MB1940', 'AM6PR04MB5461', 'DB8PR02MB5883']),
    objectType: 'Mail',
    item: 'mail@enterprise.onmicrosoft.com (Office 365 tenant)',
  }
}

function sharePoint(random: Prng): Activity {
  const site = random.pick(sites)
  return {
    dataSource: 'SharePoint Online',
    plan: plans.sharepoint,
    action: random.pick(['Read', 'Modified', 'Added', 'Removed']),
    what: `https://enterprise.sharepoint.com/sites/${site}/Shared Documents/${random.pick(documents)} ${random.int(5_000)}.${random.pick(extensions)}`,
    where: 'https://enterprise.sharepoint.com',
    objectType: 'File',
    item: `https://enterprise.sharepoint.com/sites/${site} (SharePoint site)`,
  }
}

function integration(random: Prng): Activity {
  return {
    dataSource: 'Netwrix API',
    plan: plans.integrations,
    action: random.pick(['Added', 'Modified', 'Removed']),
    what: `Tickets\\INC${String(random.int(1_000_000)).padStart(7, '0')}`,
    where: `app0${1 + random.int(3)}.${DNS}`,
    objectType: 'Ticket',
    item: 'ServiceDesk (Integration)',
    details: [change('Status', 'Open', random.pick(['Resolved', 'Closed', 'In progress']))],
  }
}

const sources: readonly (readonly [(random: Prng) => Activity, number])[] = [
  [fileServer, 30],
  [activeDirectory, 20],
  [logon, 15],
  [exchange, 15],
  [sharePoint, 10],
  [sqlServer, 7],
  [integration, 3],
]
const totalWeight = sources.reduce((sum, [, weight]) => sum + weight, 0)

function drawActivity(random: Prng): Activity {
  // The needle is drawn first and only ever produced here, so its rate does not depend on the source mix.
  if (random.chance(needleRate))
    return fileServer(random, `\\\\fs1\\share\\Finance\\${needle} ${2020 + random.int(7)}-${String(1 + random.int(12)).padStart(2, '0')}.csv`)
  let roll = random.next() * totalWeight
  for (const [make, weight] of sources) {
    roll -= weight
    if (roll < 0) return make(random)
  }
  return integration(random)
}

/** Whole seconds, as collected records show them (api/retrieveactivityrecords.md). */
function whenOf(index: number, random: Prng): { whenMs: number; when: string } {
  const whenMs = START_MS + Math.floor((index * STEP_MS + random.int(STEP_MS)) / 1000) * 1000
  return { whenMs, when: new Date(whenMs).toISOString().replace('.000Z', 'Z') }
}

/** createPrng's next() is a 32-bit integer over 2^32, so this recovers all 32 bits in one draw. */
function word(random: Prng): number {
  return Math.floor(random.next() * 0x1_0000_0000)
}

function hex8(value: number): string {
  return value.toString(16).toUpperCase().padStart(8, '0')
}

function workstation(random: Prng): string | undefined {
  return random.chance(0.8) ? `172.28.${random.int(64)}.${random.int(256)}` : undefined
}

/**
 * Records `first` to `first + size - 1` of the benchmark archive, in output form (as collected: their own
 * RID, DataSource, plan ID). The RID carries the global index, so RIDs are distinct across batches.
 */
export function generateOutputBatch(seed: number, first: number, size: number): ActivityRecordOutput[] {
  const random = createPrng((seed ^ Math.imul(first + 1, 0x9e3779b1)) >>> 0)
  const records: ActivityRecordOutput[] = []
  for (let i = 0; i < size; i++) {
    const index = first + i
    const activity = drawActivity(random)
    const { whenMs, when } = whenOf(index, random)
    const station = workstation(random)
    records.push({
      RID: new Date(whenMs).toISOString().replace(/[-:T.Z]/g, '') + hex8(index) + hex8(word(random)) + hex8(word(random)) + hex8(word(random)),
      Who: random.pick(benchUsers),
      Action: activity.action,
      What: activity.what,
      When: when,
      Where: activity.where,
      ObjectType: activity.objectType,
      MonitoringPlan: { Name: activity.plan.Name, ID: activity.plan.ID },
      DataSource: activity.dataSource,
      Item: { Name: activity.item },
      ...(station !== undefined && { Workstation: station }),
      ...(activity.details && { DetailList: activity.details }),
    })
  }
  return records
}

/** Records as an add-on writes them: no RID or plan ID, the item name without its type (the server adds it). */
export function generateInputRecords(seed: number, count: number): ActivityRecordInput[] {
  const random = createPrng(seed >>> 0)
  const records: ActivityRecordInput[] = []
  for (let index = 0; index < count; index++) {
    const activity = drawActivity(random)
    const station = workstation(random)
    records.push({
      Who: random.pick(benchUsers),
      Action: activity.action,
      What: activity.what,
      When: whenOf(index, random).when,
      Where: activity.where,
      ObjectType: activity.objectType,
      MonitoringPlan: { Name: activity.plan.Name },
      Item: { Name: activity.item.replace(/ \([^)]*\)$/, '') },
      ...(station !== undefined && { Workstation: station }),
      ...(activity.details && { DetailList: activity.details.map(({ PropertyName, Before, After }) => change(PropertyName, Before, After)) }),
    })
  }
  return records
}
