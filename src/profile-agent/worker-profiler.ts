// Profiles the process it runs in through node:inspector (no restart, no --cpu-prof flag):
// a CPU profile, a sampling heap profile and the runtime stats, from start to stop, written
// as `<label>.cpuprofile`, `<label>.heapprofile`, `<label>.runtime.json` and a manifest; on
// request a heap snapshot at the end (`<label>.heapsnapshot`), and the heap-delta counts of a
// wrapped function (`--heap-delta`, heap-delta.ts).
// Nothing is installed on the request path: V8 samples the stacks from its own thread.
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { writeHeapSnapshot } from 'node:v8'
import type { HeapDeltaRecorder, HeapDeltaStats } from './heap-delta.js'
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
  /** The snapshot written at the end of the session when asked for, else null. */
  heapSnapshot: string | null
  /** Why a requested snapshot was not written, else null. */
  heapSnapshotError: string | null
  /** ms writing it took (the worker is blocked meanwhile), or null. */
  heapSnapshotMs: number | null
  /** The wrapped function's calls, with --heap-delta; else null. */
  heapDelta: HeapDeltaStats | null
}

/** What the driver asks of one session (the start file's JSON, see profile-trigger.ts). */
export interface SessionExtras {
  /** Write a heap snapshot after the profilers stop. @default false */
  heapSnapshot?: boolean
  /** The --heap-delta recorder the preload installed. */
  heapDelta?: HeapDeltaRecorder
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
export async function startProfiling (
  input: Partial<ProfilerOptions> & { outDir: string },
  { heapSnapshot = false, heapDelta }: SessionExtras = {}
): Promise<ProfilingSession> {
  const options = profilerOptions(input)
  await mkdir(options.outDir, { recursive: true })
  const session = new Session()
  session.connect()
  const startedAt = new Date()
  const sampler = new RuntimeSampler({ intervalMs: options.runtimeSampleMs })
  const base = join(options.outDir, options.label)
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
  heapDelta?.begin()

  let stopping: Promise<ProfileArtifacts> | undefined
  let settle: (artifacts: Promise<ProfileArtifacts>) => void = () => {}
  const finished = new Promise<ProfileArtifacts>((resolve) => { settle = resolve })
  const stop = (timedOut: boolean): Promise<ProfileArtifacts> => {
    stopping ??= (async () => {
      clearTimeout(deadline)
      const runtimeStats = sampler.stop()
      const heapDeltaStats = heapDelta?.end() ?? null
      let artifacts: ProfileArtifacts
      try {
        // Heap first: the CPU profile's own JSON, allocated by Profiler.stop, is not the app's.
        const { profile: heap } = await session.post('HeapProfiler.stopSampling') as { profile: unknown }
        const { profile } = await session.post('Profiler.stop') as { profile: unknown }
        await session.post('Profiler.disable')
        await session.post('HeapProfiler.disable')
        artifacts = {
          pid: process.pid,
          label: options.label,
          startedAt: startedAt.toISOString(),
          durationMs: runtimeStats.durationMs,
          timedOut,
          cpuProfile: base + '.cpuprofile',
          heapProfile: base + '.heapprofile',
          runtime: base + '.runtime.json',
          runtimeStats,
          heapSnapshot: null,
          heapSnapshotError: null,
          heapSnapshotMs: null,
          heapDelta: heapDeltaStats
        }
        await writeFile(artifacts.cpuProfile, JSON.stringify(profile))
        await writeFile(artifacts.heapProfile, JSON.stringify(heap))
        await writeFile(artifacts.runtime, JSON.stringify(runtimeStats, null, 2))
      } finally {
        session.disconnect()
      }
      if (heapSnapshot) {
        // After the profilers are gone, so their buffers are not what it shows. V8 runs a full
        // GC first and the worker is blocked while it writes: the load is over by now.
        const started = performance.now()
        try {
          artifacts.heapSnapshot = writeHeapSnapshot(base + '.heapsnapshot')
        } catch (err) {
          artifacts.heapSnapshotError = (err as Error).message
        }
        artifacts.heapSnapshotMs = Math.round(performance.now() - started)
      }
      // Written last, and atomically: its presence means every other file is complete.
      await writeFile(base + MANIFEST_SUFFIX + '.tmp', JSON.stringify(artifacts, null, 2))
      await rename(base + MANIFEST_SUFFIX + '.tmp', base + MANIFEST_SUFFIX)
      return artifacts
    })()
    settle(stopping)
    return stopping
  }
  const deadline = setTimeout(() => { stop(true).catch(() => {}) }, options.maxDurationMs)
  deadline.unref()
  return { options, stop: () => stop(false), finished }
}
