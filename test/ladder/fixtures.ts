// A ladder result built by hand: rung figures chosen so every ratio is known in advance.
import type { Measurement } from '../../loadtest/report/schema.js'
import { measuredRuns, withLadderRatios, type LadderResults, type RungProfile } from '../../ladder/results.js'
import { appEnvironment, nginxUpstreamKeepalive, RUNGS } from '../../ladder/rungs.js'

export function measurement (rps: number, p99: number, cpuMicrosPerRequest: number, originCalls: number, repetition = 1): Measurement {
  const seconds = 3
  const requests = Math.round(rps * seconds)
  const latency = { count: requests, mean: p99 / 3, p50: p99 / 4, p90: p99 / 2, p99, p99_9: p99 * 1.2, max: p99 * 1.5 }
  const usage = { cpuSeconds: (cpuMicrosPerRequest * requests) / 1e6, cpuCores: 1, cpuMicrosPerRequest, rssBytes: 1, peakRssBytes: 1, processes: 3 }
  return {
    repetition,
    seed: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationSeconds: seconds,
    requests,
    requestsPerSecond: rps,
    bytes: requests * 300,
    bytesPerSecond: rps * 300,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    statusCodes: { 200: requests },
    latencyMs: latency,
    correctedLatencyMs: null,
    originCalls,
    cache: { appRequests: requests, edgeHits: null, l1Hits: 0, l2Hits: 0, misses: 0, appOriginRequests: originCalls },
    hitRatio: { edge: null, l1: null, l2: null, overall: null, miss: null },
    resources: { app: usage, nginx: null, redis: null, origin: null, loadgen: { cpuSeconds: 1, cpuCores: 0.3 } }
  }
}

const profile = (names: string[]): RungProfile => ({
  topThree: names.map((name, i) => ({ name, location: `dist/src/x.js:${i + 1}`, origin: 'own' as const, selfShare: 0.5 / (i + 1) })),
  topOwn: { name: names[0]!, location: 'dist/src/x.js:1', origin: 'own', selfShare: 0.5 },
  idleShare: 0.1,
  cpuProfile: '/tmp/out/profiles/rung-x/w.cpuprofile',
  flameGraph: '/tmp/out/profiles/rung-x/w.flame.html',
  seconds: 2,
  requests: 100
})

/** Two rounds: rung i serves 10·2^i req/s at 100000/2^i µs CPU per request (the median of a round
 * 10% above and one 10% below); the baseline 10 240 req/s. */
export function ladderFixture (): LadderResults {
  const rungs = RUNGS.map((rung, i) => ({
    id: rung.id,
    stage: rung.stage,
    step: rung.step,
    why: rung.why,
    settings: { ...rung.settings, naive: [...rung.settings.naive] },
    appEnv: appEnvironment(rung.settings, { originTimeoutMs: 10_000 }),
    nginxUpstreamKeepalive: nginxUpstreamKeepalive(rung.settings),
    ...measuredRuns([
      measurement(1.1 * 10 * 2 ** i, 1000 / 2 ** i, 1.1 * 100_000 / 2 ** i, 100 - i, 1),
      measurement(0.9 * 10 * 2 ** i, 1000 / 2 ** i, 0.9 * 100_000 / 2 ** i, 100 - i, 2)
    ]),
    profile: i === 0 ? profile(['canonicalName', 'linearScan', 'resolve']) : profile([`fn${i}a`, `fn${i}b`, `fn${i}c`])
  }))
  const baseline = measuredRuns([measurement(10_240, 2, 50, 0, 1), measurement(10_240, 2, 50, 0, 2)])
  return {
    schemaVersion: 2,
    tool: 'cachestack-ladder',
    command: 'npm run ladder -- --quick',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:30.000Z',
    wallSeconds: 90,
    machine: { node: 'v20.0.0', cpus: 2, cpuModel: 'Test CPU' },
    workload: {
      scenario: 'zipf',
      description: '500 most populous cities, weighted by population',
      distinctPaths: 500,
      connections: 16,
      durationSeconds: 1.5,
      rounds: 2,
      warmupSeconds: 1,
      maxWarmupSeconds: 6,
      profileSeconds: 2,
      workers: 2,
      seed: 42,
      quick: true,
      originTimeoutMs: 10_000,
      nginxReadTimeoutSeconds: 30,
      profiling: 'a separate short run'
    },
    rungs: withLadderRatios(rungs, baseline),
    baseline,
    warnings: []
  }
}
