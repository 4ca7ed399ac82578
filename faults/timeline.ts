// Figures of one fault row over time: the three phases (before the fault, the fault window,
// after it), one bucket per second aligned on the injection, and the time to recover. Pure
// functions of what traffic.ts recorded and of the provider calls the fault proxy logged.
import { percentile } from '../loadtest/measure/stats.js'
import { SOURCES, type TrafficRecord } from './traffic.js'

/** When the fault began and ended, ms after the load started. Before = [0, injectMs),
 * during = [injectMs, liftMs), after = [liftMs, endMs). An instant fault (a kill) has a window too:
 * the seconds in which its effects are expected. */
export interface PhaseBounds {
  injectMs: number
  liftMs: number
  endMs: number
}

export interface PhaseFigures {
  /** Answers (any status) that arrived in the phase. */
  responses: number
  non2xx: number
  /** Requests without an answer: connection errors, timeouts, lost on a closing connection. */
  errors: number
  /** Over every answer, any status; null when none arrived. */
  p50Ms: number | null
  p99Ms: number | null
  maxMs: number | null
  /** Share of answers a cache layer gave (HIT-L1, HIT-L2, STALE). */
  hitRatio: number | null
  /** Calls toward the provider (fault proxy log); null when unknown. */
  originCalls: number | null
  /** The answers by X-Cache. */
  sources: Record<string, number>
}

export interface SecondFigures {
  /** Whole seconds from the injection: the bucket is [injectMs + second·1000, … + 1000); negative before it. */
  second: number
  responses: number
  /** Non-2xx answers and requests without an answer. */
  failures: number
  p99Ms: number | null
  hitRatio: number | null
  originCalls: number | null
  /** Whether p99 and hit ratio are within the band of the before phase (false when nothing was answered). */
  inBand: boolean
}

/** The band a second must be in to count as recovered: the "within 10% of before". */
export interface RecoveryBand {
  p99MaxMs: number
  hitRatioMin: number
}

export interface Recovery {
  /** Seconds from the injection to the first second back in band after leaving it: 0 when no
   * second left the band; null ("never") when none came back before the load ended. */
  seconds: number | null
  /** Seconds out of band, from the injection to the end. */
  degradedSeconds: number
  band: RecoveryBand
}

/** The band's relative width: 10%, as the issue sets it. */
export const BAND_RELATIVE = 0.1
/**
 * Below this, a 10% p99 band is narrower than what a loaded two-core machine's scheduler alone
 * moves a per-second p99 by (a few hundred answers: p99 is the third or fourth slowest), so the
 * band is never tighter than before + 2 ms.
 */
export const BAND_P99_FLOOR_MS = 2

const CACHE_ANSWERS = new Set(['HIT-L1', 'HIT-L2', 'STALE'].map((name) => SOURCES.indexOf(name as typeof SOURCES[number])))

function countIn (times: Float64Array, fromMs: number, toMs: number): number {
  let n = 0
  for (let i = 0; i < times.length; i++) if (times[i]! >= fromMs && times[i]! < toMs) n++
  return n
}

/** Figures of the answers that arrived in [fromMs, toMs). `originCallTimes` are ms after the load started. */
export function figuresBetween (record: TrafficRecord, originCallTimes: Float64Array | null, fromMs: number, toMs: number): PhaseFigures {
  const latencies: number[] = []
  let non2xx = 0
  let cached = 0
  const sources: Record<string, number> = {}
  for (let i = 0; i < record.atMs.length; i++) {
    const at = record.atMs[i]!
    if (at < fromMs || at >= toMs) continue
    latencies.push(record.latencyMs[i]!)
    const status = record.status[i]!
    if (status < 200 || status >= 300) non2xx++
    const source = record.source[i]!
    if (CACHE_ANSWERS.has(source)) cached++
    const name = SOURCES[source]!
    sources[name] = (sources[name] ?? 0) + 1
  }
  const sorted = Float64Array.from(latencies).sort()
  const n = sorted.length
  return {
    responses: n,
    non2xx,
    errors: countIn(record.unansweredAtMs, fromMs, toMs),
    p50Ms: n === 0 ? null : percentile(sorted, 50),
    p99Ms: n === 0 ? null : percentile(sorted, 99),
    maxMs: n === 0 ? null : sorted[n - 1]!,
    hitRatio: n === 0 ? null : cached / n,
    originCalls: originCallTimes === null ? null : countIn(originCallTimes, fromMs, toMs),
    sources
  }
}

/**
 * The band from the before phase (its first second left out: connections opening). A per-second
 * p99 is compared with per-second p99s: the reference is the highest one before the fault, as
 * the machine's own noise moves it from second to second. In band means p99 ≤ max(reference ×
 * 1.1, reference + 2 ms) and hit ratio ≥ before × 0.9.
 */
export function recoveryBand (before: Pick<PhaseFigures, 'hitRatio'>, beforeSecondsP99: ReadonlyArray<number | null>): RecoveryBand {
  const p99 = Math.max(0, ...beforeSecondsP99.filter((v): v is number => v !== null))
  return {
    p99MaxMs: Math.max(p99 * (1 + BAND_RELATIVE), p99 + BAND_P99_FLOOR_MS),
    hitRatioMin: (before.hitRatio ?? 0) * (1 - BAND_RELATIVE)
  }
}

/** One bucket per whole second of the load, aligned on the injection; a trailing partial second is left out. */
export function secondsOf (record: TrafficRecord, originCallTimes: Float64Array | null, bounds: PhaseBounds, band: RecoveryBand): SecondFigures[] {
  const first = -Math.floor(bounds.injectMs / 1000)
  const last = Math.floor((bounds.endMs - bounds.injectMs) / 1000) - 1
  const out: SecondFigures[] = []
  for (let second = first; second <= last; second++) {
    const from = bounds.injectMs + second * 1000
    const figures = figuresBetween(record, originCallTimes, from, from + 1000)
    const inBand = figures.responses > 0 && figures.p99Ms! <= band.p99MaxMs && figures.hitRatio! >= band.hitRatioMin
    out.push({
      second,
      responses: figures.responses,
      failures: figures.non2xx + figures.errors,
      p99Ms: figures.p99Ms,
      hitRatio: figures.hitRatio,
      originCalls: figures.originCalls,
      inBand
    })
  }
  return out
}

/**
 * Time to recover, the "first second whose p99 and hit ratio are back within 10% of
 * before": "back" implies having left, so it is the first in-band second after the first
 * out-of-band one, counted from the injection. 0 when the figures never left the band; null
 * ("never") when they had not come back when the load ended. A later relapse does not move it,
 * but counts in degradedSeconds.
 */
export function recoveryOf (seconds: readonly SecondFigures[], band: RecoveryBand): Recovery {
  const after = seconds.filter((s) => s.second >= 0)
  const degradedSeconds = after.filter((s) => !s.inBand).length
  const left = after.findIndex((s) => !s.inBand)
  if (left === -1) return { seconds: 0, degradedSeconds, band }
  const back = after.findIndex((s, i) => i > left && s.inBand)
  return { seconds: back === -1 ? null : after[back]!.second, degradedSeconds, band }
}
