// One repetition's figures, from what was observed around it: the load outcome, the app's
// counters and the provider's count before and after, and /proc before and after.
import { counterDelta, type Sample } from './prometheus.js'
import { treeUsage, type ProcessSample } from './process-usage.js'
import { summarizeCorrectedLatencies, summarizeLatencies } from './stats.js'
import type { LoadOutcome } from '../drive/load.js'
import type { ProcessRoots } from '../bed/test-bed.js'
import type { CacheCounts, ExpiryWindowInfo, HitRatio, Measurement, Resources, StampedeInfo, TimelineBucketInfo, Usage } from '../report/schema.js'

export const METRIC = {
  hits: 'cachestack_cache_hits_total',
  misses: 'cachestack_cache_misses_total',
  origin: 'cachestack_origin_requests_total',
  // The http histogram's _count is the number of requests a route served.
  httpCount: 'cachestack_http_request_duration_seconds_count'
} as const

export interface Observation {
  repetition: number
  seed: number
  outcome: LoadOutcome
  /** The route pattern the load hit, as the app labels it ('/weather/:city'). */
  route: string
  edgeCache: boolean
  /** Fixed-rate mode's overall rate, for the coordinated-omission correction. */
  rate: number | null
  connections: number
  metricsBefore: Sample[] | null
  metricsAfter: Sample[] | null
  originBefore: number | null
  originAfter: number | null
  procBefore: ProcessSample[]
  procAfter: ProcessSample[]
  ticksPerSecond: number
  pids: ProcessRoots
  /** Largest RSS seen per tree while the run lasted. */
  peakRss: Partial<Record<keyof ProcessRoots, number>>
  loadgenCpuSeconds: number
  /** Per-second figures (expiry scenarios). @default null */
  timeline?: TimelineBucketInfo[] | null
  /** The window around the hot set's expiry (expiry scenarios). @default null */
  expiryWindow?: ExpiryWindowInfo | null
  /** The waves of a stampede run. @default null */
  stampede?: StampedeInfo | null
}

export function cacheCounts (o: Pick<Observation, 'metricsBefore' | 'metricsAfter' | 'route' | 'edgeCache' | 'outcome'>): CacheCounts {
  const { metricsBefore: before, metricsAfter: after } = o
  if (before === null || after === null) return { appRequests: null, edgeHits: null, l1Hits: null, l2Hits: null, misses: null, appOriginRequests: null }
  const appRequests = counterDelta(before, after, METRIC.httpCount, { route: o.route })
  const responses = o.outcome.ok + o.outcome.non2xx
  return {
    appRequests,
    // What the app never saw was answered by nginx's cache.
    edgeHits: o.edgeCache ? Math.max(0, responses - appRequests) : null,
    l1Hits: counterDelta(before, after, METRIC.hits, { layer: 'l1' }),
    l2Hits: counterDelta(before, after, METRIC.hits, { layer: 'l2' }),
    misses: counterDelta(before, after, METRIC.misses),
    appOriginRequests: counterDelta(before, after, METRIC.origin)
  }
}

/**
 * Shares of the requests (edge hits + requests the app served) answered by each layer.
 * `miss` = lookups that went to the origin; `overall` = 1 − miss: requests that waited for a
 * concurrent load (single-flight) cost no origin call, so they count as served by the cache.
 */
export function hitRatios (counts: CacheCounts): HitRatio {
  const { edgeHits, l1Hits, l2Hits, misses, appRequests } = counts
  if (l1Hits === null || l2Hits === null || misses === null) return { edge: null, l1: null, l2: null, overall: null, miss: null }
  const lookups = l1Hits + l2Hits + misses
  const total = (edgeHits ?? 0) + Math.max(appRequests ?? 0, lookups)
  if (total === 0) return { edge: null, l1: null, l2: null, overall: null, miss: null }
  return {
    edge: edgeHits === null ? null : edgeHits / total,
    l1: l1Hits / total,
    l2: l2Hits / total,
    overall: 1 - misses / total,
    miss: misses / total
  }
}

function usage (o: Observation, role: keyof ProcessRoots, requests: number): Usage | null {
  const root = o.pids[role]
  if (root === null) return null
  const tree = treeUsage(o.procBefore, o.procAfter, root, o.ticksPerSecond)
  if (tree === null) return null
  const seconds = o.outcome.durationSeconds
  return {
    cpuSeconds: tree.cpuSeconds,
    cpuCores: seconds > 0 ? tree.cpuSeconds / seconds : 0,
    cpuMicrosPerRequest: requests > 0 ? (tree.cpuSeconds * 1e6) / requests : null,
    rssBytes: tree.rssBytes,
    peakRssBytes: Math.max(tree.rssBytes, o.peakRss[role] ?? 0),
    processes: tree.processes
  }
}

export function buildMeasurement (o: Observation): Measurement {
  const { outcome } = o
  const counts = cacheCounts(o)
  const requests = outcome.ok + outcome.non2xx
  const seconds = outcome.durationSeconds
  const resources: Resources = {
    app: usage(o, 'app', requests),
    nginx: usage(o, 'nginx', requests),
    redis: usage(o, 'redis', requests),
    origin: usage(o, 'origin', requests),
    loadgen: { cpuSeconds: o.loadgenCpuSeconds, cpuCores: seconds > 0 ? o.loadgenCpuSeconds / seconds : 0 }
  }
  // Each connection is meant to send one request every connections/rate seconds.
  const intervalMs = o.rate === null ? null : (1000 * o.connections) / o.rate
  return {
    repetition: o.repetition,
    seed: o.seed,
    startedAt: outcome.startedAt.toISOString(),
    durationSeconds: seconds,
    requests,
    requestsPerSecond: seconds > 0 ? outcome.ok / seconds : 0,
    bytes: outcome.bytes,
    bytesPerSecond: seconds > 0 ? outcome.bytes / seconds : 0,
    non2xx: outcome.non2xx,
    errors: outcome.errors,
    timeouts: outcome.timeouts,
    statusCodes: { ...outcome.statusCodes },
    latencyMs: summarizeLatencies(outcome.latencies),
    correctedLatencyMs: intervalMs === null ? null : summarizeCorrectedLatencies(outcome.latencies, intervalMs),
    originCalls: o.originBefore === null || o.originAfter === null ? null : Math.max(0, o.originAfter - o.originBefore),
    cache: counts,
    hitRatio: hitRatios(counts),
    resources,
    timeline: o.timeline ?? null,
    expiryWindow: o.expiryWindow ?? null,
    stampede: o.stampede ?? null
  }
}
