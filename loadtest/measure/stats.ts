// Statistics the reports rely on: percentiles of raw latencies (with and without the
// coordinated-omission correction), and median and spread over repetitions.

/** Median of a non-empty list; the mean of the two middle values for an even count. */
export function median (values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Nearest-rank percentile (the value below which p% of samples fall, HdrHistogram's
 * convention: never interpolated, so p99.9 is a latency some request really had).
 * `sorted` must be ascending; p in [0, 100].
 */
export function percentile (sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of an empty list')
  if (!(p >= 0 && p <= 100)) throw new RangeError(`expected a percentile from 0 to 100, got ${p}`)
  return sorted[Math.min(nearestRank(p, sorted.length), sorted.length) - 1]!
}

/** 1-based rank of the p-th percentile among n samples; the epsilon keeps 99.9% of 1000 at 999, not 1000. */
export function nearestRank (p: number, n: number): number {
  return Math.max(1, Math.ceil((p * n) / 100 - 1e-9))
}

export interface Spread {
  median: number
  min: number
  max: number
  /** (max − min) / median: 0.1 means the repetitions span 10% of the median. 0 for one repetition. */
  relative: number
}

export function spread (values: readonly number[]): Spread {
  const m = median(values)
  const min = Math.min(...values)
  const max = Math.max(...values)
  return { median: m, min, max, relative: m === 0 ? 0 : (max - min) / m }
}

export interface LatencySummary {
  /** Samples the summary covers (with the correction: raw plus synthetic). */
  count: number
  mean: number
  p50: number
  p90: number
  p99: number
  p99_9: number
  max: number
}

export const LATENCY_PERCENTILES = [['p50', 50], ['p90', 90], ['p99', 99], ['p99_9', 99.9]] as const

const EMPTY: LatencySummary = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p99_9: 0, max: 0 }

/** Exact percentiles of raw samples (ms). Sorts a copy. */
export function summarizeLatencies (samples: Float64Array): LatencySummary {
  if (samples.length === 0) return { ...EMPTY }
  const sorted = Float64Array.from(samples).sort()
  let sum = 0
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!
  const summary: LatencySummary = { ...EMPTY, count: sorted.length, mean: sum / sorted.length, max: sorted[sorted.length - 1]! }
  for (const [name, p] of LATENCY_PERCENTILES) summary[name] = percentile(sorted, p)
  return summary
}

/** How many back-filled samples HdrHistogram's recordValueWithExpectedInterval adds for one value. */
export function syntheticCount (value: number, intervalMs: number): number {
  return Math.max(0, Math.floor(value / intervalMs) - 1)
}

/**
 * Percentiles corrected for coordinated omission, as HdrHistogram's
 * recordValueWithExpectedInterval (Gil Tene, "How NOT to measure latency") defines them:
 * a request that took L ms on a connection meant to send one every I ms hid the requests
 * that should have gone out meanwhile; they are back-filled as L−I, L−2I, … down to I.
 * Computed without materializing the synthetic samples (one 2 s stall at I = 1 ms would be
 * 2000 of them): a bisection on the value, counting raw and synthetic samples ≤ x in O(n).
 */
export function summarizeCorrectedLatencies (samples: Float64Array, intervalMs: number): LatencySummary {
  if (!(intervalMs > 0)) throw new RangeError(`expected a positive interval, got ${intervalMs}`)
  const n = samples.length
  if (n === 0) return { ...EMPTY }
  let total = n
  let sum = 0
  let max = 0
  for (let i = 0; i < n; i++) {
    const value = samples[i]!
    const m = syntheticCount(value, intervalMs)
    total += m
    // Raw value plus Σ_{k=1..m} (value − k·I).
    sum += value + m * value - (intervalMs * m * (m + 1)) / 2
    if (value > max) max = value
  }
  const countAtMost = (x: number): number => {
    let count = 0
    for (let i = 0; i < n; i++) {
      const value = samples[i]!
      if (value <= x) count++
      const m = syntheticCount(value, intervalMs)
      if (m === 0) continue
      const kMin = Math.max(1, Math.ceil((value - x) / intervalMs))
      if (kMin <= m) count += m - kMin + 1
    }
    return count
  }
  const valueAtRank = (rank: number): number => {
    let lo = 0
    let hi = max
    // 1 µs resolution is finer than any latency a load generator on the same host can resolve.
    while (hi - lo > 0.001) {
      const mid = (lo + hi) / 2
      if (countAtMost(mid) >= rank) hi = mid
      else lo = mid
    }
    return hi
  }
  const summary: LatencySummary = { ...EMPTY, count: total, mean: sum / total, max }
  for (const [name, p] of LATENCY_PERCENTILES) summary[name] = valueAtRank(nearestRank(p, total))
  return summary
}

/** a / b, or null when b is 0 or either side is unknown. */
export function ratio (a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null
  return a / b
}
