// The HTML report in a real browser: headless Chromium, offline, every chart drawn.
import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from 'node:test'
import { chromium } from 'playwright-core'
import { loadChartJs, renderHtmlReport } from '../../loadtest/report-html.js'
import { fakeResults, TYPICAL } from './fixtures.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

test('report.html renders offline in Chromium with every chart drawn', { skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}`, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadtest-html-'))
  const file = join(dir, 'report.html')
  writeFileSync(file, renderHtmlReport(fakeResults([...TYPICAL, { target: 'none', scenario: 'hot', ok: 900, misses: 900 }, { target: 'layered', scenario: 'hot', ok: 12_000, l1: 11_990, misses: 10 }]), loadChartJs()))
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  try {
    const context = await browser.newContext({ viewport: { width: 1300, height: 900 } })
    const page = await context.newPage()
    const requests: string[] = []
    page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()) })
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(pathToFileURL(file).href)
    await page.waitForFunction('document.body.getAttribute("data-charts") !== "0"', undefined, { timeout: 10_000 })
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [], 'the report must not load anything from the network')

    // Runs in the page (a string: this project compiles without the DOM types).
    const charts = await page.evaluate(`window.__cachestackCharts.map((chart) => {
      const canvas = chart.canvas
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
      let painted = 0
      const colors = new Set()
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] > 0) {
          painted++
          if (colors.size < 50) colors.add(pixels[i] + ',' + pixels[i + 1] + ',' + pixels[i + 2])
        }
      }
      return { id: canvas.id, width: canvas.width, height: canvas.height, datasets: chart.data.datasets.length, painted: painted / (canvas.width * canvas.height), colors: colors.size }
    })`) as Array<{ id: string, width: number, height: number, datasets: number, painted: number, colors: number }>
    const ids = charts.map((c) => c.id).sort()
    assert.deepEqual(ids, ['chart-hits-hot', 'chart-hits-zipf', 'chart-latency-hot', 'chart-latency-zipf', 'chart-limit', 'chart-origin', 'chart-rps'])
    for (const chart of charts) {
      assert.ok(chart.width > 100 && chart.height > 100, `${chart.id} has a size`)
      assert.ok(chart.datasets > 0, `${chart.id} has data`)
      // Axes, labels and bars: a drawn chart paints a fair share of its canvas in several colours.
      assert.ok(chart.painted > 0.02, `${chart.id}: only ${(chart.painted * 100).toFixed(2)}% of pixels painted`)
      assert.ok(chart.colors >= 5, `${chart.id}: ${chart.colors} colours`)
    }
    const screenshot = process.env.LOADTEST_SCREENSHOT ?? join(dir, 'report.png')
    await page.screenshot({ path: screenshot, fullPage: true })
    assert.ok(existsSync(screenshot))
  } finally {
    await browser.close()
  }
})
