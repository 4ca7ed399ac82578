// Two results files side by side: per scenario and target, each headline figure in A and B and
// how B differs. The ratios (× none, % of limit) are the comparable ones across runs/machines.
import { fmtInt, fmtMs, fmtPct, fmtTimes } from './format.js'
import type { Result, Results } from './schema.js'
import { renderMarkdownTable, renderTextTable } from './table.js'

export interface ComparedRow {
  scenario: string
  target: string
  a: Result | undefined
  b: Result | undefined
}

/** Every (scenario, target) present in either file, in A's order then B's extras. */
export function pairResults (a: Results, b: Results): ComparedRow[] {
  const rows: ComparedRow[] = []
  const seen = new Set<string>()
  for (const r of [...a.results, ...b.results]) {
    const id = `${r.scenario}\u0000${r.target}`
    if (seen.has(id)) continue
    seen.add(id)
    const find = (results: Results): Result | undefined => results.results.find((x) => x.scenario === r.scenario && x.target === r.target)
    rows.push({ scenario: r.scenario, target: r.target, a: find(a), b: find(b) })
  }
  return rows
}

/** Relative change from a to b: "+12.3%", "−4.0%"; "–" when unknown or a is 0. */
export function relativeChange (a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined || a === 0) return '–'
  const change = (b - a) / a
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±'
  return `${sign}${Math.abs(change * 100).toFixed(1)}%`
}

/** Change in percentage points of two ratios: "+3.1 pp". */
export function pointChange (a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined) return '–'
  const d = (b - a) * 100
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(1)} pp`
}

const HEADERS = [
  'scenario',
  'target',
  'req/s A',
  'req/s B',
  'Δ req/s',
  '× none A',
  '× none B',
  'p99 A',
  'p99 B',
  'Δ p99',
  'origin A',
  'origin B',
  'Δ origin',
  'hit A',
  'hit B',
  'Δ hit'
] as const
const ALIGN = HEADERS.map((h) => (h === 'scenario' || h === 'target' ? 'left' : 'right') as 'left' | 'right')

export function comparisonCells (rows: readonly ComparedRow[]): string[][] {
  return rows.map(({ scenario, target, a, b }) => {
    const sa = a?.summary
    const sb = b?.summary
    return [
      scenario, target,
      fmtInt(sa?.requestsPerSecond.median ?? null), fmtInt(sb?.requestsPerSecond.median ?? null),
      relativeChange(sa?.requestsPerSecond.median, sb?.requestsPerSecond.median),
      fmtTimes(sa?.ratioToNone ?? null), fmtTimes(sb?.ratioToNone ?? null),
      fmtMs(sa?.latencyMs.p99 ?? null), fmtMs(sb?.latencyMs.p99 ?? null), relativeChange(sa?.latencyMs.p99, sb?.latencyMs.p99),
      fmtInt(sa?.originCalls ?? null), fmtInt(sb?.originCalls ?? null), relativeChange(sa?.originCalls, sb?.originCalls),
      fmtPct(sa?.hitRatio.overall ?? null), fmtPct(sb?.hitRatio.overall ?? null), pointChange(sa?.hitRatio.overall, sb?.hitRatio.overall)
    ]
  })
}

/** Settings that make absolute figures incomparable, as warnings. */
export function settingDifferences (a: Results, b: Results): string[] {
  const notes: string[] = []
  const keys = ['durationSeconds', 'warmupSeconds', 'connections', 'pipelining', 'rate', 'cities', 'zipfLaw', 'zipfExponent', 'seed'] as const
  for (const k of keys) {
    if (a.options[k] !== b.options[k]) notes.push(`options.${k} differs: A=${JSON.stringify(a.options[k])}, B=${JSON.stringify(b.options[k])}`)
  }
  if (a.machine.cpus !== b.machine.cpus || a.machine.cpuModel !== b.machine.cpuModel) {
    notes.push(`different machines (A: ${a.machine.cpus} × ${a.machine.cpuModel}; B: ${b.machine.cpus} × ${b.machine.cpuModel}): compare the ratios, not req/s`)
  }
  if (a.topology.mode !== b.topology.mode) notes.push(`topology differs: A=${a.topology.mode}, B=${b.topology.mode}`)
  return notes
}

export function renderComparison (a: Results, b: Results, labels: { a: string, b: string }, format: 'text' | 'markdown'): string {
  const rows = comparisonCells(pairResults(a, b))
  const table = format === 'markdown' ? renderMarkdownTable(HEADERS, rows, ALIGN) : renderTextTable(HEADERS, rows, ALIGN)
  const notes = settingDifferences(a, b).map((n) => `note: ${n}`)
  return [`A: ${labels.a} (${a.startedAt})`, `B: ${labels.b} (${b.startedAt})`, '', table, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n') + '\n'
}
