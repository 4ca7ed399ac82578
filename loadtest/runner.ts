// The whole measurement: for each target and scenario, every repetition starts from a fresh
// app with empty caches, warms up on the same traffic, then runs while counters, /proc and the
// latencies are watched. Every target sees the same request sequence (seeded per scenario and
// repetition, not per target), so differences are the targets', not the dice's.
import { cpus, totalmem } from 'node:os'
import { buildMeasurement } from './measurement.js'
import type { LoadTestOptions, TargetName } from './options.js'
import { deriveSeed } from './prng.js'
import type { ProcessSample, ProcFs } from './process-usage.js'
import { treeRss } from './process-usage.js'
import { originRequests, scrapeMetrics } from './probes.js'
import type { Progress } from './progress.js'
import { runLoad } from './load.js'
import { buildScenario, describeShape, pathSource, type Scenario } from './scenarios.js'
import type { RequestCity } from './cities.js'
import { SCHEMA_VERSION, type Measurement, type Result, type Results, type TargetInfo, type TargetKind } from './schema.js'
import { summarize, withRatios } from './summary.js'
import type { Endpoints, ProcessRoots, TestBed } from './test-bed.js'

export interface RunnerDependencies {
  bed: TestBed
  /** By descending population (selectCities). */
  cities: readonly RequestCity[]
  progress: Progress
  procfs: ProcFs
  /** The command line, recorded in the results. */
  command: string
  /** Checked between runs: stop early (SIGINT) and report what was measured. */
  signal?: AbortSignal
}

// In-flight requests of one phase must land in that phase's counters, not the next one's:
// wait past the provider's latency (80 ± 20 ms) before reading counters.
const SETTLE_MS = 250

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export function targetKind (target: TargetName): TargetKind {
  return target === 'baseline' ? 'limit' : target === 'edge' ? 'edge' : 'strategy'
}

export function routeOf (target: TargetName): { prefix: string, route: string } {
  return target === 'baseline' ? { prefix: '/baseline/', route: '/baseline/:city' } : { prefix: '/weather/', route: '/weather/:city' }
}

/** One request before the load: a target that cannot answer is skipped with a reason, not measured as errors. */
async function preflight (url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) })
    await response.arrayBuffer()
    return response.ok ? undefined : `GET ${url} answered HTTP ${response.status}`
  } catch (err) {
    return `GET ${url} failed: ${(err as Error).message}`
  }
}

function watchPeakRss (procfs: ProcFs, pids: ProcessRoots): { stop (): Partial<Record<keyof ProcessRoots, number>> } {
  const peak: Partial<Record<keyof ProcessRoots, number>> = {}
  const sample = (): void => {
    const listing = procfs.list()
    for (const role of Object.keys(pids) as Array<keyof ProcessRoots>) {
      const root = pids[role]
      if (root !== null) peak[role] = Math.max(peak[role] ?? 0, treeRss(listing, root))
    }
  }
  const timer = setInterval(sample, 1000)
  timer.unref()
  return { stop () { clearInterval(timer); return peak } }
}

