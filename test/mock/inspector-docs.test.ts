import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root } from '../ci/kit-copy.ts'
import { commandLines, exampleBlocks } from '../helpers/doc-examples.ts'
import { startListening } from '../helpers/mock-process.ts'
import { httpsCall } from '../interop/support.ts'

/** docs/inspector.md's example, run as written but on a free port: the page it names answers. */
const blocks = exampleBlocks(readFileSync(join(root, 'docs', 'inspector.md'), 'utf8'))

describe('docs/inspector.md example', () => {
  it('marks its one shell block, whose mock serves the page at /nwa/', async () => {
    expect(blocks.filter((block) => block.language === 'sh').map((block) => block.kind)).toEqual(['inspector'])
    const [line] = commandLines(blocks[0]?.text ?? '')
    expect(line).toContain('--port 9699')
    const mock = await startListening('bash', ['-c', `exec ${(line ?? '').replace('--port 9699', '--port 0')}`], { cwd: root })
    try {
      const page = await httpsCall(`${mock.url}/nwa/`, { insecure: true })
      expect(page.status).toBe(200)
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(page.body).toContain('<title>nwa mock inspector</title>')
    } finally {
      await mock.stop()
    }
  }, 60_000)
})
