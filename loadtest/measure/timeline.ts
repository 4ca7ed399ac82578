// Figures over time within one run, for the scenarios whose point is a moment: per-second
// buckets (throughput, failures, latency percentiles, origin calls), the window around an
// expiry, and the figures of one stampede wave. Pure functions of what loadtest/drive/load.ts recorded
// (every 2xx latency and when it arrived) and of the provider's count polled during the run.
import { percentile, summarizeLatencies } from './stats.js'
import type { LatencyStats } from '../report/schema.js'

/** One read of the provider's /stats, `atMs` after the load started (negative: before it). */
export interface OriginPoll {
  atMs: number
  requests: number
}

/** What timeline figures are computed from: loadtest/drive/load.ts's outcome with arrivals recorded. */
export interface TimedSamples {
  /** ms per 2xx response. */
  latencies: Float64Array
  /** ms after the load started that each 2xx arrived, parallel to `latencies`. */
  arrivals: Float64Array
  /** ms after the load started of each non-2xx answer and connection error. */
  failureArrivals: Float64Array
}

export interface TimelineBucket {
  /** Start of the bucket, whole seconds after the load started; it spans [second, second + 1). */
  second: number
  /** 2xx responses that arrived in it. */
  responses: number
  /** Non-2xx answers and connection errors that arrived in it. */
  failures: number
  /** Percentiles of the 2xx responses that arrived in it; null when none did. */
  p50Ms: number | null
  p99Ms: number | null
  maxMs: number | null
  /** Provider requests in it (from polls of /stats: ± the poll interval); null when unknown. */
  originCalls: number | null
  /** Stale answers in it, when answers carry the provider proxy's stamps. @default absent */
  staleAnswers?: number | null
}

/** The provider's count at `atMs`: the latest poll at or before it; null when none was. */
export function originCountAt (polls: readonly OriginPoll[], atMs: number): number | null {
  let found: OriginPoll | undefined
  for (const poll of polls) if (poll.atMs <= atMs && (found === undefined || poll.atMs >= found.atMs)) found = poll
  return found === undefined ? null : found.requests
}

/** Provider requests between two moments, by the polls; null when either end is unknown. */
export function originCallsBetween (polls: readonly OriginPoll[], fromMs: number, toMs: number): number | null {
  const from = originCountAt(polls, fromMs)
  const to = originCountAt(polls, toMs)
  return from === null || to === null ? null : Math.max(0, to - from)
}

/** Latencies of the 2xx responses that arrived in [fromMs, toMs). */
export function latenciesBetween (samples: Pick<TimedSamples, 'latencies' | 'arrivals'>, fromMs: number, toMs: number): Float64Array {
  const { latencies, arrivals } = samples
  if (latencies.length !== arrivals.length) throw new RangeError(`expected one arrival per latency, got ${arrivals.length} for ${latencies.length}`)
  const out: number[] = []
  for (let i = 0; i < arrivals.length; i++) {
    const at = arrivals[i]!
    if (at >= fromMs && at < toMs) out.push(latencies[i]!)
  }
  return Float64Array.from(out)
}

function countBetween (times: Float64Array, fromMs: number, toMs: number): number {
  let n = 0
  for (let i = 0; i < times.length; i++) if (times[i]! >= fromMs && times[i]! < toMs) n++
  return n
}

