// Plain-text tables for the terminal: right-aligned numbers, clipped long names.

export interface Column<T> {
  header: string
  value: (row: T) => string
  align?: 'left' | 'right'
  /** Longer cells are clipped with an ellipsis in the middle (paths keep their ends). @default 60 */
  maxWidth?: number
}

const clip = (text: string, max: number): string => {
  if (text.length <= max) return text
  const head = Math.ceil((max - 1) / 2)
  return text.slice(0, head) + '…' + text.slice(text.length - (max - 1 - head))
}

export function renderTable<T> (rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => clip(column.value(row), column.maxWidth ?? 60)))
  const widths = columns.map((column, c) => Math.max(column.header.length, ...cells.map((row) => row[c]!.length)))
  const line = (values: readonly string[]): string => values
    .map((value, c) => columns[c]!.align === 'right' ? value.padStart(widths[c]!) : value.padEnd(widths[c]!))
    .join('  ')
    .trimEnd()
  return [line(columns.map((column) => column.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')
}

export const ms = (us: number): string => (us / 1000).toFixed(1)
export const percent = (share: number): string => (share * 100).toFixed(1) + '%'
