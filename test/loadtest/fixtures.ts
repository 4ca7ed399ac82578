// Results documents for report, schema and comparison tests: built through the real
// measurement and summary code, from synthetic observations.
import { buildMeasurement, type Observation } from '../../loadtest/measurement.js'
import { SCHEMA_VERSION, type Result, type Results } from '../../loadtest/schema.js'
import { summarize, withRatios } from '../../loadtest/summary.js'
import { targetKind } from '../../loadtest/runner.js'
import type { Sample } from '../../loadtest/prometheus.js'
import type { TargetName } from '../../loadtest/options.js'

export interface FakeRun {
  target: TargetName
  scenario?: string
  ok: number
  latencyMs?: number[]
  l1?: number
  l2?: number
  misses?: number
  originCalls?: number
  appRequests?: number
  edgeCache?: boolean
}

const counters = (l1: number, l2: number, misses: number, appRequests: number, route: string): Sample[] => [
  { name: 'cachestack_cache_hits_total', labels: { layer: 'l1' }, value: l1 },
  { name: 'cachestack_cache_hits_total', labels: { layer: 'l2' }, value: l2 },
  { name: 'cachestack_cache_misses_total', labels: {}, value: misses },
  { name: 'cachestack_origin_requests_total', labels: { outcome: 'ok' }, value: misses },
  { name: 'cachestack_http_request_duration_seconds_count', labels: { route, method: 'GET', status_code: '200' }, value: appRequests }
]

export function fakeObservation (run: FakeRun, repetition = 1): Observation {
  const route = run.target === 'baseline' ? '/baseline/:city' : '/weather/:city'
  const latencies = Float64Array.from(run.latencyMs ?? [1, 2, 3, 4, 5])
  return {
    repetition,
    seed: 42,
    outcome: { startedAt: new Date('2026-01-01T00:00:00Z'), startedAtMs: 0, arrivals: new Float64Array(0), failureArrivals: new Float64Array(0), durationSeconds: 2, ok: run.ok, non2xx: 0, errors: 0, timeouts: 0, bytes: run.ok * 400, statusCodes: { 200: run.ok }, latencies },
    route,
    edgeCache: run.edgeCache ?? run.target === 'edge',
    rate: null,
    connections: 10,
    metricsBefore: counters(0, 0, 0, 0, route),
    metricsAfter: counters(run.l1 ?? 0, run.l2 ?? 0, run.misses ?? 0, run.appRequests ?? run.ok, route),
    originBefore: 100,
    originAfter: 100 + (run.originCalls ?? run.misses ?? 0),
    procBefore: [],
    procAfter: [],
    ticksPerSecond: 100,
    pids: { app: null, nginx: null, redis: null, origin: null },
    peakRss: {},
    loadgenCpuSeconds: 0.5
  }
}

export function fakeResults (runs: readonly FakeRun[], warnings: string[] = []): Results {
  const results: Result[] = runs.map((run) => {
    const measurements = [buildMeasurement(fakeObservation(run))]
    return { target: run.target, kind: targetKind(run.target), scenario: run.scenario ?? 'zipf', measurements, summary: summarize(measurements) }
  })
  const scenarios = [...new Set(results.map((r) => r.scenario))]
  const targets = [...new Set(runs.map((r) => r.target))]
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: 'cachestack-loadtest',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    wallSeconds: 60,
    command: 'npm run loadtest -- --quick',
    machine: { node: 'v20.0.0', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Test CPU', totalMemoryBytes: 2 ** 30 },
    topology: { mode: 'native', workers: 2, loadUrl: 'http://127.0.0.1:1', metricsUrl: 'http://127.0.0.1:2/metrics', originStatsUrl: 'http://127.0.0.1:3/stats' },
    options: { quick: true, durationSeconds: 2, warmupSeconds: 1, connections: 10, pipelining: 1, repetitions: 1, rate: null, timeoutSeconds: 10, maxRequestsPerRun: 1000, cities: 50, zipfLaw: 'population', zipfExponent: 1, seed: 42, stormCities: 200, stormTtlSeconds: 3, stampedeConnections: 200, stampedeWaves: 5 },
    latency: { resolution: 'microseconds', correctedForCoordinatedOmission: false, method: 'closed loop' },
    scenarios: scenarios.map((name) => ({ name, description: `${name} traffic`, kind: 'steady' as const, coldStart: false, appEnv: {}, distinctPaths: 50, topPathShare: 0.1, top10PercentShare: 0.4 })),
    targets: targets.map((name) => ({ name, kind: targetKind(name), strategy: name === 'baseline' ? 'none' : name === 'edge' ? 'layered' : name, edgeCache: name === 'edge', pathPrefix: name === 'baseline' ? '/baseline/' : '/weather/' })),
    results: withRatios(results),
    warnings
  }
}

/** A typical quick run: the limit, no cache, and the layered cache far ahead. */
export const TYPICAL: readonly FakeRun[] = [
  { target: 'baseline', ok: 20_000 },
  { target: 'none', ok: 1_000, misses: 1_000, latencyMs: [80, 85, 90, 95, 120] },
  { target: 'memory', ok: 9_000, l1: 8_800, misses: 200 },
  { target: 'redis', ok: 6_000, l2: 5_800, misses: 200 },
  { target: 'layered', ok: 10_000, l1: 9_700, l2: 250, misses: 50 },
  { target: 'edge', ok: 16_000, l1: 900, l2: 40, misses: 60, appRequests: 1_000 }
]
