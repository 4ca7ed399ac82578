// Growth detection: does a series still grow once the service has settled? A least-squares line
// over the second half of the run (the first half is where bounded things fill up: caches, pools,
// V8's heap sizing, the JIT), judged against a threshold per kind of series.
import { median } from '../loadtest/measure/stats.js'

/** What a series measures, for its growth rule. */
export const SERIES_KINDS = ['process-memory', 'heap', 'live-heap', 'cache-entries', 'cache-bytes', 'descriptors', 'event-loop', 'info'] as const
export type SeriesKind = typeof SERIES_KINDS[number]

export interface GrowthRule {
  /** Growth per minute always tolerated, in the series' unit. */
  readonly absolutePerMinute: number
  /** Growth per minute tolerated relative to the series' median over the judged window (0.01 = 1 %/min). */
  readonly relativePerMinute: number
  /** The smallest fitted rise over the judged window that can count as growth, in the series' unit:
   * below it the run is too short, or the series too coarse, to tell a leak from a step. */
  readonly minRise: number
  /** Also fit the floor (trailingMinimum, over half the window), which must rise too: a
   * garbage-collected heap grows between collections by design, for tens of seconds, then drops;
   * a pool opens connections at a peak and closes them when idle. What a leak raises is the floor. */
  readonly envelope: boolean
  /** The shortest judged window (second half) that can tell this kind's growth from its settling, s. */
  readonly minWindowSeconds: number
  /** Why these numbers (docs/soak.md and the report repeat it). */
  readonly why: string
}

const MiB = 1024 * 1024

/**
 * The thresholds, per kind. A series is flagged only when all of these hold over the second half:
 * slope > max(absolutePerMinute, relativePerMinute × median); slope × window ≥ minRise; the slope
 * at least 3 standard errors above zero (the rise is not the series' own noise); a positive slope
 * in each half of the window (not one step); and, with `envelope`, the same for the floor.
 */
export const GROWTH_RULES: Readonly<Record<SeriesKind, GrowthRule>> = Object.freeze({
  'process-memory': {
    absolutePerMinute: 1 * MiB,
    relativePerMinute: 0.01,
    minRise: 4 * MiB,
    envelope: true,
    minWindowSeconds: 120,
    why: 'RSS of a Node process: 1 %/min (at least 1 MiB/min) doubles a worker in about 70 minutes; at 300 req/s over two workers ' +
      '1 MiB/min is ~120 bytes kept per request. Below a 4 MiB rise, RSS moves by V8 page commits and malloc arenas, not leaks. ' +
      'V8 grows its old space for the first minutes of load (up to its first major collections): a run under 4 minutes is not judged.'
  },
  heap: {
    absolutePerMinute: 1 * MiB,
    relativePerMinute: 0.01,
    minRise: 4 * MiB,
    envelope: true,
    minWindowSeconds: 120,
    why: 'V8 heap used: the same bound as RSS. It rises between major collections by tens of MiB and drops at each: ' +
      'the slope is fitted to its floor (the minimum over the preceding quarter of the run), which is what a leak raises.'
  },
  'live-heap': {
    absolutePerMinute: 0.5 * MiB,
    relativePerMinute: 0.01,
    minRise: 2 * MiB,
    envelope: false,
    minWindowSeconds: 120,
    why: 'What the old generation still holds after each major collection: no sawtooth, a step at each collection (every minute or ' +
      'two under load). The strictest memory rule, since it is the leak itself: 1 %/min, at least 0.5 MiB/min and 2 MiB over the window.'
  },
  'cache-entries': {
    absolutePerMinute: 1,
    relativePerMinute: 0.01,
    minRise: 20,
    envelope: false,
    minWindowSeconds: 0,
    why: 'Entries of a bounded, expiring store (L1, Redis keys): once its bound or its expiry rate is reached (sized to happen in ' +
      'the first quarter) it must be flat; 1 %/min of its size is a store that never stops filling.'
  },
  'cache-bytes': {
    absolutePerMinute: 64 * 1024,
    relativePerMinute: 0.01,
    minRise: 1 * MiB,
    envelope: false,
    minWindowSeconds: 0,
    why: 'Bytes of a bounded store (L1 bytes, Redis used_memory): as its entries, 1 %/min of its size; Redis used_memory ' +
      'moves by ~0.5 MiB with its own buffers, so a rise below 1 MiB is not judged.'
  },
  descriptors: {
    absolutePerMinute: 0.5,
    relativePerMinute: 0,
    minRise: 3,
    envelope: true,
    minWindowSeconds: 0,
    why: 'File descriptors, sockets and Redis clients: every pool is bounded, so a steady rise is a leak. Pools open connections ' +
      'at concurrency peaks and close them when idle, so the count swings by tens; a leaked descriptor never closes and raises the ' +
      'floor, which is what is fitted: 0.5/min, and at least 3 over the window.'
  },
  'event-loop': {
    absolutePerMinute: 0.002,
    relativePerMinute: 0.05,
    minRise: 0.01,
    envelope: true,
    minWindowSeconds: 0,
    why: 'Event-loop delay p99 (s): a loop that slows down as the run goes on (work growing with the data kept) raises its floor; ' +
      'the shared cores add upward spikes, so the slope is fitted to the floor too, and must reach 2 ms/min and 10 ms over the window.'
  },
  info: {
    absolutePerMinute: Infinity,
    relativePerMinute: 0,
    minRise: Infinity,
    envelope: false,
    minWindowSeconds: 0,
    why: 'Context (machine load, client latency, request rate): charted, never judged.'
  }
})

