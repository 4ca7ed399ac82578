// `<label>.memory.html`: the memory view of one profiling run as one self-contained page (opens
// offline: Chart.js's UMD build inlined, as the load-test report does). Memory over time per
// worker (mprof plot's chart: RSS, heap total, heap used, external, array buffers, GC pauses
// marked), the top allocation sites with their TypeScript file:line, the heap delta of
// --heap-delta and the largest retainers of --heap-snapshot when they were asked for.
import { escapeHtml, jsonForScript, loadChartJs, pageHead, scriptSafe } from '../loadtest/report/html-page.js'
import type { HeapDeltaStats } from '../src/profile-agent/heap-delta.js'
import { formatHeapDelta } from './heap-delta-report.js'
import type { HeapSummary } from './heap-profile.js'
import { FUNCTIONS_NOT_LINES } from './heap-report.js'
import type { RetainerReport } from './heap-snapshot-report.js'
import { MEMORY_SERIES, SERIES_MEANING } from './memory-series.js'
import { workerName } from './memory-report.js'
import type { WorkerMemory } from './profile-worker.js'

export interface MemoryPageInput {
  title: string
  workers: readonly WorkerMemory[]
  heap: HeapSummary
  /** Allocation sites in the table. @default 25 */
  sites?: number
  heapDelta?: { stats: HeapDeltaStats, where?: string } | null
  retainers?: RetainerReport | null
  /** Constructors in the retainers table. @default 25 */
  constructors?: number
  /** The flame graph's file name, linked from the page. */
  flameGraph?: string
}

/** What the page script reads: MiB and seconds, one entry per worker. */
interface PageData {
  workers: Array<{
    id: string
    name: string
    t: number[]
    series: Record<string, number[]>
    gc: Array<{ t: number, ms: number, kind: string }>
  }>
  meanings: Record<string, string>
}

const kib = (bytes: number): string => (bytes / 1024).toFixed(1)
const pct = (share: number): string => (share * 100).toFixed(1) + '%'
const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits

// Runs in the browser. Plain ES2017, no imports: Chart is the UMD global.
const CLIENT = String.raw`
(function () {
  'use strict'
  var data = JSON.parse(document.getElementById('memory-data').textContent)
  var COLORS = { rss: '#dc2626', heapTotal: '#f59e0b', heapUsed: '#2563eb', external: '#16a34a', arrayBuffers: '#7c3aed' }
  Chart.defaults.animation = false
  Chart.defaults.responsive = true
  Chart.defaults.maintainAspectRatio = false
  Chart.defaults.font.family = 'system-ui, sans-serif'
  var charts = []
  data.workers.forEach(function (w) {
    var canvas = document.getElementById('chart-memory-' + w.id)
    if (canvas === null) return
    var datasets = Object.keys(w.series).map(function (name) {
      return {
        label: name, borderColor: COLORS[name], backgroundColor: COLORS[name], borderWidth: 2, pointRadius: 0, tension: 0,
        yAxisID: 'y', data: w.t.map(function (t, i) { return { x: t, y: w.series[name][i] } })
      }
    })
    datasets.push({
      label: 'GC pause (ms, right axis)', type: 'line', showLine: false, yAxisID: 'gc', pointStyle: 'triangle', pointRadius: 5,
      borderColor: '#111827', backgroundColor: '#111827',
      data: w.gc.map(function (p) { return { x: p.t, y: p.ms, kind: p.kind } })
    })
    charts.push(new Chart(canvas, {
      type: 'line',
      data: { datasets: datasets },
      options: {
        parsing: true,
        interaction: { mode: 'nearest', intersect: false },
        plugins: {
          title: { display: true, text: 'Memory over time, ' + w.name },
          tooltip: { callbacks: { label: function (ctx) {
            var raw = ctx.raw
            if (ctx.dataset.yAxisID === 'gc') return raw.kind + ' GC: ' + raw.y + ' ms at ' + raw.x + ' s'
            return ctx.dataset.label + ': ' + raw.y + ' MiB — ' + (data.meanings[ctx.dataset.label] || '')
          } } }
        },
        scales: {
          x: { type: 'linear', title: { display: true, text: 's since the profile started' } },
          y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'MiB' } },
          gc: { type: 'linear', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'GC pause ms' } }
        }
      }
    }))
  })
  window.__cachestackMemoryCharts = charts
  document.body.setAttribute('data-charts', String(charts.length))
})()
`

