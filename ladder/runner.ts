// The ladder, measured: one stack per nginx configuration (upstream keep-alive off, then on);
// for every run the app restarted with the rung's settings and Redis flushed, the same zipf
// workload primed, warmed and measured, in rounds that interleave the rungs; after a rung's first
// run, a separate short profiled run of one worker on the same processes. The baseline (the
// limit) ends every round of the last stack, on the last rung's app, through the same nginx.
import { cpus } from 'node:os'
import { join } from 'node:path'
import { selectCities } from '../loadtest/drive/cities.js'
import { DEFAULTS as LOADTEST_DEFAULTS } from '../loadtest/options.js'
import { runLoad } from '../loadtest/drive/load.js'
import { deriveSeed } from '../loadtest/drive/prng.js'
import { createProcFs, type ProcFs } from '../loadtest/measure/process-usage.js'
import { waitUntilUp } from '../loadtest/measure/probes.js'
import { buildScenario, describeShape, pathSource, type Scenario } from '../loadtest/drive/scenarios.js'
import type { Measurement } from '../loadtest/report/schema.js'
import { loadCities } from '../src/cities/dataset.js'
import { measure, prime, warmUpUntilSettled, type DriveOptions, type DriveTarget } from '../profile/drive-load.js'
import { buildProfileReport } from '../profile/profile-report.js'
import { profiledAppEnv } from '../src/profile-agent/profiled-env.js'
import { profileWorker } from '../profile/profile-worker.js'
import type { FunctionStat } from '../profile/cpu-summary.js'
import type { startStack as StartStackFn, Stack } from '../stack/stack.js'
import type { LadderOptions } from './options.js'
import {
  LADDER_SCHEMA_VERSION,
  measuredRuns,
  withLadderRatios,
  type LadderResults,
  type ProfiledFunction,
  type RungProfile,
  type RungResult
} from './results.js'
import { appEnvironment, nginxUpstreamKeepalive, RUNGS, type Rung } from './rungs.js'

export interface LadderDependencies {
  startStack: typeof StartStackFn
  /** Narration, one line at a time. */
  note: (line: string) => void
  command: string
  procfs?: ProcFs
  signal?: AbortSignal
}

export const PROFILING_METHOD = 'a separate short run right after each measured run, on the same app processes and the same traffic ' +
  '(its own request stream): worker 1 of the cluster samples its CPU (1 ms) and heap through node:inspector; the measured run itself is not profiled'

const PROFILER_CODE = /(^|\/)src\/profile\//
const WEATHER = { prefix: '/weather/', route: '/weather/:city' } as const
const BASELINE = { prefix: '/baseline/', route: '/baseline/:city' } as const

const asProfiled = (fn: FunctionStat): ProfiledFunction => ({ name: fn.name, location: fn.location, origin: fn.origin, selfShare: fn.selfShare })

function targetOf (stack: Stack): DriveTarget {
  return {
    loadUrl: stack.urls.nginx.replace(/\/$/, ''),
    metricsUrl: stack.urls.metrics,
    originStatsUrl: `${stack.urls.origin.replace(/\/$/, '')}/stats`,
    pids: { app: stack.pids.app, nginx: stack.pids.nginx, redis: stack.pids.redis ?? null, origin: stack.pids.origin }
  }
}

/** Bound on the whole command, s: every run with its timeouts, the profiles, the starts. */
export function ladderDeadlineSeconds (o: Readonly<LadderOptions>): number {
  const perRun = o.maxWarmupSeconds + o.durationSeconds + 2 * o.timeoutSeconds + 40
  const perProfile = o.profileSeconds + o.timeoutSeconds + 30
  return 120 + (RUNGS.length + 1) * (o.rounds * perRun + perProfile)
}

/** Consecutive rungs that share one nginx configuration (upstream keep-alive), so one stack. */
export function stackGroups (rungs: readonly Rung[]): Rung[][] {
  const groups: Rung[][] = []
  for (const rung of rungs) {
    const last = groups.at(-1)
    if (last !== undefined && nginxUpstreamKeepalive(last[0]!.settings) === nginxUpstreamKeepalive(rung.settings)) last.push(rung)
    else groups.push([rung])
  }
  return groups
}

type MeasuredRung = Omit<RungResult, 'ratioToFirst' | 'stepGain' | 'stepBeyondNoise' | 'cpuPerRequestRatio' | 'fractionOfLimit'>

const fmtRps = (rps: number): string => Math.round(rps).toLocaleString('en-US').padStart(7)