/** Standard errors the slope must clear above zero. */
export const MIN_T_STATISTIC = 3

export interface Fit {
  /** Units per second. */
  slope: number
  intercept: number
  /** Standard error of the slope, units per second (0 when the points lie on the line). */
  stderr: number
  n: number
}

/** Ordinary least squares of y on t; null with fewer than 3 points or a single t. */
export function leastSquares (t: readonly number[], y: readonly number[]): Fit | null {
  const n = t.length
  if (n !== y.length) throw new RangeError(`expected as many times as values, got ${n} and ${y.length}`)
  if (n < 3) return null
  let meanT = 0
  let meanY = 0
  for (let i = 0; i < n; i++) {
    meanT += t[i]!
    meanY += y[i]!
  }
  meanT /= n
  meanY /= n
  let sxx = 0
  let sxy = 0
  for (let i = 0; i < n; i++) {
    const dt = t[i]! - meanT
    sxx += dt * dt
    sxy += dt * (y[i]! - meanY)
  }
  if (sxx === 0) return null
  const slope = sxy / sxx
  const intercept = meanY - slope * meanT
  let sse = 0
  for (let i = 0; i < n; i++) {
    const residual = y[i]! - (intercept + slope * t[i]!)
    sse += residual * residual
  }
  return { slope, intercept, stderr: Math.sqrt(sse / (n - 2) / sxx), n }
}

export type Verdict = 'ok' | 'growing' | 'absent' | 'too-few-samples' | 'too-short' | 'info'

export interface Judgement {
  verdict: Verdict
  /** Least squares over every sample of the window, units per minute; null without a fit. */
  slopePerMinute: number | null
  stderrPerMinute: number | null
  /** The same fitted to the floor (trailingMinimum), for rules with `envelope`; else null. */
  floorSlopePerMinute: number | null
  /** The slope above which the series counts as growing, units per minute. */
  thresholdPerMinute: number | null
  /** slope × window length: how much the fitted line rises over the window. */
  rise: number | null
  /** Samples in the window. */
  windowSamples: number
  /** The fitted line's ends over the window (for the chart); null without a fit. */
  line: { t0: number, y0: number, t1: number, y1: number } | null
  /** One line saying why. */
  reason: string
}

/** A point with a value. */
export interface Measured {
  t: number
  value: number
}

export interface Point {
  /** Seconds since the load started. */
  t: number
  /** null: not measured at that sample (source down, metric absent). */
  value: number | null
}

/** Fewest points (samples, or envelope buckets) in the second half that a slope is fitted on. */
export const MIN_WINDOW_SAMPLES = 6

/**
 * Each point of [start, end] replaced by the minimum of the points within `width` seconds before
 * it (itself included; earlier points, before `start`, count too): the floor the series keeps
 * coming back to. A cycle shorter than `width` (collections, pools filling and draining) leaves
 * it flat; a leak raises it at the leak's rate, `width` later.
 */
export function trailingMinimum (points: readonly Measured[], start: number, end: number, width: number): Measured[] {
  const floor: Measured[] = []
  let from = 0
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!
    if (p.t < start || p.t > end) continue
    while (points[from]!.t < p.t - width) from++
    let min = Infinity
    for (let j = from; j <= i; j++) min = Math.min(min, points[j]!.value)
    floor.push({ t: p.t, value: min })
  }
  return floor
}

/** The floor's width, as a share of the judged window: half of it (a quarter of the run). */
export const FLOOR_WIDTH = 0.5

interface Assessment {
  fit: Fit
  growing: boolean
  reason: string
}

/** Whether points rise: above the threshold, by the smallest judged rise, out of the noise, throughout. */
function assess (fitted: readonly Measured[], fit: Fit, thresholdPerMinute: number, rule: GrowthRule, windowSeconds: number): Assessment {
  const slopePerMinute = fit.slope * 60
  const tStatistic = fit.stderr === 0 ? (fit.slope > 0 ? Infinity : 0) : fit.slope / fit.stderr
  const no = (reason: string): Assessment => ({ fit, growing: false, reason })
  if (slopePerMinute <= thresholdPerMinute) return no('slope within its threshold')
  if (fit.slope * windowSeconds < rule.minRise) return no('slope above its threshold, but the rise over the second half is below the smallest judged')
  if (tStatistic < MIN_T_STATISTIC) return no(`slope above its threshold, but only ${tStatistic.toFixed(1)} standard errors above zero (noise)`)
  // Sustained: a leak keeps rising through the window; a pool that grew once (one step) or a
  // cycle caught at an unlucky phase rises in one half of it only.
  const half = Math.floor(fitted.length / 2)
  const slopeOf = (part: readonly Measured[]): number => leastSquares(part.map((p) => p.t), part.map((p) => p.value))?.slope ?? 0
  if (!(slopeOf(fitted.slice(0, half)) > 0 && slopeOf(fitted.slice(fitted.length - half)) > 0)) {
    return no('slope above its threshold, but not rising throughout (flat or falling in one half of the window: a step)')
  }
  const sure = tStatistic === Infinity ? 'exactly' : `${tStatistic.toFixed(1)} standard errors`
  return { fit, growing: true, reason: `${sure} above zero, above its threshold, rising throughout` }
}