function table (headers: readonly string[], align: readonly ('left' | 'right')[], rows: readonly (readonly string[])[], id: string): string {
  const head = headers.map((h, i) => `<th class="${align[i]!}">${escapeHtml(h)}</th>`).join('')
  return `<div class="scroll"><table id="${id}"><thead><tr>${head}</tr></thead><tbody>
${rows.map((row) => `<tr>${row.map((cell, i) => `<td class="${align[i]!}">${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></div>`
}

export function renderMemoryPage (input: MemoryPageInput, chartJs = loadChartJs()): string {
  const { title, workers, heap, sites = 25, heapDelta = null, retainers = null, constructors = 25, flameGraph } = input
  const data: PageData = {
    workers: workers.map((w, i) => ({
      id: String(i),
      name: workerName(w),
      t: w.runtime.samples.map((s) => round(s.t / 1000, 3)),
      series: Object.fromEntries(MEMORY_SERIES.map((name) => [name, w.runtime.samples.map((s) => round((s[name] ?? 0) / 1048576, 2))])),
      gc: (w.runtime.gc.pauses ?? []).map((p) => ({ t: round(p.t / 1000, 3), ms: p.ms, kind: p.kind }))
    })),
    meanings: { ...SERIES_MEANING }
  }
  const first = workers[0]?.runtime
  const sampling = first === undefined
    ? ''
    : `Sampled every ${first.intervalMs ?? '?'} ms over ${(first.durationMs / 1000).toFixed(1)} s in each worker ` +
      '(process.memoryUsage(); GC pauses from the worker\'s \'gc\' performance entries). '
  const charts = data.workers.map((w) => `<div class="chart"><canvas id="chart-memory-${w.id}"></canvas></div>`).join('\n')
  const gcLine = workers.map((w) =>
    `${workerName(w)}: ${w.runtime.gc.count} GC pause${w.runtime.gc.count === 1 ? '' : 's'}, ` +
    `${w.runtime.gc.totalMs.toFixed(1)} ms, longest ${w.runtime.gc.maxMs.toFixed(1)} ms`).join('; ')
  const siteRows = heap.sites.slice(0, sites).map((s) => [
    kib(s.selfBytes), pct(s.selfShare), kib(s.totalBytes), s.name, s.source ?? s.location, s.origin
  ])
  const deltaSection = heapDelta === null
    ? ''
    : '<section><h2>Heap delta around one function (--heap-delta)</h2>' +
      `<pre id="heap-delta">${escapeHtml(formatHeapDelta(heapDelta.stats, { where: heapDelta.where }))}</pre></section>`
  const retainerSection = retainers === null
    ? ''
    : `<section><h2>Retained: the largest retainers by constructor (--heap-snapshot)</h2>
<p class="meta">${escapeHtml(retainers.file)}: ${(retainers.summary.totalBytes / 1048576).toFixed(1)} MiB in ` +
`${retainers.summary.nodeCount.toLocaleString('en-US')} objects, written at the end of the run after V8's full GC. Retained size: what freeing every ` +
'object of the constructor would free (one held by another of its kind counted once), from the dominator tree; ' +
`weak references do not retain, as in DevTools.</p>
${table(
  ['count', 'shallow KiB', 'shallow %', 'retained KiB', 'retained %', 'constructor'],
  ['right', 'right', 'right', 'right', 'right', 'left'],
  retainers.summary.constructors.slice(0, constructors).map((c) => [
    c.count.toLocaleString('en-US'), kib(c.shallowBytes), pct(c.shallowBytes / (retainers.summary.totalBytes || 1)),
    kib(c.retainedBytes), pct(c.retainedBytes / (retainers.summary.totalBytes || 1)), c.name
  ]),
  'retainers'
)}</section>`
  return `${pageHead({
    title: `${title} — memory`,
    chartHeight: 340,
    chartMinWidth: 560,
    h2MarginTop: 28,
    // A denser page than the load test's: smaller headings, tighter rows, <pre> blocks like <code>.
    css: 'h1 { font-size: 20px; } h2 { font-size: 17px; } th, td { padding: 3px 8px; }\n' +
      'pre { background: #f3f4f6; border-radius: 3px; padding: 8px; white-space: pre-wrap; }'
  })}<body data-charts="0">
<h1>${escapeHtml(title)}: memory</h1>
<p class="meta">${sampling}${escapeHtml(gcLine)}` +
`${flameGraph === undefined ? '' : `. CPU: <a href="${escapeHtml(flameGraph)}">the flame graph</a>`}.</p>
<section><h2>Over time</h2>
<div class="charts">
${charts}
</div></section>
<section><h2>Where: the top allocation sites</h2>
<p class="meta">${escapeHtml(FUNCTIONS_NOT_LINES)} Our functions are named by their TypeScript file:line (source-mapped); ` +
`${kib(heap.totalBytes)} KiB sampled, garbage included.</p>
${table(['self KiB', 'self %', 'total KiB', 'function', 'where', 'code'], ['right', 'right', 'right', 'left', 'left', 'left'], siteRows, 'allocation-sites')}
</section>
${deltaSection}
${retainerSection}
<script id="memory-data" type="application/json">${jsonForScript(data)}</script>
<script>${scriptSafe(chartJs)}</script>
<script>${scriptSafe(CLIENT)}</script>
</body>
</html>
`
}
