// The HTML report in a real browser: headless Chromium, offline, every chart drawn.
import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { drawnCharts, openOffline } from '../helpers/browser.js'
import { loadChartJs } from '../../loadtest/report/html-page.js'
import { renderHtmlReport } from '../../loadtest/report/report-html.js'
import { fakeResults, TYPICAL } from './fixtures.js'

test('report.html renders offline in Chromium with every chart drawn', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadtest-html-'))
  const file = join(dir, 'report.html')
  writeFileSync(file, renderHtmlReport(fakeResults([
    ...TYPICAL,
    { target: 'none', scenario: 'hot', ok: 900, misses: 900 },
    { target: 'layered', scenario: 'hot', ok: 12_000, l1: 11_990, misses: 10 }
  ]), loadChartJs()))
  const { page, requests, errors, close } = await openOffline(file)
  try {
    await page.waitForFunction('document.body.getAttribute("data-charts") !== "0"', undefined, { timeout: 10_000 })
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [], 'the report must not load anything from the network')
    const charts = await drawnCharts(page, '__cachestackCharts')
    const ids = charts.map((c) => c.id).sort()
    assert.deepEqual(ids, ['chart-hits-hot', 'chart-hits-zipf', 'chart-latency-hot', 'chart-latency-zipf', 'chart-limit', 'chart-origin', 'chart-rps'])
    for (const chart of charts) {
      assert.ok(chart.width > 100 && chart.height > 100, `${chart.id} has a size`)
      assert.ok(chart.datasets.length > 0, `${chart.id} has data`)
      // Axes, labels and bars: a drawn chart paints a fair share of its canvas in several colours.
      assert.ok(chart.painted > 0.02, `${chart.id}: only ${(chart.painted * 100).toFixed(2)}% of pixels painted`)
      assert.ok(chart.colors >= 5, `${chart.id}: ${chart.colors} colours`)
    }
    const screenshot = process.env.LOADTEST_SCREENSHOT ?? join(dir, 'report.png')
    await page.screenshot({ path: screenshot, fullPage: true })
    assert.ok(existsSync(screenshot))
  } finally {
    await close()
  }
})
