// The whole measurement: for each target and scenario, every repetition starts from a fresh
// app with empty caches, warms up on the same traffic, then runs while counters, /proc and the
// latencies are watched. Every target sees the same request sequence (seeded per scenario and
// repetition, not per target), so differences are the targets', not the dice's.
import { cpus, totalmem } from 'node:os'
import { performance } from 'node:perf_hooks'
import { buildMeasurement, type Observation } from './measure/measurement.js'
import type { LoadTestOptions } from './options.js'
import { deriveSeed } from './drive/prng.js'
import type { ProcessSample, ProcFs } from './measure/process-usage.js'
import { treeRss } from './measure/process-usage.js'
import { originRequests, scrapeMetrics } from './measure/probes.js'
import type { Progress } from './report/progress.js'
import { runLoad, type LoadOutcome } from './drive/load.js'
import { buildScenario, describeShape, pathSource, type Scenario } from './drive/scenarios.js'
import type { RequestCity } from './drive/cities.js'
import { SCHEMA_VERSION, type Measurement, type Result, type Results, type TargetInfo, type TargetKind } from './report/schema.js'
import { summarize, withRatios } from './measure/summary.js'
import { buildTimeline, expiryWindow, latenciesBetween, stampedeWave, stormRunSeconds, type OriginPoll, type StampedeWave } from './measure/timeline.js'
import type { Endpoints, ProcessRoots, TestBed } from './bed/test-bed.js'
import { isEdgeTarget, isPeerTarget, masterKeys, runTargets, splitTarget, type RunTargetName, type TargetName } from './targets.js'
import { TraceRecorder } from './drive/trace-recorder.js'
import { AnswerLog, purgeFigures } from './measure/answers.js'
import { lifetimesOf } from './bed/lifetimes.js'
import { summarizeLatencies } from './measure/stats.js'
import type { OutageInfo, PurgeInfo } from './report/schema.js'

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
  /** Records every path sent (--record-trace); runLoadTest opens it from the options. */
  trace?: TraceRecorder | undefined
}

// In-flight requests of one phase must land in that phase's counters, not the next one's:
// wait past the provider's latency (80 ± 20 ms) before reading counters.
const SETTLE_MS = 250

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export function targetKind (name: RunTargetName): TargetKind {
  const { target } = splitTarget(name)
  return target === 'baseline' ? 'limit' : isEdgeTarget(target) ? 'edge' : isPeerTarget(target) ? 'peer' : 'strategy'
}

/** The app's environment for one run: the scenario's, then the run target's L1 (--l1-policy, --l1-entries). */
export function runEnv (options: Readonly<LoadTestOptions>, target: RunTargetName, scenario: Pick<Scenario, 'appEnv'>): Record<string, string> {
  const { l1Policy } = splitTarget(target)
  return {
    ...scenario.appEnv,
    ...(options.l1MaxEntries === null ? {} : { L1_MAX_ENTRIES: String(options.l1MaxEntries) }),
    ...(l1Policy === undefined ? {} : { L1_POLICY: l1Policy })
  }
}

/** The shortest run that holds a scenario's expiry window; 0 without one. */
export function expiryRunSeconds (scenario: Pick<Scenario, 'expiry'>): number {
  return scenario.expiry === null ? 0 : stormRunSeconds(scenario.expiry.ttlSeconds)
}

