// The ladder, measured: one stack per nginx configuration (upstream keep-alive off, then on),
// the app restarted with each rung's settings and Redis flushed, the same zipf workload primed,
// warmed and measured, then a separate short profiled run of one worker on the same processes.
// The baseline (the limit) runs last, on the last rung's app, through the same nginx.
import { cpus } from 'node:os'
import { join } from 'node:path'
import { selectCities } from '../loadtest/cities.js'
import { DEFAULTS as LOADTEST_DEFAULTS } from '../loadtest/options.js'
import { runLoad } from '../loadtest/load.js'
import { deriveSeed } from '../loadtest/prng.js'
import { createProcFs, type ProcFs } from '../loadtest/process-usage.js'
import { waitUntilUp } from '../loadtest/probes.js'
import { buildScenario, describeShape, pathSource, type Scenario } from '../loadtest/scenarios.js'
import type { Measurement } from '../loadtest/schema.js'
import { loadCities } from '../src/cities/dataset.js'
import { measure, prime, warmUp, type DriveOptions, type DriveTarget } from '../src/profile/drive-load.js'
import { buildProfileReport } from '../src/profile/profile-report.js'
import { profiledAppEnv } from '../src/profile/profiled-env.js'
import { profileWorker } from '../src/profile/profile-worker.js'
import type { FunctionStat } from '../src/profile/cpu-summary.js'
import type { startStack as StartStackFn, Stack } from '../src/stack/stack.js'
import type { LadderOptions } from './options.js'
import { LADDER_SCHEMA_VERSION, withLadderRatios, type LadderResults, type ProfiledFunction, type RungProfile, type RungResult } from './results.js'
import { appEnvironment, nginxUpstreamKeepalive, RUNGS, type Rung } from './rungs.js'

export interface LadderDependencies {
  startStack: typeof StartStackFn
  /** Narration, one line at a time. */
  note: (line: string) => void
  command: string
  procfs?: ProcFs
  signal?: AbortSignal
}

export const PROFILING_METHOD = 'a separate short run right after each measured run, on the same app processes and the same traffic (its own request stream): worker 1 of the cluster samples its CPU (1 ms) and heap through node:inspector; the measured run itself is not profiled'

const PROFILER_CODE = /(^|\/)src\/profile\//
const WEATHER = { prefix: '/weather/', route: '/weather/:city' } as const
const BASELINE = { prefix: '/baseline/', route: '/baseline/:city' } as const

const asProfiled = (fn: FunctionStat): ProfiledFunction => ({ name: fn.name, location: fn.location, origin: fn.origin, selfShare: fn.selfShare })

function targetOf (stack: Stack): DriveTarget {
  return {
    loadUrl: stack.urls.nginx.replace(/\/$/, ''),
    metricsUrl: `${stack.urls.app.replace(/\/$/, '')}/metrics`,
    originStatsUrl: `${stack.urls.origin.replace(/\/$/, '')}/stats`,
    pids: { app: stack.pids.app, nginx: stack.pids.nginx, redis: stack.pids.redis ?? null, origin: stack.pids.origin }
  }
}

/** Bound on the whole command, s: every rung's phases with their timeouts, plus starts. */
export function ladderDeadlineSeconds (o: Readonly<LadderOptions>): number {
  const perRun = o.warmupSeconds + o.durationSeconds + o.profileSeconds + 3 * o.timeoutSeconds + 60
  return 120 + (RUNGS.length + 1) * perRun
}

