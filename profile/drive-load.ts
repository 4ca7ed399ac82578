// One scenario driven through the load-test harness's parts, for `npm run profile` and the
// ladder: prime (one request per distinct path, cached configurations only), warm up, then a
// measured run watched the way `npm run loadtest` watches it (/metrics and the provider's
// /stats deltas, /proc CPU of each process tree). Every run is bounded in time and in count.
import { buildMeasurement } from '../loadtest/measure/measurement.js'
import { runLoad } from '../loadtest/drive/load.js'
import { pathSource, type Scenario } from '../loadtest/drive/scenarios.js'
import { deriveSeed } from '../loadtest/drive/prng.js'
import { treeUsage, type ProcFs } from '../loadtest/measure/process-usage.js'
import { originRequests, scrapeMetrics } from '../loadtest/measure/probes.js'
import type { Measurement } from '../loadtest/report/schema.js'
import type { ProcessRoots } from '../loadtest/bed/test-bed.js'

export interface DriveTarget {
  /** nginx's base URL, no trailing slash. */
  loadUrl: string
  /** The app's /metrics, or null. */
  metricsUrl: string | null
  /** The provider's /stats, or null. */
  originStatsUrl: string | null
  pids: ProcessRoots
}

export interface DriveOptions {
  connections: number
  /** Per-request timeout, s. */
  timeoutSeconds: number
  /** Stop a run at this many responses. */
  maxResponses: number
  seed: number
}

// In-flight requests of one phase must land in that phase's counters (the provider answers in 80 ± 20 ms).
const SETTLE_MS = 250
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const common = (
  target: DriveTarget,
  o: DriveOptions
): { url: string, connections: number, pipelining: number, rate: null, timeoutSeconds: number, maxResponses: number } =>
  ({ url: target.loadUrl, connections: o.connections, pipelining: 1, rate: null, timeoutSeconds: o.timeoutSeconds, maxResponses: o.maxResponses })

/** One request per distinct path (bounded by `boundSeconds`), so a short warm-up measures a warm cache. */
export async function prime (target: DriveTarget, scenario: Scenario, prefix: string, o: DriveOptions, boundSeconds = 60): Promise<number> {
  let next = 0
  const paths = scenario.segments.map((segment) => prefix + segment)
  const outcome = await runLoad({
    ...common(target, o),
    maxResponses: paths.length,
    nextPath: () => paths[next++ % paths.length]!,
    durationSeconds: boundSeconds,
    recordLatencies: false
  })
  return outcome.ok + outcome.non2xx
}

/** Unmeasured traffic of the scenario, on a stream of its own (not the measured run's paths). */
export async function warmUp (target: DriveTarget, scenario: Scenario, prefix: string, o: DriveOptions, seconds: number): Promise<void> {
  if (seconds <= 0) return
  await runLoad({
    ...common(target, o),
    nextPath: pathSource(scenario, prefix, deriveSeed(o.seed, 'warm-up')),
    durationSeconds: seconds,
    recordLatencies: false
  })
  await sleep(SETTLE_MS)
}

export interface MeasureOptions extends DriveOptions {
  procfs: ProcFs
  durationSeconds: number
  /** The route pattern the app labels the load with ('/weather/:city'). */
  route: string
  /** A different stream than the measured run (a profiled run after it). @default 'measured' */
  stream?: string
}

/** A measured run of the scenario: req/s, latency percentiles, origin calls, CPU per request. */
export async function measure (target: DriveTarget, scenario: Scenario, prefix: string, o: MeasureOptions): Promise<Measurement> {
  const warnings: string[] = []
  const warn = (message: string): void => { warnings.push(message) }
  const seed = deriveSeed(o.seed, o.stream ?? 'measured')
  const [metricsBefore, originBefore] = await Promise.all([scrapeMetrics(target.metricsUrl, warn), originRequests(target.originStatsUrl, warn)])
  const procBefore = o.procfs.list()
  const cpuBefore = process.cpuUsage()
  const outcome = await runLoad({
    ...common(target, o),
    nextPath: pathSource(scenario, prefix, seed),
    durationSeconds: o.durationSeconds,
    recordLatencies: true
  })
  const cpu = process.cpuUsage(cpuBefore)
  const procAfter = o.procfs.list()
  await sleep(SETTLE_MS)
  const [metricsAfter, originAfter] = await Promise.all([scrapeMetrics(target.metricsUrl, warn), originRequests(target.originStatsUrl, warn)])
  return buildMeasurement({
    repetition: 1,
    seed,
    outcome,
    route: o.route,
    edgeCache: false,
    rate: null,
    connections: o.connections,
    metricsBefore,
    metricsAfter,
    originBefore,
    originAfter,
    procBefore,
    procAfter,
    ticksPerSecond: o.procfs.ticksPerSecond,
    pids: target.pids,
    peakRss: {},
    loadgenCpuSeconds: (cpu.user + cpu.system) / 1e6
  })
}

export interface SettleOptions extends DriveOptions {
  procfs: ProcFs
  /** The app's process tree (the cluster primary). */
  appPid: number
  /** Warm up at least this long, s. */
  minSeconds: number
  /** Stop waiting for the app to settle after this long, s. */
  maxSeconds: number
}

export interface SettleOutcome {
  seconds: number
  /** False when maxSeconds ran out first. */
  settled: boolean
  /** The app's CPU µs per request in each window, in order. */
  cpuMicrosPerRequest: number[]
}

const SETTLE_WINDOW_SECONDS = 0.5
const SETTLE_TOLERANCE = 0.1
// Below this many answers per window the app is slow per request (rung 0: tens of ms each) and
// its start-up costs are lost in the work: no need to wait for them.
const SETTLE_MIN_REQUESTS = 100

/**
 * Warm-up that lasts until the app's CPU per request stops falling. A restarted Node process
 * spends its first seconds compiling hot code (on background threads, counted in its CPU time)
 * and collecting the garbage of loading the data set; a run measured then measures that, not the
 * configuration. Windows of 0.5 s of the scenario's traffic: settled when two consecutive windows
 * agree within 10% (after `minSeconds`), bounded by `maxSeconds`.
 */
export async function warmUpUntilSettled (target: DriveTarget, scenario: Scenario, prefix: string, o: SettleOptions): Promise<SettleOutcome> {
  const nextPath = pathSource(scenario, prefix, deriveSeed(o.seed, 'warm-up'))
  const cpuMicrosPerRequest: number[] = []
  const started = Date.now()
  const elapsed = (): number => (Date.now() - started) / 1000
  let settled = false
  while (!settled && elapsed() < o.maxSeconds) {
    const before = o.procfs.list()
    const outcome = await runLoad({ ...common(target, o), nextPath, durationSeconds: SETTLE_WINDOW_SECONDS, recordLatencies: false })
    const usage = treeUsage(before, o.procfs.list(), o.appPid, o.procfs.ticksPerSecond)
    const answers = outcome.ok + outcome.non2xx
    const perRequest = usage === null || answers === 0 ? Number.NaN : (usage.cpuSeconds * 1e6) / answers
    cpuMicrosPerRequest.push(perRequest)
    const previous = cpuMicrosPerRequest.at(-2)
    if (elapsed() >= o.minSeconds) {
      settled = answers < SETTLE_MIN_REQUESTS ||
        (previous !== undefined && Number.isFinite(previous) && Number.isFinite(perRequest) && Math.abs(perRequest - previous) <= SETTLE_TOLERANCE * previous)
    }
  }
  await sleep(SETTLE_MS)
  return { seconds: elapsed(), settled, cpuMicrosPerRequest }
}
