// ladder.html: one self-contained page (offline, no CDN): the ladder table, the step story, and
// a chart of req/s (bars) and p99 (line, log scale) per rung, drawn by the Chart.js build the
// load-test report inlines (loadtest/report/html-page.ts's loadChartJs and scriptSafe).
import { relative, dirname } from 'node:path'
import { escapeHtml, jsonForScript, pageHead, scriptSafe } from '../loadtest/report/html-page.js'
import { LADDER_COLUMNS, ladderRows, stepStory } from './report.js'
import type { LadderResults } from './results.js'

/** What the page's script draws: one point per rung (medians over the rounds), then the limit. */
export function chartData (results: LadderResults): { labels: string[], rps: number[], p99: number[], cpu: Array<number | null>, limit: number | null } {
  return {
    labels: results.rungs.map((r) => `${r.id} ${r.stage}`),
    rps: results.rungs.map((r) => Math.round(r.summary.requestsPerSecond.median * 10) / 10),
    p99: results.rungs.map((r) => r.summary.latencyMs.p99),
    cpu: results.rungs.map((r) => r.summary.appCpuMicrosPerRequest),
    limit: results.baseline === null ? null : Math.round(results.baseline.summary.requestsPerSecond.median)
  }
}

// Runs in the browser. Plain ES2017, no imports: Chart is the UMD global.
const CLIENT = String.raw`
(function () {
  'use strict'
  var d = JSON.parse(document.getElementById('ladder-data').textContent)
  Chart.defaults.animation = false
  Chart.defaults.responsive = true
  Chart.defaults.maintainAspectRatio = false
  Chart.defaults.font.family = 'system-ui, sans-serif'
  var charts = []
  var datasets = [
    { type: 'bar', label: 'req/s', data: d.rps, backgroundColor: '#2563eb', yAxisID: 'rps', order: 2 },
    { type: 'line', label: 'p99 ms', data: d.p99, borderColor: '#dc2626', backgroundColor: '#dc2626', yAxisID: 'p99', order: 1 }
  ]
  if (d.limit !== null) datasets.push({ type: 'line', label: 'limit (baseline req/s)', data: d.labels.map(function () { return d.limit }), ` +
String.raw`borderColor: '#6b7280', borderDash: [6, 4], pointRadius: 0, yAxisID: 'rps', order: 0 })
  charts.push(new Chart(document.getElementById('chart-ladder'), {
    data: { labels: d.labels, datasets: datasets },
    options: {
      plugins: { title: { display: true, text: 'Each rung: req/s (bars, log scale) and p99 latency (line, log scale)' } },
      scales: {
        rps: { type: 'logarithmic', position: 'left', title: { display: true, text: 'req/s' } },
        p99: { type: 'logarithmic', position: 'right', title: { display: true, text: 'p99 ms' }, grid: { drawOnChartArea: false } }
      }
    }
  }))
  charts.push(new Chart(document.getElementById('chart-cpu'), {
    type: 'bar',
    data: { labels: d.labels, datasets: [{ label: 'µs CPU per request (app)', data: d.cpu, backgroundColor: '#16a34a' }] },
    options: {
      plugins: { title: { display: true, text: 'App CPU time per request (µs, log scale)' } },
      scales: { y: { type: 'logarithmic', title: { display: true, text: 'µs' } } }
    }
  }))
  window.__ladderCharts = charts
  document.body.setAttribute('data-charts', String(charts.length))
})()
`

/** `htmlPath`: where the page is written, so flame graph links are relative to it. */
export function renderLadderHtml (results: LadderResults, chartJs: string, htmlPath?: string): string {
  const head = LADDER_COLUMNS.map((c) => `<th class="${c.align}" title="${escapeHtml(c.meaning)}">${escapeHtml(c.header)}</th>`).join('')
  const body = ladderRows(results)
    .map((row) => `<tr>${row.map((cell, i) => `<td class="${LADDER_COLUMNS[i]!.align}">${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n')
  const link = (path: string): string => htmlPath === undefined ? path : relative(dirname(htmlPath), path)
  const rungs = results.rungs.map((r) => `<li><b>${escapeHtml(r.id)}</b> (${escapeHtml(r.stage)}): ${escapeHtml(r.step)}. ` +
    `<span class="why">${escapeHtml(r.why)}.</span>` +
    (r.profile === null ? '' : ` <a href="${escapeHtml(link(r.profile.flameGraph))}">flame graph</a>`) + '</li>').join('\n')
  const w = results.workload
  const warnings = results.warnings.length === 0
    ? ''
    : `<section><h2>Warnings</h2><ul>${results.warnings.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul></section>`
  return `${pageHead({
    title: `cachestack optimization ladder — ${results.startedAt}`,
    maxWidth: 1400,
    chartHeight: 340,
    chartMinWidth: 560,
    h2MarginTop: 28,
    thCursor: 'help',
    css: '.why { color: #4b5563; }'
  })}<body data-charts="0">
<h1>cachestack optimization ladder</h1>
<p class="meta">Command: <code>${escapeHtml(results.command)}</code><br>
${escapeHtml(results.startedAt)} · ${results.wallSeconds.toFixed(0)} s · ${results.machine.cpus} × ${escapeHtml(results.machine.cpuModel)}, ` +
`Node ${escapeHtml(results.machine.node)}. Load generator and every server share these cores: compare ratios, not absolute req/s.<br>
Every rung: ${escapeHtml(w.scenario)} (${escapeHtml(w.description)}) through nginx → ${w.workers}-worker cluster, ${w.connections} connections, ` +
`${w.durationSeconds} s measured after priming and ${w.warmupSeconds} s of warm-up.<br>
Profiles: ${escapeHtml(w.profiling)}, ${w.profileSeconds} s per rung.</p>
<div class="charts">
<div class="chart"><canvas id="chart-ladder"></canvas></div>
<div class="chart"><canvas id="chart-cpu"></canvas></div>
</div>
<div class="scroll"><table id="ladder-table"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></div>
<section><h2>Steps</h2><ul id="steps">${stepStory(results).map((line) => `<li>${escapeHtml(line)}</li>`).join('\n')}</ul></section>
<section><h2>Rungs</h2><ul>${rungs}</ul></section>
${warnings}
<script id="ladder-data" type="application/json">${jsonForScript(chartData(results))}</script>
<script>${scriptSafe(chartJs)}</script>
<script>${scriptSafe(CLIENT)}</script>
</body>
</html>
`
}
