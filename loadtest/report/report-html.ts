// report.html: one self-contained file (opens offline, no CDN): the results as JSON, Chart.js's
// UMD build inlined from node_modules at run time, and a small script drawing the charts.
import { fmtBytes, fmtPct } from './format.js'
import { escapeHtml, jsonForScript, pageHead, scriptSafe } from './html-page.js'
import { cells, columnsFor, scenarioResults } from './table.js'
import type { Results } from './schema.js'
import { scenarioEnvNote } from './report-markdown.js'
import { hasPeerComparison, stormTables } from './storm-tables.js'

// Runs in the browser. Plain ES2017, no imports: Chart is the UMD global.
const CLIENT = String.raw`
(function () {
  'use strict'
  var data = JSON.parse(document.getElementById('results').textContent)
  var PALETTE = { baseline: '#6b7280', none: '#dc2626', memory: '#f59e0b', redis: '#2563eb', layered: '#16a34a', 'layered-xfetch': '#0d9488', ` +
String.raw`'peer-bentocache': '#db2777', 'peer-cache-manager': '#92400e', edge: '#7c3aed', 'edge-ttl': '#a78bfa', ` +
String.raw`'peer-varnish': '#0284c7', 'peer-nginx-only': '#65a30d', 'peer-undici-cache': '#c026d3' }
  var EXTRA_COLORS = ['#4b5563', '#0891b2', '#65a30d', '#be123c']
  function colorOf (target, i) { return PALETTE[target] || EXTRA_COLORS[i % EXTRA_COLORS.length] }
  var SCENARIO_COLORS = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2']
  var LAYER_COLORS = { edge: '#7c3aed', L1: '#16a34a', L2: '#2563eb', coalesced: '#a3a3a3', miss: '#dc2626' }
  Chart.defaults.animation = false
  Chart.defaults.responsive = true
  Chart.defaults.maintainAspectRatio = false
  Chart.defaults.font.family = 'system-ui, sans-serif'
  var charts = []
  var targets = data.targets.map(function (t) { return t.name })
  var scenarios = data.scenarios.map(function (s) { return s.name })
  function find (target, scenario) {
    for (var i = 0; i < data.results.length; i++) {
      var r = data.results[i]
      if (r.target === target && r.scenario === scenario) return r
    }
    return null
  }
  function value (target, scenario, pick) {
    var r = find(target, scenario)
    var v = r === null ? null : pick(r.summary)
    return v === null || v === undefined ? null : v
  }
  function draw (id, config) {
    var canvas = document.getElementById(id)
    if (canvas === null) return
    charts.push(new Chart(canvas, config))
  }
  function bars (id, title, yTitle, pick, options) {
    options = options || {}
    var shown = options.targets || targets
    draw(id, {
      type: 'bar',
      data: {
        labels: shown,
        datasets: scenarios.map(function (s, i) {
          return { label: s, backgroundColor: SCENARIO_COLORS[i % SCENARIO_COLORS.length], data: shown.map(function (t) { return value(t, s, pick) }) }
        })
      },
      options: {
        plugins: { title: { display: true, text: title } },
        scales: { y: { type: options.log ? 'logarithmic' : 'linear', beginAtZero: !options.log, title: { display: true, text: yTitle } } }
      }
    })
  }

  bars('chart-rps', 'Throughput by target (median req/s)', 'req/s', function (s) { return s.requestsPerSecond.median })
  bars('chart-limit', 'Share of the limit (req/s ÷ baseline req/s)', '% of baseline', ` +
String.raw`function (s) { return s.fractionOfLimit === null ? null : s.fractionOfLimit * 100 },
    { targets: targets.filter(function (t) { return t !== 'baseline' }) })
  bars('chart-origin', 'Origin calls per run (median)', 'calls to the weather provider', function (s) { return s.originCalls },
    { targets: targets.filter(function (t) { return t !== 'baseline' }) })

  scenarios.forEach(function (s) {
    var rows = targets.filter(function (t) { return find(t, s) !== null })
    var percentiles = [['p50', 'p50'], ['p90', 'p90'], ['p99', 'p99'], ['p99_9', 'p99.9']]
    draw('chart-latency-' + s, {
      type: 'bar',
      data: {
        labels: rows,
        datasets: percentiles.map(function (p, i) {
          return { label: p[1], backgroundColor: ['#bfdbfe', '#60a5fa', '#2563eb', '#1e3a8a'][i], ` +
