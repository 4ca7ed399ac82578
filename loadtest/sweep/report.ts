// The sweep's reports: sweep.md (tables), report.html (the hockey-stick and cost charts, offline,
// Chart.js inlined as loadtest/report/report-html.ts does), and the lines printed at the end of the command.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fmtBytes, fmtInt, fmtMs, fmtPct } from '../report/format.js'
import { escapeHtml, jsonForScript, loadChartJs, pageHead, scriptSafe } from '../report/html-page.js'
import { renderMarkdownTable, renderTextTable } from '../report/table.js'
import type { CellTable } from '../report/storm-tables.js'
import { renderSweepJson, type CostPoint, type CurveInfo, type SweepResults } from './schema.js'

const kneeCell = (c: CurveInfo): string => c.knee.rate === null ? `none under ${c.knee.boundMs} ms` : `${fmtInt(c.knee.rate)} req/s`

export function kneeTable (results: SweepResults): CellTable {
  return {
    caption: 'Capacity: the knee is the highest offered rate whose p99 (corrected for coordinated omission) stayed at or under ' +
      `${results.settings.p99BoundMs} ms with at least 90% of it achieved; the closed-loop maximum is what the target serves with latency unbounded.`,
    headers: ['target', 'knee', 'p99 at the knee ms', 'closed-loop max req/s', 'closed-loop p99 ms', 'first failed rate', 'note'],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
    rows: results.curves.map((c) => [
      c.target, kneeCell(c), fmtMs(c.knee.p99Ms), fmtInt(c.closedLoopRate), fmtMs(c.closedLoopP99Ms), fmtInt(c.knee.firstFailedRate),
      c.knee.nonMonotone ? 'a rate below the knee failed too (noise)' : ''
    ])
  }
}

