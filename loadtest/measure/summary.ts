// Repetitions → one summary per (target, scenario): medians, the spread of req/s and p99, and
// the two ratios that survive a noisy 2-core machine: × none, and the fraction of the limit.
import { CLUSTER_SUFFIX } from '../targets.js'
import { median, spread } from './stats.js'
import type { HitRatio, LatencyStats, Measurement, Result, Summary } from '../report/schema.js'

function medianOrNull (values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null)
  return known.length === 0 ? null : median(known)
}

function medianLatency (all: readonly LatencyStats[]): LatencyStats {
  return {
    count: Math.round(median(all.map((l) => l.count))),
    mean: median(all.map((l) => l.mean)),
    p50: median(all.map((l) => l.p50)),
    p90: median(all.map((l) => l.p90)),
    p99: median(all.map((l) => l.p99)),
    p99_9: median(all.map((l) => l.p99_9)),
    max: Math.max(...all.map((l) => l.max))
  }
}

function medianHitRatio (all: readonly HitRatio[]): HitRatio {
  return {
    edge: medianOrNull(all.map((h) => h.edge)),
    l1: medianOrNull(all.map((h) => h.l1)),
    l2: medianOrNull(all.map((h) => h.l2)),
    overall: medianOrNull(all.map((h) => h.overall)),
    miss: medianOrNull(all.map((h) => h.miss))
  }
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0)

/** The storms' own figures: the expiry window's, and the stampede waves' (over every wave of every repetition). */
export function stormSummary (
  measurements: readonly Measurement[]
): Pick<Summary, 'expiryP99Ms' | 'expiryOriginCalls' | 'expiryFailures' | 'firstAnswerMs' | 'lastAnswerMs' | 'maxOriginCallsPerWave'> {
  const windows = measurements.map((m) => m.expiryWindow ?? null).filter((w) => w !== null)
  const waves = measurements.flatMap((m) => m.stampede?.waves ?? [])
  const perWave = waves.map((w) => w.originCalls).filter((n): n is number => n !== null)
  return {
    expiryP99Ms: windows.length === 0 ? null : median(windows.map((w) => w.latencyMs.p99)),
    expiryOriginCalls: medianOrNull(windows.map((w) => w.originCalls)),
    expiryFailures: windows.length === 0 ? null : sum(windows.map((w) => w.failures)),
    firstAnswerMs: medianOrNull(waves.map((w) => w.firstAnswerMs)),
    lastAnswerMs: medianOrNull(waves.map((w) => w.lastAnswerMs)),
    // The worst wave: one stampede that got through must show.
    maxOriginCallsPerWave: perWave.length === 0 ? null : Math.max(...perWave)
  }
}

/** The peer comparison's figures: serving CPU, stale answers, the outage's, the purge's. */
export function peerSummary (
  measurements: readonly Measurement[]
): Pick<Summary, 'servingCpuMicrosPerRequest' | 'staleAnswers' | 'outageAvailability' | 'outageStaleAnswers' | 'outageOriginCalls' |
  'recoveryOriginCalls' | 'purgeSupported' | 'timeToFreshMs'> {
  const outages = measurements.map((m) => m.outage ?? null).filter((o) => o !== null)
  const purges = measurements.map((m) => m.purge ?? null).filter((p) => p !== null)
  // Everything that serves a request: the app and the tier in front of it (nginx, or Varnish).
  const serving = measurements.map((m) => {
    const parts = [m.resources.app?.cpuMicrosPerRequest ?? null, m.resources.nginx?.cpuMicrosPerRequest ?? null].filter((v): v is number => v !== null)
    return parts.length === 0 ? null : sum(parts)
  })
  const supported = purges.length === 0 ? null : purges.every((p) => p.method !== null)
  return {
    servingCpuMicrosPerRequest: medianOrNull(serving),
    staleAnswers: medianOrNull(measurements.map((m) => m.staleAnswers ?? null)),
    outageAvailability: medianOrNull(outages.map((o) => (o.responses + o.failures === 0 ? null : o.responses / (o.responses + o.failures)))),
    outageStaleAnswers: medianOrNull(outages.map((o) => o.staleAnswers)),
    outageOriginCalls: medianOrNull(outages.map((o) => o.originCalls)),
    recoveryOriginCalls: medianOrNull(outages.map((o) => o.originCallsAfter)),
    purgeSupported: supported,
    // Not fresh by the end of one repetition is the result: the median must not hide it.
    timeToFreshMs: supported !== true || purges.some((p) => p.timeToFreshMs === null) ? null : median(purges.map((p) => p.timeToFreshMs!))
  }
}

