// The tables printed at the end of a soak: the load by kind, then one row per series.
import { renderTextTable } from '../loadtest/report/table.js'
import { REQUEST_KINDS } from './mix.js'
import type { SoakResult } from './run.js'
import { formatRate, formatValue } from './series.js'

const ms = (v: number | null): string => (v === null ? '–' : v.toFixed(1))

export function loadRows (result: SoakResult): string[][] {
  return REQUEST_KINDS.map((kind) => {
    const k = result.load.kinds[kind]
    const statuses = Object.entries(k.statuses).sort(([a], [b]) => Number(a) - Number(b)).map(([code, n]) => `${code}×${n}`).join(' ')
    return [kind, String(k.sent), statuses === '' ? '–' : statuses, String(k.unexpected), String(k.errors), ms(k.p50Ms), ms(k.p99Ms)]
  })
}

export const LOAD_HEADERS = ['kind', 'sent', 'answers', 'unexpected', 'no answer', 'p50 ms', 'p99 ms']

export function seriesRows (result: SoakResult): string[][] {
  return result.series.map((s) => {
    const { stats, judgement: j } = s
    return [
      s.label,
      formatValue(s.unit, stats.first),
      formatValue(s.unit, stats.last),
      formatValue(s.unit, stats.min),
      formatValue(s.unit, stats.median),
      formatValue(s.unit, stats.max),
      formatRate(s.unit, j.slopePerMinute),
      j.thresholdPerMinute === null ? '–' : formatRate(s.unit, j.thresholdPerMinute).replace(/^\+/, ''),
      j.verdict
    ]
  })
}

export const SERIES_HEADERS = ['series', 'first', 'last', 'min', 'median', 'max', 'slope (2nd half)', 'threshold', 'verdict']

export function renderTerminalReport (result: SoakResult): string {
  const loadTable = renderTextTable(LOAD_HEADERS, loadRows(result), ['left', 'right', 'left', 'right', 'right', 'right', 'right'])
  const seriesTable = renderTextTable(SERIES_HEADERS, seriesRows(result), ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'])
  const lines = [
    `soak: ${result.elapsedSeconds.toFixed(0)} s at ${result.load.rate} req/s, ${result.load.sent} requests` +
      `${result.load.skipped > 0 ? ` (${result.load.skipped} skipped)` : ''}, ${result.samples.t.length} samples; ` +
      `slopes fitted over ${result.window.start.toFixed(0)}–${result.window.end.toFixed(0)} s`,
    '',
    loadTable,
    '',
    seriesTable
  ]
  if (result.events.length > 0) lines.push('', 'events:', ...result.events.map((e) => `  ${e.t.toFixed(1)} s  ${e.message}`))
  if (result.notes.length > 0) lines.push('', ...result.notes.map((n) => `note: ${n}`))
  if (result.load.anomalyCount > 0) {
    lines.push('', `unexpected answers (${result.load.anomalyCount}, first ${result.load.anomalies.length}):`,
      ...result.load.anomalies.slice(0, 10).map((a) => `  ${a.t.toFixed(1)} s  ${a.kind}/${a.variant} ${a.method} ${a.path}: ` +
        `got ${a.got}, expected ${a.expected}`))
  }
  lines.push('', result.passed ? 'PASSED: no series grows, every answer as expected' : `FAILED:\n${result.failures.map((f) => `  - ${f}`).join('\n')}`)
  return lines.join('\n') + '\n'
}
