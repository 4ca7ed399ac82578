// Number formatting shared by the terminal, Markdown and HTML reports.

const DASH = '–'

export function fmtInt (n: number | null): string {
  return n === null ? DASH : Math.round(n).toLocaleString('en-US')
}

/** Milliseconds: two decimals below 10 ms, one below 100, none above. */
export function fmtMs (n: number | null): string {
  if (n === null) return DASH
  if (n < 10) return n.toFixed(2)
  if (n < 100) return n.toFixed(1)
  return Math.round(n).toLocaleString('en-US')
}

export function fmtPct (ratio: number | null, digits = 1): string {
  return ratio === null ? DASH : `${(ratio * 100).toFixed(digits)}%`
}

export function fmtTimes (ratio: number | null): string {
  if (ratio === null) return DASH
  return `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}×`
}

/** "±4.2%": the repetitions' (max − min) / median; empty with one repetition. */
export function fmtSpread (relative: number, repetitions: number): string {
  return repetitions < 2 ? '' : `±${((relative * 100) / 2).toFixed(1)}%`
}

export function fmtBytes (n: number | null): string {
  if (n === null) return DASH
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let value = n
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}

export function fmtNumber (n: number | null, digits = 2): string {
  return n === null ? DASH : n.toFixed(digits)
}
