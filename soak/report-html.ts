// report.html: one self-contained page (opens offline, no CDN): the soak's result as JSON,
// Chart.js's UMD build inlined from node_modules (as loadtest/report/report-html.ts does), and one line
// chart per series with the line fitted over the judged second half drawn on it.
import { fmtBytes } from '../loadtest/report/format.js'
import { escapeHtml, jsonForScript, pageHead, scriptSafe } from '../loadtest/report/html-page.js'
import { GROWTH_RULES, MIN_T_STATISTIC, SERIES_KINDS } from './growth.js'
import type { SoakResult } from './run.js'
import { LOAD_HEADERS, SERIES_HEADERS, loadRows, seriesRows } from './report-terminal.js'
import { formatRate } from './series.js'

/** The canvas id of a series' chart. */
export const chartId = (seriesId: string): string => `chart-${seriesId.replace(/[^A-Za-z0-9-]/g, '-')}`

// Runs in the browser. Plain ES2017, no imports: Chart is the UMD global.
const CLIENT = String.raw`
(function () {
  'use strict'
  var data = JSON.parse(document.getElementById('soak').textContent)
  Chart.defaults.animation = false
  Chart.defaults.responsive = true
  Chart.defaults.maintainAspectRatio = false
  Chart.defaults.font.family = 'system-ui, sans-serif'
  var SCALE = { bytes: [1 / 1048576, 'MiB'], seconds: [1000, 'ms'], ms: [1, 'ms'], count: [1, 'count'], 'per-second': [1, 'per second'], load: [1, 'load'] }
  var COLOR = { ok: '#2563eb', growing: '#dc2626', info: '#6b7280', absent: '#9ca3af', 'too-few-samples': '#9ca3af', 'too-short': '#9ca3af' }
  var minutes = data.elapsedSeconds >= 180
  function x (t) { return minutes ? t / 60 : t }
  var charts = []
  data.series.forEach(function (s) {
    var canvas = document.getElementById(s.chartId)
    if (canvas === null) return
    var scale = SCALE[s.unit] || [1, s.unit]
    if (s.unit === 'bytes') {
      var largest = 0
      s.values.forEach(function (v) { if (v !== null && v > largest) largest = v })
      if (largest < 1048576) scale = [1 / 1024, 'KiB']
    }
    var points = []
    for (var i = 0; i < s.values.length; i++) {
      var v = s.values[i]
      points.push({ x: x(data.samples.t[i]), y: v === null ? null : v * scale[0] })
    }
    var color = COLOR[s.judgement.verdict] || '#2563eb'
    var datasets = [{ label: s.label, data: points, borderColor: color, backgroundColor: color, pointRadius: 1.5, borderWidth: 1.5, spanGaps: false }]
    if (s.fitLine !== null) {
      var ends = [{ x: x(s.fitLine.t0), y: s.fitLine.y0 * scale[0] }, { x: x(s.fitLine.t1), y: s.fitLine.y1 * scale[0] }]
      datasets.push({ label: 'least squares, 2nd half', data: ends, borderColor: '#f59e0b', backgroundColor: '#f59e0b', borderDash: [6, 4],
        pointRadius: 0, borderWidth: 2 })
    }
    charts.push(new Chart(canvas, {
      type: 'line',
      data: { datasets: datasets },
      options: {
        plugins: {
          legend: { display: false },
          title: { display: true, text: s.label },
          subtitle: { display: true, text: s.subtitle, color: color }
        },
        scales: {
          x: {
            type: 'linear',
            min: 0,
            max: minutes ? Math.ceil(data.elapsedSeconds / 30) / 2 : Math.ceil(data.elapsedSeconds),
            title: { display: true, text: minutes ? 'minute of the soak' : 'second of the soak' }
          },
          y: { beginAtZero: false, title: { display: true, text: scale[1] } }
        }
      }
    }))
  })
  window.__soakCharts = charts
  document.body.setAttribute('data-charts', String(charts.length))
})()
`