export async function runLadder (o: Readonly<LadderOptions>, deps: LadderDependencies): Promise<LadderResults> {
  const startedAt = new Date()
  const procfs = deps.procfs ?? createProcFs()
  const warnings: string[] = []
  const cities = selectCities(loadCities(), o.cities)
  const scenario: Scenario = buildScenario('zipf', cities, { ...LOADTEST_DEFAULTS, cities: o.cities })
  const drive: DriveOptions = { connections: o.connections, timeoutSeconds: o.timeoutSeconds, maxResponses: 5_000_000, seed: o.seed }
  const profileRoot = join(o.outDir, 'profiles')
  let stack: Stack | undefined
  let stackKeepalive: number | undefined
  const measured: Array<Omit<RungResult, 'ratioToFirst' | 'stepGain' | 'cpuPerRequestRatio' | 'fractionOfLimit'>> = []
  let baseline: Measurement | null = null

  const appEnvFor = (rung: Rung): Record<string, string> => ({
    ...appEnvironment(rung.settings, { originTimeoutMs: o.originTimeoutMs }),
    ...profiledAppEnv({ outDir: join(profileRoot, `rung-${rung.id}`), maxDurationMs: (o.profileSeconds + o.timeoutSeconds + 30) * 1000 })
  })

  try {
    for (const rung of RUNGS) {
      if (deps.signal?.aborted === true) {
        warnings.push(`interrupted before rung ${rung.id}: the results hold the rungs measured before`)
        break
      }
      const keepalive = nginxUpstreamKeepalive(rung.settings)
      const appEnv = appEnvFor(rung)
      const began = Date.now()
      if (stack === undefined || stackKeepalive !== keepalive) {
        // nginx's configuration is fixed per stack: a new one when the rung turns its switch.
        await stack?.stop()
        stack = undefined
        stack = await deps.startStack({
          strategy: rung.settings.strategy,
          workers: o.workers,
          redis: true,
          rateLimit: false,
          accessLog: false,
          appEnv,
          logLevel: 'warn',
          forwardOutput: false,
          // Rung 0 queues requests for seconds: nginx must wait, not retry (a retry re-sends
          // the request to the same busy workers and multiplies the load). Every rung alike.
          nginx: { upstreamKeepalive: keepalive, proxyReadTimeoutSeconds: o.timeoutSeconds, proxyNextUpstreamTimeoutSeconds: o.timeoutSeconds + 1 }
        })
        stackKeepalive = keepalive
        deps.note(`rung ${rung.id}: started the stack (nginx upstream keep-alive ${keepalive === 0 ? 'off' : keepalive}) in ${((Date.now() - began) / 1000).toFixed(1)} s`)
      } else {
        await stack.restartApp({ strategy: rung.settings.strategy, workers: o.workers, appEnv })
        deps.note(`rung ${rung.id}: restarted the app in ${((Date.now() - began) / 1000).toFixed(1)} s`)
      }
      await stack.flushRedis()
      const target = targetOf(stack)
      await waitUntilUp(`${stack.urls.app}/ready`, 30_000)

      if (rung.settings.strategy !== 'none') await prime(target, scenario, WEATHER.prefix, drive)
      await warmUp(target, scenario, WEATHER.prefix, drive, o.warmupSeconds)
      const measurement = await measure(target, scenario, WEATHER.prefix, { ...drive, procfs, durationSeconds: o.durationSeconds, route: WEATHER.route })
      deps.note(`rung ${rung.id.padEnd(3)} ${Math.round(measurement.requestsPerSecond).toLocaleString('en-US').padStart(7)} req/s, p99 ${measurement.latencyMs.p99.toFixed(1)} ms, ${measurement.originCalls ?? '?'} origin calls, ` +
        `${Math.round(measurement.resources.app?.cpuMicrosPerRequest ?? NaN)} µs CPU/req${measurement.non2xx + measurement.errors > 0 ? `, ${measurement.non2xx} non-2xx, ${measurement.errors} errors` : ''}`)
      if (measurement.non2xx + measurement.errors > 0) warnings.push(`rung ${rung.id}: ${measurement.non2xx} non-2xx answers and ${measurement.errors} errors in the measured run`)

      let profile: RungProfile | null = null
      try {
        profile = await profileRung(rung, target, scenario, drive, o, join(profileRoot, `rung-${rung.id}`))
        deps.note(`          profile: ${profile.topThree.map((f) => `${f.name} ${(100 * f.selfShare).toFixed(1)}%`).join(', ')}`)
      } catch (err) {
        warnings.push(`rung ${rung.id}: no profile: ${(err as Error).message}`)
        deps.note(`rung ${rung.id}: no profile: ${(err as Error).message}`)
      }
      measured.push({ id: rung.id, stage: rung.stage, step: rung.step, why: rung.why, settings: { ...rung.settings, naive: [...rung.settings.naive] }, appEnv: appEnvironment(rung.settings, { originTimeoutMs: o.originTimeoutMs }), nginxUpstreamKeepalive: keepalive, measurement, profile })
    }

    if (o.baseline && stack !== undefined && deps.signal?.aborted !== true) {
      // The last rung's app serves /baseline/:city (EXPOSE_BASELINE=true): a constant answer of a
      // report's size through the same nginx → cluster path, i.e. what the machine can serve at all.
      const target = targetOf(stack)
      await warmUp(target, scenario, BASELINE.prefix, drive, o.warmupSeconds)
      baseline = await measure(target, scenario, BASELINE.prefix, { ...drive, procfs, durationSeconds: o.durationSeconds, route: BASELINE.route })
      deps.note(`baseline ${Math.round(baseline.requestsPerSecond).toLocaleString('en-US').padStart(7)} req/s, p99 ${baseline.latencyMs.p99.toFixed(1)} ms`)
    }
  } finally {
    await stack?.stop()
  }

  const finishedAt = new Date()
  const cpuList = cpus()
  const shape = describeShape(scenario)
  return {
    schemaVersion: LADDER_SCHEMA_VERSION,
    tool: 'cachestack-ladder',
    command: deps.command,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    machine: { node: process.version, cpus: cpuList.length, cpuModel: cpuList[0]?.model.trim() ?? 'unknown' },
    workload: {
      scenario: scenario.name,
      description: scenario.description,
      distinctPaths: shape.distinctPaths,
      connections: o.connections,
      durationSeconds: o.durationSeconds,
      warmupSeconds: o.warmupSeconds,
      profileSeconds: o.profileSeconds,
      workers: o.workers,
      seed: o.seed,
      quick: o.quick,
      originTimeoutMs: o.originTimeoutMs,
      nginxReadTimeoutSeconds: o.timeoutSeconds,
      profiling: PROFILING_METHOD
    },
    rungs: withLadderRatios(measured, baseline),
    baseline,
    warnings
  }
}

