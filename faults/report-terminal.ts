// What `npm run faults` prints at the end: the narrow table, then each row's expectation and,
// for a failed row, the checks that missed.
import { renderTextTable } from '../loadtest/report/table.js'
import { FAULT_COLUMNS, faultCells } from './report-table.js'
import type { FaultRow, MatrixResult } from './row.js'

export function renderRowLine (row: FaultRow): string {
  const failed = row.checks.filter((c) => !c.pass)
  return [
    `${row.pass ? 'pass' : 'FAIL'}  ${row.id}: ${row.title} — expected: ${row.expected}`,
    ...failed.map((c) => `      ✗ ${c.name}: expected ${c.expected}, got ${c.actual}`),
    ...(row.pass ? [] : row.notes.map((n) => `      note: ${n.split('\n')[0]}`))
  ].join('\n')
}

export function renderTerminalReport (result: MatrixResult): string {
  const columns = FAULT_COLUMNS.filter((c) => c.terminal)
  const failed = result.rows.filter((r) => !r.pass)
  return [
    renderTextTable(columns.map((c) => c.header), faultCells(columns, result.rows), columns.map((c) => c.align)),
    '',
    ...result.rows.map(renderRowLine),
    '',
    `${result.rows.length - failed.length} of ${result.rows.length} faults met their expected outcome in ${Math.round(result.elapsedSeconds)} s` +
      ` (${result.load.rate} req/s through nginx, ${result.load.connections} connections).`,
    ''
  ].join('\n')
}
