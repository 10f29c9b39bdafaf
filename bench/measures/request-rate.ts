/**
 * Small-request throughput: autocannon keeps `connections` keep-alive connections busy with one request for
 * a fixed time, and the figure is the 2xx answers per second. It runs in the phase's process and the server
 * in its host's, so the load generator never takes the server's core. Autocannon saturating its own core
 * would cap the figure; the share of a core it used is returned so the phase can say so.
 */
import autocannon from 'autocannon'

export interface RequestRateOptions {
  /** Path and query of the one request. */
  path: string
  headers: Record<string, string>
  connections: number
  durationSeconds: number
}

export interface RequestRateFigure {
  requestsPerSecond: number
  requests: number
  seconds: number
  /** CPU time the generator used over the wall time: 1 is one core. */
  generatorCpu: number
}

export async function measureRequestRate(baseUrl: string, options: RequestRateOptions): Promise<RequestRateFigure> {
  const cpuBefore = process.cpuUsage()
  const result = await autocannon({
    url: `${baseUrl}${options.path}`,
    method: 'GET',
    headers: options.headers,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSeconds,
  })
  const cpu = process.cpuUsage(cpuBefore)
  // A rate over failures would be meaningless: every answer must be a 2xx and no connection may fail.
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`GET ${options.path}: ${result.non2xx} answers other than 2xx, ${result.errors} errors, ${result.timeouts} timeouts under load`)
  }
  const ok = result['2xx']
  if (ok === 0) throw new Error(`GET ${options.path}: no answer in ${options.durationSeconds} s`)
  return {
    requestsPerSecond: ok / result.duration,
    requests: ok,
    seconds: result.duration,
    generatorCpu: (cpu.user + cpu.system) / 1e6 / result.duration,
  }
}
