// The other workers of a profiled app: memory over time only (the runtime sampler: RSS, heap,
// external, array buffers, GC pauses, event loop), no CPU or heap profiler, so `npm run profile`
// can draw every worker's memory beside the profiled one's at the cost of a timer each.
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { profilerOptions, type ProfilerOptions } from './profiler-options.js'
import { RuntimeSampler, type RuntimeStats } from './runtime-sampler.js'
import { MANIFEST_SUFFIX } from './worker-profiler.js'

export interface MemoryArtifacts {
  kind: 'memory'
  pid: number
  label: string
  startedAt: string
  durationMs: number
  timedOut: boolean
  runtime: string
  runtimeStats: RuntimeStats
}

export interface MemorySession {
  stop (): Promise<MemoryArtifacts>
  readonly finished: Promise<MemoryArtifacts>
}

export async function startMemorySampling (input: Partial<ProfilerOptions> & { outDir: string }): Promise<MemorySession> {
  const options = profilerOptions(input)
  await mkdir(options.outDir, { recursive: true })
  const startedAt = new Date()
  const sampler = new RuntimeSampler({ intervalMs: options.runtimeSampleMs })
  sampler.start()
  let stopping: Promise<MemoryArtifacts> | undefined
  let settle: (artifacts: Promise<MemoryArtifacts>) => void = () => {}
  const finished = new Promise<MemoryArtifacts>((resolve) => { settle = resolve })
  const stop = (timedOut: boolean): Promise<MemoryArtifacts> => {
    stopping ??= (async () => {
      clearTimeout(deadline)
      const runtimeStats = sampler.stop()
      const base = join(options.outDir, options.label)
      const artifacts: MemoryArtifacts = {
        kind: 'memory',
        pid: process.pid,
        label: options.label,
        startedAt: startedAt.toISOString(),
        durationMs: runtimeStats.durationMs,
        timedOut,
        runtime: base + '.runtime.json',
        runtimeStats
      }
      await writeFile(artifacts.runtime, JSON.stringify(runtimeStats, null, 2))
      // As the profiler's: written last and atomically, its presence means the rest is complete.
      await writeFile(base + MANIFEST_SUFFIX + '.tmp', JSON.stringify(artifacts, null, 2))
      await rename(base + MANIFEST_SUFFIX + '.tmp', base + MANIFEST_SUFFIX)
      return artifacts
    })()
    settle(stopping)
    return stopping
  }
  const deadline = setTimeout(() => { stop(true).catch(() => {}) }, options.maxDurationMs)
  deadline.unref()
  return { stop: () => stop(false), finished }
}
