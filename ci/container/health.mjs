#!/usr/bin/env node
// The image's HEALTHCHECK: GET /nwa/health of the mock in this container, healthy while it answers 200 with status "ok"
// ("degraded" while writes cannot be stored, D44). It tries HTTPS first (the default; the certificate is the mock's own,
// self-signed, so it is not verified) and then plain HTTP (--no-tls); NWA_HEALTH_URL names another address.
import { request as http } from 'node:http'
import { request as https } from 'node:https'

const port = process.env.NWA_HEALTH_PORT ?? '9699'
const urls = process.env.NWA_HEALTH_URL ? [process.env.NWA_HEALTH_URL] : [`https://127.0.0.1:${port}/nwa/health`, `http://127.0.0.1:${port}/nwa/health`]

function probe(url) {
  return new Promise((resolve) => {
    const send = url.startsWith('https:') ? https : http
    const req = send(url, { rejectUnauthorized: false, timeout: 4000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        if (body.length < 65536) body += chunk
      })
      res.on('end', () => {
        try {
          const status = JSON.parse(body).status
          resolve(res.statusCode === 200 && status === 'ok' ? { ok: true } : { ok: false, why: `${url} answered ${res.statusCode}, status ${status}` })
        } catch {
          resolve({ ok: false, why: `${url} answered ${res.statusCode} without the health document` })
        }
      })
    })
    req.on('timeout', () => req.destroy(new Error('no answer in 4 s')))
    req.on('error', (error) => resolve({ ok: false, why: `${url}: ${error.message}` }))
    req.end()
  })
}

const reasons = []
for (const url of urls) {
  const result = await probe(url)
  if (result.ok) process.exit(0)
  reasons.push(result.why)
}
process.stderr.write(`unhealthy: ${reasons.join('; ')}\n`)
process.exit(1)