async function measureOnce (
  options: Readonly<LoadTestOptions>, deps: RunnerDependencies, target: TargetName, scenario: Scenario, repetition: number, endpoints: Endpoints
): Promise<Measurement> {
  const { prefix, route } = routeOf(target)
  const seed = deriveSeed(options.seed, scenario.name, repetition)
  const common = { url: endpoints.loadUrl, connections: options.connections, pipelining: options.pipelining, rate: options.rate, timeoutSeconds: options.timeoutSeconds, maxResponses: options.maxRequestsPerRun }
  const label = `${target} · ${scenario.name}${options.repetitions > 1 ? ` #${repetition}` : ''}`

  if (!scenario.coldStart && (endpoints.strategy !== 'none' || endpoints.edgeCache)) {
    // Prime: one request per distinct path, so a short warm-up still measures a warm cache
    // (at 300 req/s, a few seconds of zipf traffic would leave the tail of the cities cold).
    let next = 0
    const paths = scenario.segments.map((segment) => prefix + segment)
    const prime = deps.progress.run(`${label} (prime)`, 1)
    await runLoad({ ...common, rate: null, nextPath: () => paths[next++ % paths.length]!, durationSeconds: 60, maxResponses: paths.length, recordLatencies: false })
    prime.end(`  primed ${label}: ${paths.length} paths`)
  }
  if (!scenario.coldStart && options.warmupSeconds > 0) {
    // Its own stream: the measured run must not replay exactly the paths just warmed.
    const warm = deps.progress.run(`${label} (warm-up)`, options.warmupSeconds)
    await runLoad({ ...common, nextPath: pathSource(scenario, prefix, deriveSeed(seed, 'warm-up')), durationSeconds: options.warmupSeconds, recordLatencies: false, onTick: warm.tick })
    warm.end(`  warmed up ${label} for ${options.warmupSeconds} s`)
    await sleep(SETTLE_MS)
  }

  const warnings: string[] = []
  const warn = (message: string): void => { warnings.push(message) }
  const [metricsBefore, originBefore] = await Promise.all([scrapeMetrics(endpoints.metricsUrl, warn), originRequests(endpoints.originStatsUrl, warn)])
  const procBefore: ProcessSample[] = deps.procfs.list()
  const cpuBefore = process.cpuUsage()
  const peak = watchPeakRss(deps.procfs, endpoints.pids)

  const bar = deps.progress.run(label, options.durationSeconds)
  const outcome = await runLoad({ ...common, nextPath: pathSource(scenario, prefix, seed), durationSeconds: options.durationSeconds, recordLatencies: true, onTick: bar.tick })
  const cpu = process.cpuUsage(cpuBefore)
  const peakRss = peak.stop()
  const procAfter = deps.procfs.list()
  await sleep(SETTLE_MS)
  const [metricsAfter, originAfter] = await Promise.all([scrapeMetrics(endpoints.metricsUrl, warn), originRequests(endpoints.originStatsUrl, warn)])

  const measurement = buildMeasurement({
    repetition, seed, outcome, route, edgeCache: endpoints.edgeCache, rate: options.rate, connections: options.connections,
    metricsBefore, metricsAfter, originBefore, originAfter, procBefore, procAfter,
    ticksPerSecond: deps.procfs.ticksPerSecond, pids: endpoints.pids, peakRss,
    loadgenCpuSeconds: (cpu.user + cpu.system) / 1e6
  })
  const origin = measurement.originCalls === null ? '' : `, ${measurement.originCalls} origin calls`
  const failures = measurement.non2xx + measurement.errors > 0 ? `, ${measurement.non2xx} non-2xx, ${measurement.errors} errors` : ''
  bar.end(`${label.padEnd(28)} ${Math.round(measurement.requestsPerSecond).toLocaleString('en-US')} req/s, p99 ${measurement.latencyMs.p99.toFixed(2)} ms${origin}${failures}`)
  for (const w of warnings) deps.progress.note(`  warning: ${w}`)
  return measurement
}

