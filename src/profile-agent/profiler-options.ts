// Options of a profiling session, with every default in one place, and how a worker reads
// them from its environment (the preload has no other way to be told).
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

export function profilerOptions (options: Partial<ProfilerOptions> & { outDir: string }): Readonly<ProfilerOptions> {
  const resolved: ProfilerOptions = { label: `worker-${process.pid}`, ...PROFILER_DEFAULTS, ...options }
  const check = (name: keyof ProfilerOptions, min: number, max: number): void => {
    const value = resolved[name] as number
    if (!Number.isInteger(value) || value < min || value > max) throw new TypeError(`expected ${name} to be an integer from ${min} to ${max}, got ${value}`)
  }
  check('cpuSamplingIntervalUs', 50, 1_000_000)
  check('heapSamplingIntervalBytes', 128, 1 << 30)
  check('runtimeSampleMs', 10, 60_000)
  check('maxDurationMs', 100, 3_600_000)
  if (!/^[\w.-]{1,100}$/.test(resolved.label)) {
    throw new TypeError(`expected label to be 1-100 characters of A-Z a-z 0-9 _ . -, got ${JSON.stringify(resolved.label)}`)
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
  const int = (name: string, fallback: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    if (!/^\d+$/.test(raw)) throw new TypeError(`${name}=${JSON.stringify(raw)}: expected a positive integer`)
    return Number(raw)
  }
  const heapDelta = env[PROFILE_ENV.heapDelta]
  return {
    outDir,
    workerId: int(PROFILE_ENV.worker, 1),
    heapDelta: heapDelta === undefined || heapDelta === '' ? null : parseHeapDeltaTarget(heapDelta, PROFILE_ENV.heapDelta),
    options: profilerOptions({
      outDir,
      label: `worker-${pid}`,
      cpuSamplingIntervalUs: int(PROFILE_ENV.cpuSamplingIntervalUs, PROFILER_DEFAULTS.cpuSamplingIntervalUs),
      maxDurationMs: int(PROFILE_ENV.maxDurationMs, PROFILER_DEFAULTS.maxDurationMs)
    })
  }
}