/** Summary of one (target, scenario); ratios are filled in by `withRatios`. */
export function summarize (measurements: readonly Measurement[]): Summary {
  if (measurements.length === 0) throw new RangeError('nothing to summarize')
  const corrected = measurements.map((m) => m.correctedLatencyMs).filter((l): l is LatencyStats => l !== null)
  const originCalls = medianOrNull(measurements.map((m) => m.originCalls))
  const requests = median(measurements.map((m) => m.requests))
  return {
    requestsPerSecond: spread(measurements.map((m) => m.requestsPerSecond)),
    p99Ms: spread(measurements.map((m) => m.latencyMs.p99)),
    // Max is the worst over repetitions, every other figure the median.
    latencyMs: medianLatency(measurements.map((m) => m.latencyMs)),
    correctedLatencyMs: corrected.length === 0 ? null : medianLatency(corrected),
    bytesPerSecond: median(measurements.map((m) => m.bytesPerSecond)),
    // Failures are summed: one bad repetition must show.
    non2xx: sum(measurements.map((m) => m.non2xx)),
    errors: sum(measurements.map((m) => m.errors)),
    timeouts: sum(measurements.map((m) => m.timeouts)),
    originCalls,
    originCallsPer1kRequests: originCalls === null || requests === 0
      ? null
      : medianOrNull(measurements.map((m) => m.originCalls === null || m.requests === 0 ? null : (1000 * m.originCalls) / m.requests)),
    hitRatio: medianHitRatio(measurements.map((m) => m.hitRatio)),
    appCpuCores: medianOrNull(measurements.map((m) => m.resources.app?.cpuCores ?? null)),
    appCpuMicrosPerRequest: medianOrNull(measurements.map((m) => m.resources.app?.cpuMicrosPerRequest ?? null)),
    appRssBytes: medianOrNull(measurements.map((m) => m.resources.app?.peakRssBytes ?? null)),
    ratioToNone: null,
    fractionOfLimit: null,
    ...stormSummary(measurements),
    ...peerSummary(measurements)
  }
}

/**
 * Fills ratioToNone (req/s ÷ `none`'s, same scenario) and fractionOfLimit (÷ `baseline`'s),
 * both on medians measured in this run: absolute req/s on a shared 2-core box is noise, the
 * ratio is the finding.
 */
export function withRatios (results: readonly Result[]): Result[] {
  const rps = (target: string, scenario: string): number | undefined =>
    results.find((r) => r.target === target && r.scenario === scenario)?.summary.requestsPerSecond.median
  return results.map((r) => {
    const own = r.summary.requestsPerSecond.median
    // A target on the Redis Cluster (`<name>@cluster`) is compared with the cluster's none and
    // baseline when they ran, else with the single-Redis ones; and with its own single-Redis twin.
    const clustered = r.target.endsWith(CLUSTER_SUFFIX)
    const suffix = clustered ? CLUSTER_SUFFIX : ''
    const none = rps('none' + suffix, r.scenario) ?? rps('none', r.scenario)
    const limit = rps('baseline' + suffix, r.scenario) ?? rps('baseline', r.scenario)
    const single = clustered ? rps(r.target.slice(0, -CLUSTER_SUFFIX.length), r.scenario) : undefined
    return {
      ...r,
      summary: {
        ...r.summary,
        ratioToNone: none === undefined || none === 0 ? null : own / none,
        fractionOfLimit: limit === undefined || limit === 0 ? null : own / limit,
        ...(clustered ? { ratioToSingleRedis: single === undefined || single === 0 ? null : own / single } : {})
      }
    }
  })
}
