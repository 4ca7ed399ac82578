// Loaded into each of the app's processes by the soak (NODE_OPTIONS=--import=…, with
// SOAK_PROBE_DIR set; the cluster's workers inherit both): once a second, this process's V8 heap
// — used, committed, and what the old generation still held right after the last major
// collection — written to <SOAK_PROBE_DIR>/<pid>.json for the samplers (soak/samplers.ts).
//
// Why: the primary's metrics listener only has the heap summed over the workers, and a heap
// sampled at random moments is a sawtooth (V8 lets it grow for minutes between major
// collections, and keeps the pages committed for a while after). The live size after a major
// collection is what a leak raises. Not part of the service: without SOAK_PROBE_DIR it does nothing.
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks'
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8'

/** What one process reports; `liveAfterMajorGc` is null until its first major collection. */
export interface ProbeReport {
  pid: number
  /** Date.now() of the write. */
  at: number
  heapUsed: number
  /** V8's committed heap (total_heap_size). */
  heapCommitted: number
  /** Heap used minus the young generation, read as the major collection's performance entry arrives. */
  liveAfterMajorGc: number | null
  majorGcs: number
}

/** Heap used outside the young generation: what survives, without what was allocated since. */
function oldGenerationUsed (): number {
  let used = 0
  for (const space of getHeapSpaceStatistics()) if (!space.space_name.startsWith('new_')) used += space.space_used_size
  return used
}

const dir = process.env.SOAK_PROBE_DIR
if (dir !== undefined && dir !== '') {
  const file = join(dir, `${process.pid}.json`)
  const partial = `${file}.partial`
  let liveAfterMajorGc: number | null = null
  let majorGcs = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
      if (entry.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue
      majorGcs++
      liveAfterMajorGc = oldGenerationUsed()
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  const write = (): void => {
    const heap = getHeapStatistics()
    const report: ProbeReport = {
      pid: process.pid,
      at: Date.now(),
      heapUsed: heap.used_heap_size,
      heapCommitted: heap.total_heap_size,
      liveAfterMajorGc,
      majorGcs
    }
    try {
      // Whole or not at all: the sampler never reads half a file.
      writeFileSync(partial, JSON.stringify(report))
      renameSync(partial, file)
    } catch {} // the soak removed the directory: it is over
  }
  write()
  setInterval(write, 1000).unref()
}
