import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { loadChartJs, scriptSafe } from '../../loadtest/report/html-page.js'
import { renderHtmlReport } from '../../loadtest/report/report-html.js'
import { renderMarkdownReport } from '../../loadtest/report/report-markdown.js'
import { renderTerminalReport } from '../../loadtest/report/report-terminal.js'
import { COLUMNS } from '../../loadtest/report/table.js'
import { fakeResults, stormResults, TYPICAL } from './fixtures.js'

const rowOf = (text: string, target: string): string => text.split('\n').find((line) => new RegExp(`^\\|? ?${target}\\b`).test(line)) ?? ''

test('terminal report: one table per scenario with the headline figures of each target', () => {
  const text = renderTerminalReport(fakeResults(TYPICAL, ['redis scrape failed once']))
  assert.match(text, /^zipf: zipf traffic/m)
  const layered = rowOf(text, 'layered')
  assert.match(layered, /5,000/) // 10,000 2xx in 2 s
  assert.match(layered, /10\.0×/) // × none
  assert.match(layered, /50%/) // of the limit
  assert.match(rowOf(text, 'none'), /1\.00×/)
  assert.match(text, /warning: redis scrape failed once/)
  // Only the narrow columns.
  assert.doesNotMatch(text, /p90 ms/)
})

test('markdown report: full table, column legend, run settings and warnings', () => {
  const md = renderMarkdownReport(fakeResults(TYPICAL, ['something odd']))
  assert.match(md, /^# cachestack load test/m)
  assert.match(md, /Command: `npm run loadtest -- --quick`/)
  assert.match(md, /^## zipf$/m)
  for (const column of COLUMNS) assert.ok(md.includes(`**${column.header}**`), `legend for ${column.header}`)
  assert.match(md, /^\| target \| req\/s \|/m)
  const layered = rowOf(md, 'layered')
  assert.ok(layered.startsWith('| layered | 5,000 |'), layered)
  assert.match(layered, /\| 50 \|/) // origin calls
  assert.match(layered, /\| 99\.5% \|/) // overall hit ratio
  assert.match(md, /^- something odd$/m)
  assert.doesNotMatch(md, /corrected/) // closed loop: no corrected table
})

test('markdown report: fixed-rate runs add the corrected-latency table', () => {
  const results = fakeResults(TYPICAL)
  results.results[1]!.summary.correctedLatencyMs = { count: 10, mean: 50, p50: 40, p90: 80, p99: 250, p99_9: 400, max: 500 }
  assert.match(renderMarkdownReport(results), /\| none \| 90\.0 \| 40\.0 \| 120 \| 250 \|/)
})

test('html report: self-contained (no external URL loaded), data and Chart.js inlined, a canvas per chart', () => {
  const results = fakeResults(TYPICAL, ['</script><script>alert(1)</script>'])
  const html = renderHtmlReport(results, loadChartJs())
  assert.match(html, /^<!doctype html>/)
  assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?\/\//i)
  assert.ok(html.includes('Chart.js v4'), 'Chart.js inlined')
  for (const id of ['chart-rps', 'chart-limit', 'chart-origin', 'chart-latency-zipf', 'chart-hits-zipf']) assert.ok(html.includes(`id="${id}"`), id)
  // The hostile warning is inert: escaped in the page and in the JSON island.
  assert.equal(html.split('</script>').length - 1, 3)
  assert.ok(html.includes('&#60;/script&#62;&#60;script&#62;alert(1)'))
  const island = /<script id="results" type="application\/json">(.*?)<\/script>/s.exec(html)
  assert.ok(island !== null)
  assert.deepEqual(JSON.parse(island[1]!), JSON.parse(JSON.stringify(results)))
})

test('scriptSafe: an inline script can never close its own tag', () => {
  assert.equal(scriptSafe('a("</script>")</SCRIPT'), 'a("<\\/script>")<\\/SCRIPT')
  assert.equal(scriptSafe('x<!--y'), 'x<\\!--y')
})

test('storm reports: stampede waves, the expiry window and the per-second series, in Markdown and HTML', () => {
  const results = stormResults()
  const md = renderMarkdownReport(results)
  assert.match(md, /App environment for every target, peers included: CACHE_TTL_SECONDS=3, CACHE_TTL_JITTER=0\./)
  // Stampede: origin calls of each wave and the worst one.
  assert.match(md, /^\| layered \| 2 \| 1 1 \| 1 \| 92\.5 \| 108 \|/m)
  assert.match(md, /^\| peer-cache-manager \| 2 \| 3 2 \| 3 \|/m)
  // Expiry: window figures next to the whole run's.
  assert.match(md, /^\| layered \| 1\.6–4\.9 \| 30\.0 \|/m)
  assert.match(md, /^\| peer-cache-manager \| 1\.6–4\.9 \| 400 \| [^|]+ \| 480 \| 200 \| 400 \| 3 \|/m)
  // Per second: the expiry second is marked, each cell "p99 · origin calls".
  assert.match(md, /^\| second \| layered \| peer-cache-manager \|$/m)
  assert.match(md, /^\| 2 ◀ \| 30\.0 · 200 \| 400 · 200 \|$/m)
  const html = renderHtmlReport(results, '')
  for (const id of ['chart-timeline-p99-expiry-storm', 'chart-timeline-origin-expiry-storm', 'chart-latency-stampede']) {
    assert.ok(html.includes(`id="${id}"`), id)
  }
  assert.ok(!html.includes('chart-timeline-p99-stampede'))
  assert.ok(html.includes('<th class="left">origin calls per wave</th>'))
})
