/**
 * Enum page latency, shallow against deep: GET enum for page 1, and POST the Continuation mark that
 * starts page `page` (api/retrieveactivityrecords.md). A mark reads as a position, so a deep page should
 * cost what the first one does; the ratio of the two, timed in interleaved rounds, shows whether it does.
 *
 * The deep mark is reached cheaply: big JSON pages (the mock's largest count) up to the last whole one
 * before the target position, then pages of the measured size. The benchmark RIDs carry their record's
 * index, which checks that both measured pages start where they should.
 */
import { performance } from 'node:perf_hooks'
import type { PayloadCodec, WireFormat } from '../../openapi/payload.ts'
import type { BenchClient, BenchResponse } from '../http.ts'
import { expectStatus } from '../http.ts'

export interface EnumLatencyOptions {
  pageSize: number
  page: number
  walkPageSize: number
}

export interface EnumPages {
  /** One timed round trip for page 1, in ms. */
  first(): Promise<number>
  /** One timed round trip for page `page`, in ms. */
  deep(): Promise<number>
  walkRequests: number
  walkMs: number
}

const enumPath = '/netwrix/api/v1/activity_records/enum'

/** Walks to the deep page's mark and checks that both pages start at the right record; then they can be timed. */
export async function prepareEnumPages(client: BenchClient, codec: PayloadCodec, options: EnumLatencyOptions): Promise<EnumPages> {
  const firstPage = () => client.send('GET', `${enumPath}?count=${options.pageSize}`)
  const continuePage = (mark: string, count: number, format: WireFormat) =>
    client.send('POST', `${enumPath}?count=${count}${format === 'json' ? '&format=json' : ''}`, {
      data: Buffer.from(codec.encode('ContinuationMark', mark, format)),
      contentType: `application/${format}`,
    })

  // The walk only needs marks, and a mark does not depend on the format: JSON pages are the cheaper to produce.
  const target = (options.page - 1) * options.pageSize
  const walkStarted = performance.now()
  let position = Math.min(options.walkPageSize, target)
  let mark = jsonMarkOf(expectStatus(await client.send('GET', `${enumPath}?count=${position}&format=json`), 200, 'enum walk'))
  let walkRequests = 1
  while (position < target) {
    const count = target - position >= options.walkPageSize ? options.walkPageSize : options.pageSize
    mark = jsonMarkOf(expectStatus(await continuePage(mark, count, 'json'), 200, 'enum walk'))
    position += count
    walkRequests++
  }
  const walkMs = performance.now() - walkStarted
  if (position !== target) throw new Error(`the walk stopped at ${position}, not ${target}: the page size must divide the target position`)

  const deepPage = () => continuePage(mark, options.pageSize, 'xml')
  expectStartsAt(expectStatus(await firstPage(), 200, 'enum page 1'), 0, 'enum page 1')
  expectStartsAt(expectStatus(await deepPage(), 200, `enum page ${options.page}`), target, `enum page ${options.page}`)
  return {
    first: async () => expectStatus(await firstPage(), 200, 'enum page 1').ms,
    deep: async () => expectStatus(await deepPage(), 200, `enum page ${options.page}`).ms,
    walkRequests,
    walkMs,
  }
}

function jsonMarkOf(response: BenchResponse): string {
  const mark = (JSON.parse(response.body.toString('utf8')) as { ContinuationMark?: unknown }).ContinuationMark
  if (typeof mark !== 'string') throw new Error('an enum page without a Continuation mark')
  return mark
}

/** The benchmark RID is a 17-digit timestamp, then the record's index in 8 hex digits. */
function expectStartsAt(response: BenchResponse, index: number, what: string): void {
  const rid = /<(?:[\w.-]+:)?RID>([0-9A-Fa-f]+)</.exec(response.body.toString('utf8', 0, 4096))?.[1]
  const found = rid === undefined ? undefined : parseInt(rid.slice(17, 25), 16)
  if (found !== index) throw new Error(`${what} starts at record ${String(found)}, expected ${index}`)
}
