// Memory over time, as numbers to print: each series of a worker's runtime samples (RSS, heap
// total, heap used, external, array buffers) with its min, median, max and last value, and a
// sparkline of it over the run; GC pauses as a series of their own (pause ms per time slot).
import type { MemorySample, RuntimeStats } from '../src/profile-agent/runtime-sampler.js'

export const MEMORY_SERIES = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const
export type MemorySeriesName = typeof MEMORY_SERIES[number]

/** What each series is, in the words of process.memoryUsage()'s documentation. */
export const SERIES_MEANING: Readonly<Record<MemorySeriesName, string>> = Object.freeze({
  rss: 'resident set: all the process\'s memory in RAM (heap, code, stacks, native allocations)',
  heapTotal: 'V8 heap reserved',
  heapUsed: 'V8 heap in use by objects (live and not yet collected)',
  external: 'C++ objects bound to JavaScript objects, array buffers included',
  arrayBuffers: 'ArrayBuffer and Buffer backing stores'
})

export interface SeriesStats {
  name: MemorySeriesName
  min: number
  median: number
  max: number
  last: number
  /** The series over the run, one character per time slot. */
  sparkline: string
}

const BARS = '▁▂▃▄▅▆▇█'

export function median (values: readonly number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * `values` at times `t` (ms, ascending) over [0, durationMs] in `width` slots, each the largest value
 * that falls in it, scaled between `low` and `high`. A slot nothing falls in repeats the one before
 * (or is blank when `blank` says so: pauses are events, not levels).
 */
export function sparkline (
  t: readonly number[],
  values: readonly number[],
  { durationMs, width = 30, low, high, blank = false }: { durationMs: number, width?: number, low?: number, high?: number, blank?: boolean }
): string {
  if (values.length === 0) return ''
  const slots = new Array<number | null>(width).fill(null)
  const span = Math.max(durationMs, 1)
  for (let i = 0; i < values.length; i++) {
    const slot = Math.min(width - 1, Math.max(0, Math.floor(t[i]! / span * width)))
    slots[slot] = Math.max(slots[slot] ?? -Infinity, values[i]!)
  }
  const lo = low ?? Math.min(...values)
  const hi = high ?? Math.max(...values)
  let previous: number | null = null
  return slots.map((value) => {
    if (value === null) {
      if (blank || previous === null) return ' '
      value = previous
    }
    previous = value
    const level = hi > lo ? Math.round((value - lo) / (hi - lo) * (BARS.length - 1)) : 0
    return BARS[Math.min(BARS.length - 1, Math.max(0, level))]!
  }).join('')
}

export function seriesStats (stats: RuntimeStats, { width = 30 }: { width?: number } = {}): SeriesStats[] {
  const t = stats.samples.map((s) => s.t)
  return MEMORY_SERIES.map((name) => {
    // Runtime files from before arrayBuffers was sampled have none: 0, not NaN.
    const values = stats.samples.map((s: MemorySample) => s[name] ?? 0)
    return {
      name,
      min: values.length === 0 ? 0 : Math.min(...values),
      median: median(values),
      max: values.length === 0 ? 0 : Math.max(...values),
      last: values[values.length - 1] ?? 0,
      sparkline: sparkline(t, values, { durationMs: stats.durationMs, width })
    }
  })
}

/** GC pause ms per slot, blank where there was none, scaled from 0 to the longest slot. */
export function gcSparkline (stats: RuntimeStats, { width = 30 }: { width?: number } = {}): string {
  const pauses = stats.gc.pauses ?? []
  if (pauses.length === 0) return ' '.repeat(width)
  const slots = new Array<number>(width).fill(0)
  const span = Math.max(stats.durationMs, 1)
  for (const p of pauses) slots[Math.min(width - 1, Math.max(0, Math.floor(p.t / span * width)))]! += p.ms
  const hi = Math.max(...slots)
  return slots.map((ms) => ms === 0 ? ' ' : BARS[Math.max(0, Math.min(BARS.length - 1, Math.ceil(ms / hi * (BARS.length - 1))))]!).join('')
}
