// One soak: start the native stack, drive the mixed load at its fixed rate, sample every
// interval, stop everything, and judge each series over the second half of the run.
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { DatasetCity } from '../src/cities/dataset.js'
import type { Stack, StackOptions } from '../stack/stack.js'
import { selectCities } from '../loadtest/drive/cities.js'
import { appSettings, type AppSettings } from './app-settings.js'
import { median, percentile } from '../loadtest/measure/stats.js'
import { GROWTH_RULES, explainRssByHeap, judgeSeries, type Judgement } from './growth.js'
import { REQUEST_KINDS, RequestMix, type RequestKind } from './mix.js'
import type { SoakOptions } from './options.js'
import { defaultMaxInFlight, startPacedLoad, type Anomaly, type PacedLoadOutcome } from './paced-client.js'
import { createProcReader, type ProcReader } from './proc.js'
import { createSampler, type SoakEvent } from './samplers.js'
import type { SeriesSpec } from './series.js'

export const SCHEMA = 'cachestack-soak/1'

export interface SeriesResult extends SeriesSpec {
  /** One per sample (parallel to samples.t); null where the source gave nothing. */
  values: Array<number | null>
  stats: { first: number | null, last: number | null, min: number | null, median: number | null, max: number | null }
  judgement: Judgement
}

export interface KindSummary {
  sent: number
  statuses: Record<string, number>
  unexpected: number
  errors: number
  p50Ms: number | null
  p99Ms: number | null
}

export interface SoakResult {
  schema: typeof SCHEMA
  command: string
  startedAt: string
  /** Planned load seconds, and how long it ran. */
  durationSeconds: number
  elapsedSeconds: number
  interrupted: boolean
  options: SoakOptions
  app: Omit<AppSettings, 'purgeToken' | 'env'> & { strategy: 'layered', workers: number, env: Record<string, string> }
  machine: { cpus: number, cpuModel: string, totalMemoryBytes: number, node: string }
  load: {
    rate: number
    sent: number
    skipped: number
    kinds: Record<RequestKind, KindSummary>
    anomalies: Anomaly[]
    anomalyCount: number
    /** Cold cities available, and how many times they were all used and started over. */
    coldCities: number
    coldRecycled: number
  }
  /** The judged window: the second half of what ran. */
  window: { start: number, end: number }
  samples: { intervalSeconds: number, t: number[] }
  series: SeriesResult[]
  events: SoakEvent[]
  notes: string[]
  /** Why the soak failed; empty when it passed. */
  failures: string[]
  passed: boolean
}

export interface SoakDependencies {
  startStack: (options: StackOptions) => Promise<Stack>
  /** The data set (src/cities/dataset.ts loadCities). */
  loadCities: () => readonly DatasetCity[]
  /** The command line, as the report shows it. */
  command: string
  /** Narration. */
  onNote?: (line: string) => void
  /** Aborting ends the load early; what ran is still judged (and the soak marked interrupted). */
  signal?: AbortSignal
  proc?: ProcReader
}

/** The rate's ramp from 0: a tenth of the run, at most 30 s (inside the first half, never judged). */
export const rampSeconds = (durationSeconds: number): number => Math.min(30, durationSeconds / 10)

const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((resolve) => {
  if (signal?.aborted === true) return resolve()
  const timer = setTimeout(done, ms)
  function done (): void {
    clearTimeout(timer)
    signal?.removeEventListener('abort', done)
    resolve()
  }
  signal?.addEventListener('abort', done, { once: true })
})

function statsOf (values: ReadonlyArray<number | null>): SeriesResult['stats'] {
  const measured = values.filter((v): v is number => v !== null)
  if (measured.length === 0) return { first: null, last: null, min: null, median: null, max: null }
  return {
    first: measured[0]!,
    last: measured[measured.length - 1]!,
    min: Math.min(...measured),
    median: median(measured),
    max: Math.max(...measured)
  }
}

function summarizeKinds (outcome: PacedLoadOutcome): Record<RequestKind, KindSummary> {
  return Object.fromEntries(REQUEST_KINDS.map((kind) => {
    const tally = outcome.byKind[kind]
    const sorted = Float64Array.from(tally.latenciesMs).sort()
    const at = (p: number): number | null => (sorted.length === 0 ? null : percentile(sorted, p))
    return [kind, { sent: tally.sent, statuses: tally.statuses, unexpected: tally.unexpected, errors: tally.errors, p50Ms: at(50), p99Ms: at(99) }]
  })) as Record<RequestKind, KindSummary>
}

