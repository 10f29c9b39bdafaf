import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { probe, tempDir } from '../interop/support.ts'

/**
 * Debian's Chromium driven by playwright-core (no browser download): the browser `.ci/run` installs, or the one
 * NWA_CHROMIUM names. Launched headless with a fresh profile and without the background services that would reach
 * out to the network (this machine refuses those connections, and a test needs none).
 */
export const chromiumPath = process.env['NWA_CHROMIUM'] ?? '/usr/bin/chromium'
export const chromiumFound = probe(chromiumPath, ['--version'])

const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Where the screenshots go, for a person to look at: reports/browser/. */
export const screenshotDir = fileURLToPath(new URL('../../reports/browser/', import.meta.url))

export interface Browser {
  page: Page
  /** Every console error and uncaught exception the page has had so far (a refused Content-Security-Policy is one). */
  problems: string[]
  /** The whole page, or the first screen of a long one. */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<string>
  close(): Promise<void>
}

export async function openBrowser(): Promise<Browser> {
  const profile = tempDir('chromium-profile')
  const context: BrowserContext = await chromium.launchPersistentContext(profile.path, { executablePath: chromiumPath, headless: true, args: flags })
  const page = context.pages()[0] ?? (await context.newPage())
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  return {
    page,
    problems,
    async screenshot(name, options = {}) {
      mkdirSync(screenshotDir, { recursive: true })
      const path = join(screenshotDir, name)
      await page.screenshot({ path, fullPage: options.fullPage ?? true })
      return path
    },
    async close() {
      await context.close()
      profile.remove()
    },
  }
}
