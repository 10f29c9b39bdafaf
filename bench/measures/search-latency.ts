/**
 * Search latency: one FilterList posted as JSON (api/searchactivityrecords.md) for a page of `count`, the
 * round trip timed. Before any timing the page is checked: full, and every record matching, so a search
 * that quietly matches nothing (and so answers fast) cannot pass for a fast search.
 */
import type { ActivityRecordListResponse, ActivityRecordOutput, FilterList } from '../../openapi/records.ts'
import type { BenchClient } from '../http.ts'
import { expectStatus } from '../http.ts'

export interface SearchOptions {
  filters: FilterList
  count: number
  /** Every returned record must satisfy this; the page must be full. */
  expect: (record: ActivityRecordOutput) => boolean
}

export interface SearchProbe {
  /** Sends the search once and checks its page; resolves to the page's RIDs in order. */
  check(): Promise<string[]>
  /** One timed round trip, in ms. */
  time(): Promise<number>
}

export function searchProbe(client: BenchClient, options: SearchOptions): SearchProbe {
  const body = { data: Buffer.from(JSON.stringify({ FilterList: options.filters })), contentType: 'application/json' }
  const search = () => client.send('POST', `/netwrix/api/v1/activity_records/search?format=json&count=${options.count}`, body)
  const what = `search ${JSON.stringify(options.filters)}`
  return {
    async check() {
      const page = JSON.parse(expectStatus(await search(), 200, what).body.toString('utf8')) as ActivityRecordListResponse
      const returned = page.ActivityRecordList.length
      if (returned !== options.count) throw new Error(`${what} returned ${returned} records, expected a full page of ${options.count}`)
      const stray = page.ActivityRecordList.find((record) => !options.expect(record))
      if (stray) throw new Error(`${what} returned a record that does not match: ${JSON.stringify(stray)}`)
      return page.ActivityRecordList.map((record) => record.RID ?? '')
    },
    async time() {
      return expectStatus(await search(), 200, what).ms
    },
  }
}
