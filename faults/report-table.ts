// The matrix's table, defined once: which columns, how each cell reads a row. The terminal and
// Markdown reports only lay the cells out (loadtest/report/table.ts's renderers).
import { fmtInt, fmtMs, fmtPct } from '../loadtest/report/format.js'
import type { FaultRow } from './row.js'

export interface FaultColumn {
  header: string
  /** What the column means, for the Markdown legend. */
  meaning: string
  align: 'left' | 'right'
  /** In the narrow terminal table too. */
  terminal: boolean
  cell (row: FaultRow): string
}

const p99 = (ms: number | null): string => fmtMs(ms)

export const FAULT_COLUMNS: readonly FaultColumn[] = [
  { header: 'fault', meaning: 'the fault\'s id (see the list below)', align: 'left', terminal: true, cell: (r) => r.id },
  {
    header: 'requests',
    meaning: 'requests sent through nginx over the whole load (before + window + after)',
    align: 'right',
    terminal: true,
    cell: (r) => fmtInt(r.requests)
  },
  {
    header: 'non-2xx',
    meaning: 'answers other than 2xx (in brackets: for keys of the hot set, cached before the fault)',
    align: 'right',
    terminal: true,
    cell: (r) => (r.non2xx === r.warmNon2xx ? fmtInt(r.non2xx) : `${fmtInt(r.non2xx)} (${fmtInt(r.warmNon2xx)})`)
  },
  {
    header: 'errors',
    meaning: 'requests that got no answer: connection errors, timeouts, and requests lost on a kept-alive connection the server closed ' +
      'as they were sent (in brackets: those, which autocannon itself does not count)',
    align: 'right',
    terminal: true,
    cell: (r) => (r.lostSilently === 0 ? fmtInt(r.errors) : `${fmtInt(r.errors)} (${fmtInt(r.lostSilently)})`)
  },
  {
    header: 'p99 before',
    meaning: 'p99 latency of every answer before the fault (its first second left out), ms',
    align: 'right',
    terminal: true,
    cell: (r) => p99(r.before.p99Ms)
  },
  { header: 'p99 during', meaning: 'p99 latency in the fault\'s window, ms', align: 'right', terminal: true, cell: (r) => p99(r.during.p99Ms) },
  { header: 'p99 after', meaning: 'p99 latency after the window, ms', align: 'right', terminal: true, cell: (r) => p99(r.after.p99Ms) },
  { header: 'max ms', meaning: 'the slowest answer of the whole load, ms', align: 'right', terminal: false, cell: (r) => fmtMs(r.maxLatencyMs) },
  {
    header: 'hit b/d/a',
    meaning: 'share of answers a cache gave (HIT-L1, HIT-L2, STALE) before / during / after',
    align: 'right',
    terminal: false,
    cell: (r) => [r.before.hitRatio, r.during.hitRatio, r.after.hitRatio].map((h) => fmtPct(h, 0)).join(' / ')
  },
  {
    header: 'origin calls',
    meaning: 'weather requests the provider served over the whole load (the delta of its /stats counter; – when it was restarted in the row)',
    align: 'right',
    terminal: true,
    cell: (r) => fmtInt(r.origin.providerCounted)
  },
  {
    header: 'calls made',
    meaning: 'calls the app made toward the provider, counted by the fault proxy between them: the same as origin calls unless the ' +
      'proxy answered them itself (503s) or the provider was down',
    align: 'right',
    terminal: true,
    cell: (r) => fmtInt(r.origin.calls)
  },
  {
    header: 'origin/s b→d',
    meaning: 'calls made per second: mean before the fault → busiest second of the window',
    align: 'right',
    terminal: false,
    cell: (r) => `${fmtInt(r.origin.perSecondBefore)} → ${fmtInt(r.origin.maxPerSecondDuring)}`
  },
  {
    header: 'per key/s',
    meaning: 'most calls made for one key within one second of the window (a retry storm shows here)',
    align: 'right',
    terminal: false,
    cell: (r) => fmtInt(r.origin.maxPerKeyPerSecondDuring)
  },
  {
    header: 'recover',
    meaning: 'time to recover: from the injection to the first second whose p99 and hit ratio are back within 10% of before ' +
      '(p99 ≤ max(1.1 × before, before + 2 ms), hit ≥ 0.9 × before) after leaving that band; 0 s = never left it; never = not back when the load ended',
    align: 'right',
    terminal: true,
    cell: (r) => (r.recovery.seconds === null ? 'never' : `${r.recovery.seconds} s`)
  },
  { header: 'expected', meaning: 'the expected outcome', align: 'left', terminal: false, cell: (r) => r.expected },
  {
    header: 'verdict',
    meaning: 'pass when every check of the row holds (listed under each fault)',
    align: 'left',
    terminal: true,
    cell: (r) => (r.pass ? 'pass' : `FAIL (${r.checks.filter((c) => !c.pass).map((c) => c.name).join(', ')})`)
  }
]

export function faultCells (columns: readonly FaultColumn[], rows: readonly FaultRow[]): string[][] {
  return rows.map((row) => columns.map((column) => column.cell(row)))
}
