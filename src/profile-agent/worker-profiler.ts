// Profiles the process it runs in through node:inspector (no restart, no --cpu-prof flag):
// a CPU profile, a sampling heap profile and the runtime stats, from start to stop, written
// as `<label>.cpuprofile`, `<label>.heapprofile`, `<label>.runtime.json` and a manifest.
// Nothing is installed on the request path: V8 samples the stacks from its own thread.
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { profilerOptions, type ProfilerOptions } from './profiler-options.js'
import { RuntimeSampler, type RuntimeStats } from './runtime-sampler.js'

export interface ProfileArtifacts {
  pid: number
  label: string
  startedAt: string
  durationMs: number
  /** Stopped by maxDurationMs rather than by stop(). */
  timedOut: boolean
  cpuProfile: string
  heapProfile: string
  runtime: string
  runtimeStats: RuntimeStats
}

export interface ProfilingSession {
  readonly options: Readonly<ProfilerOptions>
  /** Stops every recorder and writes the files; idempotent (later calls get the same result). */
  stop (): Promise<ProfileArtifacts>
  /** Settles when the session has stopped, by stop() or by maxDurationMs. */
  readonly finished: Promise<ProfileArtifacts>
}

export const MANIFEST_SUFFIX = '.profile.json'

/** Starts CPU and heap sampling and the runtime sampler in this process. */
export async function startProfiling (input: Partial<ProfilerOptions> & { outDir: string }): Promise<ProfilingSession> {
  const options = profilerOptions(input)
  await mkdir(options.outDir, { recursive: true })
  const session = new Session()
  session.connect()
  const startedAt = new Date()
  const sampler = new RuntimeSampler({ intervalMs: options.runtimeSampleMs })
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: options.cpuSamplingIntervalUs })
    // CPU first: starting it allocates line tables for every loaded script, which are the
    // profiler's, not the app's; heap sampling starts after and stops first (see stop()).
    await session.post('Profiler.start')
    await session.post('HeapProfiler.enable')
    // Garbage included: the question is what allocates (GC pressure), not only what survives.
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: options.heapSamplingIntervalBytes,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true
    })
  } catch (err) {
    session.disconnect()
    throw err
  }
  sampler.start()

  let stopping: Promise<ProfileArtifacts> | undefined
  let settle: (artifacts: Promise<ProfileArtifacts>) => void = () => {}
  const finished = new Promise<ProfileArtifacts>((resolve) => { settle = resolve })
  const stop = (timedOut: boolean): Promise<ProfileArtifacts> => {
    stopping ??= (async () => {
      clearTimeout(deadline)
      const runtimeStats = sampler.stop()
      try {
        // Heap first: the CPU profile's own JSON, allocated by Profiler.stop, is not the app's.
        const { profile: heap } = await session.post('HeapProfiler.stopSampling') as { profile: unknown }
        const { profile } = await session.post('Profiler.stop') as { profile: unknown }
        await session.post('Profiler.disable')
        await session.post('HeapProfiler.disable')
        const base = join(options.outDir, options.label)
        const artifacts: ProfileArtifacts = {
          pid: process.pid,
          label: options.label,
          startedAt: startedAt.toISOString(),
          durationMs: runtimeStats.durationMs,
          timedOut,
          cpuProfile: base + '.cpuprofile',
          heapProfile: base + '.heapprofile',
          runtime: base + '.runtime.json',
          runtimeStats
        }
        await writeFile(artifacts.cpuProfile, JSON.stringify(profile))
        await writeFile(artifacts.heapProfile, JSON.stringify(heap))
        await writeFile(artifacts.runtime, JSON.stringify(runtimeStats, null, 2))
        // Written last, and atomically: its presence means every other file is complete.
        await writeFile(base + MANIFEST_SUFFIX + '.tmp', JSON.stringify(artifacts, null, 2))
        await rename(base + MANIFEST_SUFFIX + '.tmp', base + MANIFEST_SUFFIX)
        return artifacts
      } finally {
        session.disconnect()
      }
    })()
    settle(stopping)
    return stopping
  }
  const deadline = setTimeout(() => { stop(true).catch(() => {}) }, options.maxDurationMs)
  deadline.unref()
  return { options, stop: () => stop(false), finished }
}
