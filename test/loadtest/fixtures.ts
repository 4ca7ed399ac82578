// Results documents for report, schema and comparison tests: built through the real
// measurement and summary code, from synthetic observations.
import { buildMeasurement, type Observation } from '../../loadtest/measure/measurement.js'
import { SCHEMA_VERSION, type Result, type Results } from '../../loadtest/report/schema.js'
import { summarize, withRatios } from '../../loadtest/measure/summary.js'
import { targetKind } from '../../loadtest/runner.js'
import type { Sample } from '../../loadtest/measure/prometheus.js'
import type { TargetName } from '../../loadtest/targets.js'

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
    outcome: {
      startedAt: new Date('2026-01-01T00:00:00Z'),
      startedAtMs: 0,
      arrivals: new Float64Array(0),
      failureArrivals: new Float64Array(0),
      durationSeconds: 2,
      ok: run.ok,
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      bytes: run.ok * 400,
      statusCodes: { 200: run.ok },
      latencies
    },
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
    options: {
      quick: true,
      durationSeconds: 2,
      warmupSeconds: 1,
      connections: 10,
      pipelining: 1,
      repetitions: 1,
      rate: null,
      timeoutSeconds: 10,
      maxRequestsPerRun: 1000,
      cities: 50,
      zipfLaw: 'population',
      zipfExponent: 1,
      seed: 42,
      stormCities: 200,
      stormTtlSeconds: 3,
      stampedeConnections: 200,
      stampedeWaves: 5
    },
    latency: { resolution: 'microseconds', correctedForCoordinatedOmission: false, method: 'closed loop' },
    scenarios: scenarios.map((name) => ({
      name,
      description: `${name} traffic`,
      kind: 'steady' as const,
      coldStart: false,
      appEnv: {},
      distinctPaths: 50,
      topPathShare: 0.1,
      top10PercentShare: 0.4
    })),
    targets: targets.map((name) => ({
      name,
      kind: targetKind(name),
      strategy: name === 'baseline' ? 'none' : name === 'edge' ? 'layered' : name,
      edgeCache: name === 'edge',
      pathPrefix: name === 'baseline' ? '/baseline/' : '/weather/'
    })),
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

/**
 * A run of the storms: layered and a peer on expiry-storm (a per-second timeline and the
 * window around the expiry) and on stampede (two waves), built through the real code.
 */
export function stormResults (): Results {
  const runs: FakeRun[] = [
    { target: 'layered', scenario: 'stampede', ok: 400, misses: 2, originCalls: 2 },
    { target: 'peer-cache-manager', scenario: 'stampede', ok: 400, misses: 5, originCalls: 5 },
    { target: 'layered', scenario: 'expiry-storm', ok: 6000, l1: 5600, misses: 400, originCalls: 400 },
    { target: 'peer-cache-manager', scenario: 'expiry-storm', ok: 3000, l1: 2600, misses: 400, originCalls: 400 }
  ]
  const results: Result[] = runs.map((run, i) => {
    const peer = run.target !== 'layered'
    const observation = fakeObservation(run)
    if (run.scenario === 'stampede') {
      observation.stampede = {
        connections: 200,
        waves: [
          {
            path: '/weather/shanghai',
            requests: 200,
            responses: 200,
            failures: 0,
            firstAnswerMs: 95,
            lastAnswerMs: peer ? 300 : 110,
            originCalls: peer ? 3 : 1
          },
          {
            path: '/weather/beijing',
            requests: 200,
            responses: 200,
            failures: 0,
            firstAnswerMs: 90,
            lastAnswerMs: peer ? 280 : 105,
            originCalls: peer ? 2 : 1
          }
        ]
      }
    } else {
      observation.timeline = [0, 1, 2, 3, 4].map((second) => ({
        second, responses: 1000, failures: 0, p50Ms: 2, p99Ms: second === 2 ? (peer ? 400 : 30) : 10, maxMs: 500, originCalls: second === 2 ? 200 : 0
      }))
      observation.expiryWindow = {
        firstExpirySeconds: 2.6,
        lastExpirySeconds: 2.9,
        fromSeconds: 1.6,
        toSeconds: 4.9,
        responses: 3300,
        failures: peer ? 3 : 0,
        latencyMs: { count: 3300, mean: 5, p50: 2, p90: 8, p99: peer ? 400 : 30, p99_9: 480, max: 500 },
        originCalls: 200
      }
    }
    const measurements = [buildMeasurement({ ...observation, repetition: 1, seed: 42 + i })]
    return { target: run.target, kind: targetKind(run.target), scenario: run.scenario!, measurements, summary: summarize(measurements) }
  })
  const base = fakeResults([{ target: 'layered', ok: 1 }])
  return {
    ...base,
    scenarios: [
      {
        name: 'stampede',
        description: '2 wave(s) of 200 simultaneous requests for one cold city each',
        kind: 'stampede',
        coldStart: true,
        appEnv: {},
        distinctPaths: 2,
        topPathShare: 0.5,
        top10PercentShare: 0.5
      },
      {
        name: 'expiry-storm',
        description: '200 most populous cities, each equally likely, all filled at once with a 3 s TTL',
        kind: 'expiry',
        coldStart: false,
        appEnv: { CACHE_TTL_SECONDS: '3', CACHE_TTL_JITTER: '0' },
        distinctPaths: 200,
        topPathShare: 0.005,
        top10PercentShare: 0.1
      }
    ],
    targets: ['layered', 'peer-cache-manager'].map((name) => ({ name, kind: 'strategy' as const, strategy: name, edgeCache: false, pathPrefix: '/weather/' })),
    results: withRatios(results)
  }
}