String.raw`data: rows.map(function (t) { return find(t, s).summary.latencyMs[p[0]] }) }
        })
      },
      options: {
        plugins: { title: { display: true, text: 'Latency percentiles, ' + s + ' (ms, log scale)' } },
        scales: { y: { type: 'logarithmic', title: { display: true, text: 'ms' } } }
      }
    })
    var cacheRows = rows.filter(function (t) { return t !== 'baseline' })
    function share (t, layer) {
      var h = find(t, s).summary.hitRatio
      if (h.miss === null) return null
      var known = (h.edge || 0) + (h.l1 || 0) + (h.l2 || 0)
      var v = { edge: h.edge || 0, L1: h.l1 || 0, L2: h.l2 || 0, miss: h.miss, coalesced: Math.max(0, 1 - h.miss - known) }[layer]
      return v * 100
    }
    draw('chart-hits-' + s, {
      type: 'bar',
      data: {
        labels: cacheRows,
        datasets: ['edge', 'L1', 'L2', 'coalesced', 'miss'].map(function (layer) {
          return { label: layer, backgroundColor: LAYER_COLORS[layer], data: cacheRows.map(function (t) { return share(t, layer) }) }
        })
      },
      options: {
        plugins: { title: { display: true, text: 'Who answered, ' + s + ' (% of requests)' } },
        scales: { x: { stacked: true }, y: { stacked: true, min: 0, max: 100, title: { display: true, text: '% of requests' } } }
      }
    })
  })
  // The peer comparison (issue 18): req/s with p99, and what each answer cost or risked.
  var compared = data.targets.some(function (t) { return t.kind === 'peer' }) ||
    data.results.some(function (r) { return r.summary.staleAnswers !== undefined && r.summary.staleAnswers !== null })
  if (compared) {
    data.scenarios.forEach(function (scenario) {
      var s = scenario.name
      var rows = targets.filter(function (t) { return find(t, s) !== null })
      if (rows.length === 0) return
      draw('chart-compare-' + s, {
        type: 'bar',
        data: {
          labels: rows,
          datasets: [
            { type: 'bar', label: 'req/s', yAxisID: 'y', order: 1, backgroundColor: rows.map(function (t, i) { return colorOf(t, i) }), ` +
String.raw`data: rows.map(function (t) { return find(t, s).summary.requestsPerSecond.median }) },
            { type: 'line', label: 'p99 ms', yAxisID: 'p99', order: 0, borderColor: '#111827', backgroundColor: '#111827', showLine: false, pointRadius: 6, ` +
String.raw`pointStyle: 'rectRot', data: rows.map(function (t) { return find(t, s).summary.latencyMs.p99 }) }
          ]
        },
        options: {
          plugins: { title: { display: true, text: 'Throughput and p99, ' + s } },
          scales: { y: { beginAtZero: true, title: { display: true, text: 'req/s' } }, ` +
String.raw`p99: { type: 'logarithmic', position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'p99 ms (log)' } } }
        }
      })
      var costs = [['origin calls', '#dc2626', function (x) { return x.originCalls }], ` +
String.raw`['stale answers', '#f59e0b', function (x) { return x.staleAnswers === undefined ? null : x.staleAnswers }], ` +
String.raw`['non-2xx + errors', '#6b7280', function (x) { return x.non2xx + x.errors }]]
      draw('chart-costs-' + s, {
        type: 'bar',
        data: {
          labels: rows,
          datasets: costs.map(function (c) {
            return { label: c[0], backgroundColor: c[1], data: rows.map(function (t) { return c[2](find(t, s).summary) }) }
          })
        },
        options: {
          plugins: { title: { display: true, text: 'Origin calls, stale answers, failures, ' + s + ' (per run, median)' } },
          scales: { y: { beginAtZero: true, title: { display: true, text: 'answers or calls' } } }
        }
      })
      if (scenario.kind === 'purge') {
        draw('chart-fresh-' + s, {
          type: 'bar',
          data: {
            labels: rows.map(function (t) {
              var x = find(t, s).summary
              return x.purgeSupported === false ? t + ' (n/a)' : x.timeToFreshMs === null ? t + ' (not within the run)' : t
            }),
            datasets: [{ label: 'ms from sending the purge until every answer is new', ` +
