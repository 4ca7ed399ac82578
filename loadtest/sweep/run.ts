// `npm run loadtest -- --sweep`: the curves (issue 18).
//  - Latency against offered load, per target: a closed-loop run finds the most the target
//    serves, then fixed-rate runs at rising fractions of it (10% to past saturation), each with
//    p50/p99/p99.9 corrected for coordinated omission and the rate achieved; the knee is the
//    highest offered rate whose corrected p99 stays under the stated bound (knee.ts).
//  - Cost against work, for `layered`: req/s and CPU per request against the number of distinct
//    cities (where L1 stops holding the working set), workers × app instances, and answer size.
//    L2 is seeded directly (loadtest/bed/l2-seed.ts) and L1 filled by a warm-up: the steady state, in seconds.
import { cpus, loadavg, totalmem } from 'node:os'
import { Client } from 'undici'
import type { DatasetCity } from '../../src/cities/dataset.js'
import type { RequestCity } from '../drive/cities.js'
import { findKnee, KEPT_UP_SHARE, sweepRates } from './knee.js'
import { seedL2 } from '../bed/l2-seed.js'
import { runLoad, type LoadOutcome } from '../drive/load.js'
import { buildMeasurement, cacheCounts, hitRatios } from '../measure/measurement.js'
import type { LoadTestOptions } from '../options.js'
import type { TargetName } from '../targets.js'
import { deriveSeed, mulberry32 } from '../drive/prng.js'
import { treeUsage, type ProcFs } from '../measure/process-usage.js'
import { scrapeMetrics } from '../measure/probes.js'
import type { Progress } from '../report/progress.js'
import { observeAround, routeOf } from '../runner.js'
import { buildScenario, pathSource, WeightedPicker } from '../drive/scenarios.js'
import { summarizeLatencies } from '../measure/stats.js'
import type { NativeStack, StartStack } from '../bed/native-bed.js'
import type { SweepOptions, Topology } from './options.js'
import { SWEEP_SCHEMA_VERSION, type CostPoint, type CurveInfo, type SweepPoint, type SweepResults } from './schema.js'
import type { Endpoints, TestBed } from '../bed/test-bed.js'

export interface SweepDependencies {
  /** The native bed the latency curves run on (every target the plain run knows). */
  bed: TestBed
  /** Starts the cost curves' stacks (layered, one and two app instances). */
  startStack: StartStack
  /** The curves' traffic: the --cities most populous, by descending population. */
  cities: readonly RequestCity[]
  /** Every addressable city, by descending population (the cost curve's "all"). */
  allCities: readonly RequestCity[]
  /** The data set by id: what L2 is seeded with. */
  dataset: ReadonlyMap<number, DatasetCity>
  progress: Progress
  procfs: ProcFs
  command: string
  signal?: AbortSignal
}

const SETTLE_MS = 250
/** Steps added past the planned fractions while the target still keeps up at the last one. */
const MAX_EXTRA_STEPS = 4
const MAX_EXTRA_STEPS_QUICK = 1
/**
 * autocannon's overallRate gives each connection rate/connections requests per second, released
 * at the start of each second: at a low rate, 50 connections would send one burst of 50
 * simultaneous requests a second, and the curve would measure those bursts queueing on each
 * other. Fewer connections at low rates (one per 40 req/s, up to --connections) keep the offered
 * load close to a steady stream.
 */
export const RATE_PER_CONNECTION = 40