/** One bucket per started second of `durationSeconds` (and of any later arrival). */
export function buildTimeline (samples: TimedSamples, durationSeconds: number, polls: readonly OriginPoll[]): TimelineBucket[] {
  let lastMs = durationSeconds * 1000
  for (const at of samples.arrivals) if (at > lastMs) lastMs = at
  for (const at of samples.failureArrivals) if (at > lastMs) lastMs = at
  const buckets = Math.max(1, Math.ceil(lastMs / 1000 - 1e-9))
  // One pass to group latencies by second: a bucket's samples are then sorted once.
  const grouped: number[][] = Array.from({ length: buckets }, () => [])
  for (let i = 0; i < samples.arrivals.length; i++) {
    const second = Math.min(buckets - 1, Math.max(0, Math.floor(samples.arrivals[i]! / 1000)))
    grouped[second]!.push(samples.latencies[i]!)
  }
  return grouped.map((values, second) => {
    const sorted = Float64Array.from(values).sort()
    const from = second * 1000
    return {
      second,
      responses: sorted.length,
      failures: countBetween(samples.failureArrivals, from, from + 1000),
      p50Ms: sorted.length === 0 ? null : percentile(sorted, 50),
      p99Ms: sorted.length === 0 ? null : percentile(sorted, 99),
      maxMs: sorted.length === 0 ? null : sorted[sorted.length - 1]!,
      originCalls: originCallsBetween(polls, from, from + 1000)
    }
  })
}

/** Seconds of the expiry window before the first key's expiry and after the last key's. */
export const EXPIRY_WINDOW = Object.freeze({ beforeMs: 1000, afterMs: 2000 })

/** The shortest run that holds an expiry storm's window: the keys were filled before the run
 * (priming), so their expiry and the window after it come at most TTL + the window's tail in. */
export function stormRunSeconds (ttlSeconds: number): number {
  return Math.ceil(ttlSeconds + EXPIRY_WINDOW.afterMs / 1000) + 1
}

export interface ExpiryWindow {
  /** The first key of the hot set expires this long after the load started (fill start + TTL). */
  firstExpirySeconds: number
  /** …and the last one this long after (fill end + TTL). */
  lastExpirySeconds: number
  /** The window: from 1 s before the first expiry to 2 s after the last. */
  fromSeconds: number
  toSeconds: number
  responses: number
  failures: number
  latencyMs: LatencyStats
  originCalls: number | null
}

/**
 * Figures of the window around the hot set's expiry. `fill` bounds when the keys were stored
 * (the priming), relative to the load's start (so negative); each key expires `ttlSeconds`
 * later, shortened by up to the fraction `jitter` (the engine's jitter never lengthens a TTL).
 */
export function expiryWindow (
  samples: TimedSamples, polls: readonly OriginPoll[], fill: { startMs: number, endMs: number }, ttlSeconds: number, jitter: number
): ExpiryWindow {
  const ttlMs = ttlSeconds * 1000
  const first = fill.startMs + ttlMs * (1 - jitter)
  const last = fill.endMs + ttlMs
  const from = Math.max(0, first - EXPIRY_WINDOW.beforeMs)
  const to = last + EXPIRY_WINDOW.afterMs
  return {
    firstExpirySeconds: first / 1000,
    lastExpirySeconds: last / 1000,
    fromSeconds: from / 1000,
    toSeconds: to / 1000,
    responses: countBetween(samples.arrivals, from, to),
    failures: countBetween(samples.failureArrivals, from, to),
    latencyMs: summarizeLatencies(latenciesBetween(samples, from, to)),
    originCalls: originCallsBetween(polls, from, to)
  }
}

export interface StampedeWave {
  /** The city path the whole wave requested. */
  path: string
  /** Requests sent at once. */
  requests: number
  responses: number
  failures: number
  /** From sending the wave to its first 2xx answer, ms; null when none came. */
  firstAnswerMs: number | null
  /** …to its last 2xx answer. */
  lastAnswerMs: number | null
  /** Provider requests the wave caused; null when /stats could not be read. */
  originCalls: number | null
}

export function stampedeWave (path: string, requests: number, samples: TimedSamples, originCalls: number | null): StampedeWave {
  let first: number | null = null
  let last: number | null = null
  for (const at of samples.arrivals) {
    if (first === null || at < first) first = at
    if (last === null || at > last) last = at
  }
  return { path, requests, responses: samples.arrivals.length, failures: samples.failureArrivals.length, firstAnswerMs: first, lastAnswerMs: last, originCalls }
}
