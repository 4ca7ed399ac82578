// The study's HTML page in a real browser: headless Chromium, offline, one chart per stream with
// each policy a line and MIN the ceiling.
import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { drawnCharts, openOffline } from '../helpers/browser.js'
import { loadChartJs } from '../../loadtest/report/html-page.js'
import { decide } from '../../bench/policies/decision.js'
import { renderHtml, renderMarkdown, type StudyReport } from '../../bench/policies/report.js'
import type { StreamResult } from '../../bench/policies/study.js'

const stream = (name: string, base: number, s3fifoBonus = 0): StreamResult => ({
  name,
  description: `${name} <test>`,
  requests: 100_000,
  distinctKeys: 10_000,
  seconds: 1,
  rows: [0.001, 0.01, 0.05, 0.2].map((share, i) => ({
    share,
    capacity: Math.round(share * 10_000),
    policies: { lru: base + 0.1 * i, sieve: base + 0.12 * i + 0.05, s3fifo: base + 0.13 * i + 0.06 + s3fifoBonus, tinylfu: base + 0.11 * i + 0.05 },
    min: base + 0.15 * i + 0.12
  }))
})

const streams = [stream('zipf-0.9', 0.2), stream('scan-polluted', 0.15, 0.02), stream('recorded', 0.05)]
const report: StudyReport = {
  command: 'npm run bench -- policies',
  machine: 'test machine',
  startedAt: '2026-01-01T00:00:00.000Z',
  streams,
  costs: null,
  decision: decide(streams, { sieve: 0.8, s3fifo: 0.75, tinylfu: 1.2 }),
  notes: ['capacity in entries']
}

test('the policy study page renders offline in Chromium: a chart per stream, four policies and MIN in each', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'policies-html-'))
  const file = join(dir, 'report.html')
  writeFileSync(file, renderHtml(report, loadChartJs()))
  const { page, requests, errors, close } = await openOffline(file)
  try {
    await page.waitForFunction('document.body.getAttribute("data-charts") !== "0"', undefined, { timeout: 10_000 })
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [], 'the page must not load anything from the network')
    const charts = await drawnCharts(page, '__policyCharts')
    assert.deepEqual(charts.map((c) => c.id), ['chart-0', 'chart-1', 'chart-2'])
    for (const chart of charts) {
      assert.deepEqual(chart.datasets, ['lru', 'sieve', 's3fifo', 'tinylfu', 'MIN (Belady, ceiling)'])
      assert.equal(chart.labels, 4, 'one point per capacity')
      assert.ok(chart.painted > 0.02, `${chart.id}: only ${(chart.painted * 100).toFixed(2)}% of pixels painted`)
      assert.ok(chart.colors >= 5, `${chart.id}: ${chart.colors} colours`)
    }
    assert.deepEqual(charts[0]!.first.map((v) => Math.round(Number(v))), [20, 30, 40, 50], 'lru\'s hit ratios, in %')
    const text = await page.evaluate('document.body.innerText') as string
    assert.match(text, /zipf-0\.9 <test>/, 'text is escaped, not markup')
    assert.match(text, /Default: s3fifo/)
    const screenshot = process.env.POLICIES_SCREENSHOT ?? join(dir, 'report.png')
    await page.screenshot({ path: screenshot, fullPage: true })
    assert.ok(existsSync(screenshot))
  } finally {
    await close()
  }
})

test('the Markdown report has a table per stream, MIN last, and the decision', () => {
  const md = renderMarkdown(report)
  assert.match(md, /\| capacity \| entries \| lru \| sieve \| s3fifo \| tinylfu \| MIN \|/)
  assert.equal(md.match(/\| 1% \| 100 \|/g)?.length, 3)
  assert.match(md, /\*\*Default: s3fifo\*\*/)
})