export function connectionsFor (rate: number, maxConnections: number): number {
  return Math.max(1, Math.min(maxConnections, Math.ceil(rate / RATE_PER_CONNECTION)))
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
// The app's lifetimes the seeded entries get (the stacks run with the defaults).
const SEED_TTL_SECONDS = 300
const SEED_GRACE_SECONDS = 600

export const SWEEP_METHOD = 'Each target is primed (one request per path) and warmed up, then a closed-loop run finds the most it serves; ' +
  'then one fixed-rate run ' +
  '(autocannon overallRate, each connection releasing its share at the start of each second; one connection per 40 req/s, up to --connections, ' +
  'so that a low rate is not sent as one burst of 50) per offered rate, from 10% of that maximum to past it (more steps while the target still ' +
  'keeps up, up to 4), on the same warm target. Latency percentiles are corrected for coordinated omission ' +
  '(HdrHistogram\'s recordValueWithExpectedInterval, ' +
  'interval = connections / rate); achieved rate = 2xx answers per second. The knee: the highest offered rate whose corrected p99 stayed at or under ' +
  'the bound while at least 90% of the offered rate was achieved.'

export const COST_METHOD = 'layered on its own stacks (nginx → app instances → one Redis), closed loop, uniform traffic over the cities of each point. ' +
  'L2 is seeded directly with the bytes a fill would write (the engine\'s report, ETag and Redis format; TTL 300 s, grace 600 s), then every worker ' +
  'is asked for each city once on a connection of its own (when they fit in L1\'s 10,000 entries), and a short warm-up runs through nginx: ' +
  'the steady state, without the minutes 135k provider calls at 80 ms would take. App CPU: every instance\'s primary and workers, from /proc; ' +
  'serving CPU adds nginx. Size: the observation padded so that the stored answer is about 1, 10 or 100 KB (bytes per answer measured, headers included).'

function uniformSource (paths: readonly string[], seed: number): () => string {
  const picker = new WeightedPicker(paths.map(() => 1), mulberry32(seed))
  return () => paths[picker.next()]!
}

async function latencyCurve (
  target: TargetName, options: Readonly<LoadTestOptions>, sweep: Readonly<SweepOptions>, deps: SweepDependencies, warn: (m: string) => void
): Promise<CurveInfo> {
  const endpoints: Endpoints = await deps.bed.prepare(target, { fresh: true, cold: false })
  const { prefix, route } = routeOf(target)
  const scenario = buildScenario(sweep.scenario, deps.cities, options)
  const url = endpoints.loadUrl
  const common = { url, pipelining: 1, timeoutSeconds: options.timeoutSeconds, maxResponses: options.maxRequestsPerRun }
  if (endpoints.strategy !== 'none' || endpoints.edgeCache || endpoints.peer === true) {
    const paths = scenario.segments.map((s) => prefix + s)
    let next = 0
    const nextPath = (): string => paths[next++ % paths.length]!
    const prime = { connections: options.connections, rate: null, nextPath, durationSeconds: 60, maxResponses: paths.length, recordLatencies: false }
    await runLoad({ ...common, ...prime })
  }
  // A warm-up for every target, the cacheless limit too: its first second is the JIT's, not its own.
  await runLoad({
    ...common,
    connections: options.connections,
    rate: null,
    nextPath: pathSource(scenario, prefix, deriveSeed(options.seed, 'sweep-warm-up')),
    durationSeconds: sweep.warmupSeconds,
    recordLatencies: false
  })
  await sleep(SETTLE_MS)
  const probeBar = deps.progress.run(`${target} · closed loop`, sweep.probeSeconds)
  const probe = await runLoad({
    ...common,
    connections: options.connections,
    rate: null,
    nextPath: pathSource(scenario, prefix, deriveSeed(options.seed, 'sweep-probe')),
    durationSeconds: sweep.probeSeconds,
    recordLatencies: true,
    onTick: probeBar.tick
  })
  const closedLoopRate = probe.ok / Math.max(probe.durationSeconds, 0.001)
  const closedLoopP99Ms = summarizeLatencies(probe.latencies).p99
  probeBar.end(`${target.padEnd(20)} closed loop ${Math.round(closedLoopRate).toLocaleString('en-US')} req/s, p99 ${closedLoopP99Ms.toFixed(2)} ms`)
  if (closedLoopRate <= 0) throw new Error(`${target} answered nothing in its closed-loop run`)
  const points: SweepPoint[] = []
  const planned = sweepRates(closedLoopRate, sweep.fractions, 1)
  const extra = options.quick ? MAX_EXTRA_STEPS_QUICK : MAX_EXTRA_STEPS
  for (let step = 0; step < planned.length + extra; step++) {
    let rate = planned[step]
    if (rate === undefined) {
      // Past the plan: on until the target falls behind, so the curve always shows saturation
      // (a closed-loop maximum measured on a busy machine can be low).
      const last = points.at(-1)
      if (last === undefined || last.achievedRate < KEPT_UP_SHARE * last.offeredRate) break
      rate = Math.round(last.offeredRate * 1.3)
    }
    if (deps.signal?.aborted === true) break
    const connections = connectionsFor(rate, options.connections)
    const finish = await observeAround(deps, endpoints, warn)
    const bar = deps.progress.run(`${target} · ${rate} req/s`, sweep.stepSeconds)
    const outcome: LoadOutcome = await runLoad({
      ...common,
      connections,
      rate,
      nextPath: pathSource(scenario, prefix, deriveSeed(options.seed, 'sweep', rate)),
      durationSeconds: sweep.stepSeconds,
      recordLatencies: true,
      onTick: bar.tick
    })
    const observed = await finish()
    const m = buildMeasurement({ repetition: 1, seed: options.seed, outcome, route, edgeCache: endpoints.edgeCache, rate, connections, ...observed })
    const corrected = m.correctedLatencyMs!
    const serving = [m.resources.app?.cpuMicrosPerRequest ?? null, m.resources.nginx?.cpuMicrosPerRequest ?? null].filter((v): v is number => v !== null)
    points.push({
      offeredRate: rate,
      achievedRate: m.requestsPerSecond,
      connections,
      durationSeconds: m.durationSeconds,
      latencyMs: m.latencyMs,
      correctedLatencyMs: corrected,
      non2xx: m.non2xx,
      errors: m.errors,
      timeouts: m.timeouts,
      appCpuCores: m.resources.app?.cpuCores ?? null,
      servingCpuMicrosPerRequest: serving.length === 0 ? null : serving.reduce((a, b) => a + b, 0)
    })
    bar.end(`  ${target} · offered ${rate.toLocaleString('en-US')} req/s: achieved ${Math.round(m.requestsPerSecond).toLocaleString('en-US')}, ` +
      `corrected p50/p99/p99.9 ${corrected.p50.toFixed(1)}/${corrected.p99.toFixed(1)}/${corrected.p99_9.toFixed(1)} ms` +
      `${m.non2xx + m.errors > 0 ? `, ${m.non2xx + m.errors} failed` : ''}`)
  }
  const knee = findKnee(points.map((p) => ({ offeredRate: p.offeredRate, achievedRate: p.achievedRate, p99Ms: p.correctedLatencyMs.p99 })), sweep.p99BoundMs)
  const kneeText = knee.rate === null ? `none (no rate kept p99 under ${sweep.p99BoundMs} ms)` : `${knee.rate.toLocaleString('en-US')} req/s`
  deps.progress.note(`${target}: knee ${kneeText}` +
    ` (p99 ≤ ${sweep.p99BoundMs} ms)${knee.nonMonotone ? `; a lower rate (${knee.firstFailedRate}) failed too` : ''}`)
  return { target, closedLoopRate, closedLoopP99Ms, points, knee }
}

interface CostStacks {
  /** Instances 1, --workers workers (restarted with other worker counts). */
  single: NativeStack
  /** Instances 2. Undefined when no topology asks for 2. */
  double: NativeStack | undefined
}

function startCostStacks (deps: SweepDependencies, options: Readonly<LoadTestOptions>, sweep: Readonly<SweepOptions>): Promise<CostStacks> {
  const start = (instances: number): Promise<NativeStack> => deps.startStack({
    strategy: 'layered',
    workers: options.workers,
    redis: 'single',
    appInstances: instances,
    rateLimit: false,
    accessLog: false,
    appEnv: { LOG_LEVEL: 'warn' },
    logLevel: 'warn',
    forwardOutput: false
  })
  const wantsDouble = sweep.topologies.some((t) => t.instances === 2)
  return Promise.all([start(1), wantsDouble ? start(2) : Promise.resolve(undefined)]).then(([single, double]) => ({ single, double }))
}

// L1's default bound by count (L1_MAX_ENTRIES): priming more than this per worker only evicts.
const L1_ENTRIES = 10_000
// Priming connections per worker: Node's HTTP server answers one connection's requests one at a
// time, so a worker's priming runs on several connections at once.
const PRIME_CONNECTIONS_PER_WORKER = 8

/**
 * Fills every worker's L1 from the seeded L2, straight to each app instance: the cluster primary
 * hands new connections to its workers in turn, so connections opened one after another (each
 * answered before the next opens) land on worker i mod workers, and each worker's connections
 * share its paths. Through nginx, a worker would need several times the paths to have seen each
 * once (a coupon collector), which at 10k cities is longer than the measurement. A worker that got
 * the wrong share would show in the point's L1 share (below 100% where the cities fit).
 */
async function warmL1 (stack: NativeStack, paths: readonly string[], workers: number): Promise<void> {
  // More cities than L1 holds: under uniform traffic any L1_ENTRIES of them is the steady state.
  const wanted = paths.slice(0, L1_ENTRIES)
  for (const appUrl of stack.urls.apps ?? [stack.urls.app]) {
    const clients: Client[] = []
    try {
      for (let i = 0; i < workers * PRIME_CONNECTIONS_PER_WORKER; i++) {
        const client = new Client(appUrl, { connect: { timeout: 5000 } })
        clients.push(client)
        const { body } = await client.request({ method: 'GET', path: '/health' })
        await body.dump()
      }
      await Promise.all(clients.map(async (client, i) => {
        // Connection i is worker (i mod workers)'s share number floor(i / workers).
        for (let p = Math.floor(i / workers); p < wanted.length; p += PRIME_CONNECTIONS_PER_WORKER) {
          const { body } = await client.request({ method: 'GET', path: wanted[p]!, headersTimeout: 10_000, bodyTimeout: 10_000 })
          await body.dump()
        }
      }))
    } finally {
      await Promise.allSettled(clients.map((client) => client.close()))
    }
  }
}

/** One cost point: L1 filled from the seeded L2 and a short warm-up, then a closed-loop run, with /proc and counters around it. */
async function costPoint (
  stack: NativeStack, label: string, cities: readonly RequestCity[], topology: Topology,
  options: Readonly<LoadTestOptions>, sweep: Readonly<SweepOptions>, deps: SweepDependencies
): Promise<CostPoint> {
  const url = stack.urls.nginx.replace(/\/$/, '')
  const paths = cities.map((c) => '/weather/' + c.segment)
  const common = {
    url, connections: options.connections, pipelining: 1, rate: null, timeoutSeconds: options.timeoutSeconds, maxResponses: options.maxRequestsPerRun
  }
  await warmL1(stack, paths, topology.workers)
  const warmPath = uniformSource(paths, deriveSeed(options.seed, 'cost-warm', label))
  await runLoad({ ...common, nextPath: warmPath, durationSeconds: sweep.warmupSeconds, recordLatencies: false })
  await sleep(SETTLE_MS)
  const metricsUrl = stack.urls.metricsAll.join(' ')
  const warn = (message: string): void => deps.progress.note(`  warning: ${message}`)
  const metricsBefore = await scrapeMetrics(metricsUrl, warn)
  const procBefore = deps.procfs.list()
  const bar = deps.progress.run(`layered · ${label}`, sweep.costSeconds)
  const nextPath = uniformSource(paths, deriveSeed(options.seed, 'cost', label))
  const outcome = await runLoad({ ...common, nextPath, durationSeconds: sweep.costSeconds, recordLatencies: true, onTick: bar.tick })
  const procAfter = deps.procfs.list()
  await sleep(SETTLE_MS)
  const metricsAfter = await scrapeMetrics(metricsUrl, warn)
  const counts = cacheCounts({ metricsBefore, metricsAfter, route: '/weather/:city', edgeCache: false, outcome })
  const ratio = hitRatios(counts)
  const requests = outcome.ok + outcome.non2xx
  const cpu = (pids: readonly number[]): number | null => {
    const usages = pids.map((pid) => treeUsage(procBefore, procAfter, pid, deps.procfs.ticksPerSecond))
    return usages.some((u) => u === null) ? null : usages.reduce((sum, u) => sum + u!.cpuSeconds, 0)
  }
  const appSeconds = cpu(stack.pids.apps ?? [stack.pids.app])
  const nginxSeconds = cpu([stack.pids.nginx])
  const perRequest = (seconds: number | null): number | null => (seconds === null || requests === 0 ? null : (seconds * 1e6) / requests)
  const point: CostPoint = {
    label,
    cities: cities.length,
    workers: topology.workers,
    instances: topology.instances,
    bytesPerAnswer: outcome.ok === 0 ? null : outcome.bytes / outcome.ok,
    requestsPerSecond: outcome.ok / Math.max(outcome.durationSeconds, 0.001),
    latencyMs: summarizeLatencies(outcome.latencies),
    appCpuCores: appSeconds === null ? null : appSeconds / Math.max(outcome.durationSeconds, 0.001),
    appCpuMicrosPerRequest: perRequest(appSeconds),
    servingCpuMicrosPerRequest: appSeconds === null || nginxSeconds === null ? null : perRequest(appSeconds + nginxSeconds),
    l1Share: ratio.l1,
    l2Share: ratio.l2,
    missShare: ratio.miss,
    non2xx: outcome.non2xx,
    errors: outcome.errors
  }
  bar.end(`  layered · ${label}: ${Math.round(point.requestsPerSecond).toLocaleString('en-US')} req/s, ` +
    `${point.appCpuMicrosPerRequest === null ? '?' : Math.round(point.appCpuMicrosPerRequest)} µs app CPU/req, ` +
    `L1 ${ratio.l1 === null ? '?' : (ratio.l1 * 100).toFixed(1)}%, L2 ${ratio.l2 === null ? '?' : (ratio.l2 * 100).toFixed(1)}%`)
  return point
}

function datasetCities (deps: SweepDependencies, cities: readonly RequestCity[]): DatasetCity[] {
  return cities.map((c) => {
    const city = deps.dataset.get(c.id)
    if (city === undefined) throw new Error(`city ${c.id} (${c.name}) is not in the data set`)
    return city
  })
}

const seed = async (deps: SweepDependencies, stack: NativeStack, cities: readonly RequestCity[], padToBytes?: number): Promise<void> => {
  if (stack.urls.redis === undefined) throw new Error('the cost stacks run on one redis-server; it has no URL')
  const began = Date.now()
  const { keys, bytes } = await seedL2({
    redisUrl: stack.urls.redis,
    cities: datasetCities(deps, cities),
    ttlSeconds: SEED_TTL_SECONDS,
    graceSeconds: SEED_GRACE_SECONDS,
    ...(padToBytes === undefined ? {} : { padToBytes })
  })
  const seconds = ((Date.now() - began) / 1000).toFixed(1)
  deps.progress.note(`  seeded L2 with ${keys.toLocaleString('en-US')} answers (${(bytes / 1e6).toFixed(1)} MB) in ${seconds} s`)
}

/** The cities curve's points: a count of 0 (or past the data set) is every addressable city. */
const cityCounts = (sweep: Readonly<SweepOptions>, all: readonly RequestCity[]): number[] =>
  sweep.cityCounts.map((n) => (n === 0 || n > all.length ? all.length : n))

/** L2 of the single cost stack seeded with every city the cities curve asks for, plain. */
async function seedCities (deps: SweepDependencies, stacks: CostStacks, sweep: Readonly<SweepOptions>): Promise<void> {
  const counts = cityCounts(sweep, deps.allCities)
  if (counts.length > 0) await seed(deps, stacks.single, deps.allCities.slice(0, Math.max(...counts)))
}

const sizeLabel = (bytes: number): string => (bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} B`)

async function costCurves (
  stacks: CostStacks, options: Readonly<LoadTestOptions>, sweep: Readonly<SweepOptions>, deps: SweepDependencies
): Promise<SweepResults['cost']> {
  const { single, double } = stacks
  const all = deps.allCities
  const home: Topology = { workers: options.workers, instances: 1 }
  // Every city was seeded into L2 while the stacks started (seedCities): the cities curve first.
  const cityPoints: CostPoint[] = []
  for (const n of cityCounts(sweep, all)) {
    if (deps.signal?.aborted === true) break
    cityPoints.push(await costPoint(single, `${n.toLocaleString('en-US')} cities`, all.slice(0, n), home, options, sweep, deps))
  }
  // Then the sizes, on cities ranked past the top 10k, padded in L2 over their plain copies (Redis
  // holds both sets: ~40 + 114 MB of its 256). A restart first empties the L1s, which may hold a
  // plain copy of some of them from the cities curve.
  const size: CostPoint[] = []
  if (sweep.sizes.length > 0 && deps.signal?.aborted !== true) await single.restartApp({ workers: options.workers })
  for (const [i, bytes] of sweep.sizes.entries()) {
    if (deps.signal?.aborted === true) break
    const from = all.length >= 10_000 + (i + 1) * sweep.costCities ? 10_000 + i * sweep.costCities : 0
    const cities = all.slice(from, from + sweep.costCities)
    await seed(deps, single, cities, bytes)
    size.push(await costPoint(single, `${sizeLabel(bytes)} answers`, cities, home, options, sweep, deps))
  }
  // Workers × instances, each on the stack with that many instances, restarted with that many workers.
  const topology: CostPoint[] = []
  const costCities = all.slice(0, sweep.costCities)
  const current = new Map<NativeStack, number>([[single, options.workers], ...(double === undefined ? [] : [[double, options.workers] as const])])
  const seeded = new Set<NativeStack>([single])
  const order = [...sweep.topologies].sort((a, b) => a.instances - b.instances || b.workers - a.workers)
  for (const t of order) {
    if (deps.signal?.aborted === true) break
    const stack = t.instances === 1 ? single : double
    if (stack === undefined || t.instances > 2) throw new Error(`no cost stack with ${t.instances} app instances`)
    const label = `${t.workers} worker${t.workers === 1 ? '' : 's'} × ${t.instances} instance${t.instances === 1 ? '' : 's'}`
    const same = cityPoints.find((p) => p.cities === costCities.length && t.instances === 1 && t.workers === options.workers)
    if (same !== undefined) {
      topology.push({ ...same, label })
      continue
    }
    if (current.get(stack) !== t.workers) {
      const began = Date.now()
      await stack.restartApp({ workers: t.workers })
      current.set(stack, t.workers)
      deps.progress.note(`  restarted the cost stack's app with ${t.workers} worker(s) in ${((Date.now() - began) / 1000).toFixed(1)} s`)
    }
    if (!seeded.has(stack)) {
      await seed(deps, stack, costCities)
      seeded.add(stack)
    }
    topology.push(await costPoint(stack, label, costCities, t, options, sweep, deps))
  }
  const rank = (p: CostPoint): number => sweep.topologies.findIndex((t) => t.workers === p.workers && t.instances === p.instances)
  topology.sort((a, b) => rank(a) - rank(b))
  return { target: 'layered', cities: cityPoints, topology, size }
}

