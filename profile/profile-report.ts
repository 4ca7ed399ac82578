// One profiling run's artifacts → what people read: the CPU tables (self and total), the top
// allocation sites, the runtime line (heap, RSS, GC, event loop), and a flame graph page.
import { readFile, writeFile } from 'node:fs/promises'
import { parseCpuProfile } from './cpu-profile.js'
import { formatCpuReport } from './cpu-report.js'
import { summarizeCpuProfile, topFunctions, type CpuSummary, type FunctionStat } from './cpu-summary.js'
import { renderFlameGraph } from './flame-graph.js'
import { formatHeapReport } from './heap-report.js'
import { parseHeapProfile, summarizeHeapProfile, type HeapSummary } from './heap-profile.js'
import type { RuntimeStats } from '../src/profile-agent/runtime-sampler.js'
import type { ProfileArtifacts } from '../src/profile-agent/worker-profiler.js'

export interface ProfileReport {
  /** The terminal report. */
  text: string
  flameGraph: string
  cpu: CpuSummary
  heap: HeapSummary
  /** The top three by self time, V8's bookkeeping left out (for the ladder's table). */
  topThree: FunctionStat[]
}

export interface ProfileReportOptions {
  /** Rows per table. @default 15 */
  limit?: number
  /** Flame graph title. @default the artifacts' label */
  title?: string
}

const mib = (bytes: number): string => (bytes / 1048576).toFixed(1)

export function formatRuntime (stats: RuntimeStats): string {
  const heap = stats.samples.map((s) => s.heapUsed)
  const rss = stats.samples.map((s) => s.rss)
  const d = stats.eventLoopDelay
  return [
    `Runtime over ${(stats.durationMs / 1000).toFixed(1)} s: heap used ${mib(Math.min(...heap))}–${mib(Math.max(...heap))} MiB, ` +
      `RSS ${mib(Math.min(...rss))}–${mib(Math.max(...rss))} MiB`,
    `GC: ${stats.gc.count} pauses, ${stats.gc.totalMs.toFixed(1)} ms (${(100 * stats.gc.totalMs / (stats.durationMs || 1)).toFixed(1)}% of the run), ` +
      `longest ${stats.gc.maxMs.toFixed(1)} ms`,
    `Event loop: delay p50 ${d.p50} ms, p99 ${d.p99} ms, max ${d.max} ms; utilization ${(100 * stats.eventLoopUtilization).toFixed(1)}%`
  ].join('\n')
}

/** Reads the files of one run, writes `<label>.flame.html` beside them, returns the report. */
export async function buildProfileReport (artifacts: ProfileArtifacts, { limit = 15, title }: ProfileReportOptions = {}): Promise<ProfileReport> {
  const profile = parseCpuProfile(await readFile(artifacts.cpuProfile, 'utf8'), artifacts.cpuProfile)
  const cpu = summarizeCpuProfile(profile)
  const heap = summarizeHeapProfile(parseHeapProfile(await readFile(artifacts.heapProfile, 'utf8'), artifacts.heapProfile))
  const flameGraph = artifacts.cpuProfile.replace(/\.cpuprofile$/, '') + '.flame.html'
  await writeFile(flameGraph, renderFlameGraph(profile, { title: title ?? `${artifacts.label}: CPU, ${artifacts.startedAt}` }))
  const text = [
    formatCpuReport(cpu, { limit }),
    '',
    formatHeapReport(heap, { limit: Math.min(limit, 10) }),
    '',
    formatRuntime(artifacts.runtimeStats),
    '',
    `Files: ${artifacts.cpuProfile} (Chrome DevTools › Performance › Load profile), ${flameGraph}, ${artifacts.heapProfile}, ${artifacts.runtime}`
  ].join('\n')
  return { text, flameGraph, cpu, heap, topThree: topFunctions(cpu, 'self', { limit: 3 }) }
}
