import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defectCatalogue } from '../../mock/defects/index.ts'
import { type RunningMock, startMockServer } from '../../mock/server.ts'
import { tempDir } from '../interop/support.ts'
import { type Browser, chromiumFound, openBrowser } from './chromium.ts'

/**
 * report.html in a real browser, as `nwa check` writes it after a run that fails: a mock whose 401 carries an HTML
 * page (the seeded defect unauthorized-with-body) makes auth.required fail, so the report holds a NOT CONFORMANT
 * banner, failed checks, and evidence that is markup. The page must load without a console error, show the banner,
 * the picture and the failing checks, and show the server's HTML as text. The screenshot goes to reports/browser/.
 */
if (!chromiumFound.ok) console.warn(`skipped: report.html in Chromium because ${chromiumFound.reason}`)

const root = fileURLToPath(new URL('../..', import.meta.url))

describe.skipIf(!chromiumFound.ok)('report.html in Chromium', () => {
  let mock: RunningMock
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let exitCode = -1
  beforeAll(async () => {
    dir = tempDir('browser-report')
    mock = await startMockServer({ port: 0, tls: false, seed: 'demo', defects: defectCatalogue, defectsOn: ['unauthorized-with-body'] })
    const target = `http://127.0.0.1:${(mock.server.address() as AddressInfo).port}`
    const args = ['check', '--target', target, '--user', 'ENTERPRISE\\NetwrixUser', '--only', 'auth.required,errors.unknown-endpoint,formats.xml-default']
    exitCode = await new Promise<number>((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'bin', 'nwa.js'), ...args, '--report-dir', dir.path],
        { env: { ...process.env, NWA_PASSWORD: 'NetwrixIsCool', NO_COLOR: '1' } },
        (error) => resolve(error ? Number((error as { code?: number }).code) : 0),
      )
    })
    browser = await openBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await mock?.close()
    dir?.remove()
  })

  it('shows the verdict banner, the picture and the failing checks, and the server HTML in the evidence as text', async () => {
    expect(exitCode).toBe(1)
    const { page } = browser
    await page.goto(pathToFileURL(join(dir.path, 'report.html')).href)
    const banner = page.locator('.banner.not-conformant')
    expect(await banner.isVisible()).toBe(true)
    expect(await banner.locator('strong').textContent()).toBe('NOT CONFORMANT')
    expect(await page.locator('figure.picture svg').isVisible()).toBe(true)
    const failed = page.locator('h2', { hasText: 'Failed checks' }).locator('xpath=following-sibling::ul[1]/li')
    expect(await failed.count()).toBe(1)
    expect(await failed.first().textContent()).toContain('auth.required')
    expect(await failed.first().isVisible()).toBe(true)
    const section = page.locator('section', { has: page.locator('h3#auth\\.required') })
    await section.locator('details summary').first().click()
    const evidence = (await section.locator('pre').allTextContents()).join('\n')
    expect(evidence).toContain('<h1>Access is denied.</h1>')
    // Shown as text, never as an element of the report.
    expect(await page.locator('h1', { hasText: 'Access is denied.' }).count()).toBe(0)
    expect(readFileSync(join(dir.path, 'report.html'), 'utf8')).not.toContain('<h1>Access is denied.</h1>')
    await page.setViewportSize({ width: 1280, height: 1600 })
    await page.evaluate('window.scrollTo(0, 0)')
    await browser.screenshot('report.png', { fullPage: false })
    expect(browser.problems).toEqual([])
  })
})
