import { describe, expect, it } from 'vitest'
import type { HarEntry } from './har.ts'
import { logicalRequests, Translation } from './replay.ts'

function entry(connection: string, method: string, path: string, status: number, authorization?: string, auth?: HarEntry['_nwa']): HarEntry {
  return {
    startedDateTime: '2026-01-01T00:00:00.000Z',
    time: 1,
    request: {
      method,
      url: `http://server:9699${path}`,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: authorization === undefined ? [] : [{ name: 'Authorization', value: authorization }],
      queryString: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [],
      content: { size: 0, mimeType: '' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 0,
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    connection,
    ...(auth === undefined ? {} : { _nwa: auth }),
  }
}

describe('logicalRequests', () => {
  it('folds handshake legs into the request they authenticate, per connection, keeping who authenticated', () => {
    const requests = logicalRequests([
      entry('c1', 'GET', '/enum', 401),
      entry('c2', 'GET', '/enum', 401),
      entry('c1', 'GET', '/enum', 401, 'NTLM [removed]', { auth: { scheme: 'NTLM' } }),
      entry('c1', 'GET', '/enum', 200, 'NTLM [removed]', { auth: { scheme: 'NTLM', user: 'D\\u' } }),
      entry('c1', 'GET', '/enum?count=1', 200),
      entry('c2', 'GET', '/search', 401),
      entry('c3', 'POST', '/enum', 401, 'Basic [removed]', { auth: { scheme: 'Basic', user: 'D\\v', credential: 2 } }),
    ])
    expect(requests.map((request) => [request.entry, request.connection, request.legs, request.auth?.user ?? null])).toEqual([
      [4, 'c1', 2, 'D\\u'],
      [2, 'c2', 0, null],
      [5, 'c1', 0, null],
      [6, 'c2', 0, null],
      [7, 'c3', 0, 'D\\v'],
    ])
    expect(requests[4]?.auth?.credential).toBe(2)
  })
})

describe('Translation', () => {
  it("puts the replayed server's marks and RIDs, whole or a piece of one, in place of the recorded ones", () => {
    const translation = new Translation()
    const recordedRid = '20260101000000000AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB'
    const replayedRid = '20260101000000000CCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD'
    translation.learnPages(
      { ActivityRecordList: [{ RID: recordedRid } as never], ContinuationMark: 'recordedMark0123456789' },
      { ActivityRecordList: [{ RID: replayedRid } as never], ContinuationMark: 'replayedMark0123456789' },
    )
    expect(translation.apply('{"ContinuationMark":"recordedMark0123456789"}')).toBe('{"ContinuationMark":"replayedMark0123456789"}')
    expect(translation.translate(`<RID>${recordedRid}</RID>`)).toEqual({ text: `<RID>${replayedRid}</RID>`, ridPiece: false })
    expect(translation.translate('{"RID":{"Contains":"AAAAAAAAAAAAAAAABB"}}')).toEqual({ text: '{"RID":{"Contains":"CCCCCCCCCCCCCCCCDD"}}', ridPiece: true })
    expect(translation.apply('nothing-known-here-at-all')).toBe('nothing-known-here-at-all')
  })
})
