// Child process of bench/allocation.ts: measures the bytes tip 2's sum variants allocate, where
// gc() exists (node --expose-gc) and the young generation is large enough that no collection runs
// inside the measured call. Prints one JSON document on stdout.
//  - allocated: heapUsed after one call − heapUsed before it, the heap just collected. With no GC
//    in between, nothing allocated during the call has been freed yet, so the delta is every byte
//    the call allocated, short-lived garbage included. v8.GCProfiler checks that no GC ran.
//  - live at peak: what the variant keeps reachable at its worst moment (PEAK_STATE), after a
//    full GC: the memory that must fit at once, which is what Python's generator tip is about.
// Each is measured 9 times after a warm-up (the optimized code, as the timing benchmark sees it),
// minus the same measurement of an empty function (memoryUsage()'s own object). Allocated: the
// smallest of the 9, as a call allocates the same every time and, with no GC in the window, noise
// only adds (~180 KB turned up in 3 of 7 calls of an empty function). Live: the median, as a full
// GC can also free a few KB that were not the variant's (deltas of −5 KB turned up).
import { GCProfiler } from 'node:v8'
import { PEAK_STATE, SUM_VARIANTS, type SumVariant } from './sum-variants.js'

export interface AllocationRow {
  variant: SumVariant
  size: number
  /** Bytes allocated by one call. */
  allocatedBytes: number
  /** Bytes reachable at the variant's worst moment. */
  liveBytes: number
  /** A GC ran inside a measured call: allocatedBytes is then only a lower bound. */
  gcDuringCall: boolean
}

const REPEATS = 9
const gc = globalThis.gc
if (gc === undefined) throw new Error('allocation-probe needs node --expose-gc')

let keep: unknown

function allocated (fn: (xs: readonly number[]) => unknown, xs: readonly number[]): { bytes: number, gcs: number } {
  const deltas: number[] = []
  let gcs = 0
  for (let r = 0; r < REPEATS; r++) {
    // Drop the previous result first, so that no GC inside the window can free it.
    keep = undefined
    gc!()
    const profiler = new GCProfiler()
    profiler.start()
    const before = process.memoryUsage().heapUsed
    keep = fn(xs)
    const after = process.memoryUsage().heapUsed
    gcs += profiler.stop().statistics.length
    deltas.push(after - before)
  }
  return { bytes: Math.min(...deltas), gcs }
}

function live (state: (xs: readonly number[]) => unknown, xs: readonly number[]): number {
  const deltas: number[] = []
  for (let r = 0; r < REPEATS; r++) {
    keep = undefined
    gc!()
    const before = process.memoryUsage().heapUsed
    keep = state(xs)
    gc!()
    deltas.push(process.memoryUsage().heapUsed - before)
  }
  return deltas.sort((a, b) => a - b)[deltas.length >> 1]!
}

const sizes = process.argv.slice(2).map(Number)
const rows: AllocationRow[] = []
const empty = (xs: readonly number[]): unknown => xs.length
const nothing = (): unknown => undefined
for (const size of sizes) {
  const xs = Array.from({ length: size }, (_, i) => i)
  // ≥ 20 calls and ≥ 2·10⁶ elements: enough for TurboFan to optimize each variant at this size.
  const warmups = Math.max(20, Math.ceil(2e6 / size))
  for (const fn of [empty, ...Object.values(SUM_VARIANTS)]) for (let k = 0; k < warmups; k++) keep = fn(xs)
  const baseAllocated = allocated(empty, xs).bytes
  const baseLive = live(nothing, xs)
  for (const [variant, fn] of Object.entries(SUM_VARIANTS) as Array<[SumVariant, (xs: readonly number[]) => number]>) {
    const { bytes, gcs } = allocated(fn, xs)
    rows.push({
      variant,
      size,
      allocatedBytes: Math.max(0, bytes - baseAllocated),
      liveBytes: Math.max(0, live(PEAK_STATE[variant], xs) - baseLive),
      gcDuringCall: gcs > 0
    })
  }
}
void keep
process.stdout.write(JSON.stringify(rows) + '\n')
