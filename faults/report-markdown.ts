// The Markdown report of a matrix run (faults-results/*.md): the table, its legend, then one
// section per fault — what it is, what is expected and why, each check, what the probes saw,
// and the run second by second.
import { fmtInt, fmtMs, fmtPct } from '../loadtest/report/format.js'
import { renderMarkdownTable } from '../loadtest/report/table.js'
import type { FaultDefinition } from './fault.js'
import { FAULT_COLUMNS, faultCells } from './report-table.js'
import type { FaultRow, MatrixResult } from './row.js'

/** The table alone, with the line that says how it was made: what docs/reliability.md quotes. */
export function renderMatrixTable (result: MatrixResult): string {
  return [
    `\`${result.command}\` — ${result.startedAt}, ${Math.round(result.elapsedSeconds)} s, ${result.host.cpus} CPUs, Node ${result.host.node}; ` +
      `${result.load.rate} req/s through nginx on ${result.load.connections} connections, Zipf over ${result.load.hotCities} cities, ` +
      `${fmtPct(result.load.coldShare)} cold keys; phases ${result.rows[0]?.phases.before ?? '–'} + ${result.rows[0]?.phases.window ?? '–'} + ` +
      `${result.rows[0]?.phases.after ?? '–'} s.`,
    '',
    renderMarkdownTable(FAULT_COLUMNS.map((c) => c.header), faultCells(FAULT_COLUMNS, result.rows), FAULT_COLUMNS.map((c) => c.align))
  ].join('\n')
}

function timeline (row: FaultRow): string {
  const headers = ['s', 'answers', 'failed', 'p99 ms', 'hit', 'origin', 'in band']
  const cells = row.seconds.map((s) => [
    String(s.second), fmtInt(s.responses), fmtInt(s.failures), fmtMs(s.p99Ms), fmtPct(s.hitRatio, 0), fmtInt(s.originCalls), s.inBand ? 'yes' : 'no'
  ])
  return renderMarkdownTable(headers, cells, ['right', 'right', 'right', 'right', 'right', 'right', 'left'])
}

/** "HIT-L1 812, STALE 140, MISS 3" ('none': an error answer, without X-Cache). */
function layers (sources: Record<string, number>): string {
  return Object.entries(sources).sort(([, a], [, b]) => b - a).map(([name, n]) => `${name === 'none' ? 'no X-Cache' : name} ${n}`).join(', ')
}

function section (row: FaultRow, fault: FaultDefinition | undefined): string {
  const checkCells = row.checks.map((c) => [c.name, c.expected, c.actual, c.pass ? '✓' : '✗'])
  const checks = renderMarkdownTable(['check', 'expected', 'actual', ''], checkCells, ['left', 'left', 'left', 'left'])
  const facts = Object.entries(row.facts).map(([k, v]) => `\`${k}\` ${String(v)}`).join(', ')
  const cold = Object.entries(row.coldAnswers).map(([k, v]) => `${v}× ${k}`).join(', ')
  return [
    `### ${row.id}: ${row.title} — ${row.pass ? 'pass' : '**FAIL**'}`,
    '',
    ...(fault === undefined ? [] : [fault.meaning, '', `**Expected:** ${fault.expected}. **Why:** ${fault.why}`, '']),
    checks,
    '',
    `Answers by layer: before ${layers(row.before.sources)}; during ${layers(row.during.sources)}; after ${layers(row.after.sources)}. ` +
      `Cold keys: ${cold === '' ? 'none asked' : cold}. Origin calls ${fmtInt(row.origin.calls)} ` +
      `(provider's /stats: ${fmtInt(row.origin.providerCounted)}). Degraded seconds: ${row.recovery.degradedSeconds}.`,
    '',
    ...(facts === '' ? [] : [`Probes: ${facts}.`, '']),
    ...(row.sentAfterClose === 0
      ? []
      : [`Requests the load generator wrote after an answer said Connection: close (never read; not counted as errors): ${row.sentAfterClose}.`, '']),
    ...row.notes.map((n) => `Note: ${n.split('\n')[0]}`),
    ...(row.notes.length > 0 ? [''] : []),
    '<details><summary>Second by second (0 = the injection)</summary>',
    '',
    timeline(row),
    '',
    '</details>'
  ].join('\n')
}

export function renderMarkdownReport (result: MatrixResult, catalogue: readonly FaultDefinition[]): string {
  const legend = FAULT_COLUMNS.map((c) => `- **${c.header}**: ${c.meaning}`).join('\n')
  return [
    '# Fault matrix',
    '',
    renderMatrixTable(result),
    '',
    legend,
    '',
    `App environment on every topology: ${Object.entries(result.appEnv).map(([k, v]) => `${k}=${v}`).join(' ')}; ` +
      `provider: ${Object.entries(result.originEnv).map(([k, v]) => `${k}=${v}`).join(' ')}.`,
    '',
    '## The faults',
    '',
    ...result.rows.map((row) => section(row, catalogue.find((f) => f.id === row.id)) + '\n'),
    ''
  ].join('\n')
}
