// ladder.html in a real browser: headless Chromium, offline, both charts drawn from the data.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { loadChartJs } from '../../loadtest/report-html.js'
import { renderLadderHtml } from '../../ladder/report-html.js'
import { RUNGS } from '../../ladder/rungs.js'
import { ladderFixture } from './fixtures.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

test('ladder.html renders offline in Chromium: req/s and p99 per rung, CPU per request, the table', { skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}`, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ladder-html-'))
  const file = join(dir, 'ladder.html')
  writeFileSync(file, renderLadderHtml(ladderFixture(), loadChartJs(), file))
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    const requests: string[] = []
    page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()) })
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(pathToFileURL(file).href)
    await page.waitForFunction('document.body.getAttribute("data-charts") !== "0"', undefined, { timeout: 10_000 })
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [], 'nothing from the network')
    // Runs in the page (a string: this project compiles without the DOM types).
    const charts = await page.evaluate(`window.__ladderCharts.map((chart) => {
      const canvas = chart.canvas
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
      let painted = 0
      const colors = new Set()
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] > 0) { painted++; if (colors.size < 50) colors.add(pixels[i] + ',' + pixels[i + 1] + ',' + pixels[i + 2]) }
      }
      return { id: canvas.id, labels: chart.data.labels.length, datasets: chart.data.datasets.map((d) => d.label), rps: chart.data.datasets[0].data, painted: painted / (canvas.width * canvas.height), colors: colors.size, width: canvas.width }
    })`) as Array<{ id: string, labels: number, datasets: string[], rps: number[], painted: number, colors: number, width: number }>
    assert.deepEqual(charts.map((c) => c.id), ['chart-ladder', 'chart-cpu'])
    const [ladder, cpu] = charts
    assert.deepEqual(ladder!.datasets, ['req/s', 'p99 ms', 'limit (baseline req/s)'])
    assert.equal(ladder!.labels, RUNGS.length)
    assert.deepEqual(ladder!.rps, RUNGS.map((_, i) => 10 * 2 ** i))
    assert.equal(cpu!.labels, RUNGS.length)
    for (const chart of charts) {
      assert.ok(chart.width > 100)
      assert.ok(chart.painted > 0.02, `${chart.id}: only ${(chart.painted * 100).toFixed(2)}% of pixels painted`)
      assert.ok(chart.colors >= 5, `${chart.id}: ${chart.colors} colours`)
    }
    assert.equal(await page.locator('#ladder-table tbody tr').count(), RUNGS.length + 1)
    assert.match(await page.textContent('#steps') ?? '', /the profile of rung 0 named canonicalName/)
    await page.screenshot({ path: join(dir, 'ladder.png'), fullPage: true })
  } finally {
    await browser.close()
  }
})
