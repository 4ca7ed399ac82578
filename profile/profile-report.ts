// One profiling run's artifacts → what people read: the CPU tables (self and total), the line
// view of our own top functions when asked, the memory view — the top allocation sites (our own by
// TypeScript file:line), the heap delta of --heap-delta, memory over time of every worker, the
// largest retainers of --heap-snapshot — the runtime lines (GC, event loop), a flame graph page
// (with the line view of our functions on click) and a memory page (the chart over time).
import { readFile, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { buildLineView, type AnnotatedFunction, type LineView } from './annotated-source.js'
import { parseCpuProfile } from './cpu-profile.js'
import { formatCpuReport } from './cpu-report.js'
import { summarizeCpuProfile, topFunctions, type CpuSummary, type FunctionStat } from './cpu-summary.js'
import { renderFlameGraph } from './flame-graph.js'
import { formatHeapDelta } from './heap-delta-report.js'
import { formatHeapReport } from './heap-report.js'
import { parseHeapProfile, summarizeHeapProfile, type HeapSummary } from './heap-profile.js'
import { formatRetainers, readRetainers, type RetainerReport } from './heap-snapshot-report.js'
import { formatLineView } from './line-report.js'
import { renderMemoryPage } from './memory-page.js'
import { formatMemoryTimeline } from './memory-report.js'
import type { ProfiledWorkerRun, WorkerMemory } from './profile-worker.js'
import { createTypeScriptLocator } from './typescript-location.js'
import type { RuntimeStats } from '../src/profile-agent/runtime-sampler.js'
import type { ProfileArtifacts } from '../src/profile-agent/worker-profiler.js'

export interface ProfileReport {
  /** The terminal report. */
  text: string
  flameGraph: string
  /** `<label>.memory.html`: memory over time, allocation sites, heap delta, retainers. */
  memoryPage: string
  cpu: CpuSummary
  heap: HeapSummary
  /** From --heap-snapshot's file, or null (not asked for, or not readable: the text says which). */
  retainers: RetainerReport | null
  /** The top three by self time, V8's bookkeeping left out (for the ladder's table). */
  topThree: FunctionStat[]
}

export interface ProfileReportOptions {
  /** Rows per table. @default 15 */
  limit?: number
  /** Flame graph title. @default the artifacts' label */
  title?: string
  /** Functions in the terminal's line view (after the CPU tables); 0 for none. @default 0 */
  lines?: number
  /** The checkout the profile's scripts are in. @default process.cwd() */
  root?: string
  /** ANSI dim in the line view. @default false */
  color?: boolean
  /** The --heap-delta function's TypeScript file:line, when the driver resolved it. */
  heapDeltaWhere?: string
}

/** Own functions whose lines the flame graph page carries (a click shows them): enough for what is wide enough to click. */
const FLAME_LINE_FUNCTIONS = 25

/** The line view, or why there is none: a bug in it must not cost the run's other results. */
function lineViewOf (build: () => LineView): LineView | string {
  try {
    return build()
  } catch (err) {
    return `Line view: not available (${(err as Error).message})`
  }
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

/** Reads the files of one run, writes `<label>.flame.html` and `<label>.memory.html` beside them, returns the report. */
export async function buildProfileReport (
  artifacts: ProfileArtifacts & Partial<Pick<ProfiledWorkerRun, 'workerId' | 'memory' | 'memoryProblems'>>,
  { limit = 15, title, lines = 0, root = process.cwd(), color = false, heapDeltaWhere }: ProfileReportOptions = {}
): Promise<ProfileReport> {
  const profile = parseCpuProfile(await readFile(artifacts.cpuProfile, 'utf8'), artifacts.cpuProfile)
  const cpu = summarizeCpuProfile(profile, { root })
  // A live run: the scripts on disk are the ones that ran.
  const typescript = createTypeScriptLocator({ root, sameBuild: true })
  const heap = summarizeHeapProfile(parseHeapProfile(await readFile(artifacts.heapProfile, 'utf8'), artifacts.heapProfile), { root, typescript })
  const stem = artifacts.cpuProfile.replace(/\.cpuprofile$/, '')
  const flameGraph = stem + '.flame.html'
  const memoryPage = stem + '.memory.html'
  // One view serves both: the terminal prints its first `lines` functions, the page carries more.
  const view = lineViewOf(() => buildLineView(profile, cpu, { count: Math.max(lines, FLAME_LINE_FUNCTIONS), root, sameBuild: true }))
  const annotated = typeof view === 'string' ? [] : view.functions.filter((fn): fn is AnnotatedFunction => fn.kind === 'annotated')
  await writeFile(flameGraph, renderFlameGraph(profile, {
    title: title ?? `${artifacts.label}: CPU, ${artifacts.startedAt}`,
    root,
    lines: annotated,
    intervalUs: typeof view === 'string' ? 0 : view.intervalUs
  }))
  const memory: WorkerMemory[] = artifacts.memory ??
    [{ workerId: artifacts.workerId ?? null, pid: artifacts.pid, profiled: true, runtime: artifacts.runtimeStats }]
  let retainers: RetainerReport | null = null
  let retainerText: string | null = null
  if (artifacts.heapSnapshot != null) {
    try {
      retainers = await readRetainers(artifacts.heapSnapshot)
      retainerText = formatRetainers(retainers, { limit: Math.min(limit, 15) })
    } catch (err) {
      // A snapshot that cannot be read must not cost the run's other results.
      retainerText = `Heap snapshot ${artifacts.heapSnapshot}: not analysed (${(err as Error).message})`
    }
  } else if (artifacts.heapSnapshotError != null) {
    retainerText = `Heap snapshot: not written (${artifacts.heapSnapshotError})`
  }
  const heapDelta = artifacts.heapDelta ?? null
  await writeFile(memoryPage, renderMemoryPage({
    title: title ?? artifacts.label,
    workers: memory,
    heap,
    heapDelta: heapDelta === null ? null : { stats: heapDelta, where: heapDeltaWhere },
    retainers,
    flameGraph: basename(flameGraph)
  }))
  const text = [
    formatCpuReport(cpu, { limit }),
    ...(lines > 0 ? ['', typeof view === 'string' ? view : formatLineView(view, { count: lines, color })] : []),
    '',
    formatHeapReport(heap, { limit: Math.min(limit, 10) }),
    ...(heapDelta === null ? [] : ['', formatHeapDelta(heapDelta, { where: heapDeltaWhere })]),
    '',
    formatRuntime(artifacts.runtimeStats),
    '',
    formatMemoryTimeline(memory),
    ...(artifacts.memoryProblems ?? []).map((problem) => `(not shown: ${problem})`),
    ...(retainerText === null ? [] : ['', retainerText]),
    '',
    `Files: ${artifacts.cpuProfile} (Chrome DevTools › Performance › Load profile), ${flameGraph}, ${memoryPage} (memory over time), ` +
      `${artifacts.heapProfile}, ${artifacts.runtime}${artifacts.heapSnapshot == null ? '' : `, ${artifacts.heapSnapshot} (DevTools › Memory › Load)`}`
  ].join('\n')
  return { text, flameGraph, memoryPage, cpu, heap, retainers, topThree: topFunctions(cpu, 'self', { limit: 3 }) }
}
