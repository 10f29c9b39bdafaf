import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defectCatalogue } from '../../mock/defects/index.ts'
import { type RunningMock, startMockServer } from '../../mock/server.ts'
import { basic, record } from '../mock/helpers.ts'
import { type Browser, chromiumFound, openBrowser } from './chromium.ts'

/**
 * The inspector page in a real browser (docs/inspector.md): it loads without a console error (a script or style the
 * Content-Security-Policy refused would be one), a request sent to the mock appears as it is answered, a record whose
 * What holds markup shows as text, the filters and switches work, and behind a token the sign-in form lets the browser
 * in. Screenshots go to reports/browser/.
 */
if (!chromiumFound.ok) console.warn(`skipped: the inspector page in Chromium because ${chromiumFound.reason}`)

const hostileWhat = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'

async function write(base: string, records: Record<string, unknown>[], user = 'ENTERPRISE\\NetwrixUser'): Promise<number> {
  const answer = await fetch(`${base}/netwrix/api/v1/activity_records/?format=json`, {
    method: 'POST',
    headers: { authorization: basic(user), 'content-type': 'application/json' },
    body: JSON.stringify(records),
  })
  return answer.status
}

describe.skipIf(!chromiumFound.ok)('the inspector page in Chromium', () => {
  let mock: RunningMock
  let base: string
  let browser: Browser
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, tls: false, control: true, seed: 'none', authSchemes: ['Basic'], defects: defectCatalogue })
    base = `http://127.0.0.1:${(mock.server.address() as AddressInfo).port}`
    browser = await openBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await mock?.close()
  })

  it('loads live, shows each request as it is answered, and a hostile What as text on a click', async () => {
    const { page } = browser
    await page.goto(`${base}/nwa/`)
    await page.locator('#connection', { hasText: 'live' }).waitFor()
    expect(await write(base, [record({ What: hostileWhat })])).toBe(200)
    expect(await write(base, [record({ When: 'yesterday' })])).toBe(400)
    const rows = page.locator('#requests tr')
    await rows.nth(1).waitFor()
    expect(await rows.count()).toBe(2)
    // Newest first.
    expect(await rows.nth(0).locator('td').nth(1).textContent()).toBe('400')
    await rows.nth(1).click()
    const requestShown = page.locator('#exchange-request')
    await requestShown.filter({ hasText: 'POST /netwrix/api/v1/activity_records/?format=json' }).waitFor()
    expect(await requestShown.textContent()).toContain(JSON.stringify(hostileWhat).slice(1, -1))
    expect(await requestShown.textContent()).toMatch(/^authorization: Basic \[redacted\]$/im)
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined()
    expect(await page.locator('script').count()).toBe(1)
    expect(await page.locator('#exchange img').count()).toBe(0)
    await rows.nth(0).click()
    await page.locator('#exchange-notes li', { hasText: 'When' }).first().waitFor()
    await browser.screenshot('inspector.png')
    expect(browser.problems).toEqual([])
  })

  it('filters by status and account, and switches a fault the API then answers with', async () => {
    const { page } = browser
    expect(await write(base, [record()], 'ENTERPRISE\\Contributor')).toBe(200)
    await page.locator('#requests tr').nth(2).waitFor()
    await page.selectOption('#filter-status', '4xx')
    expect(await page.locator('#requests tr:not([hidden])').count()).toBe(1)
    await page.selectOption('#filter-status', '')
    await page.selectOption('#filter-account', 'ENTERPRISE\\Contributor')
    expect(await page.locator('#requests tr:not([hidden])').count()).toBe(1)
    await page.selectOption('#filter-account', '')

    await page.locator('#faults input[name="licenseExpired"]').check()
    await page.locator('#faults button[type="submit"]').click()
    await expect.poll(() => mock.app.faults.settings().licenseExpired).toBe(true)
    expect(await write(base, [record()])).toBe(500)
    await page.locator('#requests tr td', { hasText: '500' }).first().waitFor()
    await page.locator('#faults input[name="licenseExpired"]').uncheck()
    await page.locator('#faults button[type="submit"]').click()
    await expect.poll(() => mock.app.faults.settings().licenseExpired).toBe(false)

    await page.locator('#defects summary').click()
    await page.locator('#defect-list input[value="no-allow-header"]').check()
    await page.locator('#defects button[type="submit"]').click()
    await expect.poll(() => mock.app.defects.on()).toEqual(['no-allow-header'])
    await page.locator('#defects-line', { hasText: 'on: no-allow-header' }).waitFor()

    await page.fill('#clock input[name="at"]', '2030-01-02T03:04:05Z')
    await page.locator('#clock button[type="submit"]').click()
    await page.locator('#clock-line', { hasText: '2030-01-02T03:04:05.000Z (fixed)' }).waitFor()
    await page.locator('#clock-real').click()
    await expect.poll(() => mock.app.clock.describe().mode).toBe('real')
    expect(browser.problems).toEqual([])
  })

  it('shows the grade so far when something grades, its text as text', async () => {
    const { page } = browser
    mock.app.gradePanel.show({
      verdict: 'NOT CONFORMANT',
      summary: 'scenario steady: 1 MUST failed',
      checks: [{ id: 'client.pages-to-end', level: 'MUST', status: 'fail', message: 'stopped at <b>a short page</b>' }],
    })
    await page.locator('#grade:not([hidden])').waitFor()
    expect(await page.locator('#grade-verdict').textContent()).toBe('NOT CONFORMANT: scenario steady: 1 MUST failed')
    expect(await page.locator('#grade-checks td').nth(3).textContent()).toBe('stopped at <b>a short page</b>')
    expect(await page.locator('#grade b').count()).toBe(0)
    await browser.screenshot('inspector-grade.png')
    mock.app.gradePanel.clear()
    await page.locator('#grade[hidden]').waitFor({ state: 'attached' })
    expect(browser.problems).toEqual([])
  })
})

