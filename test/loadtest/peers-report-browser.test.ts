// The reports of issue 18 in a real browser: headless Chromium, offline, every chart drawn —
// the peer comparison (outage and purge) in report.html, and the sweep's curves.
import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { drawnCharts, openOffline, type DrawnChart } from '../helpers/browser.js'
import { loadChartJs } from '../../loadtest/report/html-page.js'
import { renderHtmlReport } from '../../loadtest/report/report-html.js'
import { renderMarkdownReport } from '../../loadtest/report/report-markdown.js'
import { renderSweepHtml, renderSweepMarkdown } from '../../loadtest/sweep/report.js'
import { renderSweepJson } from '../../loadtest/sweep/schema.js'
import { peerResults } from './fixtures.js'
import { fakeSweep } from './sweep-fixtures.js'

async function render (html: string, name: string): Promise<DrawnChart[]> {
  const dir = mkdtempSync(join(tmpdir(), 'loadtest-html-'))
  const file = join(dir, `${name}.html`)
  writeFileSync(file, html)
  const { page, requests, errors, close } = await openOffline(file)
  try {
    await page.waitForFunction('document.body.getAttribute("data-charts") !== "0"', undefined, { timeout: 10_000 })
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [], 'the report must not load anything from the network')
    const charts = await drawnCharts(page, '__cachestackCharts')
    for (const chart of charts) {
      assert.ok(chart.width > 100 && chart.height > 100, `${chart.id} has a size`)
      assert.ok(chart.datasets.length > 0, `${chart.id} has data`)
      assert.ok(chart.painted > 0.02, `${chart.id}: only ${(chart.painted * 100).toFixed(2)}% of pixels painted`)
      assert.ok(chart.colors >= 4, `${chart.id}: ${chart.colors} colours`)
    }
    const screenshot = join(dir, `${name}.png`)
    await page.screenshot({ path: screenshot, fullPage: true })
    assert.ok(existsSync(screenshot))
    return charts
  } finally {
    await close()
  }
}

test('report.html with the peers: comparison, costs, time to fresh, the outage per second', { timeout: 60_000 }, async () => {
  const results = peerResults()
  const charts = await render(renderHtmlReport(results, loadChartJs()), 'peers')
  const ids = charts.map((c) => c.id)
  for (const id of ['chart-compare-origin-outage', 'chart-costs-origin-outage', 'chart-compare-purge', 'chart-costs-purge', 'chart-fresh-purge',
    'chart-timeline-failures-origin-outage', 'chart-timeline-stale-origin-outage', 'chart-timeline-origin-origin-outage']) {
    assert.ok(ids.includes(id), `${id} drawn (got ${ids.join(', ')})`)
  }
  const fresh = charts.find((c) => c.id === 'chart-fresh-purge')!
  assert.equal(fresh.labels, 4)
  // The Markdown says the same, n/a included.
  const md = renderMarkdownReport(results)
  assert.match(md, /\| peer-undici-cache \| [\d,]+ \| [\d.]+ \| [\d,]+ \| [\d,–]+ \| 0\/0 \| – \| n\/a \|/)
  assert.match(md, /\| peer-nginx-only \| GET X-Cache-Refresh: 1 → 200 \|/)
  assert.match(md, /provider answered 503 from 1 s to 4 s/)
})

test('the sweep\'s report.html: the hockey stick with knees, one curve per target, the three cost charts', { timeout: 60_000 }, async () => {
  const sweep = fakeSweep()
  renderSweepJson(sweep) // validates
  const charts = await render(renderSweepHtml(sweep, loadChartJs()), 'sweep')
  assert.deepEqual(charts.map((c) => c.id).sort(), ['chart-cost-cities', 'chart-cost-size', 'chart-cost-topology', 'chart-sweep-baseline',
    'chart-sweep-edge', 'chart-sweep-layered', 'chart-sweep-p99'])
  const hockey = charts.find((c) => c.id === 'chart-sweep-p99')!
  // A line and a knee per target that has one (edge never met 20 ms here), and the bound.
  assert.deepEqual(hockey.datasets.filter((d) => d.includes('knee')).length, 2)
  assert.ok(hockey.datasets.includes('p99 bound 20 ms'))
  const md = renderSweepMarkdown(sweep)
  assert.match(md, /\| edge \| none under 20 ms \|/)
  assert.match(md, /\| layered \| [\d,]+ req\/s \|/)
})
