// A sweep document for report and schema tests: three latency curves with knees (one target
// never under the bound) and the three cost curves.
import { findKnee } from '../../loadtest/sweep/knee.js'
import { COST_METHOD, SWEEP_METHOD } from '../../loadtest/sweep/run.js'
import { SWEEP_SCHEMA_VERSION, type CostPoint, type CurveInfo, type SweepResults } from '../../loadtest/sweep/schema.js'

const latency = (p50: number, p99: number): CurveInfo['points'][number]['latencyMs'] =>
  ({ count: 1000, mean: p50 * 1.2, p50, p90: (p50 + p99) / 2, p99, p99_9: p99 * 1.5, max: p99 * 2 })

function curve (target: string, max: number, floorMs: number): CurveInfo {
  const points = [0.1, 0.3, 0.5, 0.75, 1, 1.25].map((f) => {
    const offeredRate = Math.round(max * f)
    // The hockey stick: flat, then up past saturation.
    const p99 = floorMs * (f < 0.8 ? 1 + f : 4 ** (f * 4))
    return {
      offeredRate,
      achievedRate: Math.min(offeredRate, max),
      connections: 50,
      durationSeconds: 2,
      latencyMs: latency(floorMs / 2, p99 * 0.8),
      correctedLatencyMs: latency(floorMs / 2, p99),
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      appCpuCores: 0.5 * f,
      servingCpuMicrosPerRequest: 200
    }
  })
  const knee = findKnee(points.map((p) => ({ offeredRate: p.offeredRate, achievedRate: p.achievedRate, p99Ms: p.correctedLatencyMs.p99 })), 20)
  return { target, closedLoopRate: max, closedLoopP99Ms: 40, points, knee }
}

function cost (label: string, cities: number, workers: number, instances: number, rps: number, cpu: number, l1: number, bytes = 740): CostPoint {
  return {
    label,
    cities,
    workers,
    instances,
    bytesPerAnswer: bytes,
    requestsPerSecond: rps,
    latencyMs: latency(5, 25),
    appCpuCores: 0.6,
    appCpuMicrosPerRequest: cpu,
    servingCpuMicrosPerRequest: cpu + 60,
    l1Share: l1,
    l2Share: 1 - l1,
    missShare: 0,
    non2xx: 0,
    errors: 0
  }
}

export function fakeSweep (): SweepResults {
  return {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    tool: 'cachestack-loadtest-sweep',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:02:00.000Z',
    wallSeconds: 110,
    command: 'npm run loadtest -- --sweep --quick',
    machine: { node: 'v20.0.0', cpus: 2, cpuModel: 'Test CPU', totalMemoryBytes: 2 ** 30, loadAverage: [1, 1, 1] },
    settings: {
      quick: true,
      scenario: 'zipf',
      scenarioDescription: '1000 most populous cities, weighted by population',
      p99BoundMs: 20,
      fractions: [0.1, 0.3, 0.5, 0.75, 1, 1.25],
      stepSeconds: 2,
      costSeconds: 1,
      probeSeconds: 1.5,
      warmupSeconds: 0.5,
      connections: 50,
      workers: 2,
      method: SWEEP_METHOD,
      costMethod: COST_METHOD
    },
    curves: [curve('baseline', 6000, 3), curve('layered', 5000, 4), curve('edge', 9000, 25)],
    cost: {
      target: 'layered',
      cities: [cost('10 cities', 10, 2, 1, 6000, 120, 1), cost('1,000 cities', 1000, 2, 1, 5800, 125, 1),
        cost('10,000 cities', 10_000, 2, 1, 5000, 150, 0.95), cost('119,027 cities', 119_027, 2, 1, 3000, 260, 0.08)],
      topology: [cost('1 worker × 1 instance', 1000, 1, 1, 4000, 110, 1), cost('2 workers × 1 instance', 1000, 2, 1, 5800, 125, 1),
        cost('1 worker × 2 instances', 1000, 1, 2, 5600, 120, 1), cost('2 workers × 2 instances', 1000, 2, 2, 5400, 140, 1)],
      size: [cost('1 KB answers', 1000, 2, 1, 5600, 130, 1, 1400), cost('10 KB answers', 1000, 2, 1, 4200, 160, 1, 10_600),
        cost('100 KB answers', 1000, 2, 1, 900, 600, 0.6, 102_800)]
    },
    warnings: []
  }
}