describe.skipIf(!chromiumFound.ok)('the inspector page behind a control token, in Chromium', () => {
  const token = 'team-secret-of-the-staging-mock'
  let mock: RunningMock
  let browser: Browser
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, tls: false, control: true, controlToken: token, seed: 'none', authSchemes: ['Basic'] })
    browser = await openBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await mock?.close()
  })

  it('asks for the token, then the cookie carries the page, its stream and its switches', async () => {
    const { page } = browser
    const base = `http://127.0.0.1:${(mock.server.address() as AddressInfo).port}`
    const first = await page.goto(`${base}/nwa/`)
    expect(first?.status()).toBe(401)
    await page.fill('input[name="token"]', 'not-the-token-in-force')
    await page.click('button[type="submit"]')
    await page.locator('p', { hasText: 'That is not the control token in force' }).waitFor()
    await browser.screenshot('inspector-sign-in.png')
    await page.fill('input[name="token"]', token)
    await page.click('button[type="submit"]')
    await page.locator('#connection', { hasText: 'live' }).waitFor()
    expect(await write(base, [record()])).toBe(200)
    await page.locator('#requests tr').first().waitFor()
    await page.locator('#faults input[name="latencyMs"]').fill('5')
    await page.locator('#faults button[type="submit"]').click()
    await expect.poll(() => mock.app.faults.settings().latencyMs).toBe(5)
    const cookies = await page.context().cookies()
    expect(cookies.map(({ name, httpOnly, sameSite, path }) => ({ name, httpOnly, sameSite, path }))).toEqual([
      { name: 'nwa-control', httpOnly: true, sameSite: 'Strict', path: '/nwa/' },
    ])
    await page.click('#sign-out button')
    await page.locator('input[name="token"]').waitFor()
    // The failed sign-in's 401 is the browser's only console error: the page itself had none.
    expect(browser.problems.filter((problem) => !problem.includes('401'))).toEqual([])
  })
})
