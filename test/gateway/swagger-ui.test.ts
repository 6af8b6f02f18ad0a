// Swagger UI in a real browser (Debian's Chromium, driven by puppeteer-core):
// "Try it out" with the default examples of a PUT, a GET, a batch and an
// operate, and the answers Swagger UI shows. .ci/run installs Chromium when
// it is missing; a machine without it skips this test and says so.

import t from 'tap'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer from 'puppeteer-core'
import type { Page } from 'puppeteer-core'
import { withGateway } from '../helpers/gateway'

// A browser on a busy two-core machine can take minutes.
t.setTimeout(600_000)

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p !== undefined && existsSync(p))

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync']

interface Shown {
  status: string
  body: string
}

/** Opens an operation, presses "Try it out", fills the path parameters, executes, and reads the answer shown. */
async function tryItOut (page: Page, operationId: string, path: Record<string, string>): Promise<Shown> {
  const op = `[id$="-${operationId}"]`
  await page.waitForSelector(`${op} .opblock-summary`)
  await page.click(`${op} .opblock-summary`)
  await page.waitForSelector(`${op} .try-out__btn`)
  await page.click(`${op} .try-out__btn`)
  for (const [name, value] of Object.entries(path)) {
    const input = `${op} tr[data-param-name="${name}"] input`
    await page.waitForSelector(input)
    await page.type(input, value)
  }
  await page.click(`${op} .execute`)
  const answer = `${op} .live-responses-table tr.response`
  await page.waitForSelector(answer, { timeout: 20000 })
  return await page.$eval(answer, (row) => ({
    status: row.querySelector('.response-col_status')?.textContent?.trim() ?? '',
    body: row.querySelector('.response-col_description pre')?.textContent ?? ''
  }))
}

t.test('Swagger UI: Try it out with the default examples', { skip: CHROMIUM === undefined ? 'no Chromium installed (apt-get install chromium; .ci/run does)' : false }, async (t) => {
  const { app } = await withGateway(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const profile = mkdtempSync(join(tmpdir(), 'aerogate-chromium-'))
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: [...FLAGS, `--user-data-dir=${profile}`], headless: true })
  t.teardown(async () => {
    await browser.close()
    rmSync(profile, { recursive: true, force: true })
  })
  const page = await browser.newPage()
  page.setDefaultTimeout(30000)
  await page.goto(`http://127.0.0.1:${port}/docs`, { waitUntil: 'networkidle0' })

  const put = await tryItOut(page, 'replaceRecord', { namespace: 'test', set: 'people', key: 'ann' })
  t.equal(put.status, '204', 'PUT with the example body')

  const get = await tryItOut(page, 'getRecord', { namespace: 'test', set: 'people', key: 'ann' })
  t.equal(get.status, '200')
  t.match(JSON.parse(get.body), { bins: { name: 'Ann', visits: 1, score: 1.5, tags: ['vip'] }, generation: 1 }, 'GET shows what the PUT wrote')

  const batch = await tryItOut(page, 'batch', {})
  t.equal(batch.status, '200', 'batch with the example body')
  t.match(JSON.parse(batch.body), { batchRecords: [{ resultCode: 0 }, { resultCode: 0, record: { bins: { name: 'Ann', visits: 1 } } }, { resultCode: 2 }, { resultCode: 2 }] })

  const operate = await tryItOut(page, 'operateRecord', { namespace: 'test', set: 'people', key: 'ann' })
  t.equal(operate.status, '200', 'operate with the example body')
  t.match(JSON.parse(operate.body), { bins: { visits: 2, tags: 2, scores: 5 }, generation: 3 })
})