String.raw`backgroundColor: rows.map(function (t, i) { return colorOf(t, i) }), data: rows.map(function (t) { return find(t, s).summary.timeToFreshMs }) }]
          },
          options: {
            plugins: { title: { display: true, text: 'Time to fresh after a purge (ms; n/a: no purge path)' } },
            scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } }
          }
        })
      }
    })
  }
  // Expiry storms and the outage: per-second figures of repetition 1, one line per target.
  data.scenarios.forEach(function (scenario) {
    if (scenario.kind !== 'expiry' && scenario.kind !== 'outage') return
    var s = scenario.name
    var rows = targets.filter(function (t) { var r = find(t, s); return r !== null && r.measurements[0].timeline != null })
    if (rows.length === 0) return
    var length = 0
    var expiry = null
    var outage = null
    rows.forEach(function (t) {
      var m = find(t, s).measurements[0]
      length = Math.max(length, m.timeline.length)
      if (expiry === null && m.expiryWindow != null) expiry = m.expiryWindow.firstExpirySeconds
      if (m.outage != null) outage = m.outage
    })
    var labels = []
    for (var i = 0; i < length; i++) {
      var mark = expiry !== null && Math.floor(expiry) === i ? ' ◀ expiry' : ''
      if (outage !== null && i === outage.fromSeconds) mark = ' ◀ down'
      if (outage !== null && i === outage.toSeconds) mark = ' ◀ up'
      labels.push(String(i) + mark)
    }
    function line (id, title, yTitle, pick, log) {
      draw(id, {
        type: 'line',
        data: {
          labels: labels,
          datasets: rows.map(function (t, i) {
            var timeline = find(t, s).measurements[0].timeline
            return { label: t, borderColor: colorOf(t, i), backgroundColor: colorOf(t, i), pointRadius: 2, spanGaps: false,
              data: labels.map(function (_, k) { var b = timeline[k]; var v = b === undefined ? null : pick(b); return v === undefined ? null : v }) }
          })
        },
        options: {
          plugins: { title: { display: true, text: title } },
          scales: { x: { title: { display: true, text: 'second of the measured run' } }, ` +
String.raw`y: { type: log ? 'logarithmic' : 'linear', beginAtZero: !log, title: { display: true, text: yTitle } } }
        }
      })
    }
    var at = expiry === null ? '' : ', hot set expires from ' + expiry.toFixed(1) + ' s'
    if (outage !== null) at = ', provider down from ' + outage.fromSeconds + ' s to ' + outage.toSeconds + ' s'
    line('chart-timeline-p99-' + s, 'p99 per second, ' + s + at + ' (ms, log scale)', 'ms', function (b) { return b.p99Ms }, true)
    line('chart-timeline-origin-' + s, 'Origin calls per second, ' + s + at, 'calls to the weather provider', function (b) { return b.originCalls }, false)
    if (outage !== null) {
      // Shares, not counts: the targets answer at different rates.
      line('chart-timeline-failures-' + s, 'Failed answers, % per second, ' + s + at, '% of answers (non-2xx and errors)', function (b) {
        return b.responses + b.failures === 0 ? null : (100 * b.failures) / (b.responses + b.failures)
      }, false)
      line('chart-timeline-stale-' + s, 'Stale answers, % per second, ' + s + at, '% of 2xx answers older than the TTL', function (b) {
        return b.staleAnswers === undefined || b.staleAnswers === null || b.responses === 0 ? null : (100 * b.staleAnswers) / b.responses
      }, false)
    }
  })
  window.__cachestackCharts = charts
  document.body.setAttribute('data-charts', String(charts.length))
})()
`

