// The study's tables (Markdown: the terminal and docs/caching-policies.md) and its HTML page: one
// self-contained file (no CDN: Chart.js's UMD build inlined, as loadtest/report/report-html.ts does),
// hit ratio against capacity per stream, each policy a line and MIN the dashed ceiling.
import { escapeHtml } from '../../loadtest/report/html-page.js'
import type { L1PolicyName } from '../../src/config.js'
import type { L1GetCosts } from '../l1-get.bench.js'
import { describeL1Gets } from '../l1-get.bench.js'
import type { Decision } from './decision.js'
import { RULE } from './decision.js'
import { POLICIES } from './replay.js'
import type { StreamResult } from './study.js'

export interface StudyReport {
  command: string
  machine: string
  startedAt: string
  streams: StreamResult[]
  costs: L1GetCosts | null
  decision: Decision | null
  notes: string[]
}

const pct = (ratio: number): string => `${(100 * ratio).toFixed(1)}%`
const shareLabel = (share: number): string => `${Number((share * 100).toPrecision(3))}%`
const signed = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`

/** One Markdown table per stream: a row per capacity, a column per policy, then MIN. */
export function streamTable (result: StreamResult): string {
  const header = `| capacity | entries | ${POLICIES.join(' | ')} | MIN |`
  const rule = `|---:|---:|${POLICIES.map(() => '---:').join('|')}|---:|`
  const rows = result.rows.map((row) => {
    const best = Math.max(...POLICIES.map((p) => row.policies[p]))
    const cells = POLICIES.map((p) => row.policies[p] === best ? `**${pct(row.policies[p])}**` : pct(row.policies[p]))
    return `| ${shareLabel(row.share)} | ${row.capacity.toLocaleString('en-US')} | ${cells.join(' | ')} | ${pct(row.min)} |`
  })
  return [
    `**${result.name}**: ${result.description}; ${result.requests.toLocaleString('en-US')} requests, ` +
      `${result.distinctKeys.toLocaleString('en-US')} distinct keys`,
    '',
    header,
    rule,
    ...rows
  ].join('\n')
}

export function decisionTable (decision: Decision): string {
  const yes = (ok: boolean): string => ok ? 'yes' : '**no**'
  const capacity = shareLabel(RULE.capacityShare)
  return [
    `| candidate | (a) − LRU, ${RULE.zipfStream} @ ${capacity} (≥ +${RULE.minGainOverLru}) | (a) MIN − it (≤ ${RULE.maxGapToMin}) | ` +
      `(b) − LRU, ${RULE.scanStream} @ ${capacity} (≥ +${RULE.minScanGainOverLru}) | (c) get-hit cost ÷ lru (≤ ${RULE.maxCostRatio}) | a | b | c |`,
    '|---|---:|---:|---:|---:|:-:|:-:|:-:|',
    ...decision.checks.map((c) => `| ${c.policy} | ${signed(c.zipfGain)} | ${c.zipfGapToMin.toFixed(1)} | ${signed(c.scanGain)} | ` +
      `${c.costRatio.toFixed(2)}× | ` +
      `${yes(c.a)} | ${yes(c.b)} | ${yes(c.c)} |`),
    '',
    `**Default: ${decision.choice}**: ${decision.reason}.`
  ].join('\n')
}

export function renderMarkdown (report: StudyReport): string {
  return [
    `Command: \`${report.command}\`; ${report.machine}; ${report.startedAt}.`,
    '',
    ...report.notes.map((note) => `- ${note}`),
    '',
    ...report.streams.flatMap((s) => [streamTable(s), '']),
    ...(report.costs === null ? [] : ['```', ...describeL1Gets(report.costs), '```', '']),
    ...(report.decision === null ? [] : [decisionTable(report.decision), ''])
  ].join('\n')
}