export async function runSweep (options: Readonly<LoadTestOptions>, sweep: Readonly<SweepOptions>, deps: SweepDependencies): Promise<SweepResults> {
  const startedAt = new Date()
  const warnings: string[] = []
  const warn = (message: string): void => { warnings.push(message); deps.progress.note(`  warning: ${message}`) }
  // The cost stacks start with the bed's, before any measurement; they idle during the curves.
  const stacksStarting = startCostStacks(deps, options, sweep)
  stacksStarting.catch(() => {})
  const curves: CurveInfo[] = []
  let cost: SweepResults['cost'] = { target: 'layered', cities: [], topology: [], size: [] }
  let stacks: CostStacks | undefined
  try {
    // Every stack is up before anything is measured: a stack's start (loading 135k cities) would
    // take the cores from the first curve.
    // Seeding L2 (119k answers, several seconds of this process and Redis) overlaps the bed's start too.
    await Promise.all([deps.bed.begin(sweep.targets), stacksStarting.then((started) => seedCities(deps, started, sweep))])
    for (const target of sweep.targets) {
      if (deps.signal?.aborted === true) break
      try {
        curves.push(await latencyCurve(target, options, sweep, deps, warn))
      } catch (err) {
        warn(`${target}: no latency curve: ${(err as Error).message.split('\n')[0]}`)
      }
    }
    stacks = await stacksStarting
    if (deps.signal?.aborted !== true) cost = await costCurves(stacks, options, sweep, deps)
  } finally {
    const settled = stacks ?? await stacksStarting.catch(() => undefined)
    await Promise.allSettled([settled?.single.stop(), settled?.double?.stop()])
  }
  if (deps.signal?.aborted === true) warnings.push('interrupted: the results hold what was measured before the interruption')
  const finishedAt = new Date()
  const cpuList = cpus()
  return {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    tool: 'cachestack-loadtest-sweep',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    command: deps.command,
    machine: {
      node: process.version, cpus: cpuList.length, cpuModel: cpuList[0]?.model.trim() ?? 'unknown', totalMemoryBytes: totalmem(), loadAverage: loadavg()
    },
    settings: {
      quick: options.quick,
      scenario: sweep.scenario,
      scenarioDescription: buildScenario(sweep.scenario, deps.cities, options).description,
      p99BoundMs: sweep.p99BoundMs,
      fractions: [...sweep.fractions],
      stepSeconds: sweep.stepSeconds,
      costSeconds: sweep.costSeconds,
      probeSeconds: sweep.probeSeconds,
      warmupSeconds: sweep.warmupSeconds,
      connections: options.connections,
      workers: options.workers,
      method: SWEEP_METHOD,
      costMethod: COST_METHOD
    },
    curves,
    cost,
    warnings: [...warnings, ...deps.bed.warnings]
  }
}
