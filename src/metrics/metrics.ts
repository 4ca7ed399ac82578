// Prometheus metrics of one worker. Names are shared by every layer with a `layer` label, and
// label children are bound once so the hot path only increments.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { CacheEvents } from '../cache/engine.js'
import type { BreakerState } from '../cache/circuit-breaker.js'
import type { L1Usage } from '../cache/cache.js'
import { FastCounter } from './fast-counter.js'
import { FastHistogram, type HistogramSeries } from './fast-histogram.js'

export interface ServiceMetrics {
  readonly registry: Registry
  readonly cacheEvents: CacheEvents
  /** Records one origin call: outcome and duration in seconds. */
  originRequest (outcome: 'ok' | 'error' | 'timeout', seconds: number): void
  /** Records HTTP requests of one route (the pattern, or 'unmatched'): what a per-route hook calls,
   * with no label key built per request. */
  httpRoute (route: string): HttpRouteRecorder
  breakerState (state: BreakerState): void
  /** Where the L1 gauges read from at each scrape (what the worker's cache holds). */
  watchL1 (usage: () => L1Usage | undefined): void
}

export type HttpRouteRecorder = (method: string, statusCode: number, seconds: number) => void

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 }

export function createMetrics ({ collectDefaults = true } = {}): ServiceMetrics {
  const registry = new Registry()
  if (collectDefaults) collectDefaultMetrics({ register: registry, prefix: 'cachestack_' })

  // Per-request counters are FastCounters: resolved label sets, one addition per increment.
  const hits = new FastCounter({ name: 'cachestack_cache_hits_total', help: 'Cache hits by layer', registers: [registry] })
  const stale = new FastCounter({ name: 'cachestack_cache_stale_total', help: 'Stale answers served within grace, by layer', registers: [registry] })
  const negativeHits = new Counter({
    name: 'cachestack_cache_negative_hits_total',
    help: 'Lookups answered by a remembered "does not exist"',
    registers: [registry]
  })
  const refreshes = new Counter({
    name: 'cachestack_cache_refreshes_total',
    help: 'Background refreshes (stale-while-revalidate, early refresh) by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry]
  })
  const lockWaits = new Counter({
    name: 'cachestack_cache_lock_waits_total',
    help: 'Waits for another process\'s fill of a key, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry]
  })
  const misses = new FastCounter({ name: 'cachestack_cache_misses_total', help: 'Lookups no cache layer could answer', registers: [registry] }).series()
  const l2Errors = new Counter({
    name: 'cachestack_cache_errors_total',
    help: 'Failed cache operations by layer and operation',
    labelNames: ['layer', 'operation'] as const,
    registers: [registry]
  })
  const l2Skipped = new Counter({
    name: 'cachestack_cache_skipped_total',
    help: 'L2 operations skipped while the circuit breaker is open',
    labelNames: ['layer'] as const,
    registers: [registry]
  })
  const breaker = new Gauge({
    name: 'cachestack_circuit_breaker_state',
    help: 'L2 circuit breaker: 0 closed, 1 half-open, 2 open',
    labelNames: ['layer'] as const,
    registers: [registry],
    aggregator: 'max'
  })
  const originRequests = new Counter({
    name: 'cachestack_origin_requests_total',
    help: 'Requests to the weather provider by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry]
  })
  const originDuration = new Histogram({
    name: 'cachestack_origin_request_duration_seconds',
    help: 'Weather provider latency',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry]
  })
  const httpDuration = new FastHistogram({
    name: 'cachestack_http_request_duration_seconds',
    help: 'HTTP request duration',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry]
  })

  // Read at scrape time, never on the request path; the primary sums them over its workers.
  let l1Usage: () => L1Usage | undefined = () => undefined
  const l1Entries = new Gauge({
    name: 'cachestack_l1_entries',
    help: 'Entries held in the in-process L1 (summed over the workers)',
    registers: [registry],
    collect () { this.set(l1Usage()?.entries ?? 0) }
  })
  const l1Bytes = new Gauge({
    name: 'cachestack_l1_bytes',
    help: 'Bytes of bodies (plus a fixed overhead per entry) held in the in-process L1 (summed over the workers)',
    registers: [registry],
    collect () { this.set(l1Usage()?.bytes ?? 0) }
  })
  const hitL1 = hits.series({ layer: 'l1' })
  const hitL2 = hits.series({ layer: 'l2' })
  const staleL1 = stale.series({ layer: 'l1' })
  const staleL2 = stale.series({ layer: 'l2' })
  const skippedL2 = l2Skipped.labels('l2')
  const breakerL2 = breaker.labels('l2')
  breakerL2.set(0)
  // One series per (route, method, status), resolved once; a route's recorder finds its series
  // with two small Map lookups (method, then status), building no key.
  const httpRecorders = new Map<string, HttpRouteRecorder>()
  function httpRoute (route: string): HttpRouteRecorder {
    let recorder = httpRecorders.get(route)
    if (recorder !== undefined) return recorder
    const byMethod = new Map<string, Map<number, HistogramSeries>>()
    recorder = (method, statusCode, seconds) => {
      let byStatus = byMethod.get(method)
      if (byStatus === undefined) byMethod.set(method, byStatus = new Map())
      let series = byStatus.get(statusCode)
      if (series === undefined) byStatus.set(statusCode, series = httpDuration.series({ route, method, status_code: String(statusCode) }))
      series.observe(seconds)
    }
    httpRecorders.set(route, recorder)
    return recorder
  }

  return {
    registry,
    cacheEvents: {
      hit (layer) { (layer === 'l1' ? hitL1 : hitL2).inc() },
      stale (layer) { (layer === 'l1' ? staleL1 : staleL2).inc() },
      miss () { misses.inc() },
      negativeHit () { negativeHits.inc() },
      refresh (outcome) { refreshes.labels(outcome).inc() },
      lockWait (outcome) { lockWaits.labels(outcome).inc() },
      l2Error (operation) { l2Errors.labels('l2', operation).inc() },
      l2Skipped () { skippedL2.inc() }
    },
    originRequest (outcome, seconds) {
      originRequests.labels(outcome).inc()
      originDuration.labels(outcome).observe(seconds)
    },
    httpRoute,
    breakerState (state) { breakerL2.set(BREAKER_VALUE[state]) },
    watchL1 (usage) {
      l1Usage = usage
      l1Entries.set(usage()?.entries ?? 0)
      l1Bytes.set(usage()?.bytes ?? 0)
    }
  }
}