// Runs in the browser. Plain ES2017, no imports: Chart is the UMD global.
const PAGE_SCRIPT = `
(function () {
  var study = JSON.parse(document.getElementById('study').textContent)
  Chart.defaults.animation = false
  Chart.defaults.responsive = true
  Chart.defaults.maintainAspectRatio = false
  Chart.defaults.font.family = 'system-ui, sans-serif'
  var colors = { lru: '#6b7280', sieve: '#2563eb', s3fifo: '#16a34a', tinylfu: '#dc2626' }
  var charts = []
  study.streams.forEach(function (s, i) {
    var labels = s.rows.map(function (r) { return Number((r.share * 100).toPrecision(3)) + '% (' + r.capacity.toLocaleString('en-US') + ')' })
    var datasets = study.policies.map(function (p) {
      return { label: p, data: s.rows.map(function (r) { return 100 * r.policies[p] }), borderColor: colors[p], backgroundColor: colors[p], tension: 0 }
    })
    datasets.push({ label: 'MIN (Belady, ceiling)', data: s.rows.map(function (r) { return 100 * r.min }),
      borderColor: '#111827', backgroundColor: '#111827', borderDash: [6, 4], tension: 0 })
    charts.push(new Chart(document.getElementById('chart-' + i), {
      type: 'line',
      data: { labels: labels, datasets: datasets },
      options: {
        plugins: { title: { display: true, text: s.name + ': hit ratio against capacity' }, legend: { position: 'bottom' } },
        scales: {
          x: { title: { display: true, text: 'capacity: share of distinct keys (entries)' } },
          y: { min: 0, max: 100, title: { display: true, text: 'hit ratio, %' } }
        }
      }
    }))
  })
  window.__policyCharts = charts
  document.body.setAttribute('data-charts', String(charts.length))
})()
`

function htmlTable (result: StreamResult): string {
  const head = `<tr><th>capacity</th><th>entries</th>${POLICIES.map((p) => `<th>${p}</th>`).join('')}<th>MIN</th></tr>`
  const rows = result.rows.map((row) => `<tr><td>${shareLabel(row.share)}</td><td>${row.capacity.toLocaleString('en-US')}</td>` +
    `${POLICIES.map((p: L1PolicyName) => `<td>${pct(row.policies[p])}</td>`).join('')}<td>${pct(row.min)}</td></tr>`).join('\n')
  return `<table>\n${head}\n${rows}\n</table>`
}

export function renderHtml (report: StudyReport, chartJs: string): string {
  // JSON inside <script type="application/json">: '<' escaped so no text can close the element.
  const data = JSON.stringify({ policies: POLICIES, streams: report.streams }).replace(/</g, '\\u003c')
  const sections = report.streams.map((s, i) => `<section>
<h2>${escapeHtml(s.name)}</h2>
<p>${escapeHtml(s.description)}; ${s.requests.toLocaleString('en-US')} requests, ${s.distinctKeys.toLocaleString('en-US')} distinct keys</p>
<div class="chart"><canvas id="chart-${i}"></canvas></div>
${htmlTable(s)}
</section>`).join('\n')
  const decision = report.decision === null
    ? ''
    : `<section><h2>Decision</h2><pre>${escapeHtml(decisionTable(report.decision))}</pre></section>`
  const costs = report.costs === null ? '' : `<section><h2>Get-hit cost</h2><pre>${escapeHtml(describeL1Gets(report.costs).join('\n'))}</pre></section>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>L1 eviction policies: hit ratio against capacity</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #111827; max-width: 1100px; }
.chart { position: relative; height: 360px; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; margin: 8px 0; }
table { border-collapse: collapse; margin: 8px 0 24px; }
th, td { border: 1px solid #e5e7eb; padding: 3px 10px; text-align: right; }
pre { background: #f9fafb; padding: 8px; overflow-x: auto; }
</style>
</head>
<body data-charts="0">
<h1>L1 eviction policies: hit ratio against capacity</h1>
<p><code>${escapeHtml(report.command)}</code> · ${escapeHtml(report.machine)} · ${escapeHtml(report.startedAt)}</p>
<ul>${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>
${sections}
${costs}
${decision}
<script type="application/json" id="study">${data}</script>
<script>${chartJs}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`
}
