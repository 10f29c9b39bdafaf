import { get } from 'node:https'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root } from '../ci/kit-copy.ts'
import { commandLines, exampleBlocks } from '../helpers/doc-examples.ts'
import { startListening } from '../helpers/mock-process.ts'

/** docs/inspector.md's example, run as written but on a free port: the page it names answers. */
const blocks = exampleBlocks(readFileSync(join(root, 'docs', 'inspector.md'), 'utf8'))

function fetchPage(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }))
    }).on('error', reject)
  })
}

describe('docs/inspector.md example', () => {
  it('marks its one shell block, whose mock serves the page at /nwa/', async () => {
    expect(blocks.filter((block) => block.language === 'sh').map((block) => block.kind)).toEqual(['inspector'])
    const [line] = commandLines(blocks[0]?.text ?? '')
    expect(line).toContain('--port 9699')
    const mock = await startListening('bash', ['-c', `exec ${(line ?? '').replace('--port 9699', '--port 0')}`], { cwd: root })
    try {
      const page = await fetchPage(`${mock.url}/nwa/`)
      expect(page.status).toBe(200)
      expect(page.type).toBe('text/html; charset=utf-8')
      expect(page.body).toContain('<title>nwa mock inspector</title>')
    } finally {
      await mock.stop()
    }
  }, 60_000)
})
