// A measured series: what it is, in which unit, how it is judged, and how its values print.
import { fmtBytes } from '../loadtest/report/format.js'
import type { SeriesKind } from './growth.js'

export type SeriesUnit = 'bytes' | 'count' | 'seconds' | 'ms' | 'per-second' | 'load'

export interface SeriesSpec {
  /** Stable id: the chart's canvas is `chart-<id>`. */
  readonly id: string
  readonly label: string
  readonly unit: SeriesUnit
  /** Selects its growth rule (soak/growth.ts). */
  readonly kind: SeriesKind
  /** Where the number comes from, said plainly (per worker or aggregated, which file or metric). */
  readonly source: string
}

/** One value in its unit, for tables and chart titles. */
export function formatValue (unit: SeriesUnit, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–'
  switch (unit) {
    case 'bytes': return value < 0 ? `-${fmtBytes(-value)}` : fmtBytes(value)
    case 'seconds': return `${(value * 1000).toFixed(1)} ms`
    case 'ms': return `${value.toFixed(1)} ms`
    case 'count': return Number.isInteger(value) ? String(value) : value.toFixed(1)
    case 'per-second': return `${value.toFixed(0)}/s`
    case 'load': return value.toFixed(2)
  }
}

/** A rate per minute in the series' unit ("+1.2 MiB/min"). */
export function formatRate (unit: SeriesUnit, perMinute: number | null): string {
  if (perMinute === null || !Number.isFinite(perMinute)) return '–'
  const sign = perMinute >= 0 ? '+' : '-'
  const magnitude = Math.abs(perMinute)
  const shown = unit === 'count' ? magnitude.toFixed(magnitude < 10 ? 2 : 0) : formatValue(unit, magnitude)
  return `${sign}${shown}/min`
}