export function routeOf (name: RunTargetName): { prefix: string, route: string } {
  const { target } = splitTarget(name)
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

/** Reads the provider's count every `intervalMs` until stopped: per-second origin calls. */
function pollOrigin (url: string | null, intervalMs: number, warn: (message: string) => void): { stop (): Promise<Array<{ at: number, requests: number }>> } {
  const polls: Array<{ at: number, requests: number }> = []
  let stopped = false
  const loop = (async () => {
    // eslint-disable-next-line no-unmodified-loop-condition -- stop() sets `stopped` while this loop awaits; `url` never changes (null: no polling)
    while (!stopped && url !== null) {
      const at = performance.now()
      const requests = await originRequests(url, warn)
      if (requests !== null) polls.push({ at, requests })
      if (!stopped) await sleep(intervalMs)
    }
  })()
  return { async stop () { stopped = true; await loop; return polls } }
}

// 4 reads a second: per-second origin calls within ± 250 ms, at a negligible cost to the provider.
const ORIGIN_POLL_MS = 250

/** What every measured run reads before and after itself: counters, /proc, the loader's CPU. */
export async function observeAround (
  deps: Pick<RunnerDependencies, 'procfs'>,
  endpoints: Endpoints,
  warn: (message: string) => void
): Promise<() => Promise<Omit<Observation, 'repetition' | 'seed' | 'outcome' | 'route' | 'edgeCache' | 'rate' | 'connections'> & { originBeforeAt: number }>> {
  const originBeforeAt = performance.now()
  const [metricsBefore, originBefore] = await Promise.all([scrapeMetrics(endpoints.metricsUrl, warn), originRequests(endpoints.originStatsUrl, warn)])
  const procBefore: ProcessSample[] = deps.procfs.list()
  const cpuBefore = process.cpuUsage()
  const peak = watchPeakRss(deps.procfs, endpoints.pids)
  return async () => {
    const cpu = process.cpuUsage(cpuBefore)
    const peakRss = peak.stop()
    const procAfter = deps.procfs.list()
    await sleep(SETTLE_MS)
    const [metricsAfter, originAfter] = await Promise.all([scrapeMetrics(endpoints.metricsUrl, warn), originRequests(endpoints.originStatsUrl, warn)])
    return {
      metricsBefore,
      metricsAfter,
      originBefore,
      originAfter,
      procBefore,
      procAfter,
      ticksPerSecond: deps.procfs.ticksPerSecond,
      pids: endpoints.pids,
      peakRss,
      loadgenCpuSeconds: (cpu.user + cpu.system) / 1e6,
      originBeforeAt
    }
  }
}

/** Hit ratio from the provider's count alone (a peer: its cache is not the app's). */
function hitRatioFromOrigin (m: Measurement): Measurement['hitRatio'] {
  if (m.originCalls === null || m.requests === 0) return m.hitRatio
  const miss = Math.min(1, m.originCalls / m.requests)
  return { edge: null, l1: null, l2: null, overall: 1 - miss, miss }
}

/** Each run's revision is new: a stack's proxy outlives runs, and old must mean "before this purge". */
const revisions = new WeakMap<RunnerDependencies, number>()
function nextRevision (deps: RunnerDependencies): number {
  const next = (revisions.get(deps) ?? 0) + 2
  revisions.set(deps, next)
  return next
}

interface ProviderEvents {
  cancel (): void
  /** The purge that was sent (performance.now() when), or undefined when the run has none. */
  purged: Promise<{ atMs: number, method: string | null, status: number | null, requestMs: number | null } | undefined>
}

/**
 * The outage (the provider down from … to …) and the purge (the data changes, then the target is
 * purged the way its operator would), timed from the moment the load starts.
 */
function scheduleProviderEvents (
  endpoints: Endpoints,
  plan: {
    outagePlan: Scenario['outage'] | null,
    purgePlan: Scenario['purge'] | null,
    durationSeconds: number,
    revision: number,
    prefix: string,
    warn: (message: string) => void
  }
): ProviderEvents {
  const timers: NodeJS.Timeout[] = []
  const at = (seconds: number, action: () => void): void => { timers.push(setTimeout(action, seconds * 1000)) }
  const { outagePlan, purgePlan, provider } = { ...plan, provider: endpoints.provider }
  if (outagePlan != null) {
    if (provider === undefined) plan.warn('origin-outage: no provider proxy in front of this target\'s provider: no outage was produced')
    else {
      at(outagePlan.fromSeconds, () => provider.setOutage(true))
      at(outagePlan.toSeconds, () => provider.setOutage(false))
    }
  }
  let purged: ProviderEvents['purged'] = Promise.resolve(undefined)
  if (purgePlan != null) {
    if (provider === undefined) plan.warn('purge: no provider proxy in front of this target\'s provider: the data did not change')
    purged = new Promise((resolve) => {
      at(plan.durationSeconds * purgePlan.atFraction, () => {
        // The data changes first, then the purge goes out: an answer fetched after the purge is new.
        provider?.setRevision(plan.revision + 1)
        const atMs = performance.now()
        if (endpoints.purge === undefined) {
          resolve({ atMs, method: null, status: null, requestMs: null })
          return
        }
        endpoints.purge(plan.prefix + purgePlan.segment).then(
          (outcome) => resolve({ atMs, method: outcome.method, status: outcome.status, requestMs: performance.now() - atMs }),
          (err: unknown) => {
            plan.warn(`purge failed: ${(err as Error).message}`)
            resolve({ atMs, method: 'failed', status: null, requestMs: null })
          }
        )
      })
    })
  }
  return { cancel () { for (const timer of timers) clearTimeout(timer) }, purged }
}

function runLine (label: string, measurement: Measurement): string {
  const origin = measurement.originCalls === null ? '' : `, ${measurement.originCalls} origin calls`
  const failures = measurement.non2xx + measurement.errors > 0 ? `, ${measurement.non2xx} non-2xx, ${measurement.errors} errors` : ''
  const window = measurement.expiryWindow ?? null
  const storm = window === null
    ? ''
    : `; around the expiry p99 ${window.latencyMs.p99.toFixed(2)} ms${window.originCalls === null ? '' : `, ${window.originCalls} origin calls`}`
  const stampede = measurement.stampede ?? null
  const waves = stampede === null
    ? ''
    : `; origin calls per wave ${stampede.waves.map((w) => w.originCalls ?? '?').join('/')}, ` +
      `first answer ${stampede.waves.map((w) => w.firstAnswerMs === null ? '–' : w.firstAnswerMs.toFixed(0)).join('/')} ms`
  const stale = measurement.staleAnswers === undefined || measurement.staleAnswers === null ? '' : `, ${measurement.staleAnswers} stale`
  const outage = measurement.outage ?? null
  const down = outage === null
    ? ''
    : `; during the outage ${outage.responses} answered, ${outage.failures} failed, ${outage.staleAnswers ?? '?'} stale, ` +
      `${outage.originCalls ?? '?'} calls to the provider (${outage.originCallsAfter ?? '?'} after)`
  const purge = measurement.purge ?? null
  const fresh = purge === null
    ? ''
    : purge.method === null
      ? '; purge: n/a (no purge path)'
      : `; purge (${purge.method} → ${purge.status ?? 'failed'} in ${purge.requestMs?.toFixed(1) ?? '?'} ms): ` +
        `${purge.timeToFreshMs === null ? 'old answers until the end' : `fresh after ${purge.timeToFreshMs.toFixed(1)} ms`}`
  return `${label.padEnd(28)} ${Math.round(measurement.requestsPerSecond).toLocaleString('en-US')} req/s, ` +
    `p99 ${measurement.latencyMs.p99.toFixed(2)} ms${origin}${failures}${stale}${storm}${waves}${down}${fresh}`
}

async function measureOnce (
  options: Readonly<LoadTestOptions>, deps: RunnerDependencies, target: RunTargetName, scenario: Scenario, repetition: number, endpoints: Endpoints
): Promise<Measurement> {
  const { prefix, route } = routeOf(target)
  const seed = deriveSeed(options.seed, scenario.name, repetition)
  const common = {
    url: endpoints.loadUrl,
    connections: options.connections,
    pipelining: options.pipelining,
    rate: options.rate,
    timeoutSeconds: options.timeoutSeconds,
    maxResponses: options.maxRequestsPerRun
  }
  const label = `${target} · ${scenario.name}${options.repetitions > 1 ? ` #${repetition}` : ''}`
  if (scenario.kind === 'stampede') return measureStampede(options, deps, scenario, repetition, endpoints, label)
  const expiry = scenario.kind === 'expiry'
  const outagePlan = scenario.kind === 'outage' ? scenario.outage ?? null : null
  const purgePlan = scenario.kind === 'purge' ? scenario.purge ?? null : null
  // The provider proxy's stamps: which answers were stale (or old after a purge), whoever served them.
  const answers = endpoints.provider === undefined
    ? undefined
    : new AnswerLog({ ttlMs: lifetimesOf(scenario.appEnv).ttlSeconds * 1000, ...(purgePlan === null ? {} : { watchCityId: purgePlan.cityId }) })
  const revision = endpoints.provider === undefined ? 0 : nextRevision(deps)
  endpoints.provider?.setRevision(revision)
  endpoints.provider?.setOutage(false)

  let fill: { startMs: number, endMs: number } | undefined
  // The expiry storms and the outage prime every target, the cacheless ones too: the same timing
  // for all. The peers are caches whatever the app behind them runs.
  if (expiry || outagePlan !== null || (!scenario.coldStart && (endpoints.strategy !== 'none' || endpoints.edgeCache || endpoints.peer === true))) {
    // Prime: one request per distinct path, so a short warm-up still measures a warm cache
    // (at 300 req/s, a few seconds of zipf traffic would leave the tail of the cities cold).
    // For the expiry storms, this is the moment the whole hot set is filled.
    let next = 0
    const paths = scenario.segments.map((segment) => prefix + segment)
    const prime = deps.progress.run(`${label} (prime)`, 1)
    const startMs = performance.now()
    await runLoad({
      ...common,
      rate: null,
      nextPath: traced(deps, `${label} (prime)`, () => paths[next++ % paths.length]!),
      durationSeconds: 60,
      maxResponses: paths.length,
      recordLatencies: false
    })
    fill = { startMs, endMs: performance.now() }
    prime.end(`  primed ${label}: ${paths.length} paths`)
  }
  // No warm-up before an expiry storm (or the outage): it would spend the TTL the run is meant to cross.
  if (!expiry && outagePlan === null && !scenario.coldStart && options.warmupSeconds > 0) {
    // Its own stream: the measured run must not replay exactly the paths just warmed.
    const warm = deps.progress.run(`${label} (warm-up)`, options.warmupSeconds)
    await runLoad({
      ...common,
      nextPath: traced(deps, `${label} (warm-up)`, pathSource(scenario, prefix, deriveSeed(seed, 'warm-up'))),
      durationSeconds: options.warmupSeconds,
      recordLatencies: false,
      onTick: warm.tick
    })
    warm.end(`  warmed up ${label} for ${options.warmupSeconds} s`)
    await sleep(SETTLE_MS)
  }

  const warnings: string[] = []
  const warn = (message: string): void => { warnings.push(message) }
  const finish = await observeAround(deps, endpoints, warn)
  const polling = expiry ? pollOrigin(endpoints.originStatsUrl, ORIGIN_POLL_MS, warn) : undefined

  // The outage has its own length (before, during, after); an expiry storm lasts at least until its
  // window has closed (a --quick run's 3 s would end before the keys expire); every other run lasts --duration.
  const durationSeconds = outagePlan?.runSeconds ?? (expiry ? Math.max(options.durationSeconds, expiryRunSeconds(scenario)) : options.durationSeconds)
  const bar = deps.progress.run(label, durationSeconds)
  const events = scheduleProviderEvents(endpoints, { outagePlan, purgePlan, durationSeconds, revision, prefix, warn })
  let outcome: LoadOutcome
  try {
    outcome = await runLoad({
      ...common,
      nextPath: traced(deps, label, pathSource(scenario, prefix, seed)),
      durationSeconds,
      recordLatencies: true,
      recordArrivals: expiry || outagePlan !== null || purgePlan !== null,
      onTick: bar.tick,
      ...(answers === undefined ? {} : { inspect: (status: number, body: string, atMs: number) => answers.record(status, body, atMs) })
    })
  } finally {
    events.cancel()
    endpoints.provider?.setOutage(false)
  }
  const purged = await events.purged
  const polled = await polling?.stop()
  const observed = await finish()

  let storm: Pick<Observation, 'timeline' | 'expiryWindow'> = {}
  if (expiry && fill !== undefined && scenario.expiry !== null) {
    // Every time on the load's clock: the priming and the first /stats read came before it.
    const at = (ms: number): number => ms - outcome.startedAtMs
    const polls: OriginPoll[] = (polled ?? []).map((p) => ({ atMs: at(p.at), requests: p.requests }))
    if (observed.originBefore !== null) polls.unshift({ atMs: at(observed.originBeforeAt), requests: observed.originBefore })
    const window = expiryWindow(outcome, polls, { startMs: at(fill.startMs), endMs: at(fill.endMs) }, scenario.expiry.ttlSeconds, scenario.expiry.jitter ?? 0)
    if (window.toSeconds > outcome.durationSeconds) {
      warn(`${label}: the run (${outcome.durationSeconds.toFixed(1)} s) ended before the expiry window did (${window.toSeconds.toFixed(1)} s): ` +
        `use a --duration of at least ${Math.ceil(window.toSeconds + 1)}`)
    }
    const stale = answers?.stalePerSecond(Math.ceil(outcome.durationSeconds) + 1)
    const timeline = buildTimeline(outcome, options.durationSeconds, polls)
    storm = {
      timeline: stale === undefined ? timeline : timeline.map((bucket) => ({ ...bucket, staleAnswers: stale[bucket.second] ?? 0 })),
      expiryWindow: window
    }
  }

  let outage: OutageInfo | null = null
  if (outagePlan !== null && endpoints.provider !== undefined) {
    const { fromSeconds, toSeconds } = outagePlan
    const endMs = Math.max(outcome.durationSeconds, outagePlan.runSeconds) * 1000
    const between = (times: Float64Array, from: number, to: number): number => times.reduce((n, t) => (t >= from && t < to ? n + 1 : n), 0)
    // The proxy counts every call to the provider by performance.now(): the ones it failed too.
    const calls = (from: number, to: number): number => endpoints.provider!.callsBetween(outcome.startedAtMs + from, outcome.startedAtMs + to)
    const fromMs = fromSeconds * 1000
    const toMs = toSeconds * 1000
    outage = {
      fromSeconds,
      toSeconds,
      responses: between(outcome.arrivals, fromMs, toMs),
      failures: between(outcome.failureArrivals, fromMs, toMs),
      staleAnswers: answers?.staleBetween(fromMs, toMs) ?? null,
      latencyMs: summarizeLatencies(latenciesBetween(outcome, fromMs, toMs)),
      originCalls: calls(fromMs, toMs),
      responsesAfter: between(outcome.arrivals, toMs, endMs + 1),
      failuresAfter: between(outcome.failureArrivals, toMs, endMs + 1),
      staleAnswersAfter: answers?.staleBetween(toMs, endMs + 1) ?? null,
      // Until the counters were read, past the last answer: the recovery's refreshes.
      originCallsAfter: calls(toMs, performance.now() - outcome.startedAtMs)
    }
    // Per second: who kept answering, who served stale, and the calls the provider saw (the proxy's).
    const seconds = Math.ceil(endMs / 1000)
    const polls: OriginPoll[] = Array.from({ length: seconds + 1 }, (_, s) => ({ atMs: s * 1000, requests: calls(-1e9, s * 1000) }))
    const stale = answers?.stalePerSecond(seconds)
    storm = {
      timeline: buildTimeline(outcome, durationSeconds, polls).map((bucket) => ({ ...bucket, staleAnswers: stale?.[bucket.second] ?? null }))
    }
  }
  let purge: PurgeInfo | null = null
  if (purgePlan !== null && purged !== undefined) {
    // On the load's clock, like every arrival.
    const purgedAtMs = purged.atMs - outcome.startedAtMs
    purge = {
      path: prefix + purgePlan.segment,
      method: purged.method,
      status: purged.status,
      requestMs: purged.requestMs,
      purgedAtSeconds: purgedAtMs / 1000,
      ...purgeFigures(answers?.watched() ?? [], purgedAtMs, revision + 1)
    }
    if (purged.method === null) purge.timeToFreshMs = null
  }

  let measurement = buildMeasurement({
    repetition, seed, outcome, route, edgeCache: endpoints.edgeCache, rate: options.rate, connections: options.connections, ...observed, ...storm
  })
  measurement = {
    ...measurement,
    // A peer's cache is invisible to the app's counters: what it saved is what the provider did not serve.
    ...(endpoints.peer === true && measurement.hitRatio.miss === null ? { hitRatio: hitRatioFromOrigin(measurement) } : {}),
    ...(answers === undefined ? {} : { staleAnswers: answers.staleBetween() }),
    ...(outage === null ? {} : { outage }),
    ...(purge === null ? {} : { purge })
  }
  bar.end(runLine(label, measurement))
  for (const w of warnings) deps.progress.note(`  warning: ${w}`)
  return measurement
}

/**
 * Waves of `connections` simultaneous requests (one per connection, autocannon's `amount`),
 * each for one city nobody asked for yet: how many provider calls a cold key costs when the
 * whole cluster asks for it at once, and how long the first and last answers take.
 */
async function measureStampede (
  options: Readonly<LoadTestOptions>, deps: RunnerDependencies, scenario: Scenario, repetition: number, endpoints: Endpoints, label: string
): Promise<Measurement> {
  const plan = scenario.stampede!
  const target = label.split(' · ')[0] as TargetName
  const { prefix, route } = routeOf(target)
  const warnings: string[] = []
  const warn = (message: string): void => { warnings.push(message) }
  const finish = await observeAround(deps, endpoints, warn)
  const bar = deps.progress.run(label, plan.waves)
  const waves: StampedeWave[] = []
  const latencies: Float64Array[] = []
  const total: Omit<LoadOutcome, 'latencies' | 'arrivals' | 'failureArrivals' | 'startedAtMs'> = {
    startedAt: new Date(),
    durationSeconds: 0,
    ok: 0,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    bytes: 0,
    statusCodes: {}
  }
  for (const segment of scenario.segments) {
    const path = prefix + segment
    const before = await originRequests(endpoints.originStatsUrl, warn)
    const outcome = await runLoad({
      url: endpoints.loadUrl,
      connections: plan.connections,
      pipelining: 1,
      rate: null,
      timeoutSeconds: options.timeoutSeconds,
      amount: plan.connections,
      maxResponses: plan.connections,
      durationSeconds: options.timeoutSeconds,
      nextPath: traced(deps, label, () => path),
      recordLatencies: true,
      recordArrivals: true
    })
    // Answers are in; the provider's count of this wave's loads is final once they are.
    await sleep(SETTLE_MS)
    const after = await originRequests(endpoints.originStatsUrl, warn)
    waves.push(stampedeWave(path, plan.connections, outcome, before === null || after === null ? null : Math.max(0, after - before)))
    latencies.push(Float64Array.from(outcome.latencies))
    total.durationSeconds += outcome.durationSeconds
    total.ok += outcome.ok
    total.non2xx += outcome.non2xx
    total.errors += outcome.errors
    total.timeouts += outcome.timeouts
    total.bytes += outcome.bytes
    for (const [code, n] of Object.entries(outcome.statusCodes)) total.statusCodes[code] = (total.statusCodes[code] ?? 0) + n
    bar.tick(waves.length, total.ok + total.non2xx)
  }
  const observed = await finish()
  const all = new Float64Array(latencies.reduce((n, l) => n + l.length, 0))
  latencies.reduce((offset, l) => { all.set(l, offset); return offset + l.length }, 0)
  const outcome: LoadOutcome = { ...total, startedAtMs: 0, latencies: all, arrivals: new Float64Array(0), failureArrivals: new Float64Array(0) }
  const measurement = buildMeasurement({
    repetition,
    seed: deriveSeed(options.seed, scenario.name, repetition),
    outcome,
    route,
    edgeCache: endpoints.edgeCache,
    rate: null,
    connections: plan.connections,
    ...observed,
    stampede: { connections: plan.connections, waves }
  })
  bar.end(runLine(label, measurement))
  for (const w of warnings) deps.progress.note(`  warning: ${w}`)
  return measurement
}

const traced = (deps: RunnerDependencies, label: string, nextPath: () => string): () => string => deps.trace?.record(label, nextPath) ?? nextPath

export async function runLoadTest (options: Readonly<LoadTestOptions>, deps: RunnerDependencies): Promise<Results> {
  if (options.recordTrace !== null && deps.trace === undefined) {
    const trace = new TraceRecorder(options.recordTrace, deps.command)
    try {
      return await runLoadTest(options, { ...deps, trace })
    } finally {
      await trace.close()
      deps.progress.note(`recorded ${trace.lines} request paths in ${trace.file}`)
    }
  }
  const startedAt = new Date()
  const warnings: string[] = []
  const scenarios = options.scenarios.map((name) => buildScenario(name, deps.cities, options))
  const measured = new Map<string, Measurement[]>()
  const key = (target: string, scenario: string): string => `${target}\u0000${scenario}`
  const targets = new Map<RunTargetName, TargetInfo>()
  const skipped = new Set<RunTargetName>()
  let firstEndpoints: Endpoints | undefined
  // With --redis cluster|both, names carry the topology: layered@cluster.
  const runOrder = runTargets(options.targets, options.redis, options.edgeStrategy, options.l1Policies)

  await deps.bed.begin(runOrder)
  // Repetitions outermost, targets innermost: a slow minute on a shared machine spreads over
  // every target instead of landing on one.
  let interrupted = false
  for (let repetition = 1; repetition <= options.repetitions; repetition++) {
    for (const scenario of scenarios) {
      for (const target of runOrder) {
        if (skipped.has(target)) continue
        if (deps.signal?.aborted === true) {
          warnings.push('interrupted: the results hold the runs finished before the interruption')
          interrupted = true
          break
        }
        let endpoints: Endpoints
        const prepare = (): Promise<Endpoints> => deps.bed.prepare(target, { fresh: true, cold: scenario.coldStart, appEnv: runEnv(options, target, scenario) })
        try {
          // One retry: on a shared, loaded machine a (re)start can fail once for reasons that
          // are not the target's (a slow ready check, dist/ rebuilt meanwhile).
          endpoints = await prepare().catch(async (err: unknown) => {
            deps.progress.note(`  ${target}: start failed (${(err as Error).message.split('\n')[0]}); retrying once`)
            await sleep(2000)
            return await prepare()
          })
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
          const parts = splitTarget(target)
          targets.set(target, {
            name: target,
            kind: targetKind(target),
            strategy: endpoints.strategy,
            edgeCache: endpoints.edgeCache,
            pathPrefix: routeOf(target).prefix,
            ...(options.redis === 'single' ? {} : { redis: parts.redis }),
            ...(parts.l1Policy === undefined ? {} : { l1Policy: parts.l1Policy })
          })
          // A stampede or a storm must find its keys cold: their preflight asks for the last
          // city of the list, which they do not use (main selects one more than they need).
          const probe = scenario.kind === 'steady' ? scenario.segments[0]! : deps.cities[deps.cities.length - 1]!.segment
          const problem = await preflight(endpoints.loadUrl + routeOf(target).prefix + probe)
          if (problem !== undefined) {
            warnings.push(`${target} skipped: ${problem}`)
            deps.progress.note(`${target} skipped: ${problem}`)
            skipped.add(target)
            continue
          }
        }
        let measurement = await measureOnce(options, deps, target, scenario, repetition, endpoints)
        if (endpoints.redisShards !== undefined) {
          // After the run (its fills settled): how the keys spread over the cluster's shards.
          const redisShards = await endpoints.redisShards().catch((err: unknown) => {
            deps.progress.note(`  warning: reading the cluster's key counts failed: ${(err as Error).message}`)
            return undefined
          })
          if (redisShards !== undefined) {
            measurement = { ...measurement, redisShards }
            deps.progress.note(`  keys per master after ${target} · ${scenario.name}: ${masterKeys(redisShards).join(' / ')}`)
          }
        }
        const list = measured.get(key(target, scenario.name))
        if (list === undefined) measured.set(key(target, scenario.name), [measurement])
        else list.push(measurement)
      }
      if (interrupted) break
    }
    if (interrupted) break
  }

  const results: Result[] = []
  for (const target of runOrder) {
    for (const scenario of scenarios) {
      const measurements = measured.get(key(target, scenario.name))
      if (measurements !== undefined) {
        results.push({ target, kind: targetKind(target), scenario: scenario.name, measurements, summary: summarize(measurements) })
      }
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
    machine: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
      totalMemoryBytes: totalmem()
    },
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
      seed: options.seed,
      stormCities: options.stormCities,
      stormTtlSeconds: options.stormTtlSeconds,
      stampedeConnections: options.stampedeConnections,
      stampedeWaves: options.stampedeWaves,
      outageSeconds: options.outageSeconds
    },
    latency: latencyMethod(options),
    scenarios: scenarios.map((s) => ({
      name: s.name,
      description: s.description,
      kind: s.kind,
      coldStart: s.coldStart,
      appEnv: { ...s.appEnv },
      ...describeShape(s)
    })),
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
      method: 'Closed loop (each connection sends its next request when the previous answer arrives): ' +
        'no intended schedule exists, so there is nothing to correct against. These are service times under saturation; ' +
        'a stall delays the requests that would have been sent meanwhile, and those are not counted (coordinated omission). ' +
        'Use --rate for latency at a chosen load.'
    }
  }
  const intervalMs = (1000 * options.connections) / options.rate
  return {
    resolution: 'microseconds: every 2xx response timed by autocannon (process.hrtime), percentiles computed exactly from all of them (nearest rank)',
    correctedForCoordinatedOmission: true,
    method: `Fixed rate ${options.rate} req/s (autocannon overallRate: ` +
      `each connection may send ${(options.rate / options.connections).toFixed(2)} requests per second, released at the start of each second). ` +
      'latencyMs is raw (measured from the actual send, autocannon\'s own correction disabled because it uses a 1 ms interval). ' +
      `correctedLatencyMs back-fills, for every response slower than the intended interval I = connections/rate = ${intervalMs.toFixed(2)} ms, ` +
      'the requests that should have been sent while waiting (L−I, L−2I, … ≥ I), as HdrHistogram\'s recordValueWithExpectedInterval does. ' +
      'It is an estimate: autocannon releases each second\'s budget in a burst, not on an even schedule.'
  }
}