export async function runSoak (options: Readonly<SoakOptions>, deps: SoakDependencies): Promise<SoakResult> {
  const { startStack, loadCities, command, onNote = () => {}, signal, proc = createProcReader() } = deps
  const startedAt = new Date()
  const settings = appSettings(options)
  onNote(`soak: ${options.durationSeconds} s at ${options.rate} req/s through nginx → ${options.workers} workers (layered) → Redis + provider; ` +
    `sampling every ${options.intervalSeconds} s`)
  onNote(`  app: CACHE_TTL_SECONDS=${settings.ttlSeconds} CACHE_GRACE_SECONDS=${settings.graceSeconds} L1_MAX_ENTRIES=${settings.l1MaxEntries} ` +
    '(sized to settle in the first quarter)')
  // The heap probe (soak/worker-probe.ts) rides in every app process: the primary and, through
  // the environment they inherit, its workers.
  const probeDir = await mkdtemp(join(tmpdir(), 'cachestack-soak-probe-'))
  const probe = `--import=${pathToFileURL(fileURLToPath(new URL('./worker-probe.js', import.meta.url))).href}`
  const appEnv = { ...settings.env, SOAK_PROBE_DIR: probeDir, NODE_OPTIONS: [settings.env.NODE_OPTIONS, probe].filter(Boolean).join(' ') }
  const began = Date.now()
  const stackStarting = startStack({
    strategy: 'layered',
    workers: options.workers,
    redis: 'single',
    // nginx's per-client limit (50 r/s) would refuse the soak's one client: the soak is about the app.
    rateLimit: false,
    // The access log is a file that grows with every request: disk, not a leak of a process.
    accessLog: false,
    appEnv,
    logLevel: 'warn',
    forwardOutput: false,
    // A Redis that died would be a fault, not a soak: leave it down, and fail.
    redisRestartDelayMs: false,
    onNote: (message) => onNote(`  stack: ${message}`),
    ...(signal === undefined ? {} : { signal })
  })
  let stack: Stack | undefined
  try {
    // Cold misses need a never-requested city each: rate × share × duration of them, after the hot set.
    const coldNeeded = Math.ceil(options.rate * options.mix.cold * options.durationSeconds) + 1
    const selected = selectCities(loadCities(), Math.min(100_000, options.cities + coldNeeded))
    const hot = selected.slice(0, options.cities)
    const cold = selected.slice(options.cities)
    stack = await stackStarting
    onNote(`  stack up in ${((Date.now() - began) / 1000).toFixed(1)} s: nginx ${stack.urls.nginx}, metrics ${stack.urls.metrics}, redis ${stack.urls.redis}`)
    const mix = new RequestMix({ hot, cold, shares: options.mix, purgeToken: settings.purgeToken, seed: options.seed })
    const sampler = createSampler({
      primaryPid: stack.pids.app,
      workers: options.workers,
      nginxPid: stack.pids.nginx,
      originPid: stack.pids.origin,
      metricsUrl: stack.urls.metrics,
      redisUrl: stack.urls.redis!,
      probeDir
    }, proc)

    const crashed = new AbortController()
    const failures: string[] = []
    void stack.crashed.then((message) => {
      failures.push(`the stack broke: ${message}`)
      sampler.events.push({ t: load.elapsedSeconds(), message })
      crashed.abort()
    })
    const stopLoad = signal === undefined ? crashed.signal : AbortSignal.any([signal, crashed.signal])
    const load = startPacedLoad({
      url: stack.urls.nginx,
      rate: options.rate,
      durationSeconds: options.durationSeconds,
      rampSeconds: rampSeconds(options.durationSeconds),
      next: () => mix.next(),
      connections: options.connections,
      timeoutMs: options.timeoutMs,
      onAnswer: (planned, status, etag) => { if (status === 200 && etag !== undefined) mix.remember(planned.hotIndex, etag) },
      signal: stopLoad
    })
    let loadDone = false
    const outcomePromise = load.done.finally(() => { loadDone = true })

    // Drift-free: sample k at k × interval after the load began, while it runs (a sample after its
    // end would show the client's connections closing, not the service).
    const times: number[] = []
    const rows: Array<Record<string, number | null>> = []
    const take = async (): Promise<void> => {
      const t = load.elapsedSeconds()
      rows.push(await sampler.sample(t, times.length === 0 ? null : load.takeWindow()))
      times.push(t)
    }
    let lastReport = 0
    for (let k = 0; ; k++) {
      if (loadDone) break
      const wait = k * options.intervalSeconds * 1000 - load.elapsedSeconds() * 1000
      if (wait > 0) await Promise.race([sleep(wait, stopLoad), outcomePromise])
      if (loadDone) break
      await take()
      if (times[times.length - 1]! - lastReport >= 60) {
        lastReport = times[times.length - 1]!
        onNote(`  ${Math.round(lastReport)} s of ${options.durationSeconds} s`)
      }
    }
    const outcome = await outcomePromise
    await sampler.close()

    const interrupted = signal?.aborted === true
    const end = Math.min(outcome.elapsedSeconds, times.at(-1) ?? 0)
    const window = { start: end / 2, end }
    const judged: SeriesResult[] = sampler.series.map((spec) => {
      const values = rows.map((row) => row[spec.id] ?? null)
      const judgement = judgeSeries(times.map((t, i) => ({ t, value: values[i]! })), GROWTH_RULES[spec.kind], window.start, window.end)
      return { ...spec, values, stats: statsOf(values), judgement }
    })
    const byId = new Map(judged.map((s) => [s.id, s.judgement]))
    const series = judged.map((s) => {
      const owner = /^(worker-\d+|primary)\.(rss|anon)$/.exec(s.id)?.[1]
      if (owner === undefined) return s
      return { ...s, judgement: explainRssByHeap(s.judgement, byId.get(`${owner}.heap-live`), byId.get(`${owner}.outside-heap`)) }
    })

    const kinds = summarizeKinds(outcome)
    for (const s of series) if (s.judgement.verdict === 'growing') failures.push(`${s.label} grows: ${s.judgement.reason}`)
    for (const kind of REQUEST_KINDS) {
      const k = kinds[kind]
      if (options.mix[kind] > 0 && k.sent === 0) failures.push(`no ${kind} request was sent`)
      if (k.unexpected > 0) failures.push(`${k.unexpected} ${kind} request(s) got an unexpected answer`)
      if (k.errors > 0) failures.push(`${k.errors} ${kind} request(s) got no answer`)
    }
    if (outcome.skipped > 0) {
      failures.push(`${outcome.skipped} request(s) were due while ${defaultMaxInFlight(options.rate)} waited: the service fell behind the rate`)
    }
    for (const e of sampler.events) if (/^worker \d+ \(pid \d+\) is gone/.test(e.message)) failures.push(`${e.message} at ${e.t.toFixed(0)} s`)
    if (interrupted) failures.push(`interrupted after ${outcome.elapsedSeconds.toFixed(0)} s of ${options.durationSeconds} s`)

    const notes = sampler.notes()
    if (mix.coldRecycled > 0) notes.push(`the ${cold.length} cold cities were all used; they were requested again ${mix.coldRecycled} time(s)`)
    return {
      schema: SCHEMA,
      command,
      startedAt: startedAt.toISOString(),
      durationSeconds: options.durationSeconds,
      elapsedSeconds: outcome.elapsedSeconds,
      interrupted,
      options: { ...options },
      app: {
        strategy: 'layered',
        workers: options.workers,
        ttlSeconds: settings.ttlSeconds,
        graceSeconds: settings.graceSeconds,
        l1MaxEntries: settings.l1MaxEntries,
        env: { ...appEnv, PURGE_TOKEN: '(random, per run)' }
      },
      machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', totalMemoryBytes: totalmem(), node: process.version },
      load: {
        rate: options.rate,
        sent: outcome.sent,
        skipped: outcome.skipped,
        kinds,
        anomalies: outcome.anomalies,
        anomalyCount: outcome.anomalyCount,
        coldCities: cold.length,
        coldRecycled: mix.coldRecycled
      },
      window,
      samples: { intervalSeconds: options.intervalSeconds, t: times },
      series,
      events: sampler.events,
      notes,
      failures,
      passed: failures.length === 0
    }
  } finally {
    stack ??= await stackStarting.catch(() => undefined)
    await stack?.stop()
    await rm(probeDir, { recursive: true, force: true })
  }
}
