/**
 * A round-robin proxy in front of `nwa mock` instances on one store (test/helpers/mock-process.ts starts them): what
 * a team runs behind a load balancer (docs/store.md). A test helper.
 */
import { createServer, request, Agent, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RoundRobin {
  url: string
  /** How many requests each backend was sent. */
  sent: number[]
  close(): Promise<void>
}

/** A proxy that sends each request to the next backend in turn, whatever connection it came on. */
export async function startRoundRobin(backends: readonly string[]): Promise<RoundRobin> {
  const agent = new Agent({ keepAlive: true })
  const sent = backends.map(() => 0)
  let next = 0
  const server: Server = createServer((req, res) => {
    const index = next++ % backends.length
    sent[index] = (sent[index] ?? 0) + 1
    const target = new URL(req.url ?? '/', backends[index])
    const forward = request(target, { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}
