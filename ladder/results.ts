// What one ladder run produces (ladder.json), and the ratios every report shows, computed once.
import type { Measurement, Summary } from '../loadtest/report/schema.js'
import { summarize } from '../loadtest/measure/summary.js'
import type { CodeOrigin } from '../profile/code-origin.js'
import type { RungSettings } from './rungs.js'

export const LADDER_SCHEMA_VERSION = 2

/** A rung's (or the baseline's) runs, one per round, and their summary: medians and spreads. */
export interface MeasuredRuns {
  /** In round order. */
  measurements: Measurement[]
  /** The load-test suite's summary of them: median req/s with its spread, median latencies, CPU per request… */
  summary: Summary
}

export function measuredRuns (measurements: readonly Measurement[]): MeasuredRuns {
  return { measurements: [...measurements], summary: summarize(measurements) }
}

/** One function of a rung's CPU profile. */
export interface ProfiledFunction {
  name: string
  /** file:line, relative to the repository or to node_modules. */
  location: string
  origin: CodeOrigin
  /** Share of the profile's samples with the function on top of the stack. */
  selfShare: number
}

export interface RungProfile {
  /** The three functions with the most self time (V8's idle/GC/program entries left out). */
  topThree: ProfiledFunction[]
  /** Our own function with the most self time (what a step can change). */
  topOwn: ProfiledFunction | null
  /** Share of the profiled worker's time spent idle (waiting for I/O). */
  idleShare: number
  cpuProfile: string
  flameGraph: string
  /** How long the profiled run lasted, s. */
  seconds: number
  requests: number
}

export interface RungResult extends MeasuredRuns {
  id: string
  stage: string
  step: string
  why: string
  settings: RungSettings
  /** The app's environment (what differs between rungs) and nginx's upstream keep-alive pool. */
  appEnv: Record<string, string>
  nginxUpstreamKeepalive: number
  profile: RungProfile | null
  /** Median req/s ÷ rung 0's. */
  ratioToFirst: number | null
  /** req/s ÷ the previous rung's: what this rung's one step gained. */
  stepGain: number | null
  /** Whether the step stands out of the noise: every round of one rung above every round of the
   * other (their req/s ranges do not overlap). null with one round, or for rung 0. */
  stepBeyondNoise: boolean | null
  /** CPU µs per request ÷ the previous rung's (below 1: the step made a request cheaper). */
  cpuPerRequestRatio: number | null
  /** req/s ÷ the baseline's (the limit of this machine through the same path). */
  fractionOfLimit: number | null
}

export interface LadderResults {
  schemaVersion: typeof LADDER_SCHEMA_VERSION
  tool: 'cachestack-ladder'
  command: string
  startedAt: string
  finishedAt: string
  wallSeconds: number
  machine: { node: string, cpus: number, cpuModel: string }
  workload: {
    scenario: string
    description: string
    distinctPaths: number
    connections: number
    /** Measured seconds of one run. */
    durationSeconds: number
    /** Runs per rung, interleaved across the rungs of one nginx configuration. */
    rounds: number
    /** Warm-up before each run: at least warmupSeconds, then until the app's CPU per request settles, at most maxWarmupSeconds. */
    warmupSeconds: number
    maxWarmupSeconds: number
    profileSeconds: number
    workers: number
    seed: number
    quick: boolean
    originTimeoutMs: number
    /** nginx's proxy_read_timeout, s: above rung 0's queueing, so nginx never retries. */
    nginxReadTimeoutSeconds: number
    /** How the profiles were taken. */
    profiling: string
  }
  rungs: RungResult[]
  /** /baseline/:city through the same nginx → cluster path, with the last rung's app, once per round: the limit. */
  baseline: MeasuredRuns | null
  warnings: string[]
}

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b

const rps = (runs: MeasuredRuns | null | undefined): number | null | undefined => runs?.summary.requestsPerSecond.median

const cpuPerRequest = (runs: MeasuredRuns): number | null => runs.summary.appCpuMicrosPerRequest

/** Fills every rung's ratios from the medians (same run: ratios, not absolute req/s, are the finding). */
/** The two rungs' rounds do not overlap in req/s; null when either has a single round. */
function separated (a: MeasuredRuns, b: MeasuredRuns): boolean | null {
  if (a.measurements.length < 2 || b.measurements.length < 2) return null
  const ra = a.summary.requestsPerSecond
  const rb = b.summary.requestsPerSecond
  return ra.min > rb.max || rb.min > ra.max
}

export function withLadderRatios (
  rungs: ReadonlyArray<Omit<RungResult, 'ratioToFirst' | 'stepGain' | 'stepBeyondNoise' | 'cpuPerRequestRatio' | 'fractionOfLimit'>>,
  baseline: MeasuredRuns | null
): RungResult[] {
  const first = rps(rungs[0])
  return rungs.map((rung, i) => {
    const previous = i === 0 ? undefined : rungs[i - 1]!
    return {
      ...rung,
      ratioToFirst: ratio(rps(rung), first),
      stepGain: previous === undefined ? null : ratio(rps(rung), rps(previous)),
      stepBeyondNoise: previous === undefined ? null : separated(rung, previous),
      cpuPerRequestRatio: previous === undefined ? null : ratio(cpuPerRequest(rung), cpuPerRequest(previous)),
      fractionOfLimit: ratio(rps(rung), rps(baseline))
    }
  })
}

export { cpuPerRequest }
