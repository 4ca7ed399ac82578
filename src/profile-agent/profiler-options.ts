// Options of a profiling session, with every default in one place, and how a worker reads
// them from its environment (the preload has no other way to be told).
import { EnvReader } from '../env-reader.js'
import { integer, matching, type Rule } from '../value-rules.js'
import { parseHeapDeltaTarget, type HeapDeltaTarget } from './heap-delta-target.js'

export interface ProfilerOptions {
  /** Where the profile files go; created if missing. */
  outDir: string
  /** File name stem. @default `worker-<pid>` */
  label: string
  /** CPU sampling interval, µs: V8's default; finer costs more and distorts more. @default 1000 */
  cpuSamplingIntervalUs: number
  /** Mean bytes between two heap samples: V8's default. @default 32768 */
  heapSamplingIntervalBytes: number
  /** Memory (RSS, heap, external, array buffers) and ELU sample interval, ms: mprof's 0.1 s. @default 100 */
  runtimeSampleMs: number
  /** A session stops by itself after this long, ms: a forgotten one must not run forever. @default 120_000 */
  maxDurationMs: number
}

export const PROFILER_DEFAULTS = Object.freeze({
  cpuSamplingIntervalUs: 1000,
  heapSamplingIntervalBytes: 32_768,
  runtimeSampleMs: 100,
  maxDurationMs: 120_000
})

/** Each option's rule: for a session's options, and for the environment variables that set them. */
const RULES = Object.freeze({
  cpuSamplingIntervalUs: integer(50, 1_000_000),
  heapSamplingIntervalBytes: integer(128, 1 << 30),
  runtimeSampleMs: integer(10, 60_000),
  maxDurationMs: integer(100, 3_600_000),
  label: matching(/^[\w.-]{1,100}$/, '1-100 characters of A-Z a-z 0-9 _ . -')
} satisfies { [K in Exclude<keyof ProfilerOptions, 'outDir'>]: Rule<ProfilerOptions[K]> })

export function profilerOptions (options: Partial<ProfilerOptions> & { outDir: string }): Readonly<ProfilerOptions> {
  const resolved: ProfilerOptions = { label: `worker-${process.pid}`, ...PROFILER_DEFAULTS, ...options }
  for (const [name, rule] of Object.entries(RULES)) {
    const value = resolved[name as keyof typeof RULES]
    if (!rule.accepts(value)) throw new TypeError(`expected ${name} to be ${rule.expected}, got ${JSON.stringify(value)}`)
  }
  if (resolved.outDir === '') throw new TypeError('expected outDir')
  return Object.freeze(resolved)
}

/** The environment a profiled app is started with (see preload.ts). */
export interface ProfilerEnvironment {
  /** CACHESTACK_PROFILE_DIR: set, the preload arms a worker; unset, it does nothing. */
  outDir: string
  /** CACHESTACK_PROFILE_WORKER: cluster worker id to arm. @default 1 */
  workerId: number
  options: Readonly<ProfilerOptions>
  /** CACHESTACK_PROFILE_HEAP_DELTA: the function `--heap-delta` wraps in the profiled worker, or null. */
  heapDelta: HeapDeltaTarget | null
}

export const PROFILE_ENV = Object.freeze({
  dir: 'CACHESTACK_PROFILE_DIR',
  worker: 'CACHESTACK_PROFILE_WORKER',
  cpuSamplingIntervalUs: 'CACHESTACK_PROFILE_CPU_INTERVAL_US',
  maxDurationMs: 'CACHESTACK_PROFILE_MAX_MS',
  heapDelta: 'CACHESTACK_PROFILE_HEAP_DELTA'
})

/** undefined when profiling is not asked for; throws naming the variable on a bad value. */
export function profilerEnvironment (env: Record<string, string | undefined>, pid = process.pid): ProfilerEnvironment | undefined {
  const outDir = env[PROFILE_ENV.dir]
  if (outDir === undefined || outDir === '') return undefined
  const r = new EnvReader(env)
  // Cluster worker ids count every fork, replacements included: bounded by nothing but the run.
  const workerId = r.read(PROFILE_ENV.worker, integer(1, 2 ** 31 - 1), 1)
  const cpuSamplingIntervalUs = r.read(PROFILE_ENV.cpuSamplingIntervalUs, RULES.cpuSamplingIntervalUs, PROFILER_DEFAULTS.cpuSamplingIntervalUs)
  const maxDurationMs = r.read(PROFILE_ENV.maxDurationMs, RULES.maxDurationMs, PROFILER_DEFAULTS.maxDurationMs)
  r.throwIfInvalid()
  const heapDelta = env[PROFILE_ENV.heapDelta]
  return {
    outDir,
    workerId,
    heapDelta: heapDelta === undefined || heapDelta === '' ? null : parseHeapDeltaTarget(heapDelta, PROFILE_ENV.heapDelta),
    options: profilerOptions({
      outDir,
      label: `worker-${pid}`,
      cpuSamplingIntervalUs,
      maxDurationMs
    })
  }
}