export async function runLoadTest (options: Readonly<LoadTestOptions>, deps: RunnerDependencies): Promise<Results> {
  const startedAt = new Date()
  const warnings: string[] = []
  const scenarios = options.scenarios.map((name) => buildScenario(name, deps.cities, options))
  const measured = new Map<string, Measurement[]>()
  const key = (target: string, scenario: string): string => `${target}\u0000${scenario}`
  const targets = new Map<TargetName, TargetInfo>()
  const skipped = new Set<TargetName>()
  let firstEndpoints: Endpoints | undefined

  await deps.bed.begin(options.targets)
  // Repetitions outermost, targets innermost: a slow minute on a shared machine spreads over
  // every target instead of landing on one.
  outer:
  for (let repetition = 1; repetition <= options.repetitions; repetition++) {
    for (const scenario of scenarios) {
      for (const target of options.targets) {
        if (skipped.has(target)) continue
        if (deps.signal?.aborted === true) {
          warnings.push('interrupted: the results hold the runs finished before the interruption')
          break outer
        }
        let endpoints: Endpoints
        try {
          endpoints = await deps.bed.prepare(target, { fresh: true, cold: scenario.coldStart })
        } catch (err) {
          // One configuration that will not start must not cost the others' results.
          const reason = `${target} skipped: could not start it: ${(err as Error).message.split('\n')[0]}`
          warnings.push(reason)
          deps.progress.note(reason)
          skipped.add(target)
          continue
        }
        firstEndpoints ??= endpoints
        if (!targets.has(target)) {
          targets.set(target, { name: target, kind: targetKind(target), strategy: endpoints.strategy, edgeCache: endpoints.edgeCache, pathPrefix: routeOf(target).prefix })
          const problem = await preflight(endpoints.loadUrl + routeOf(target).prefix + scenario.segments[0]!)
          if (problem !== undefined) {
            warnings.push(`${target} skipped: ${problem}`)
            deps.progress.note(`${target} skipped: ${problem}`)
            skipped.add(target)
            continue
          }
        }
        const measurement = await measureOnce(options, deps, target, scenario, repetition, endpoints)
        const list = measured.get(key(target, scenario.name))
        if (list === undefined) measured.set(key(target, scenario.name), [measurement])
        else list.push(measurement)
      }
    }
  }

  const results: Result[] = []
  for (const target of options.targets) {
    for (const scenario of scenarios) {
      const measurements = measured.get(key(target, scenario.name))
      if (measurements !== undefined) results.push({ target, kind: targetKind(target), scenario: scenario.name, measurements, summary: summarize(measurements) })
    }
  }

  const finishedAt = new Date()
  const cpuList = cpus()
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: 'cachestack-loadtest',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    command: deps.command,
    machine: { node: process.version, platform: process.platform, arch: process.arch, cpus: cpuList.length, cpuModel: cpuList[0]?.model.trim() ?? 'unknown', totalMemoryBytes: totalmem() },
    topology: {
      mode: deps.bed.mode,
      workers: deps.bed.workers,
      loadUrl: firstEndpoints?.loadUrl ?? '',
      metricsUrl: firstEndpoints?.metricsUrl ?? null,
      originStatsUrl: firstEndpoints?.originStatsUrl ?? null
    },
    options: {
      quick: options.quick,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      pipelining: options.pipelining,
      repetitions: options.repetitions,
      rate: options.rate,
      timeoutSeconds: options.timeoutSeconds,
      maxRequestsPerRun: options.maxRequestsPerRun,
      cities: options.cities,
      zipfLaw: options.zipfLaw,
      zipfExponent: options.zipfExponent,
      seed: options.seed
    },
    latency: latencyMethod(options),
    scenarios: scenarios.map((s) => ({ name: s.name, description: s.description, coldStart: s.coldStart, ...describeShape(s) })),
    targets: [...targets.values()],
    results: withRatios(results),
    warnings: [...warnings, ...deps.bed.warnings]
  }
}

export function latencyMethod (options: Pick<LoadTestOptions, 'rate' | 'connections'>): Results['latency'] {
  if (options.rate === null) {
    return {
      resolution: 'microseconds: every 2xx response timed by autocannon (process.hrtime), percentiles computed exactly from all of them (nearest rank)',
      correctedForCoordinatedOmission: false,
      method: 'Closed loop (each connection sends its next request when the previous answer arrives): no intended schedule exists, so there is nothing to correct against. These are service times under saturation; a stall delays the requests that would have been sent meanwhile, and those are not counted (coordinated omission). Use --rate for latency at a chosen load.'
    }
  }
  const intervalMs = (1000 * options.connections) / options.rate
  return {
    resolution: 'microseconds: every 2xx response timed by autocannon (process.hrtime), percentiles computed exactly from all of them (nearest rank)',
    correctedForCoordinatedOmission: true,
    method: `Fixed rate ${options.rate} req/s (autocannon overallRate: each connection may send ${(options.rate / options.connections).toFixed(2)} requests per second, released at the start of each second). latencyMs is raw (measured from the actual send, autocannon's own correction disabled because it uses a 1 ms interval). correctedLatencyMs back-fills, for every response slower than the intended interval I = connections/rate = ${intervalMs.toFixed(2)} ms, the requests that should have been sent while waiting (L−I, L−2I, … ≥ I), as HdrHistogram's recordValueWithExpectedInterval does. It is an estimate: autocannon releases each second's budget in a burst, not on an even schedule.`
  }
}