/**
 * A peer comparison (issue 18): layered and the three peers on origin-outage (a per-second
 * timeline with stale answers, the outage's figures) and on purge (how and when each got fresh;
 * undici's cache has no purge path), built through the real measurement and summary code.
 */
const PURGE_METHODS: Readonly<Record<string, string | null>> = {
  layered: 'DELETE', 'peer-varnish': 'PURGE', 'peer-nginx-only': 'GET X-Cache-Refresh: 1', 'peer-undici-cache': null
}

export function peerResults (): Results {
  const targets = ['layered', 'peer-varnish', 'peer-nginx-only', 'peer-undici-cache'] as const
  const results: Result[] = []
  for (const scenario of ['origin-outage', 'purge'] as const) {
    targets.forEach((target, i) => {
      const observation = fakeObservation({ target, scenario, ok: 3000 + 500 * i, originCalls: 100 + 50 * i, edgeCache: target === 'peer-varnish' })
      if (scenario === 'origin-outage') {
        observation.timeline = [0, 1, 2, 3, 4, 5].map((second) => ({
          second,
          responses: 500,
          failures: target === 'peer-undici-cache' && second > 1 && second < 4 ? 40 : 0,
          p50Ms: 2,
          p99Ms: 10 + second,
          maxMs: 50,
          originCalls: second > 1 && second < 4 ? 30 * (i + 1) : 2,
          staleAnswers: second > 1 && second < 4 ? 300 - 20 * i : 0
        }))
      }
      let measurement = buildMeasurement({ ...observation, repetition: 1, seed: 42 })
      measurement = {
        ...measurement,
        staleAnswers: scenario === 'origin-outage' ? 600 - 40 * i : 0,
        ...(scenario === 'origin-outage'
          ? {
              outage: {
                fromSeconds: 1,
                toSeconds: 4,
                responses: 1500,
                failures: target === 'peer-undici-cache' ? 80 : 0,
                staleAnswers: 600 - 40 * i,
                latencyMs: { count: 1500, mean: 5, p50: 2, p90: 8, p99: 20 + i, p99_9: 40, max: 50 },
                originCalls: 60 * (i + 1),
                responsesAfter: 1000,
                failuresAfter: 0,
                staleAnswersAfter: 10,
                originCallsAfter: 40
              }
            }
          : {
              purge: {
                path: '/weather/shanghai',
                method: PURGE_METHODS[target] ?? null,
                status: target === 'peer-undici-cache' ? null : target === 'layered' ? 204 : 200,
                requestMs: target === 'peer-undici-cache' ? null : 2,
                purgedAtSeconds: 0.8,
                answersAfter: 300,
                oldAnswersAfter: target === 'peer-undici-cache' ? 300 : target === 'peer-nginx-only' ? 20 : 0,
                firstNewMs: target === 'peer-undici-cache' ? null : 85,
                lastOldMs: target === 'peer-nginx-only' ? 84 : target === 'peer-undici-cache' ? 1190 : null,
                timeToFreshMs: target === 'peer-undici-cache' ? null : target === 'peer-nginx-only' ? 84 : 0
              }
            })
      }
      results.push({ target, kind: targetKind(target), scenario, measurements: [measurement], summary: summarize([measurement]) })
    })
  }
  const base = fakeResults([{ target: 'layered', ok: 1 }])
  return {
    ...base,
    options: { ...base.options, outageSeconds: 3 },
    scenarios: [
      {
        name: 'origin-outage',
        description: '200 most populous cities, the provider down from 1 s to 4 s',
        kind: 'outage',
        coldStart: false,
        appEnv: { CACHE_TTL_SECONDS: '3' },
        distinctPaths: 200,
        topPathShare: 0.005,
        top10PercentShare: 0.1
      },
      {
        name: 'purge',
        description: '50 most populous cities, one purged under load',
        kind: 'purge',
        coldStart: false,
        appEnv: { PURGE_TOKEN: 'cachestack-loadtest-purge-token' },
        distinctPaths: 50,
        topPathShare: 0.1,
        top10PercentShare: 0.4
      }
    ],
    targets: targets.map((name) => ({
      name, kind: targetKind(name), strategy: name === 'layered' ? 'layered' : 'none', edgeCache: name === 'peer-varnish', pathPrefix: '/weather/'
    })),
    results: withRatios(results)
  }
}
