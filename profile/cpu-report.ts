// The terminal view of a CPU summary: where the time went by whose code, then the top
// functions by self time (tottime) and by total time (cumtime).
import { CODE_ORIGINS } from './code-origin.js'
import { topFunctions, type CpuSummary, type FunctionStat } from './cpu-summary.js'
import { ms, percent, renderTable, type Column } from './table.js'

export interface CpuReportOptions {
  /** Rows per table. @default 15 */
  limit?: number
}

const COLUMNS: Column<FunctionStat>[] = [
  { header: 'self ms', value: (fn) => ms(fn.selfUs), align: 'right' },
  { header: 'self %', value: (fn) => percent(fn.selfShare), align: 'right' },
  { header: 'total ms', value: (fn) => ms(fn.totalUs), align: 'right' },
  { header: 'total %', value: (fn) => percent(fn.totalShare), align: 'right' },
  { header: 'samples', value: (fn) => String(fn.selfSamples), align: 'right' },
  { header: 'function', value: (fn) => fn.name, maxWidth: 40 },
  { header: 'where', value: (fn) => fn.location, maxWidth: 64 },
  { header: 'code', value: (fn) => fn.origin }
]

export function formatCpuReport (summary: CpuSummary, { limit = 15 }: CpuReportOptions = {}): string {
  const busy = summary.durationUs - summary.idleUs
  const head = [
    `CPU profile: ${ms(summary.durationUs)} ms, ${summary.samples} samples; idle ${percent(summary.idleUs / (summary.durationUs || 1))}, ` +
      `GC ${percent(summary.gcUs / (summary.durationUs || 1))}, busy ${ms(busy)} ms`,
    'self time by code: ' + CODE_ORIGINS.map((origin) => `${origin} ${percent(summary.byOrigin[origin].share)}`).join(', ') +
      '  (own = this repository, dependency = node_modules, node = Node internals, native = V8 builtins and Node\'s C++ bindings, v8 = idle/GC/program)'
  ]
  return [
    ...head,
    '',
    `Top ${limit} by self time (the function itself on top of the stack, cf. tottime):`,
    renderTable(topFunctions(summary, 'self', { limit }), COLUMNS),
    '',
    `Top ${limit} by total time (on the stack at all, once per stack, cf. cumtime):`,
    renderTable(topFunctions(summary, 'total', { limit }), COLUMNS)
  ].join('\n')
}
