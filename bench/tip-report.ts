// Printing a tip's measurements: cost per unit (element, lookup, call) at each size, so that
// growth with size shows (a constant per element is linear, a rising one is worse), and the
// tip ÷ naive ratios with their marks and the verdict of bench/tip-verdict.ts.
import { markOf, verdictOf, type Verdict } from './tip-verdict.js'

/** Columns: the first left-aligned, the others right-aligned. */
export function formatTable (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)))
  const line = (cells: readonly string[]): string => cells.map((cell, c) => c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)).join('   ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** 1.234 → '1.23×', 123.4 → '123×', Infinity → '∞' (the tip costs nothing measurable). */
export function formatRatio (ratio: number): string {
  if (ratio === Infinity) return '∞'
  if (ratio >= 100) return `${Math.round(ratio).toLocaleString('en-US')}×`
  return `${ratio.toFixed(ratio >= 10 ? 1 : 2)}×`
}

/** 3 significant digits, thousands separated. */
export function formatNumber (n: number): string {
  if (n >= 1000) return Math.round(n).toLocaleString('en-US')
  return n === 0 ? '0' : n.toPrecision(3)
}

export function formatBytes (bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${bytes} B`
}

export interface RatioRow {
  /** e.g. 'map vs loop + push'. */
  label: string
  /** tip ÷ naive at each size, in the order of the sizes. */
  ratios: number[]
}

export interface RuledRow extends RatioRow {
  verdict: Verdict
}

export function rule (row: RatioRow): RuledRow {
  return { ...row, verdict: verdictOf(row.ratios) }
}

export function formatRatioTable (title: string, sizeLabels: readonly string[], rows: readonly RuledRow[]): string {
  return formatTable(
    [title, ...sizeLabels, 'verdict'],
    rows.map((row) => [row.label, ...row.ratios.map((ratio) => `${formatRatio(ratio)} ${markOf(ratio)}`), row.verdict])
  )
}