/**
 * Judges one series over the window [windowStart, windowEnd] (the run's second half). A series
 * never measured is 'absent'; one with too few samples in the window is not judged. With
 * rule.envelope, the samples and their floor must both rise: noise lifts a line through the
 * samples now and then, a long collection cycle lifts the floor's now and then, a leak lifts both.
 */
export function judgeSeries (points: readonly Point[], rule: GrowthRule, windowStart: number, windowEnd: number): Judgement {
  const measured = points.filter((p): p is Measured => p.value !== null && Number.isFinite(p.value))
  const none = { slopePerMinute: null, stderrPerMinute: null, floorSlopePerMinute: null, thresholdPerMinute: null, rise: null, line: null }
  if (measured.length === 0) return { verdict: 'absent', ...none, windowSamples: 0, reason: 'never measured' }
  const window = measured.filter((p) => p.t >= windowStart && p.t <= windowEnd)
  const fit = leastSquares(window.map((p) => p.t), window.map((p) => p.value))
  if (fit === null || window.length < MIN_WINDOW_SAMPLES) {
    const reason = `${window.length} sample(s) in the second half, ${MIN_WINDOW_SAMPLES} needed`
    return { verdict: 'too-few-samples', ...none, windowSamples: window.length, reason }
  }
  const windowSeconds = windowEnd - windowStart
  const level = Math.abs(median(window.map((p) => p.value)))
  const thresholdPerMinute = Math.max(rule.absolutePerMinute, rule.relativePerMinute * level)
  const floor = rule.envelope ? trailingMinimum(measured, windowStart, windowEnd, windowSeconds * FLOOR_WIDTH) : null
  const floorFit = floor === null ? null : leastSquares(floor.map((p) => p.t), floor.map((p) => p.value))
  const judged = {
    slopePerMinute: fit.slope * 60,
    stderrPerMinute: fit.stderr * 60,
    floorSlopePerMinute: floorFit === null ? null : floorFit.slope * 60,
    thresholdPerMinute: Number.isFinite(thresholdPerMinute) ? thresholdPerMinute : null,
    rise: fit.slope * windowSeconds,
    windowSamples: window.length,
    line: { t0: windowStart, y0: fit.intercept + fit.slope * windowStart, t1: windowEnd, y1: fit.intercept + fit.slope * windowEnd }
  }
  if (rule.absolutePerMinute === Infinity) return { verdict: 'info', ...judged, reason: 'context, not judged' }
  if (windowSeconds < rule.minWindowSeconds) {
    return {
      verdict: 'too-short',
      ...judged,
      reason: `a second half of ${windowSeconds.toFixed(0)} s cannot tell this growth from settling: ` +
        `${rule.minWindowSeconds} s needed (a run of ${2 * rule.minWindowSeconds} s)`
    }
  }
  const samples = assess(window, fit, thresholdPerMinute, rule, windowSeconds)
  if (!samples.growing) return { verdict: 'ok', ...judged, reason: samples.reason }
  if (floor !== null && floorFit !== null) {
    const floorRises = assess(floor, floorFit, thresholdPerMinute, rule, windowSeconds)
    if (!floorRises.growing) return { verdict: 'ok', ...judged, reason: `the samples rise, but not their floor: ${floorRises.reason}` }
    return { verdict: 'growing', ...judged, reason: `samples and floor rise: ${samples.reason}` }
  }
  return { verdict: 'growing', ...judged, reason: samples.reason }
}

/**
 * A worker's RSS rises when V8 enlarges its heap between major collections, and stays up while V8
 * keeps those pages committed — minutes, sometimes longer than the judged window: bounded by V8's
 * heap sizing, not a leak. When the same process's live heap (after major collections) and its
 * memory outside the heap are both judged flat, that is what a growing RSS is, and it is not flagged.
 */
export function explainRssByHeap (rss: Judgement, liveHeap: Judgement | undefined, outsideHeap: Judgement | undefined): Judgement {
  if (rss.verdict !== 'growing' || liveHeap?.verdict !== 'ok' || outsideHeap?.verdict !== 'ok') return rss
  return {
    ...rss,
    verdict: 'ok',
    reason: `${rss.reason}; but its live heap after major collections and its memory outside the heap are flat: V8 grew its committed heap`
  }
}
