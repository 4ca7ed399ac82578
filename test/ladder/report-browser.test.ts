// ladder.html in a real browser: headless Chromium, offline, both charts drawn from the data.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drawnCharts, openOffline } from '../helpers/browser.js'
import { loadChartJs } from '../../loadtest/report/html-page.js'
import { renderLadderHtml } from '../../ladder/report-html.js'
import { RUNGS } from '../../ladder/rungs.js'
import { ladderFixture } from './fixtures.js'

test('ladder.html renders offline in Chromium: req/s and p99 per rung, CPU per request, the table', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ladder-html-'))
  const file = join(dir, 'ladder.html')
  writeFileSync(file, renderLadderHtml(ladderFixture(), loadChartJs(), file))
  const { page, requests, errors, close } = await openOffline(file, { width: 1400, height: 900 })
  try {
    await page.waitForFunction('document.body.getAttribute("data-charts") !== "0"', undefined, { timeout: 10_000 })
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [], 'nothing from the network')
    const charts = await drawnCharts(page, '__ladderCharts')
    assert.deepEqual(charts.map((c) => c.id), ['chart-ladder', 'chart-cpu'])
    const [ladder, cpu] = charts
    assert.deepEqual(ladder!.datasets, ['req/s', 'p99 ms', 'limit (baseline req/s)'])
    assert.equal(ladder!.labels, RUNGS.length)
    assert.deepEqual(ladder!.first, RUNGS.map((_, i) => 10 * 2 ** i))
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
    await close()
  }
})
