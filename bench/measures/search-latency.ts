/**
 * Search latency: one FilterList posted as JSON (api/searchactivityrecords.md) `samples` times for a page
 * of `count`, median of the round trips. The first answer is checked against `expect`, so a search that
 * quietly matches nothing (and so answers fast) cannot pass for a fast search.
 */
import type { ActivityRecordListResponse, ActivityRecordOutput, FilterList } from '../../openapi/records.ts'
import type { BenchClient } from '../http.ts'
import { expectStatus } from '../http.ts'
import { median } from '../stats.ts'

export interface SearchLatencyOptions {
  filters: FilterList
  count: number
  samples: number
  /** Every returned record must satisfy this; the page must be full. */
  expect: (record: ActivityRecordOutput) => boolean
}

export interface SearchLatencyFigure {
  medianMs: number
  returned: number
}

export async function measureSearchLatency(client: BenchClient, options: SearchLatencyOptions): Promise<SearchLatencyFigure> {
  const body = { data: Buffer.from(JSON.stringify({ FilterList: options.filters })), contentType: 'application/json' }
  const search = () => client.send('POST', `/netwrix/api/v1/activity_records/search?format=json&count=${options.count}`, body)

  const first = JSON.parse(expectStatus(await search(), 200, 'search').body.toString('utf8')) as ActivityRecordListResponse
  const returned = first.ActivityRecordList.length
  if (returned !== options.count)
    throw new Error(`search ${JSON.stringify(options.filters)} returned ${returned} records, expected a full page of ${options.count}`)
  const stray = first.ActivityRecordList.find((record) => !options.expect(record))
  if (stray) throw new Error(`search ${JSON.stringify(options.filters)} returned a record that does not match: ${JSON.stringify(stray)}`)

  const samples: number[] = []
  for (let i = 0; i < options.samples; i++) samples.push(expectStatus(await search(), 200, 'search').ms)
  return { medianMs: median(samples), returned }
}