export function renderHtmlReport (results: Results, chartJs: string): string {
  const { options: o, machine: m } = results
  const columns = columnsFor(results)
  const tables = results.scenarios.map((scenario) => {
    const rows = scenarioResults(results, scenario.name)
    if (rows.length === 0) return ''
    const head = columns.map((c) => `<th class="${c.align}" title="${escapeHtml(c.meaning)}">${escapeHtml(c.header)}</th>`).join('')
    const body = cells(columns, rows)
      .map((row) => `<tr>${row.map((cell, i) => `<td class="${columns[i]!.align}">${escapeHtml(cell)}</td>`).join('')}</tr>`)
      .join('\n')
    const name = escapeHtml(scenario.name)
    const compared = hasPeerComparison(results)
      ? `<div class="chart"><canvas id="chart-compare-${name}"></canvas></div>\n<div class="chart"><canvas id="chart-costs-${name}"></canvas></div>\n` +
        (scenario.kind === 'purge' ? `<div class="chart"><canvas id="chart-fresh-${name}"></canvas></div>\n` : '')
      : ''
    const timelineCharts = (scenario.kind === 'expiry' || scenario.kind === 'outage'
      ? `<div class="chart"><canvas id="chart-timeline-p99-${name}"></canvas></div>\n` +
        `<div class="chart"><canvas id="chart-timeline-origin-${name}"></canvas></div>\n`
      : '') + (scenario.kind === 'outage'
      ? `<div class="chart"><canvas id="chart-timeline-failures-${name}"></canvas></div>\n` +
        `<div class="chart"><canvas id="chart-timeline-stale-${name}"></canvas></div>\n`
      : '')
    const extra = stormTables(results, scenario.name, rows).map((table) => `<p>${escapeHtml(table.caption)}</p>
<div class="scroll"><table><thead><tr>${table.headers.map((h, i) => `<th class="${table.align[i]!}">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${table.rows.map((row) => `<tr>${row.map((cell, i) => `<td class="${table.align[i]!}">${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></div>`).join('\n')
    return `<section>
<h2>${name}</h2>
<p>${escapeHtml(scenario.description)}. ${scenario.distinctPaths} distinct paths; the most requested takes ${fmtPct(scenario.topPathShare)} of requests, ` +
`the top 10% of paths ${fmtPct(scenario.top10PercentShare)}.${escapeHtml(scenarioEnvNote(scenario))}</p>
<div class="charts">
${compared}${timelineCharts}<div class="chart"><canvas id="chart-latency-${name}"></canvas></div>
<div class="chart"><canvas id="chart-hits-${name}"></canvas></div>
</div>
<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></div>
${extra}
</section>`
  }).join('\n')
  const legend = columns.map((c) => `<dt>${escapeHtml(c.header)}</dt><dd>${escapeHtml(c.meaning)}</dd>`).join('')
  const warnings = results.warnings.length === 0
    ? ''
    : `<section><h2>Warnings</h2><ul>${results.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></section>`
  return `${pageHead({
    title: `cachestack load test — ${results.startedAt}`,
    thCursor: 'help',
    css: 'dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; } dt { font-weight: 600; } dd { margin: 0; }'
  })}<body data-charts="0">
<h1>cachestack load test</h1>
<p class="meta">Command: <code>${escapeHtml(results.command)}</code><br>
${escapeHtml(results.startedAt)} · ${results.wallSeconds.toFixed(0)} s · ${escapeHtml(results.topology.mode)} topology` +
`${results.topology.workers === null ? '' : ` · ${results.topology.workers} workers`}<br>
${m.cpus} × ${escapeHtml(m.cpuModel)}, ${fmtBytes(m.totalMemoryBytes)}, Node ${escapeHtml(m.node)}. ` +
`Load generator and every server share these cores: compare ratios, not absolute req/s.<br>
${o.durationSeconds} s per run after ${o.warmupSeconds} s warm-up · ${o.connections} connections · pipelining ${o.pipelining} · ` +
`${o.repetitions} repetition(s), median shown · ${o.rate === null ? 'closed loop' : `fixed rate ${o.rate} req/s`} · seed ${o.seed}</p>
<p class="meta">Latency: ${escapeHtml(results.latency.method)}</p>
<div class="charts">
<div class="chart"><canvas id="chart-rps"></canvas></div>
<div class="chart"><canvas id="chart-limit"></canvas></div>
<div class="chart"><canvas id="chart-origin"></canvas></div>
</div>
${tables}
<section><h2>Columns</h2><dl>${legend}</dl></section>
${warnings}
<script id="results" type="application/json">${jsonForScript(results)}</script>
<script>${scriptSafe(chartJs)}</script>
<script>${scriptSafe(CLIENT)}</script>
</body>
</html>
`
}