function table (headers: readonly string[], rows: readonly string[][], rowClass: (i: number) => string = () => ''): string {
  return `<div class="scroll"><table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${rows.map((row, i) => `<tr class="${rowClass(i)}">${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></div>`
}

export function renderHtmlReport (result: SoakResult, chartJs: string): string {
  const verdictRows = seriesRows(result)
  const charts = result.series.map((s) => `<div class="chart"><canvas id="${chartId(s.id)}"></canvas></div>`).join('\n')
  // What the page script needs, with each chart's id and title made here (one place for the format).
  const payload = {
    elapsedSeconds: result.elapsedSeconds,
    samples: result.samples,
    series: result.series.map((s, i) => ({
      id: s.id,
      chartId: chartId(s.id),
      label: s.label,
      unit: s.unit,
      values: s.values,
      fitLine: s.judgement.line,
      judgement: { verdict: s.judgement.verdict },
      subtitle: [
        s.judgement.verdict,
        `slope ${verdictRows[i]![6]}`,
        ...(s.judgement.floorSlopePerMinute === null ? [] : [`floor ${formatRate(s.unit, s.judgement.floorSlopePerMinute)}`]),
        `threshold ${verdictRows[i]![7]}`
      ].join(' · ')
    }))
  }
  const rules = SERIES_KINDS.map((kind) => {
    const r = GROWTH_RULES[kind]
    const unitOf = kind === 'process-memory' || kind === 'heap' || kind === 'cache-bytes' ? fmtBytes : (n: number) => String(n)
    const shown = r.absolutePerMinute === Infinity
      ? ['never judged', '', '']
      : [`${kind === 'event-loop' ? `${r.absolutePerMinute * 1000} ms` : unitOf(r.absolutePerMinute)}/min`, `${(r.relativePerMinute * 100).toFixed(0)} %/min`,
          kind === 'event-loop' ? `${r.minRise * 1000} ms` : unitOf(r.minRise)]
    return [kind, ...shown, r.why]
  })
  const list = (items: readonly string[]): string => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`
  const status = result.passed
    ? '<p class="pass">PASSED: no series grows over the second half, every answer as expected.</p>'
    : `<p class="fail">FAILED</p>${list(result.failures)}`
  const anomalyRows = result.load.anomalies.map((a) => [a.t.toFixed(1), a.kind, a.variant, `${a.method} ${a.path}`, a.got, a.expected])
  const anomalies = result.load.anomalyCount === 0
    ? ''
    : `<h2>Unexpected answers (${result.load.anomalyCount})</h2>${table(['t (s)', 'kind', 'variant', 'request', 'got', 'expected'], anomalyRows)}`
  const env = Object.entries(result.app.env).map(([k, v]) => `${k}=${v}`).join(' ')
  const m = result.machine
  return `${pageHead({
    title: `cachestack soak — ${result.startedAt}`,
    chartHeight: 260,
    chartMinWidth: 400,
    // Cells wrap and sit left (no .right/.left columns here); a growing series' row is red.
    css: '.pass { color: #166534; font-weight: 600; } .fail { color: #b91c1c; font-weight: 600; }\n' +
      'th, td { text-align: left; white-space: normal; } tr.growing td { background: #fee2e2; }'
  })}<body data-charts="0">
<h1>cachestack soak</h1>
<p class="meta">Command: <code>${escapeHtml(result.command)}</code><br>
${escapeHtml(result.startedAt)} · ${result.elapsedSeconds.toFixed(0)} s of load at ${result.load.rate} req/s (fixed rate, open loop) through nginx → ` +
`${result.app.workers} workers (${result.app.strategy}) → Redis + simulated provider · ` +
`${result.samples.t.length} samples every ${result.samples.intervalSeconds} s<br>
Slopes fitted by least squares over ${result.window.start.toFixed(0)}–${result.window.end.toFixed(0)} s (the second half); ` +
'a series grows when its slope is above its threshold, ' +
`it rises by at least its smallest judged rise, ${MIN_T_STATISTIC} standard errors above zero, and in both halves of the window.<br>
App: <code>${escapeHtml(env)}</code><br>
${m.cpus} × ${escapeHtml(m.cpuModel)}, ${fmtBytes(m.totalMemoryBytes)}, Node ${escapeHtml(m.node)}; ` +
`the load, the stack and every other user of the machine share these cores.</p>
${status}
<h2>Series</h2>
${table(SERIES_HEADERS, verdictRows, (i) => result.series[i]!.judgement.verdict)}
<p class="meta">Each chart: the series (blue when judged ok, red when growing, grey when not judged) and, dashed, the least-squares line ` +
'over the second half. Memory, descriptors and event-loop delay are also fitted to their floor (the minimum over the preceding quarter ' +
`of the run): both must rise for the series to grow.</p>
<div class="charts">
${charts}
</div>
<h2>Load</h2>
${table(LOAD_HEADERS, loadRows(result))}
<p class="meta">${result.load.sent} requests sent, ${result.load.skipped} skipped; ${result.load.coldCities} never-requested cities for cold misses` +
`${result.load.coldRecycled > 0 ? ` (recycled ${result.load.coldRecycled}×)` : ''}.</p>
${anomalies}
<h2>Thresholds</h2>
${table(['kind', 'slope at least', 'relative to median', 'smallest judged rise', 'why'], rules)}
<h2>Sources</h2>
${table(['series', 'measured from'], result.series.map((s) => [s.label, s.source]))}
${result.events.length > 0 ? `<h2>Events</h2>${list(result.events.map((e) => `${e.t.toFixed(1)} s: ${e.message}`))}` : ''}
${result.notes.length > 0 ? `<h2>Notes</h2>${list(result.notes)}` : ''}
<script id="soak" type="application/json">${jsonForScript(payload)}</script>
<script>${scriptSafe(chartJs)}</script>
<script>${scriptSafe(CLIENT)}</script>
</body>
</html>
`
}