async function profileRung (rung: Rung, target: DriveTarget, scenario: Scenario, drive: DriveOptions, o: Readonly<LadderOptions>, outDir: string): Promise<RungProfile> {
  let requests = 0
  const artifacts = await profileWorker({
    outDir,
    timeoutMs: (o.profileSeconds + o.timeoutSeconds + 30) * 1000,
    during: async () => {
      const outcome = await runLoad({
        url: target.loadUrl, connections: drive.connections, pipelining: 1, rate: null, timeoutSeconds: drive.timeoutSeconds, maxResponses: drive.maxResponses,
        nextPath: pathSource(scenario, WEATHER.prefix, deriveSeed(drive.seed, 'profiled')), durationSeconds: o.profileSeconds, recordLatencies: false
      })
      requests = outcome.ok + outcome.non2xx
    }
  })
  const report = await buildProfileReport(artifacts, { title: `rung ${rung.id} (${rung.stage}): ${rung.step}` })
  // The profiler's own sampler (src/profile/) runs only while profiling: it is not the rung's cost.
  const ranked = report.cpu.functions.filter((fn) => fn.origin !== 'v8' && !PROFILER_CODE.test(fn.location))
  const own = ranked.find((fn) => fn.origin === 'own')
  return {
    topThree: ranked.slice(0, 3).map(asProfiled),
    topOwn: own === undefined ? null : asProfiled(own),
    idleShare: report.cpu.durationUs > 0 ? report.cpu.idleUs / report.cpu.durationUs : 0,
    cpuProfile: artifacts.cpuProfile,
    flameGraph: report.flameGraph,
    seconds: artifacts.durationMs / 1000,
    requests
  }
}