export function curveTable (curve: CurveInfo): CellTable {
  return {
    caption: `${curve.target}: offered against achieved rate, latency corrected for coordinated omission (raw p99 alongside).`,
    headers: ['offered req/s', 'achieved req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'raw p99 ms', 'failed', 'serving µs CPU/req', ''],
    align: ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    rows: curve.points.map((p) => [
      fmtInt(p.offeredRate), fmtInt(p.achievedRate), fmtMs(p.correctedLatencyMs.p50), fmtMs(p.correctedLatencyMs.p99), fmtMs(p.correctedLatencyMs.p99_9),
      fmtMs(p.latencyMs.p99), fmtInt(p.non2xx + p.errors), fmtInt(p.servingCpuMicrosPerRequest), p.offeredRate === curve.knee.rate ? '◀ knee' : ''
    ])
  }
}

export function costTable (caption: string, points: readonly CostPoint[]): CellTable {
  return {
    caption,
    headers: ['point', 'req/s', 'app µs CPU/req', 'serving µs CPU/req', 'app CPU', 'p99 ms', 'L1', 'L2', 'miss', 'bytes/answer', 'failed'],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: points.map((p) => [
      p.label, fmtInt(p.requestsPerSecond), fmtInt(p.appCpuMicrosPerRequest), fmtInt(p.servingCpuMicrosPerRequest),
      p.appCpuCores === null ? '–' : p.appCpuCores.toFixed(2), fmtMs(p.latencyMs.p99), fmtPct(p.l1Share), fmtPct(p.l2Share), fmtPct(p.missShare),
      fmtBytes(p.bytesPerAnswer), fmtInt(p.non2xx + p.errors)
    ])
  }
}

export function sweepTables (results: SweepResults): CellTable[] {
  return [
    kneeTable(results),
    ...results.curves.map(curveTable),
    costTable('Cost against distinct cities (uniform traffic; L1 holds 10,000 entries per worker).', results.cost.cities),
    costTable('Cost against workers × app instances (1,000 cities, uniform).', results.cost.topology),
    costTable('Cost against answer size (1,000 cities each, uniform).', results.cost.size)
  ]
}

export function renderSweepMarkdown (results: SweepResults): string {
  const s = results.settings
  const out = [
    '# cachestack load test: curves',
    '',
    `Command: \`${results.command}\`  `,
    `Run: ${results.startedAt} (${results.wallSeconds.toFixed(0)} s), ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}, ` +
      `load average before ${results.machine.loadAverage.map((l) => l.toFixed(1)).join(' / ')}.  `,
    `Latency curves: ${s.scenario} (${s.scenarioDescription}), ${s.connections} connections, ${s.stepSeconds} s per offered rate, ` +
      `p99 bound ${s.p99BoundMs} ms.`,
    '',
    s.method,
    '',
    s.costMethod,
    ''
  ]
  for (const table of sweepTables(results)) {
    out.push(table.caption, '', renderMarkdownTable(table.headers, table.rows, table.align), '')
  }
  if (results.warnings.length > 0) out.push('## Warnings', '', ...results.warnings.map((w) => `- ${w}`), '')
  return out.join('\n')
}

export function renderSweepTerminal (results: SweepResults): string {
  const tables = [kneeTable(results), costTable('cost against distinct cities', results.cost.cities),
    costTable('cost against workers × instances', results.cost.topology), costTable('cost against answer size', results.cost.size)]
  return tables.map((t) => `${t.caption}\n${renderTextTable(t.headers, t.rows, t.align)}`).join('\n\n') + '\n' +
    results.warnings.map((w) => `warning: ${w}\n`).join('')
}

// Runs in the browser. Plain ES2017, no imports: Chart is the UMD global.
const CLIENT = String.raw`
(function () {
  'use strict'
  var data = JSON.parse(document.getElementById('sweep').textContent)
  var COLORS = { baseline: '#6b7280', layered: '#16a34a', edge: '#7c3aed', none: '#dc2626', 'peer-varnish': '#0284c7', ` +
String.raw`'peer-nginx-only': '#65a30d', 'peer-undici-cache': '#c026d3' }
  var EXTRA = ['#2563eb', '#f59e0b', '#0891b2', '#be123c']
  function colorOf (t, i) { return COLORS[t] || EXTRA[i % EXTRA.length] }
  Chart.defaults.animation = false
  Chart.defaults.responsive = true
  Chart.defaults.maintainAspectRatio = false
  Chart.defaults.font.family = 'system-ui, sans-serif'
  var charts = []
  var bound = data.settings.p99BoundMs
  function draw (id, config) {
    var canvas = document.getElementById(id)
    if (canvas !== null) charts.push(new Chart(canvas, config))
  }
  function maxRate () {
    var m = 0
    data.curves.forEach(function (c) { c.points.forEach(function (p) { m = Math.max(m, p.offeredRate) }) })
    return m
  }
  // The hockey stick: corrected p99 against offered rate, every target, the bound and the knees.
  var sets = []
  data.curves.forEach(function (c, i) {
    sets.push({ type: 'line', label: c.target + ' p99', borderColor: colorOf(c.target, i), backgroundColor: colorOf(c.target, i), pointRadius: 3,
      data: c.points.map(function (p) { return { x: p.offeredRate, y: p.correctedLatencyMs.p99 } }) })
    if (c.knee.rate !== null) {
      sets.push({ type: 'scatter', label: c.target + ' knee ' + Math.round(c.knee.rate) + ' req/s', borderColor: '#111827', ` +
String.raw`backgroundColor: colorOf(c.target, i), pointRadius: 9, pointStyle: 'triangle', data: [{ x: c.knee.rate, y: c.knee.p99Ms }] })
    }
  })
  sets.push({ type: 'line', label: 'p99 bound ' + bound + ' ms', borderColor: '#dc2626', borderDash: [6, 4], pointRadius: 0, ` +
String.raw`data: [{ x: 0, y: bound }, { x: maxRate(), y: bound }] })
  draw('chart-sweep-p99', {
    type: 'line',
    data: { datasets: sets },
    options: {
      plugins: { title: { display: true, text: 'p99 against offered load (corrected for coordinated omission), knees marked' } },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'offered req/s' } },
        y: { type: 'logarithmic', title: { display: true, text: 'p99 ms (log)' } }
      }
    }
  })
  // One chart per target: p50/p99/p99.9 and the achieved rate.
  data.curves.forEach(function (c, i) {
    var pct = [['p50', '#93c5fd'], ['p99', '#2563eb'], ['p99_9', '#1e3a8a']]
    var ds = pct.map(function (p) {
      return { type: 'line', label: p[0].replace('_', '.') + ' ms', yAxisID: 'y', borderColor: p[1], backgroundColor: p[1], pointRadius: 3,
        data: c.points.map(function (q) { return { x: q.offeredRate, y: q.correctedLatencyMs[p[0]] } }) }
    })
    ds.push({ type: 'line', label: 'achieved req/s', yAxisID: 'rate', borderColor: colorOf(c.target, i), backgroundColor: colorOf(c.target, i), ` +
String.raw`borderDash: [4, 3], pointRadius: 3, data: c.points.map(function (q) { return { x: q.offeredRate, y: q.achievedRate } }) })
    draw('chart-sweep-' + c.target, {
      type: 'line',
      data: { datasets: ds },
      options: {
        plugins: { title: { display: true, text: c.target + ': latency and achieved rate against offered load' + ` +
String.raw`(c.knee.rate === null ? '' : ' (knee ' + Math.round(c.knee.rate) + ' req/s)') } },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'offered req/s' } },
          y: { type: 'logarithmic', title: { display: true, text: 'ms (log, corrected)' } },
          rate: { type: 'linear', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'achieved req/s' } }
        }
      }
    })
  })
  function cost (id, title, points) {
    draw(id, {
      type: 'bar',
      data: {
        labels: points.map(function (p) { return p.label }),
        datasets: [
          { type: 'bar', label: 'req/s', yAxisID: 'y', order: 2, backgroundColor: '#86efac', data: points.map(function (p) { return p.requestsPerSecond }) },
          { type: 'line', label: 'app µs CPU/req', yAxisID: 'cpu', order: 1, borderColor: '#dc2626', backgroundColor: '#dc2626', pointRadius: 5, ` +
String.raw`data: points.map(function (p) { return p.appCpuMicrosPerRequest }) },
          { type: 'line', label: 'serving µs CPU/req (app + nginx)', yAxisID: 'cpu', order: 0, borderColor: '#f59e0b', backgroundColor: '#f59e0b', ` +
String.raw`borderDash: [4, 3], pointRadius: 4, data: points.map(function (p) { return p.servingCpuMicrosPerRequest }) }
        ]
      },
      options: {
        plugins: { title: { display: true, text: title } },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: 'req/s' } },
          cpu: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'µs CPU per request' } }
        }
      }
    })
  }
  cost('chart-cost-cities', 'layered: cost against distinct cities (uniform; L1 holds 10,000 per worker)', data.cost.cities)
  cost('chart-cost-topology', 'layered: cost against workers × app instances (1,000 cities)', data.cost.topology)
  cost('chart-cost-size', 'layered: cost against answer size (1,000 cities)', data.cost.size)
  window.__cachestackCharts = charts
  document.body.setAttribute('data-charts', String(charts.length))
})()
`

function htmlTable (table: CellTable): string {
  return `<p>${escapeHtml(table.caption)}</p>
<div class="scroll"><table><thead><tr>${table.headers.map((h, i) => `<th class="${table.align[i]!}">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${table.rows.map((row) => `<tr>${row.map((cell, i) => `<td class="${table.align[i]!}">${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></div>`
}

export function renderSweepHtml (results: SweepResults, chartJs: string): string {
  const s = results.settings
  const tables = sweepTables(results)
  const perTarget = results.curves.map((c) => `<div class="chart"><canvas id="chart-sweep-${escapeHtml(c.target)}"></canvas></div>`).join('\n')
  return `${pageHead({ title: `cachestack load test curves — ${results.startedAt}`, chartHeight: 340 })}<body data-charts="0">
<h1>cachestack load test: curves</h1>
<p class="meta">Command: <code>${escapeHtml(results.command)}</code><br>
${escapeHtml(results.startedAt)} · ${results.wallSeconds.toFixed(0)} s · ${results.machine.cpus} × ${escapeHtml(results.machine.cpuModel)}, Node ` +
`${escapeHtml(results.machine.node)} · load average before ${results.machine.loadAverage.map((l) => l.toFixed(1)).join(' / ')}. ` +
`Load generator and every server share these cores: compare ratios and shapes, not absolute req/s.<br>
Latency curves on ${escapeHtml(s.scenario)} (${escapeHtml(s.scenarioDescription)}), ${s.connections} connections, ${s.stepSeconds} s per offered rate.</p>
<p class="meta">${escapeHtml(s.method)}</p>
<h2>Latency against offered load</h2>
<div class="charts">
<div class="chart"><canvas id="chart-sweep-p99"></canvas></div>
${perTarget}
</div>
${tables.slice(0, 1 + results.curves.length).map(htmlTable).join('\n')}
<h2>Cost against work</h2>
<p class="meta">${escapeHtml(s.costMethod)}</p>
<div class="charts">
<div class="chart"><canvas id="chart-cost-cities"></canvas></div>
<div class="chart"><canvas id="chart-cost-topology"></canvas></div>
<div class="chart"><canvas id="chart-cost-size"></canvas></div>
</div>
${tables.slice(1 + results.curves.length).map(htmlTable).join('\n')}
${results.warnings.length === 0 ? '' : `<h2>Warnings</h2><ul>${results.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`}
<script id="sweep" type="application/json">${jsonForScript(results)}</script>
<script>${scriptSafe(chartJs)}</script>
<script>${scriptSafe(CLIENT)}</script>
</body>
</html>
`
}

export async function writeSweepReports (outDir: string, results: SweepResults): Promise<{ json: string, markdown: string, html: string }> {
  await mkdir(outDir, { recursive: true })
  const paths = { json: join(outDir, 'sweep.json'), markdown: join(outDir, 'sweep.md'), html: join(outDir, 'report.html') }
  // JSON first: it validates the results.
  await writeFile(paths.json, renderSweepJson(results))
  await writeFile(paths.markdown, renderSweepMarkdown(results))
  await writeFile(paths.html, renderSweepHtml(results, loadChartJs()))
  return paths
}