export async function runLadder (o: Readonly<LadderOptions>, deps: LadderDependencies): Promise<LadderResults> {
  const startedAt = new Date()
  const procfs = deps.procfs ?? createProcFs()
  const warnings: string[] = []
  const cities = selectCities(loadCities(), o.cities)
  const scenario: Scenario = buildScenario('zipf', cities, { ...LOADTEST_DEFAULTS, cities: o.cities })
  const drive: DriveOptions = { connections: o.connections, timeoutSeconds: o.timeoutSeconds, maxResponses: 5_000_000, seed: o.seed }
  const profileRoot = join(o.outDir, 'profiles')
  const runs = new Map<string, Measurement[]>(RUNGS.map((rung) => [rung.id, []]))
  const profiles = new Map<string, RungProfile | null>()
  const baselineRuns: Measurement[] = []
  let stack: Stack | undefined
  let interrupted = false

  const appEnvFor = (rung: Rung): Record<string, string> => ({
    ...appEnvironment(rung.settings, { originTimeoutMs: o.originTimeoutMs }),
    ...profiledAppEnv({ outDir: join(profileRoot, `rung-${rung.id}`), maxDurationMs: (o.profileSeconds + o.timeoutSeconds + 30) * 1000 })
  })
  // A run measures the configuration, not the app's start: warm up until its CPU per request settles.
  const settle = async (target: DriveTarget, prefix: string, label: string): Promise<number> => {
    if (target.pids.app === null) throw new Error('the stack reports no app pid')
    const outcome = await warmUpUntilSettled(target, scenario, prefix, {
      ...drive,
      procfs,
      appPid: target.pids.app,
      minSeconds: o.warmupSeconds,
      maxSeconds: o.maxWarmupSeconds
    })
    if (!outcome.settled) {
      warnings.push(`${label.trim()}: the app's CPU per request had not settled after ${outcome.seconds.toFixed(1)} s of warm-up ` +
        `(µs per request, 0.5 s windows: ${outcome.cpuMicrosPerRequest.map((us) => Math.round(us)).join(', ')})`)
    }
    return outcome.seconds
  }
  const stopIfAborted = (where: string): boolean => {
    if (deps.signal?.aborted !== true) return false
    if (!interrupted) warnings.push(`interrupted ${where}: the results hold the runs measured before`)
    interrupted = true
    return true
  }

  // Rounds interleave the rungs of one nginx configuration (0 … 3b, then 3c, 4 and the limit):
  // a machine that drifts during the run shifts every rung of a round alike, and the medians
  // rank steps a few percent apart that one run per rung cannot. nginx's configuration is fixed
  // per stack, so a new stack only when the upstream keep-alive switch turns.
  const groups = stackGroups(RUNGS)
  try {
    for (const [g, group] of groups.entries()) {
      const lastGroup = g === groups.length - 1
      for (let round = 1; round <= o.rounds; round++) {
        for (const rung of group) {
          if (stopIfAborted(`before rung ${rung.id}, round ${round}`)) break
          const label = `rung ${rung.id.padEnd(3)}${o.rounds > 1 ? ` round ${round}/${o.rounds}` : ''}`
          const began = Date.now()
          if (stack === undefined) {
            const keepalive = nginxUpstreamKeepalive(rung.settings)
            stack = await deps.startStack({
              strategy: rung.settings.strategy,
              workers: o.workers,
              redis: true,
              rateLimit: false,
              accessLog: false,
              appEnv: appEnvFor(rung),
              logLevel: 'warn',
              forwardOutput: false,
              // Rung 0 queues requests for seconds: nginx must wait, not retry (a retry re-sends
              // the request to the same busy workers and multiplies the load). Every rung alike.
              nginx: { upstreamKeepalive: keepalive, proxyReadTimeoutSeconds: o.timeoutSeconds, proxyNextUpstreamTimeoutSeconds: o.timeoutSeconds + 1 }
            })
            deps.note(`${label}: started the stack (nginx upstream keep-alive ${keepalive === 0 ? 'off' : keepalive}) ` +
              `in ${((Date.now() - began) / 1000).toFixed(1)} s`)
          } else {
            // Every run of a rung starts from a fresh app (cold L1) and an empty L2, primed alike.
            await stack.restartApp({ strategy: rung.settings.strategy, workers: o.workers, appEnv: appEnvFor(rung) })
          }
          await stack.flushRedis()
          const target = targetOf(stack)
          await waitUntilUp(`${stack.urls.app}/ready`, 30_000)

          if (rung.settings.strategy !== 'none') await prime(target, scenario, WEATHER.prefix, drive)
          const warm = await settle(target, WEATHER.prefix, `${label}`)
          const measurement = await measure(target, scenario, WEATHER.prefix, {
            ...drive,
            procfs,
            durationSeconds: o.durationSeconds,
            route: WEATHER.route,
            stream: `measured-${round}`
          })
          runs.get(rung.id)!.push(measurement)
          deps.note(`${label} ${fmtRps(measurement.requestsPerSecond)} req/s after ${warm.toFixed(1)} s of warm-up, ` +
            `p99 ${measurement.latencyMs.p99.toFixed(1)} ms, ${measurement.originCalls ?? '?'} origin calls, ` +
            `${Math.round(measurement.resources.app?.cpuMicrosPerRequest ?? NaN)} µs CPU/req` +
            `${measurement.non2xx + measurement.errors > 0 ? `, ${measurement.non2xx} non-2xx, ${measurement.errors} errors` : ''}`)
          if (measurement.non2xx + measurement.errors > 0) {
            warnings.push(`rung ${rung.id}, round ${round}: ${measurement.non2xx} non-2xx answers and ${measurement.errors} errors in the measured run`)
          }

          // One profile per rung, after its first measured run, on the same processes.
          if (round === 1) {
            let profile: RungProfile | null = null
            try {
              profile = await profileRung(rung, target, scenario, drive, o, join(profileRoot, `rung-${rung.id}`))
              deps.note(`          profile: ${profile.topThree.map((f) => `${f.name} ${(100 * f.selfShare).toFixed(1)}%`).join(', ')}`)
            } catch (err) {
              warnings.push(`rung ${rung.id}: no profile: ${(err as Error).message}`)
              deps.note(`rung ${rung.id}: no profile: ${(err as Error).message}`)
            }
            profiles.set(rung.id, profile)
          }
        }
        if (interrupted) break
        if (lastGroup && o.baseline && !stopIfAborted(`before the baseline, round ${round}`)) {
          // The last rung's app serves /baseline/:city (EXPOSE_BASELINE=true): a constant answer of a
          // report's size through the same nginx → cluster path, i.e. what the machine can serve at all.
          const target = targetOf(stack!)
          await settle(target, BASELINE.prefix, `baseline round ${round}`)
          const limit = await measure(target, scenario, BASELINE.prefix, {
            ...drive,
            procfs,
            durationSeconds: o.durationSeconds,
            route: BASELINE.route,
            stream: `measured-${round}`
          })
          baselineRuns.push(limit)
          deps.note(`baseline${o.rounds > 1 ? ` round ${round}/${o.rounds}` : ''} ${fmtRps(limit.requestsPerSecond)} req/s, ` +
            `p99 ${limit.latencyMs.p99.toFixed(1)} ms`)
        }
      }
      if (interrupted) break
      await stack?.stop()
      stack = undefined
    }
  } finally {
    await stack?.stop()
  }

  const measured: MeasuredRung[] = RUNGS.filter((rung) => runs.get(rung.id)!.length > 0).map((rung) => ({
    id: rung.id,
    stage: rung.stage,
    step: rung.step,
    why: rung.why,
    settings: { ...rung.settings, naive: [...rung.settings.naive] },
    appEnv: appEnvironment(rung.settings, { originTimeoutMs: o.originTimeoutMs }),
    nginxUpstreamKeepalive: nginxUpstreamKeepalive(rung.settings),
    ...measuredRuns(runs.get(rung.id)!),
    profile: profiles.get(rung.id) ?? null
  }))
  const baseline = baselineRuns.length === 0 ? null : measuredRuns(baselineRuns)

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
      rounds: o.rounds,
      warmupSeconds: o.warmupSeconds,
      maxWarmupSeconds: o.maxWarmupSeconds,
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

async function profileRung (
  rung: Rung,
  target: DriveTarget,
  scenario: Scenario,
  drive: DriveOptions,
  o: Readonly<LadderOptions>,
  outDir: string
): Promise<RungProfile> {
  let requests = 0
  const artifacts = await profileWorker({
    outDir,
    timeoutMs: (o.profileSeconds + o.timeoutSeconds + 30) * 1000,
    during: async () => {
      const outcome = await runLoad({
        url: target.loadUrl,
        connections: drive.connections,
        pipelining: 1,
        rate: null,
        timeoutSeconds: drive.timeoutSeconds,
        maxResponses: drive.maxResponses,
        nextPath: pathSource(scenario, WEATHER.prefix, deriveSeed(drive.seed, 'profiled')),
        durationSeconds: o.profileSeconds,
        recordLatencies: false
      })
      requests = outcome.ok + outcome.non2xx
    }
  })
  const report = await buildProfileReport(artifacts, { title: `rung ${rung.id} (${rung.stage}): ${rung.step}` })
  // The profiler's own sampler (src/profile-agent/) runs only while profiling: it is not the rung's cost.
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
